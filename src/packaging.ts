// Steps 9 and 10 of the procedure: the app reaches scratch orgs as a managed 2GP package built in the Dev Hub.
// @salesforce/packaging does the work; this module decides what to reuse and waits with progress.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Connection } from '@salesforce/core';
import { SfProject } from '@salesforce/core';
import { Duration } from '@salesforce/kit';
import { Package, PackageVersion, SubscriberPackageVersion } from '@salesforce/packaging';
import type { PackageSettings } from './model.ts';
import { formatDuration, pollUntil, PollTimeoutError, progressReporter } from './poll.ts';
import { isTransientError, isVersionNotYetInstallable, retryLine, withRetry } from './retry.ts';
import { CLOCK_SKEW_MS, EXPECTED_BUILD_MS, LAST_WAIT_MS, minutesMs } from './timing.ts';
import { redact } from './mask.ts';
import { someCause } from './causes.ts';
import { orgId, orgVersionNumber } from './org-answers.ts';
import { ActionError, type ActionErrorFields } from './errors.ts';

export class PackagingError extends ActionError {
  override name = 'PackagingError';
  constructor(message: string, fields: ActionErrorFields = {}) {
    super('packaging', message, fields);
  }
}

/** An install that ended in one of the platform's "not yet" texts (retry.ts isVersionNotYetInstallable): installed again. */
class InstallNotYet extends PackagingError {
  readonly requestId: string;
  constructor(message: string, requestId: string) {
    super(message);
    this.requestId = requestId;
  }
}

export interface PackageRef {
  id: string;
  name: string;
  created: boolean;
}

export interface VersionResult {
  subscriberPackageVersionId: string;
  versionNumber: string;
  /** empty when a reused version's request is no longer listed */
  createRequestId: string;
  /** false: a version built earlier from the same content (or an earlier run's request for it) was reused */
  created: boolean;
  /**
   * The version's validations when it was handed back: `running` (async validation: installable, validations go on),
   * `passed`, `failed` (an async validation that failed: installable, never promotable), `skipped`.
   */
  validation: ValidationState;
}

export type ValidationState = 'running' | 'passed' | 'failed' | 'skipped';

/** Another run created the package between our list and our create: the next list finds it. */
function isDuplicate(error: unknown): boolean {
  return someCause(error, (e) =>
    /DUPLICATE_VALUE|duplicate value found/.test(`${e['name']} ${e['errorCode']} ${e['message']}`),
  );
}

/**
 * Reuse the package of that name, or create it (managed, in the Dev Hub's linked namespace). List-then-create
 * converges, so the whole step is repeated after a transient failure (a create whose answer was lost is found
 * by the next list) and after DUPLICATE_VALUE (a concurrent run created it first).
 */
export async function ensurePackage(
  connection: Connection,
  projectDir: string,
  settings: PackageSettings,
  log: (line: string) => void,
): Promise<PackageRef> {
  return withRetry(() => findOrCreatePackage(connection, projectDir, settings, log), {
    what: `Package ${settings.name}`,
    isTransient: (error) => isTransientError(error) || isDuplicate(error),
    onRetry: (error, attempt, attempts, delayMs) =>
      log(
        isDuplicate(error)
          ? `Package ${settings.name} was created by another run at the same time; looking it up again in ${delayMs} ms.`
          : retryLine(`Package ${settings.name}`, error, attempt, attempts, delayMs),
      ),
  });
}

async function findOrCreatePackage(
  connection: Connection,
  projectDir: string,
  settings: PackageSettings,
  log: (line: string) => void,
): Promise<PackageRef> {
  const existing = (await Package.list(connection)).filter((p) => p.Name === settings.name && !p.IsDeprecated);
  const found = existing[0];
  if (found) {
    orgId(found.Id, 'package', `the id of package ${settings.name}`);
    if (found.ContainerOptions !== 'Managed') {
      throw new PackagingError(
        `Package ${settings.name} (${found.Id}) is ${found.ContainerOptions}; External Client Apps can only be packaged in managed 2GP packages. Choose another package-name.`,
      );
    }
    if (settings.namespace && found.NamespacePrefix && found.NamespacePrefix !== settings.namespace) {
      throw new PackagingError(
        `Package ${settings.name} (${found.Id}) belongs to namespace ${found.NamespacePrefix}, not ${settings.namespace}. Set package-namespace to ${found.NamespacePrefix} or choose another package-name.`,
        { input: 'package-namespace' },
      );
    }
    log(`Reusing package ${settings.name} (${found.Id}).`);
    return { id: found.Id, name: settings.name, created: false };
  }
  const project = await SfProject.resolve(projectDir);
  const result = await Package.create(connection, project, {
    name: settings.name,
    description: `External Client App for MCP clients (created by eca-action)`,
    noNamespace: false,
    orgDependent: false,
    packageType: 'Managed',
    errorNotificationUsername: undefined as unknown as string,
    path: 'force-app',
  }).catch((error: unknown) => {
    throw new PackagingError(`Could not create package ${settings.name}: ${redact((error as Error).message)}`, {
      cause: error,
    });
  });
  const id = orgId(result.Id, 'package', `the id of the new package ${settings.name}`);
  log(`Created managed package ${settings.name} (${id}) in namespace ${settings.namespace}.`);
  return { id, name: settings.name, created: true };
}

export async function createVersion(
  connection: Connection,
  projectDir: string,
  pkg: PackageRef,
  settings: PackageSettings,
  log: (line: string) => void,
): Promise<VersionResult> {
  const timeoutMs = minutesMs(settings.waitMinutes);
  // The content hash goes into the request's Tag, which the platform copies to the version: the next run finds
  // the version by it. Equal tags mean equal content, so a retry after a lost answer adopts a request it did not
  // see before (a blind repeat would build a second version).
  const tag = versionTag(versionHash(projectDir, settings));
  const reuse = async (): Promise<VersionResult | undefined> => {
    let reused: VersionResult | undefined;
    for (const t of reusableTags(projectDir, settings)) {
      reused = await withRetry(() => findBuiltVersion(connection, pkg.id, t, log), {
        what: `Versions of ${pkg.name}`,
        log,
      });
      if (reused) break;
    }
    if (reused?.validation === 'running' && settings.validation === 'full') {
      log(
        `Package version ${reused.versionNumber} was built earlier with async validation, whose validations still run; waiting for them (package-validation: full).`,
      );
      const done = await waitForVersion(
        connection,
        reused.createRequestId,
        'PerformingValidations',
        settings,
        timeoutMs,
        log,
      );
      reused = { ...reused, ...done, created: false };
    }
    if (reused) {
      log(
        `Package version ${reused.versionNumber} (${reused.subscriberPackageVersionId}) was built earlier from the same package content and settings; reusing it (new-version: when-changed). No version was created.`,
      );
    }
    return reused;
  };
  if (settings.newVersion !== 'always') {
    const reused = await reuse();
    if (reused) return reused;
  }
  const earlier = await withRetry(() => findVersionRequests(connection, pkg.id, tag), {
    what: `Version requests of ${pkg.name}`,
    log,
  });
  // A request that finished between the two look-ups (an earlier run's, which timed out) left a version to reuse.
  if (settings.newVersion !== 'always' && earlier.some((r) => r.Status === 'Success')) {
    const reused = await reuse();
    if (reused) return reused;
  }
  const building = settings.newVersion === 'always' ? undefined : earlier.find((r) => IN_PROGRESS.has(r.Status));
  if (building) {
    log(
      `Package version request ${building.Id} of an earlier run builds the same content (${building.Status}); waiting for it instead of building another (new-version: when-changed).`,
    );
    return {
      ...(await waitForVersion(connection, building.Id, building.Status, settings, timeoutMs, log)),
      created: false,
    };
  }
  await checkDailyLimit(connection, settings, log);

  // The project file was rewritten with the package's alias since it was last read; read it afresh.
  SfProject.clearInstances();
  const project = await SfProject.resolve(projectDir);
  const seen = new Set(earlier.map((r) => r.Id));
  const submitted = await withRetry(
    async (attempt) => {
      if (attempt > 1) {
        const adopted = (await findVersionRequests(connection, pkg.id, tag)).find(
          (r) => !seen.has(r.Id) && r.Status !== 'Error',
        );
        if (adopted) {
          log(`Package version request ${adopted.Id} of this run was accepted before the failure; waiting for it.`);
          return adopted;
        }
      }
      // Zero timeout: the library only submits; waiting is ours so that it backs off and reports progress.
      return PackageVersion.create(
        {
          connection,
          project,
          packageId: pkg.id,
          path: 'force-app',
          versionnumber: settings.versionNumber,
          ...(settings.installationKey
            ? { installationkey: settings.installationKey }
            : { installationkeybypass: true }),
          codecoverage: false,
          // package-validation (docs/platform-notes.md §30): async hands the version back before its validations end.
          skipvalidation: settings.validation === 'skip',
          asyncvalidation: settings.validation === 'async',
          versiondescription: 'External Client App for MCP clients',
          tag,
        },
        { frequency: Duration.seconds(0), timeout: Duration.seconds(0) },
      );
    },
    { what: `Version request of ${pkg.name}`, log },
  ).catch((error: unknown) => {
    throw new PackagingError(`Could not start a version of ${pkg.name}: ${redact((error as Error).message)}`, {
      cause: error,
    });
  });
  orgId(submitted.Id, 'versionCreateRequest', 'the id of the package version request');
  log(`Package version request ${submitted.Id} submitted (${settings.versionNumber}).`);
  return {
    ...(await waitForVersion(connection, submitted.Id, submitted.Status, settings, timeoutMs, log)),
    created: true,
  };
}

/** Not finished in any sense; PerformingValidations (async validation) is finished building but still validating. */
const IN_PROGRESS = new Set([
  'Queued',
  'InProgress',
  'Initializing',
  'VerifyingFeaturesAndSettings',
  'VerifyingDependencies',
  'VerifyingMetadata',
  'FinalizingPackageVersion',
]);

/** Wait for a version request with progress lines; a timeout says that the Dev Hub goes on and how to check. */
async function waitForVersion(
  connection: Connection,
  requestId: string,
  firstStatus: string,
  settings: PackageSettings,
  timeoutMs: number,
  log: (line: string) => void,
): Promise<Omit<VersionResult, 'created'>> {
  const progress = progressReporter(log, timeoutMs);
  progress(`Package version ${requestId}: ${firstStatus}`, 0);
  // full waits for the validations too; async and skip take the version as soon as it is built.
  const waitsForValidation = settings.validation === 'full';
  const report = await pollUntil(
    () => PackageVersion.getCreateStatus(requestId, connection),
    (r) => !IN_PROGRESS.has(r.Status) && !(waitsForValidation && r.Status === VALIDATING),
    {
      what: `Package version request ${requestId}`,
      timeoutMs,
      policy: 'versionBuild',
      expectedMs: EXPECTED_BUILD_MS[settings.validation],
      log,
      onProgress: (r, ms) => progress(`Package version ${requestId}: ${r.Status}`, ms),
    },
  ).catch((error: unknown) => {
    if (!(error instanceof PollTimeoutError)) throw error;
    throw new PackagingError(
      `Package version request ${requestId} did not finish within wait-minutes (${settings.waitMinutes} min). The Dev Hub goes on building it: ` +
        `check on it with \`sf package version create report --package-create-request-id ${requestId} --target-dev-hub <dev-hub>\`. ` +
        'A rerun with the same inputs (new-version: when-changed) waits for this request instead of building another; or raise wait-minutes.',
      { cause: error },
    );
  });
  // The library resolves, not rejects, when the platform refuses the version: the status says so.
  const built = report.Status === 'Success' || report.Status === VALIDATING;
  if (!built || !report.SubscriberPackageVersionId) {
    const messages = (report.Error ?? []).map((m) => `  - ${redact(String(m))}`).join('\n');
    throw new PackagingError(
      `Package version request ${requestId} ended in ${report.Status}:\n${messages || '  (no message)'}`,
    );
  }
  return {
    createRequestId: requestId,
    subscriberPackageVersionId: orgId(
      report.SubscriberPackageVersionId,
      'subscriberPackageVersion',
      `the package version id of request ${requestId}`,
    ),
    versionNumber: orgVersionNumber(
      report.VersionNumber ?? settings.versionNumber,
      `the version number of request ${requestId}`,
    ),
    validation: settings.validation === 'skip' ? 'skipped' : report.Status === VALIDATING ? 'running' : 'passed',
  };
}

/** Package2VersionCreateRequest.Status while an async-validated version installs and its validations go on. */
const VALIDATING = 'PerformingValidations';

/**
 * The version's validations now, read once from its request (no wait): an async-validated version's validations go
 * on after the run has installed it, and the summary says where they stand. Undefined when the org does not say.
 */
export async function validationState(
  connection: Connection,
  requestId: string,
  log: (line: string) => void,
): Promise<{ state: ValidationState; messages: string[] } | undefined> {
  // The request id came back through orgId already; a wrong one would be the org's fault, not a reason to stop here.
  orgId(requestId, 'versionCreateRequest', 'the id of a package version request');
  const report = await withRetry(() => PackageVersion.getCreateStatus(requestId, connection), {
    what: `Package version request ${requestId}`,
    log,
  }).catch(() => undefined);
  if (!report) return undefined;
  if (report.Status === VALIDATING) return { state: 'running', messages: [] };
  if (report.Status === 'Success') return { state: 'passed', messages: [] };
  if (report.Status === 'Error')
    return { state: 'failed', messages: (report.Error ?? []).map((m) => redact(String(m)).slice(0, 500)) };
  return undefined;
}

/**
 * What a version holds, as a SHA-256: every file of the package directory as rendered (the app, its OAuth
 * settings with the Dev Hub links), and the settings that change a version without changing those files.
 * The installation key's value stays out (a hash of it in a readable field could be guessed offline): only
 * whether there is one. `scheme` changes when this recipe does, so that old tags are not mistaken for new ones.
 */
export function versionHash(projectDir: string, settings: PackageSettings): string {
  const hash = createHash('sha256');
  const project = JSON.parse(readFileSync(join(projectDir, 'sfdx-project.json'), 'utf8')) as {
    namespace?: string;
    sourceApiVersion?: string;
  };
  hash.update(
    JSON.stringify({
      scheme: 'eca-action/version-hash/1',
      namespace: settings.namespace ?? project.namespace ?? null,
      sourceApiVersion: project.sourceApiVersion ?? null,
      versionNumber: settings.versionNumber,
      installationKey: Boolean(settings.installationKey),
      codeCoverage: false,
      // async and full make the same validated version; a skipped one can never be promoted, so it has its own hash.
      skipValidation: settings.validation === 'skip',
      versionDescription: 'External Client App for MCP clients',
    }),
  );
  const root = join(projectDir, 'force-app');
  for (const file of listFiles(root)) {
    hash.update(`\0${relative(root, file).split(sep).join('/')}\0`);
    hash.update(readFileSync(file));
  }
  return hash.digest('hex');
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : e.isFile() ? [join(dir, e.name)] : []));
}

/**
 * The version a run with these package files would reuse (new-version: when-changed), if one was built: the checks
 * before any change ask it, so that a target holding that very beta is not refused.
 */
export async function reusableVersionId(
  connection: Connection,
  packageId: string,
  projectDir: string,
  settings: PackageSettings,
): Promise<string | undefined> {
  for (const tag of reusableTags(projectDir, settings)) {
    const found = await findBuiltVersion(connection, packageId, tag);
    if (found) return found.subscriberPackageVersionId;
  }
  return undefined;
}

/** Package2VersionCreateRequest.Tag and Package2Version.Tag (shown by `sf package version list --verbose`), as CumulusCI writes it. */
function versionTag(hash: string): string {
  return `hash:${hash}`;
}

/**
 * The tags of versions this run may reuse, best first. A skipped version is never reused for async or full (it can
 * never be promoted); for skip, a validated version of the same content does as well, and is looked for first.
 */
function reusableTags(projectDir: string, settings: PackageSettings): string[] {
  const own = versionTag(versionHash(projectDir, settings));
  if (settings.validation !== 'skip') return [own];
  return [versionTag(versionHash(projectDir, { ...settings, validation: 'full' })), own];
}

/**
 * The latest version with that tag that is not deleted (deprecated), if any, with where its validations stand. One
 * whose async validations failed is not reused: it installs, but could never be promoted.
 */
async function findBuiltVersion(
  connection: Connection,
  packageId: string,
  tag: string,
  log?: (line: string) => void,
): Promise<VersionResult | undefined> {
  const result = await connection.tooling.query<{
    Id: string;
    SubscriberPackageVersionId: string;
    MajorVersion: number;
    MinorVersion: number;
    PatchVersion: number;
    BuildNumber: number;
  }>(
    'SELECT Id, SubscriberPackageVersionId, MajorVersion, MinorVersion, PatchVersion, BuildNumber FROM Package2Version ' +
      `WHERE Package2Id = '${packageId}' AND Tag = '${tag}' AND IsDeprecated = false ORDER BY CreatedDate DESC LIMIT 1`,
  );
  const v = result.records[0];
  if (!v?.SubscriberPackageVersionId) return undefined;
  orgId(v.Id, 'packageVersion', 'the id of a package version');
  const request = await connection.tooling.query<{ Id: string; Status: string; SkipValidation: boolean }>(
    `SELECT Id, Status, SkipValidation FROM Package2VersionCreateRequest WHERE Package2VersionId = '${v.Id}' LIMIT 1`,
  );
  const r = request.records[0];
  const subscriberPackageVersionId = orgId(
    v.SubscriberPackageVersionId,
    'subscriberPackageVersion',
    'the package version id of a built version',
  );
  const versionNumber = orgVersionNumber(
    [v.MajorVersion, v.MinorVersion, v.PatchVersion, v.BuildNumber],
    'the version number of a built version',
  );
  if (r?.Status === 'Error') {
    log?.(
      `Package version ${versionNumber} (${subscriberPackageVersionId}) was built from the same content, but its async validation failed: not reusing it.`,
    );
    return undefined;
  }
  return {
    createRequestId:
      r?.Id === undefined ? '' : orgId(r.Id, 'versionCreateRequest', 'the id of a package version request'),
    subscriberPackageVersionId,
    versionNumber,
    created: false,
    validation: r?.SkipValidation ? 'skipped' : r?.Status === VALIDATING ? 'running' : 'passed',
  };
}

async function findVersionRequests(
  connection: Connection,
  packageId: string,
  tag: string,
): Promise<{ Id: string; Status: string }[]> {
  const result = await connection.tooling.query<{ Id: string; Status: string }>(
    `SELECT Id, Status FROM Package2VersionCreateRequest WHERE Package2Id = '${packageId}' AND Tag = '${tag}' ORDER BY CreatedDate DESC`,
  );
  for (const r of result.records) orgId(r.Id, 'versionCreateRequest', 'the id of a package version request');
  return result.records;
}

/**
 * A Dev Hub may create only so many validated versions a day (the REST limits resource's Package2VersionCreates;
 * `sf limits api display` shows it). With none left the request would be refused after the app was packaged and
 * the version zip uploaded: say so first, and when the count renews.
 */
async function checkDailyLimit(
  connection: Connection,
  settings: PackageSettings,
  log: (line: string) => void,
): Promise<void> {
  const limits = (await withRetry(() => connection.limits(), { what: 'Dev Hub limits', log })) as unknown as Record<
    string,
    { Max?: number; Remaining?: number } | undefined
  >;
  // A version without validation counts against a limit of its own (docs/platform-notes.md §18).
  const name = settings.validation === 'skip' ? 'Package2VersionCreatesWithoutValidation' : 'Package2VersionCreates';
  const limit = limits[name];
  if (!limit || typeof limit.Remaining !== 'number') {
    log(`The Dev Hub did not report its daily package version limit (${name}); creating the version anyway.`);
    return;
  }
  if (limit.Remaining < 1) {
    throw new PackagingError(
      `The Dev Hub has no package version creations left today (${name}: 0 of ${limit.Max ?? '?'} remaining; the count renews over the next 24 hours). ` +
        'Nothing was built. Rerun later, or keep new-version: when-changed so that unchanged runs reuse their version; `sf limits api display --target-org <dev-hub>` shows the count.',
    );
  }
  log(`Dev Hub daily package version limit: ${limit.Remaining} of ${limit.Max ?? '?'} left before this one (${name}).`);
}

const UNAVAILABLE = new Set([
  'PACKAGE_UNAVAILABLE',
  'PACKAGE_UNAVAILABLE_CRC',
  'PACKAGE_UNAVAILABLE_ZIP',
  'UNINSTALL_IN_PROGRESS',
]);

interface InstallRequest {
  Id: string;
  Status: string;
  Errors?: unknown;
}

/**
 * Install into the target org and confirm it is installed. A new version reaches the target's instance in three
 * phases, each of which can say "not yet" (docs/platform-notes.md §10): its SubscriberPackageVersion query fails or
 * reads PACKAGE_UNAVAILABLE; the PackageInstallRequest create is refused with "invalid cross reference id"; the
 * install itself ends "The package version is not fully available". Each is waited out until wait-minutes runs out.
 */
export async function installVersion(
  target: Connection,
  subscriberPackageVersionId: string,
  settings: PackageSettings,
  log: (line: string) => void,
): Promise<void> {
  const started = Date.now();
  const deadline = started + minutesMs(settings.waitMinutes);
  const remaining = (): number => Math.max(LAST_WAIT_MS, deadline - Date.now());

  await pollUntil(
    async () => {
      try {
        const result = await target.tooling.query<{ InstallValidationStatus: string }>(
          `SELECT Id, InstallValidationStatus FROM SubscriberPackageVersion WHERE Id = '${subscriberPackageVersionId}'${passwordClause(settings.installationKey)}`,
        );
        return result.records[0]?.InstallValidationStatus ?? 'PACKAGE_UNAVAILABLE';
      } catch (error) {
        // The query itself fails while the version replicates; @salesforce/packaging waits on these too.
        if (!isTransientError(error) && isVersionNotYetInstallable(error, 'query')) return errorName(error);
        throw error;
      }
    },
    (status) => !UNAVAILABLE.has(status) && !VERSION_QUERY_NOT_YET.has(status),
    {
      what: `Waiting for ${subscriberPackageVersionId} to become installable`,
      timeoutMs: remaining(),
      policy: 'replication',
      log,
      onProgress: (status, ms) =>
        log(
          `${subscriberPackageVersionId} is not yet available in the target org (${status}, ${formatDuration(ms)}); the platform is replicating it.`,
        ),
    },
  );

  const version = new SubscriberPackageVersion({
    connection: target,
    aliasOrId: subscriberPackageVersionId,
    password: settings.installationKey,
  });
  // Install requests of this run that ended, so that a look-up after a lost answer adopts only a new one.
  const ended = new Set<string>();
  await withRetry(
    async () => {
      const request = await submitInstall(target, version, subscriberPackageVersionId, settings, {
        since: started,
        ended,
        deadline,
        log,
      });
      const final = await waitForInstall(target, request, remaining, log);
      orgId(final.Id, 'installRequest', 'the id of the install request');
      if (final.Status === 'SUCCESS') return;
      ended.add(final.Id.slice(0, 15));
      const errors = (final.Errors as { errors?: { message: string }[] } | null)?.errors ?? [];
      const text = errors.map((e) => `  - ${redact(e.message)}`).join('\n');
      const message = `Install ${final.Id} of ${subscriberPackageVersionId} ended in ${final.Status}:\n${text || '  (no message)'}`;
      if (errors.some((e) => isVersionNotYetInstallable({ message: e.message })))
        throw new InstallNotYet(message, final.Id);
      throw new PackagingError(message);
    },
    {
      what: `Install of ${subscriberPackageVersionId}`,
      policy: 'reinstall',
      deadline,
      // "Available", then "unable to install" (forcedotcom/cli#2770): the request failed, so a new one is no double install.
      isTransient: (error) => error instanceof InstallNotYet,
      onRetry: (error, _attempt, _attempts, delayMs) =>
        log(
          `Install ${(error as InstallNotYet).requestId}: the platform says ${subscriberPackageVersionId} is not fully available yet; installing again in ${formatDuration(delayMs)}.`,
        ),
    },
  );
  const installed = await withRetry(() => SubscriberPackageVersion.installedList(target), {
    what: 'Installed packages',
    log,
  });
  if (!installed.some((p) => p.SubscriberPackageVersion?.Id === subscriberPackageVersionId)) {
    throw new PackagingError(
      `The install of ${subscriberPackageVersionId} reported SUCCESS, but the target org does not list it as installed.`,
    );
  }
  log(`Installed ${subscriberPackageVersionId}; the target org lists it.`);
}

/** INSTALL_KEY_REQUIRED, INSTALL_KEY_INVALID: the platform's codes for a missing or wrong installation key. */
function installKeyRefused(error: unknown): boolean {
  return errorName(error).startsWith('INSTALL_KEY_');
}

/** Codes the SubscriberPackageVersion query failed with, read as "not yet available" (retry.ts). */
const VERSION_QUERY_NOT_YET = new Set(['UNKNOWN_EXCEPTION', 'PACKAGE_UNAVAILABLE_QUERY']);

function errorName(error: unknown): string {
  const e = error as { errorCode?: unknown; name?: unknown };
  const code =
    typeof e.errorCode === 'string' ? e.errorCode : typeof e.name === 'string' ? e.name : 'UNKNOWN_EXCEPTION';
  // PACKAGE_UNAVAILABLE* as a query error, not as a status: keep polling either way.
  return code.startsWith('PACKAGE_UNAVAILABLE') ? 'PACKAGE_UNAVAILABLE_QUERY' : code;
}

/**
 * Create the PackageInstallRequest. A POST is not idempotent: after a failure whose answer may have been lost
 * (the org installed, the connection dropped), look for the request first and adopt it rather than start a
 * second install. "invalid cross reference id" (the version has not reached the target's instance) is retried.
 */
async function submitInstall(
  target: Connection,
  version: SubscriberPackageVersion,
  subscriberPackageVersionId: string,
  settings: PackageSettings,
  ctx: { since: number; ended: Set<string>; deadline: number; log: (line: string) => void },
): Promise<InstallRequest> {
  // Whether the last POST may have been carried out: anything but the platform's "not yet" refusal (a 4xx answer).
  let mayHaveLanded = false;
  const request = await withRetry(
    async (attempt): Promise<InstallRequest> => {
      if (attempt > 1) {
        const earlier = await lookUpLostInstall(target, subscriberPackageVersionId, ctx, mayHaveLanded);
        if (earlier) {
          ctx.log(
            `Install request ${earlier.Id} of this run was accepted before the failure; waiting for it instead of installing again.`,
          );
          return earlier;
        }
      }
      try {
        return await version.install(
          {
            SubscriberPackageVersionKey: subscriberPackageVersionId,
            Password: settings.installationKey,
          },
          { publishTimeout: Duration.milliseconds(0), pollingTimeout: Duration.milliseconds(0) },
        );
      } catch (error) {
        mayHaveLanded = !isVersionNotYetInstallable(error);
        throw error;
      }
    },
    {
      what: 'Install request',
      policy: 'installRequest',
      log: ctx.log,
      deadline: ctx.deadline,
      isTransient: (error) => isTransientError(error) || isVersionNotYetInstallable(error),
    },
  ).catch((error: unknown) => {
    // A refused installation key is the input's fault, said as such; anything else is the install target's (main.ts).
    const input = installKeyRefused(error) ? 'installation-key' : undefined;
    throw new PackagingError(
      `${input ? `${input}: ` : ''}Could not start the install of ${subscriberPackageVersionId}: ${redact((error as Error).message)}`,
      { cause: error, input },
    );
  });
  orgId(request.Id, 'installRequest', 'the id of the install request');
  ctx.log(`Install request ${request.Id} submitted.`);
  return request;
}

/**
 * The install request a failed POST may have made. The request list can lag behind the create: when the POST may
 * have been carried out, the list is read again for a while (installLookup) before the caller posts again, which
 * could otherwise start a second (and, after another lost answer, a third) install.
 */
async function lookUpLostInstall(
  target: Connection,
  subscriberPackageVersionId: string,
  ctx: { since: number; ended: Set<string>; deadline: number; log: (line: string) => void },
  mayHaveLanded: boolean,
): Promise<InstallRequest | undefined> {
  const lookUp = (): Promise<InstallRequest | undefined> =>
    findInstallRequest(target, subscriberPackageVersionId, ctx.since, ctx.ended);
  if (!mayHaveLanded) return lookUp();
  return withRetry(lookUp, {
    what: 'The install request list',
    policy: 'installLookup',
    deadline: ctx.deadline,
    notYet: (found) => found === undefined,
    // A failed read is the caller's to retry (the install request policy), as a failed POST is.
    isTransient: () => false,
    onRetry: (_found, read, reads, delayMs) =>
      ctx.log(
        `The install request list does not show a request of this run yet; reading it again in ${delayMs} ms before installing again (${read}/${reads - 1}).`,
      ),
  });
}

/** The newest install request of this version made since `since` that has not already ended for this run. */
async function findInstallRequest(
  target: Connection,
  subscriberPackageVersionId: string,
  since: number,
  ended: Set<string>,
): Promise<InstallRequest | undefined> {
  const result = await target.tooling.query<
    InstallRequest & { CreatedDate: string; SubscriberPackageVersionKey: string }
  >(
    `SELECT Id, Status, CreatedDate, SubscriberPackageVersionKey FROM PackageInstallRequest WHERE SubscriberPackageVersionKey = '${subscriberPackageVersionId}'`,
  );
  for (const r of result.records) orgId(r.Id, 'installRequest', 'the id of an install request');
  // Clocks differ (CLOCK_SKEW_MS): a request of another run for the same version would do as well.
  return result.records
    .filter((r) => r.SubscriberPackageVersionKey.slice(0, 15) === subscriberPackageVersionId.slice(0, 15))
    .filter((r) => Date.parse(r.CreatedDate) >= since - CLOCK_SKEW_MS && !ended.has(r.Id.slice(0, 15)))
    .sort((a, b) => Date.parse(b.CreatedDate) - Date.parse(a.CreatedDate))[0];
}

async function waitForInstall(
  target: Connection,
  request: InstallRequest,
  remaining: () => number,
  log: (line: string) => void,
): Promise<InstallRequest> {
  // install() returns the request as it read it just now: a finished one is not read again, and an unfinished one
  // is looked at again only after the policy's first wait.
  return pollUntil(
    () => SubscriberPackageVersion.getInstallRequest(request.Id, target) as Promise<InstallRequest>,
    (r) => r.Status !== 'IN_PROGRESS',
    {
      what: `Install request ${request.Id}`,
      timeoutMs: remaining(),
      policy: 'install',
      first: request,
      log,
      onProgress: (r, ms) => log(`Install ${request.Id}: ${r.Status} (${formatDuration(ms)})`),
    },
  );
}

function passwordClause(key: string | undefined): string {
  // The platform answers INSTALL_KEY_REQUIRED for a protected version unless the key comes along.
  return key ? ` AND InstallationKey = '${key.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'` : '';
}

/** Whether the org lists that package version as installed (InstalledSubscriberPackage). */
export async function isInstalled(
  target: Connection,
  subscriberPackageVersionId: string,
  log: (line: string) => void,
): Promise<boolean> {
  const installed = await withRetry(() => SubscriberPackageVersion.installedList(target), {
    what: 'Installed packages',
    log,
  });
  return installed.some((p) => p.SubscriberPackageVersion?.Id === subscriberPackageVersionId);
}

export function installUrl(loginHost: string, subscriberPackageVersionId: string): string {
  const id = orgId(subscriberPackageVersionId, 'subscriberPackageVersion', 'the package version id');
  return `${loginHost.replace(/\/$/, '')}/packaging/installPackage.apexp?p0=${id}`;
}
