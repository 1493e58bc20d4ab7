// Step 4 of the procedure: the app reaches scratch orgs as a managed 2GP package built in the Dev Hub.
// @salesforce/packaging does the work; this module decides what to reuse and waits with progress.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Connection } from '@salesforce/core';
import { SfProject } from '@salesforce/core';
import { Duration } from '@salesforce/kit';
import { Package, PackageVersion, SubscriberPackageVersion } from '@salesforce/packaging';
import type { PackageSettings } from './model.ts';
import { firstPollMs, pollUntil } from './poll.ts';
import { isTransientError, retryLine, withRetry } from './retry.ts';
import { redact } from './mask.ts';

export class PackagingError extends Error {
  override name = 'PackagingError';
}

export interface PackageRef {
  id: string;
  name: string;
  created: boolean;
}

export interface VersionResult {
  packageVersionId: string;
  subscriberPackageVersionId: string;
  versionNumber: string;
  createRequestId: string;
}

/** Another run created the package between our list and our create: the next list finds it. */
function isDuplicate(error: unknown): boolean {
  for (let e = error as { name?: string; errorCode?: string; message?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (/DUPLICATE_VALUE|duplicate value found/.test(`${e.name} ${e.errorCode} ${e.message}`)) return true;
    if (e.cause === e) break;
  }
  return false;
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
    if (found.ContainerOptions !== 'Managed') {
      throw new PackagingError(
        `Package ${settings.name} (${found.Id}) is ${found.ContainerOptions}; External Client Apps can only be packaged in managed 2GP packages. Choose another package-name.`,
      );
    }
    if (settings.namespace && found.NamespacePrefix && found.NamespacePrefix !== settings.namespace) {
      throw new PackagingError(
        `Package ${settings.name} (${found.Id}) belongs to namespace ${found.NamespacePrefix}, not ${settings.namespace}. Set package-namespace to ${found.NamespacePrefix} or choose another package-name.`,
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
    throw new PackagingError(`Could not create package ${settings.name}: ${redact((error as Error).message)}`, { cause: error });
  });
  log(`Created managed package ${settings.name} (${result.Id}) in namespace ${settings.namespace}.`);
  return { id: result.Id, name: settings.name, created: true };
}

export async function createVersion(
  connection: Connection,
  projectDir: string,
  pkg: PackageRef,
  settings: PackageSettings,
  log: (line: string) => void,
): Promise<VersionResult> {
  // The project file was rewritten with the package's alias since it was last read; read it afresh.
  SfProject.clearInstances();
  const project = await SfProject.resolve(projectDir);
  const timeoutMs = settings.waitMinutes * 60_000;
  // A version request is not idempotent: repeated blindly after a lost answer it would build a second version.
  // Each run tags its request; a retry first looks for a request with its tag and adopts it.
  const tag = versionTag();
  const submitted = await withRetry(
    async (attempt) => {
      if (attempt > 1) {
        const earlier = await findVersionRequest(connection, pkg.id, tag);
        if (earlier) {
          log(`Package version request ${earlier.Id} of this run was accepted before the failure; waiting for it.`);
          return earlier;
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
          ...(settings.installationKey ? { installationkey: settings.installationKey } : { installationkeybypass: true }),
          codecoverage: false,
          skipvalidation: false,
          versiondescription: 'External Client App for MCP clients',
          tag,
        },
        { frequency: Duration.seconds(0), timeout: Duration.seconds(0) },
      );
    },
    { what: `Version request of ${pkg.name}`, log },
  ).catch((error: unknown) => {
    throw new PackagingError(`Could not start a version of ${pkg.name}: ${redact((error as Error).message)}`, { cause: error });
  });
  const requestId = submitted.Id;
  log(`Package version request ${requestId} submitted (${settings.versionNumber}).`);
  const inProgress = new Set(['Queued', 'InProgress', 'Initializing', 'VerifyingFeaturesAndSettings', 'VerifyingDependencies', 'VerifyingMetadata', 'FinalizingPackageVersion']);
  let last = submitted.Status;
  const report = await pollUntil(
    () => PackageVersion.getCreateStatus(requestId, connection),
    (r) => !inProgress.has(r.Status),
    {
      what: `Package version request ${requestId}`,
      timeoutMs,
      maxMs: Number(process.env.ECA_ACTION_POLL_MAX_MS ?? 30_000),
      log,
      onProgress: (r, ms) => {
        if (r.Status !== last || ms > 0) log(`Package version ${requestId}: ${r.Status} (${Math.round(ms / 1000)} s)`);
        last = r.Status;
      },
    },
  );
  // The library resolves, not rejects, when the platform refuses the version: the status says so.
  if (report.Status !== 'Success' || !report.SubscriberPackageVersionId) {
    const messages = (report.Error ?? []).map((m) => `  - ${redact(String(m))}`).join('\n');
    throw new PackagingError(`Package version request ${requestId} ended in ${report.Status}:\n${messages || '  (no message)'}`);
  }
  return {
    createRequestId: requestId,
    packageVersionId: report.Package2VersionId ?? '',
    subscriberPackageVersionId: report.SubscriberPackageVersionId,
    versionNumber: report.VersionNumber ?? settings.versionNumber,
  };
}

/** Names this run's version request (Package2VersionCreateRequest.Tag, shown by `sf package version list --verbose`). */
function versionTag(): string {
  const run = process.env.GITHUB_RUN_ID ? `run ${process.env.GITHUB_RUN_ID}.${process.env.GITHUB_RUN_ATTEMPT ?? '1'} ` : '';
  return `eca-action ${run}${randomBytes(6).toString('hex')}`;
}

async function findVersionRequest(connection: Connection, packageId: string, tag: string): Promise<{ Id: string; Status: string } | undefined> {
  const result = await connection.tooling.query<{ Id: string; Status: string }>(
    `SELECT Id, Status FROM Package2VersionCreateRequest WHERE Package2Id = '${packageId}' AND Tag = '${tag}'`,
  );
  return result.records[0];
}

const UNAVAILABLE = new Set(['PACKAGE_UNAVAILABLE', 'PACKAGE_UNAVAILABLE_CRC', 'PACKAGE_UNAVAILABLE_ZIP', 'UNINSTALL_IN_PROGRESS']);

/** Install into the target org, waiting while the new version replicates, then confirm it is installed. */
export async function installVersion(
  target: Connection,
  subscriberPackageVersionId: string,
  settings: PackageSettings,
  log: (line: string) => void,
): Promise<void> {
  const timeoutMs = settings.waitMinutes * 60_000;
  const started = Date.now();
  const remaining = (): number => Math.max(1000, timeoutMs - (Date.now() - started));

  await pollUntil(
    async () => {
      const result = await target.tooling.query<{ InstallValidationStatus: string }>(
        `SELECT Id, InstallValidationStatus FROM SubscriberPackageVersion WHERE Id = '${subscriberPackageVersionId}'${passwordClause(settings.installationKey)}`,
      );
      return result.records[0]?.InstallValidationStatus ?? 'PACKAGE_UNAVAILABLE';
    },
    (status) => !UNAVAILABLE.has(status),
    {
      what: `Waiting for ${subscriberPackageVersionId} to become installable`,
      timeoutMs: remaining(),
      maxMs: Number(process.env.ECA_ACTION_POLL_MAX_MS ?? 30_000),
      log,
      onProgress: (status, ms) => log(`${subscriberPackageVersionId} is not yet available in the target org (${status}, ${Math.round(ms / 1000)} s); the platform is replicating it.`),
    },
  );

  const version = new SubscriberPackageVersion({ connection: target, aliasOrId: subscriberPackageVersionId, password: settings.installationKey });
  const request = await withRetry(
    () =>
      version.install(
        {
          SubscriberPackageVersionKey: subscriberPackageVersionId,
          Password: settings.installationKey,
        },
        { publishTimeout: Duration.milliseconds(0), pollingTimeout: Duration.milliseconds(0) },
      ),
    { what: 'Install request', log },
  ).catch((error: unknown) => {
    throw new PackagingError(`Could not start the install of ${subscriberPackageVersionId}: ${redact((error as Error).message)}`, { cause: error });
  });
  log(`Install request ${request.Id} submitted.`);
  // install() returns the request as it read it just now: a finished one is not read again, and an unfinished one
  // is looked at again only after the first delay.
  const installFirstMs = firstPollMs();
  const final =
    request.Status !== 'IN_PROGRESS'
      ? request
      : await sleep(installFirstMs).then(() =>
          pollUntil(
            () => SubscriberPackageVersion.getInstallRequest(request.Id, target),
            (r) => r.Status !== 'IN_PROGRESS',
            {
              what: `Install request ${request.Id}`,
              timeoutMs: remaining(),
              initialMs: Math.round(installFirstMs * 1.5),
              maxMs: Number(process.env.ECA_ACTION_POLL_MAX_MS ?? 20_000),
              log,
              onProgress: (r, ms) => log(`Install ${request.Id}: ${r.Status} (${Math.round(ms / 1000)} s)`),
            },
          ),
        );
  if (final.Status !== 'SUCCESS') {
    const errors = (final.Errors as { errors?: { message: string }[] } | null)?.errors ?? [];
    const text = errors.map((e) => `  - ${redact(e.message)}`).join('\n');
    throw new PackagingError(`Install ${request.Id} of ${subscriberPackageVersionId} ended in ${final.Status}:\n${text || '  (no message)'}`);
  }
  const installed = await withRetry(() => SubscriberPackageVersion.installedList(target), { what: 'Installed packages', log });
  if (!installed.some((p) => p.SubscriberPackageVersion?.Id === subscriberPackageVersionId)) {
    throw new PackagingError(`The install of ${subscriberPackageVersionId} reported SUCCESS, but the target org does not list it as installed.`);
  }
  log(`Installed ${subscriberPackageVersionId}; the target org lists it.`);
}

function passwordClause(key: string | undefined): string {
  // The platform answers INSTALL_KEY_REQUIRED for a protected version unless the key comes along.
  return key ? ` AND InstallationKey = '${key.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'` : '';
}

export function installUrl(loginHost: string, subscriberPackageVersionId: string): string {
  return `${loginHost.replace(/\/$/, '')}/packaging/installPackage.apexp?p0=${subscriberPackageVersionId}`;
}
