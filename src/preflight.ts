// Before the first change to any org: everything that can be known to fail later is checked now, each problem
// said as a problem with the input at fault. Only reads; a check the org cannot answer (an object or field this
// org or user cannot see) is logged and skipped, never guessed into a failure; any other error fails the run here,
// as it would at the step that needs the same read. Evidence: docs/platform-notes.md §16.
import type { Connection } from '@salesforce/core';
import { Package } from '@salesforce/packaging';
import type { PackageSettings, Settings } from './model.ts';
import { devHubInput, type OrgSession } from './login.ts';
import { ActionError, type InputProblem, problemLine } from './errors.ts';
import { reusableVersionId } from './packaging.ts';
import { withRetry } from './retry.ts';
import { redact } from './mask.ts';
import { orgId, orgVersionNumber } from './org-answers.ts';
import {
  CHECKED_PERMISSIONS,
  CUSTOMIZE_APPLICATION,
  type Granted,
  MODIFY_ALL_DATA,
  missingPermissions,
} from './permissions.ts';

/** Every problem found, each against its input; main annotates them one by one. */
export class PreflightError extends ActionError {
  override name = 'PreflightError';
  declare readonly problems: InputProblem[];
  constructor(problems: InputProblem[]) {
    super(
      'preflight',
      `${problems.length} problem(s) found before any change was made:\n${problems.map((p) => `  - ${problemLine(p)}`).join('\n')}`,
      { problems },
    );
  }
}

export async function preflight(
  settings: Settings,
  hub: OrgSession,
  target: OrgSession | undefined,
  log: (line: string) => void,
  /** the package project as this run would build it (new-version: when-changed asks which version it would reuse) */
  packageDir?: string,
): Promise<void> {
  const problems: InputProblem[] = [];
  const hubInput = devHubInput(settings.devHub!);
  const check = async (what: string, fn: () => Promise<InputProblem | undefined>): Promise<void> => {
    try {
      const problem = await withRetry(fn, { what, log });
      if (problem) problems.push(problem);
    } catch (error) {
      if (!cannotSee(error)) throw error;
      log(`${what}: not checked (${oneLine(error)}); a problem there would show up at its step.`);
    }
  };

  await check('Permissions of the Dev Hub user', () =>
    deployPermission(hub, hubInput, settings.requireSecret === true),
  );
  const pkg = settings.package;
  const deploy = pkg?.installMethod === 'deploy';
  if (pkg && deploy && target) {
    // install-method: deploy writes into the target as into the Dev Hub: the same permission, checked the same way.
    await check('Permissions of the install target user', () =>
      deployPermission(target, 'install-target', false, 'the install target'),
    );
    if (pkg.mcpServers?.length) await check('Hosted MCP in the install target', () => hostedMcp(target));
  }
  if (pkg?.namespace && !deploy)
    await check('Namespace linked to the Dev Hub', () => namespaceLinked(hub.connection, pkg.namespace!));
  if (pkg && target && !deploy) {
    await check('Namespace of the install target', () => targetNamespace(target, pkg.namespace));
    await check('Packages installed in the install target', () =>
      installedBeta(hub.connection, target, pkg, packageDir, log),
    );
    if (pkg.mcpServers?.length) await check('Hosted MCP in the install target', () => hostedMcp(target));
  }
  if (problems.length) {
    throw new PreflightError(problems);
  }
  log(
    `Checked before any change: Dev Hub user may create External Client Apps${pkg?.namespace && !deploy ? `, namespace ${pkg.namespace} is linked` : ''}${target ? (deploy ? ', the install target user may create External Client Apps' : ', the install target can take the package') : ''}.`,
  );
}

/**
 * Salesforce's rule for creating External Client Apps: Customize Application AND (Modify All Data OR "Create, edit,
 * and delete External Client Apps"); Modify Metadata alone is not enough. Plus the policies' and, with
 * require-secret, the consumer secret's permission. UserPermissionAccess holds the current user's effective
 * permissions (docs/platform-notes.md §16). An org that does not know the External Client App fields (an older API
 * version) is asked for the rest, and the rule is applied to what it answered.
 */
async function deployPermission(
  hub: OrgSession,
  input: string,
  requireSecret: boolean,
  where = 'the Dev Hub',
): Promise<InputProblem | undefined> {
  const fields = CHECKED_PERMISSIONS.map((p) => p.field);
  const read = async (names: string[]): Promise<Granted> =>
    (await hub.connection.query<Granted>(`SELECT ${names.join(', ')} FROM UserPermissionAccess`)).records[0] ?? {};
  let granted: Granted;
  try {
    granted = await read(fields);
  } catch (error) {
    if (!cannotSee(error)) throw error;
    granted = await read([CUSTOMIZE_APPLICATION.field, MODIFY_ALL_DATA.field]);
  }
  const missing = missingPermissions(granted, { requireSecret });
  if (!missing.length) return undefined;
  return {
    input,
    message:
      `the ${where === 'the Dev Hub' ? 'Dev Hub' : 'install target'} user ${hub.username} lacks permissions this run needs, so the External Client App cannot be created: ` +
      `${missing.join('; ')}. Grant them in ${where} under Setup → Permission Sets (a permission set assigned to that user: System Permissions), ` +
      `or log in as an admin of ${where}. ("Modify Metadata Through Metadata API Functions" alone is not enough.)`,
  };
}

async function namespaceLinked(hub: Connection, namespace: string): Promise<InputProblem | undefined> {
  const result = await hub.query<{ NamespacePrefix: string }>('SELECT Id, NamespacePrefix FROM NamespaceRegistry');
  const linked = result.records.map((r) => r.NamespacePrefix).filter(Boolean);
  if (linked.some((ns) => ns.toLowerCase() === namespace.toLowerCase())) return undefined;
  return {
    input: 'package-namespace',
    message:
      `${namespace} is not linked to this Dev Hub (${linked.length ? `linked: ${linked.join(', ')}` : 'no namespace is linked'}). ` +
      'Link it in the Dev Hub under Setup → Namespace Registries → Link Namespace, or give the namespace that is linked.',
  };
}

/** A scratch org created with the project's namespace owns that namespace: a package in it cannot be installed there. */
async function targetNamespace(target: OrgSession, namespace: string | undefined): Promise<InputProblem | undefined> {
  if (!namespace) return undefined;
  const result = await target.connection.query<{ NamespacePrefix: string | null }>(
    'SELECT NamespacePrefix FROM Organization',
  );
  const own = result.records[0]?.NamespacePrefix;
  if (!own || own.toLowerCase() !== namespace.toLowerCase()) return undefined;
  return {
    input: 'install-target',
    message:
      `the org ${target.username} has the namespace ${own} itself (it was created from a project whose sfdx-project.json names ` +
      `"namespace": "${own}"), so a package in that namespace cannot be installed into it. Create the scratch org without the namespace ` +
      '(sf org create scratch --no-namespace …), or use another scratch org.',
  };
}

/** A beta of a managed package cannot be upgraded in place: the install of any other version would fail. */
async function installedBeta(
  hub: Connection,
  target: OrgSession,
  settings: PackageSettings,
  packageDir: string | undefined,
  log: (line: string) => void,
): Promise<InputProblem | undefined> {
  const packageName = settings.name;
  const pkg = (await Package.list(hub)).find((p) => p.Name === packageName && !p.IsDeprecated);
  if (!pkg?.SubscriberPackageId) return undefined; // a new package: nothing of it can be installed yet
  orgId(pkg.SubscriberPackageId, 'subscriberPackage', `the subscriber package id of ${packageName}`);
  const result = await target.connection.tooling.query<{
    SubscriberPackageVersion: {
      Id: string;
      IsBeta: boolean;
      MajorVersion: number;
      MinorVersion: number;
      PatchVersion: number;
      BuildNumber: number;
    } | null;
  }>(
    'SELECT Id, SubscriberPackageVersion.Id, SubscriberPackageVersion.IsBeta, SubscriberPackageVersion.MajorVersion, SubscriberPackageVersion.MinorVersion, ' +
      `SubscriberPackageVersion.PatchVersion, SubscriberPackageVersion.BuildNumber FROM InstalledSubscriberPackage WHERE SubscriberPackageId = '${pkg.SubscriberPackageId}'`,
  );
  const installed = result.records[0]?.SubscriberPackageVersion;
  if (!installed?.IsBeta) return undefined;
  orgId(installed.Id, 'subscriberPackageVersion', 'the id of the version installed in the install target');
  const number = orgVersionNumber(
    [installed.MajorVersion, installed.MinorVersion, installed.PatchVersion, installed.BuildNumber],
    'the version number installed in the install target',
  );
  // An unchanged rerun reuses the version it built before (new-version: when-changed) and installs nothing: a target
  // that holds that very beta is where the last run left it, not a problem.
  if (
    settings.newVersion === 'when-changed' &&
    packageDir &&
    (await reusableVersionId(hub, pkg.Id, packageDir, settings)) === installed.Id
  ) {
    log(`The install target has ${number} (${installed.Id}), the version this run reuses (unchanged package content).`);
    return undefined;
  }
  return {
    input: 'install-target',
    message:
      `the org ${target.username} already has the beta version ${number} (${installed.Id}) of package ${packageName}; a beta of a managed ` +
      `package cannot be upgraded, and this run would install another version (a new build, or new-version: always). Uninstall it first (sf package uninstall --package ${installed.Id} --target-org <install-target>), or use a fresh scratch org.`,
  };
}

/** McpServerAccess exists only where hosted MCP is on; a scratch org gets it from the feature SalesforceHostedMCP. */
async function hostedMcp(target: OrgSession): Promise<InputProblem | undefined> {
  try {
    await target.connection.tooling.query('SELECT Id FROM McpServerAccess LIMIT 1');
    return undefined;
  } catch (error) {
    const e = error as { errorCode?: string; name?: string; message?: string };
    if (!/INVALID_TYPE/.test(`${e.errorCode ?? ''} ${e.name ?? ''}`) && !/is not supported/.test(e.message ?? ''))
      throw error;
    return {
      input: 'mcp-servers',
      message:
        `the install target ${target.username} has no hosted MCP servers (McpServerAccess is not supported there). Create the scratch org ` +
        'with the feature SalesforceHostedMCP in its definition file ("features": ["SalesforceHostedMCP"]), or remove mcp-servers.',
    };
  }
}

/** The org does not offer this object or field to this user: the check cannot be made, which is not a failure. */
function cannotSee(error: unknown): boolean {
  const e = error as { errorCode?: string; name?: string; message?: string };
  return (
    /INVALID_TYPE|INVALID_FIELD|INSUFFICIENT_ACCESS/.test(`${e.errorCode ?? ''} ${e.name ?? ''}`) ||
    /is not supported|No such column/.test(e.message ?? '')
  );
}

function oneLine(error: unknown): string {
  return redact(error instanceof Error ? error.message : String(error))
    .split('\n')
    .filter(Boolean)
    .join(' ')
    .slice(0, 200);
}
