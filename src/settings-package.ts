// Step 1, the package inputs (settings.ts reads every input): the package, its version, its install and the hosted
// MCP servers of the install target.
import type { InstallMethod, NewVersion, PackageSettings } from './model.ts';
import { INSTALL_METHODS, NEW_VERSION_MODES, PACKAGE_VALIDATIONS } from './model.ts';
import { checkNamespace, checkText, show } from './checks.ts';
import { isVersionPart, MAX_VERSION_PART } from './org-answers.ts';
import { MCP_SERVERS, mcpServerName } from './mcp-servers.ts';
import { DEFAULTS, LIMITS, parseChoice, parseInteger, type Problems, splitList } from './settings-parse.ts';
import { parseOrgRef } from './settings-devhub.ts';

// Packaging

export function parsePackage(
  p: Problems,
  get: (name: string) => string,
  packageOn: boolean,
  appName: string,
  dryRun: boolean,
): PackageSettings | undefined {
  const name = get('package-name') || appName;
  if (get('package-name')) p.check('package-name', checkText(name, LIMITS.packageName));
  const namespace = get('package-namespace') || undefined;
  if (namespace !== undefined) p.check('package-namespace', checkNamespace(namespace));
  const installMethod = parseInstallMethod(p, get);
  // install-method: deploy builds no package: the app goes straight into install-target.
  const deploy = installMethod === 'deploy';
  if (namespace === undefined && packageOn && !deploy && !dryRun) {
    // External Client Apps can only be packaged in managed 2GP packages, and those live in a namespace.
    p.add(
      'package-namespace',
      'is required when package is true: External Client Apps can only be packaged in a managed 2GP package, which needs the namespace prefix linked to your Dev Hub (Setup → Namespace Registries). Give it, or set package: false.',
    );
  }
  const versionNumber = get('package-version-number') || DEFAULTS.packageVersionNumber;
  if (!/^\d+\.\d+\.\d+\.(\d+|NEXT)$/.test(versionNumber)) {
    p.add(
      'package-version-number',
      `${show(versionNumber)} is not a version number. Use MAJOR.MINOR.PATCH.BUILD, where BUILD is a number or NEXT (e.g. 1.0.0.NEXT).`,
    );
  } else if (!versionNumber.split('.').every((part) => part === 'NEXT' || isVersionPart(part))) {
    // Each part is an int field of the version (MajorVersion … BuildNumber): larger numbers, or leading zeros that
    // make two spellings of one version, fail only after the app was deployed (docs/platform-notes.md §26).
    p.add(
      'package-version-number',
      `${show(versionNumber)} has a part that is not a whole number from 0 to ${MAX_VERSION_PART} without leading zeros. Use MAJOR.MINOR.PATCH.BUILD with each part in that range (e.g. 1.0.0.NEXT).`,
    );
  }
  const installationKey = get('installation-key') || undefined;
  if (installationKey !== undefined && /[\p{Cc}\p{Cf}]/u.test(installationKey)) {
    p.add(
      'installation-key',
      'contains a line break or control character (the value is not shown because it is a secret). Use a single-line key.',
    );
  }
  const waitMinutes = parseInteger(p, 'wait-minutes', get('wait-minutes'), LIMITS.waitMinutes) ?? DEFAULTS.waitMinutes;
  const targetRaw = get('install-target');
  const installTarget = targetRaw ? parseOrgRef(p, 'install-target', targetRaw, true) : undefined;
  if (targetRaw && !packageOn && !deploy) {
    p.add(
      'install-target',
      'is given but package is false: only a package version can be installed into another org. Set package: true, or install-method: deploy to deploy the app into it, or remove install-target.',
    );
  }
  if (deploy && !targetRaw) {
    p.add(
      'install-method',
      'is deploy but install-target is empty: deploy puts the app straight into the install target. Give install-target (a scratch org), or use install-method: package.',
    );
  }
  const validation = parseChoice(p, 'package-validation', get('package-validation') || 'async', PACKAGE_VALIDATIONS, {
    async: 'the version installs at once, its validations finish afterwards',
    full: 'wait for every validation',
    skip: 'no validation; such a version can never be promoted',
  });
  const mcpServers = parseMcpServers(p, get('mcp-servers'), packageOn || deploy, targetRaw !== '');
  const newVersionRaw = get('new-version') || 'when-changed';
  if (!(NEW_VERSION_MODES as readonly string[]).includes(newVersionRaw)) {
    p.add(
      'new-version',
      `${show(newVersionRaw)} is not a mode. Use when-changed (reuse a version built from the same package content) or always (build one on every run).`,
    );
  }
  const newVersion: NewVersion = newVersionRaw === 'always' ? 'always' : 'when-changed';
  if (!packageOn && !deploy) return undefined;
  return {
    name,
    ...(namespace !== undefined ? { namespace } : {}),
    versionNumber,
    ...(installationKey !== undefined ? { installationKey } : {}),
    waitMinutes,
    ...(installTarget ? { installTarget } : {}),
    ...(mcpServers.length ? { mcpServers } : {}),
    newVersion,
    validation,
    installMethod,
  };
}

export function parseInstallMethod(p: Problems, get: (name: string) => string): InstallMethod {
  return parseChoice(p, 'install-method', get('install-method') || 'package', INSTALL_METHODS, {
    package: "install the Dev Hub app's package version into install-target",
    deploy: 'deploy the app straight into install-target, no package version',
  });
}

/** Hosted MCP servers are activated per org (Tooling McpServerAccess), so they need the org: the install target. */
export function parseMcpServers(p: Problems, value: string, packageOn: boolean, hasTarget: boolean): string[] {
  const names: string[] = [];
  for (const item of splitList(value)) {
    const name = mcpServerName(item);
    if (!name) {
      p.add(
        'mcp-servers',
        `${show(item)} is not a hosted MCP server this action can activate. Use one or more of: ${Object.keys(MCP_SERVERS).join(', ')} (with or without the platform/ prefix).`,
      );
    } else if (!names.includes(name)) names.push(name);
  }
  if (names.length && (!packageOn || !hasTarget)) {
    p.add(
      'mcp-servers',
      'needs install-target: the servers are activated in the scratch org the package is installed into. For the Dev Hub itself, activate them once in Setup → API Catalog → MCP Servers (a production change this action does not make).',
    );
  }
  return names;
}
