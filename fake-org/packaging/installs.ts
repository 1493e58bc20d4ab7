// Installs in the target org: PackageInstallRequest create (every check first, the outcome decided then and revealed
// when the request finishes after ctx.timing.installPolls reads), its status read, the install itself, and the
// SubscriberPackageVersion retrieve any org may make.
import type { ComponentSource, FakeOrgContext, FakeRequest, FakeResponse, OrgState } from '../types.ts';
import {
  type InstallRequestRec,
  type InstalledRec,
  type Package2Rec,
  type VersionRec,
  findPackage,
  findVersionBy04t,
  key15,
  stateOf,
  timestamp,
  versionNumberOf,
} from '../packaging-state.ts';
import { ID_RE } from '../soql.ts';
import { stillRunning } from '../timing.ts';
import { bodyGet, checkBody, fieldError, notFound, parseJsonObject, retrieveResponse, str } from './http.ts';
import { installRequestValues, installValidationStatus, subscriberVersionValues } from './rows.ts';

/**
 * What an install of a version that has not reached the target yet ends with, besides PACKAGE_UNAVAILABLE's sentence:
 * the forms CumulusCI retries (cumulusci/salesforce_api/package_install.py RETRY_PACKAGE_ERRORS, and the older
 * scripts that match the whole "Invalid Package, Details: …" and "InstalledPackage version number : … does not exist!"
 * texts); the "doesn't yet exist" sentence as a user quoted it from an install page; the row lock as Salesforce words
 * UNABLE_TO_LOCK_ROW (platform-notes §10). Tests pick them with timing.installNotYetTexts.
 */
export const INSTALL_NOT_YET_TEXTS = {
  notYetAvailable: () => 'Invalid Package, Details: This package is not yet available',
  versionNumber: (v: VersionRec) => `InstalledPackage version number : ${versionNumberOf(v)} does not exist!`,
  doesNotYetExist: () =>
    "The requested package doesn't yet exist or has been deleted. If this is a recently created package version, please try again in a few minutes or contact the package publisher.",
  rowLock: () => 'unable to obtain exclusive access to this record or 1 records',
  notFullyAvailable: () =>
    'The package version is not fully available. If this is a recently created package version, try again in a few minutes or contact the package publisher.',
} as const;
export type InstallNotYetForm = keyof typeof INSTALL_NOT_YET_TEXTS;

/** Messages an install ends with, by the InstallValidationStatus that blocks it. */
const INSTALL_BLOCKED: Record<string, (v: VersionRec, pkg: Package2Rec, installed?: VersionRec) => string> = {
  PACKAGE_UNAVAILABLE: () =>
    'The package version is not fully available. If this is a recently created package version, try again in a few minutes or contact the package publisher.',
  BETA_INSTALL_INTO_PRODUCTION_ORG: (v) =>
    `Package version ${versionNumberOf(v)} is a beta version. Beta package versions can be installed only in scratch orgs and sandboxes; promote the version to released to install it in this org.`,
  CANNOT_UPGRADE_BETA: (v, pkg, inst) =>
    `A beta version (${inst ? versionNumberOf(inst) : '?'}) of package ${pkg.Name} is installed in this org. A beta version of a managed package can't be upgraded; uninstall it before you install version ${versionNumberOf(v)}.`,
  CANNOT_INSTALL_EARLIER_VERSION: (v, pkg, inst) =>
    `Version ${inst ? versionNumberOf(inst) : '?'} of package ${pkg.Name} is installed in this org. You can't install an earlier version (${versionNumberOf(v)}).`,
  DEPRECATED_INSTALL_PACKAGE: (v) => `Package version ${versionNumberOf(v)} has been deleted and can't be installed.`,
  NAMESPACE_COLLISION: (_v, pkg) =>
    `The namespace ${pkg.NamespacePrefix ?? ''} is already used in this org, so package ${pkg.Name} can't be installed.`,
};

/** Whether `older` is on `v`'s ancestor chain (AncestorId holds the ancestor's 04t). */
function descendsFrom(ctx: FakeOrgContext, v: VersionRec, older: VersionRec): boolean {
  const seen = new Set<string>();
  let cur: VersionRec | undefined = v;
  while (cur?.AncestorId && !seen.has(cur.AncestorId)) {
    seen.add(cur.AncestorId);
    if (key15(cur.AncestorId) === key15(older.SubscriberPackageVersionId)) return true;
    cur = findVersionBy04t(ctx, cur.AncestorId);
  }
  return false;
}

/** One status read of an install request; finishes it after ctx.timing.installPolls reads. */
export function advanceInstall(ctx: FakeOrgContext, org: OrgState, r: InstallRequestRec): void {
  if (r.Status !== 'IN_PROGRESS') return;
  r.reads++;
  if (r.reads <= ctx.timing.installPolls || stillRunning(r.CreatedDate, ctx.timing.durations.installMs)) return;
  r.LastModifiedDate = timestamp();
  if (r.outcome.kind === 'error') {
    r.Status = 'ERROR';
    r.Errors = { errors: r.outcome.messages.map((message) => ({ message })) };
    return;
  }
  const v = findVersionBy04t(ctx, r.SubscriberPackageVersionKey);
  const pkg = v ? findPackage(ctx, v.Package2Id) : undefined;
  if (!v || !pkg) {
    r.Status = 'ERROR';
    r.Errors = { errors: [{ message: `The package version ${r.SubscriberPackageVersionKey} no longer exists.` }] };
    return;
  }
  install(ctx, org, v, pkg, r.Id);
  r.Status = 'SUCCESS';
  r.Errors = null;
}

/**
 * Put the package's components into the org as the platform does on install: managed components get the
 * namespace prefix (ns__Name, also in references to the app), and ctx.applyComponents stores them, gives them
 * ids, associates the installed app with the Dev Hub's OAuth consumer through the oauthLink and generates the
 * subscriber's default OAuth policy.
 */
function install(ctx: FakeOrgContext, org: OrgState, v: VersionRec, pkg: Package2Rec, requestId: string): void {
  const st = stateOf(org);
  const ns = pkg.ContainerOptions === 'Managed' ? pkg.NamespacePrefix : null;
  const qualify = (name: string) => (ns && !name.startsWith(`${ns}__`) ? `${ns}__${name}` : name);
  const previous = st.installed.get(key15(pkg.SubscriberPackageId));
  if (previous) {
    // an upgrade replaces the components of the installed version
    for (const c of previous.components) {
      org.metadata.get(c.type)?.delete(c.fullName);
      if (c.type === 'ExternalClientApplication') org.consumers.delete(c.fullName);
    }
  }
  const sources: ComponentSource[] = v.components.map((c) => {
    let xml = c.xml;
    if (ns) {
      xml = xml.replace(
        /<externalClientApplication>\s*([^<]+?)\s*<\/externalClientApplication>/g,
        (_m, app: string) => `<externalClientApplication>${qualify(app)}</externalClientApplication>`,
      );
    }
    const fullName = qualify(c.fullName);
    const slash = c.fileName.lastIndexOf('/');
    const base = c.fileName.slice(slash + 1);
    const fileName = `${c.fileName.slice(0, slash + 1)}${qualify(base)}`;
    return { type: c.type, fullName, fileName, xml };
  });
  ctx.applyComponents(org, sources);
  const rec: InstalledRec = {
    Id: previous?.Id ?? ctx.newId('0A3'),
    SubscriberPackageId: pkg.SubscriberPackageId,
    SubscriberPackageVersionId: v.SubscriberPackageVersionId,
    MinPackageVersionId: v.SubscriberPackageVersionId,
    installRequestId: requestId,
    components: sources.map((c) => ({ type: c.type, fullName: c.fullName })),
  };
  st.installed.set(key15(pkg.SubscriberPackageId), rec);
}

export function getSubscriberVersion(ctx: FakeOrgContext, req: FakeRequest, m: RegExpMatchArray): FakeResponse {
  const id = decodeURIComponent(m[1] ?? '');
  const v = ID_RE.test(id) ? findVersionBy04t(ctx, id) : undefined;
  if (!v) return notFound(ctx);
  if (v.InstallKey !== null) {
    return ctx.restError(
      400,
      'INSTALL_KEY_REQUIRED',
      'Please provide installationkey when querying against SubscriberPackageVersion that is protected by installationkey',
    );
  }
  v.availabilityChecks++;
  return retrieveResponse(ctx, req, 'SubscriberPackageVersion', subscriberVersionValues(ctx, v, req.org));
}

export function createInstallRequest(ctx: FakeOrgContext, req: FakeRequest): FakeResponse {
  const org = req.org;
  const parsedBody = parseJsonObject(ctx, req.body.toString('utf8'));
  if (!parsedBody.ok) return parsedBody.res;
  const body = parsedBody.body;
  const bad = checkBody(ctx, body, 'PackageInstallRequest', {
    SubscriberPackageVersionKey: 'string',
    Password: 'string',
    NameConflictResolution: 'string',
    SecurityType: 'string',
    PackageInstallSource: 'string',
    EnableRss: 'boolean',
    UpgradeType: 'string',
    ApexCompileType: 'string',
    SkipHandlers: 'string',
    ProfileMappings: 'any',
  });
  if (bad) return bad;
  const key = str(bodyGet(body, 'SubscriberPackageVersionKey'));
  if (!key)
    return fieldError(
      ctx,
      400,
      'REQUIRED_FIELD_MISSING',
      'Required fields are missing: [SubscriberPackageVersionKey]',
      ['SubscriberPackageVersionKey'],
    );
  if (!ID_RE.test(key) || !key.startsWith('04t')) {
    return fieldError(ctx, 400, 'MALFORMED_ID', `SubscriberPackageVersionKey: id value of incorrect type: ${key}`, [
      'SubscriberPackageVersionKey',
    ]);
  }
  const picklists: [string, string[], string | null][] = [
    ['NameConflictResolution', ['Block', 'RenameMetadata'], 'Block'],
    ['SecurityType', ['None', 'Full', 'Custom'], 'None'],
    ['PackageInstallSource', ['U', 'R', 'D', 'S', 'A'], 'U'],
    ['UpgradeType', ['delete-only', 'deprecate-only', 'mixed-mode'], null],
    ['ApexCompileType', ['all', 'package'], null],
  ];
  const values: Record<string, string | null> = {};
  for (const [field, allowed, dflt] of picklists) {
    const v = bodyGet(body, field);
    if (v === undefined || v === null || v === '') {
      values[field] = dflt;
      continue;
    }
    // Restricted picklists match their API values regardless of case and store the defined one: the sf CLI
    // sends SecurityType 'none' (AdminsOnly) or 'full' (AllUsers), which real orgs accept as None / Full.
    const canonical = allowed.find((a) => a.toLowerCase() === String(v).toLowerCase());
    if (canonical === undefined) {
      return fieldError(
        ctx,
        400,
        'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
        `${field}: bad value for restricted picklist field: ${String(v)}`,
        [field],
      );
    }
    values[field] = canonical;
  }
  const v = findVersionBy04t(ctx, key);
  const pkg = v ? findPackage(ctx, v.Package2Id) : undefined;
  if (!v || !pkg) {
    return fieldError(
      ctx,
      400,
      'INVALID_CROSS_REFERENCE_KEY',
      `invalid cross reference id: no package version with ID ${key} is available to this org`,
      ['SubscriberPackageVersionKey'],
    );
  }
  if ((v.createRefusalsGiven ?? 0) < (ctx.timing.installCreateRefusals ?? 0)) {
    // A version not yet replicated to the target's instance: the platform's plain reference error, which
    // CumulusCI (cumulusci/salesforce_api/package_install.py, _should_retry_package_install) retries.
    v.createRefusalsGiven = (v.createRefusalsGiven ?? 0) + 1;
    return fieldError(ctx, 400, 'INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', [
      'SubscriberPackageVersionKey',
    ]);
  }
  if (pkg.ContainerOptions !== 'Unlocked') {
    if (values['UpgradeType'] !== null && values['UpgradeType'] !== 'mixed-mode') {
      return fieldError(
        ctx,
        400,
        'FIELD_INTEGRITY_EXCEPTION',
        'UpgradeType can be set only when you install or upgrade an unlocked package.',
        ['UpgradeType'],
      );
    }
    if (values['ApexCompileType'] !== null && values['ApexCompileType'] !== 'all') {
      return fieldError(
        ctx,
        400,
        'FIELD_INTEGRITY_EXCEPTION',
        'ApexCompileType can be set only when you install or upgrade an unlocked package.',
        ['ApexCompileType'],
      );
    }
  }
  const password = str(bodyGet(body, 'Password'));
  if (v.InstallKey === null && password !== null) {
    return fieldError(
      ctx,
      400,
      'INSTALL_KEY_INVALID',
      'Can’t install package. This package doesn’t require an installation key. Install the package without specifying an installation key.',
      ['Password'],
    );
  }
  if (v.InstallKey !== null) {
    if (password === null) {
      return fieldError(
        ctx,
        400,
        'INSTALL_KEY_REQUIRED',
        'This package version is protected by an installation key. Provide the installation key (Password) to install it.',
        ['Password'],
      );
    }
    // @salesforce/packaging escapes \ and ' in the key before sending it
    const unescaped = password.replace(/\\(['\\])/g, '$1');
    if (password !== v.InstallKey && unescaped !== v.InstallKey) {
      return fieldError(ctx, 400, 'INSTALL_KEY_INVALID', 'Invalid InstallationKey for SubscriberPackageVersion', [
        'Password',
      ]);
    }
  }

  // Decide the outcome now, reveal it when the request finishes.
  let outcome: InstallRequestRec['outcome'];
  const forced = ctx.failures.install;
  v.availabilityChecks++; // an install attempt also looks the version up
  if (forced) {
    ctx.failures.install = undefined;
    outcome = { kind: 'error', messages: [...forced] };
  } else if (
    (v.notYetTextsGiven ?? 0) < (ctx.timing.installNotYetTexts?.length ?? 0) &&
    installValidationStatus(ctx, v, org).status === 'NO_ERRORS_DETECTED'
  ) {
    const form = ctx.timing.installNotYetTexts![v.notYetTextsGiven ?? 0]!;
    v.notYetTextsGiven = (v.notYetTextsGiven ?? 0) + 1;
    outcome = { kind: 'error', messages: [INSTALL_NOT_YET_TEXTS[form](v)] };
  } else if (
    (v.notAvailableGiven ?? 0) < (ctx.timing.installsNotAvailable ?? 0) &&
    installValidationStatus(ctx, v, org).status === 'NO_ERRORS_DETECTED'
  ) {
    // "Available", then "unable to install" (forcedotcom/cli#2770): the install itself still meets replication.
    v.notAvailableGiven = (v.notAvailableGiven ?? 0) + 1;
    outcome = { kind: 'error', messages: [INSTALL_BLOCKED['PACKAGE_UNAVAILABLE']!(v, pkg)] };
  } else {
    const { status, installed } = installValidationStatus(ctx, v, org);
    const blocked = INSTALL_BLOCKED[status];
    if (status !== 'NO_ERRORS_DETECTED') {
      outcome = {
        kind: 'error',
        messages: [blocked ? blocked(v, pkg, installed) : `The package version can't be installed (${status}).`],
      };
    } else if (installed && key15(installed.SubscriberPackageVersionId) === key15(v.SubscriberPackageVersionId)) {
      outcome = {
        kind: 'error',
        messages: [`Version ${versionNumberOf(v)} of package ${pkg.Name} is already installed in this org.`],
      };
    } else if (installed && pkg.ContainerOptions === 'Managed' && !descendsFrom(ctx, v, installed)) {
      // "To upgrade a package version, the new version must be a direct descendent of the package version installed"
      outcome = {
        kind: 'error',
        messages: [
          `Version ${versionNumberOf(v)} of package ${pkg.Name} doesn't descend from the installed version ${versionNumberOf(installed)}. To upgrade, install a version whose ancestor chain includes the installed version.`,
        ],
      };
    } else {
      outcome = { kind: 'ok' };
    }
  }
  const now = timestamp();
  const r: InstallRequestRec = {
    Id: ctx.newId('0Hf'),
    SubscriberPackageVersionKey: v.SubscriberPackageVersionId,
    NameConflictResolution: values['NameConflictResolution']!,
    SecurityType: values['SecurityType']!,
    PackageInstallSource: values['PackageInstallSource']!,
    EnableRss: bodyGet(body, 'EnableRss') === true,
    UpgradeType: values['UpgradeType'] ?? null,
    ApexCompileType: values['ApexCompileType'] ?? null,
    SkipHandlers: str(bodyGet(body, 'SkipHandlers')),
    ProfileMappings: bodyGet(body, 'ProfileMappings') ?? null,
    Password: password,
    CreatedDate: now,
    CreatedById: org.userId,
    LastModifiedDate: now,
    Status: 'IN_PROGRESS',
    Errors: null,
    reads: 0,
    outcome,
  };
  stateOf(org).installRequests.set(key15(r.Id), r);
  return ctx.json(201, { id: r.Id, success: true, errors: [] });
}

export function getInstallRequest(ctx: FakeOrgContext, req: FakeRequest, m: RegExpMatchArray): FakeResponse {
  const id = decodeURIComponent(m[1] ?? '');
  const r = ID_RE.test(id) ? stateOf(req.org).installRequests.get(key15(id)) : undefined;
  if (!r) return notFound(ctx);
  advanceInstall(ctx, req.org, r);
  return retrieveResponse(ctx, req, 'PackageInstallRequest', installRequestValues(r));
}
