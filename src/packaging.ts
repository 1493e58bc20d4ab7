// Step 4 of the procedure: the app reaches scratch orgs as a managed 2GP package built in the Dev Hub.
// @salesforce/packaging does the work; this module decides what to reuse and waits with progress.
import type { Connection } from '@salesforce/core';
import { SfProject } from '@salesforce/core';
import { Duration } from '@salesforce/kit';
import { Package, PackageVersion, SubscriberPackageVersion } from '@salesforce/packaging';
import type { PackageSettings } from './model.ts';
import { pollUntil } from './poll.ts';
import { withRetry } from './retry.ts';
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

/** Reuse the package of that name, or create it (managed, in the Dev Hub's linked namespace). */
export async function ensurePackage(
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
    throw new PackagingError(`Could not create package ${settings.name}: ${redact((error as Error).message)}`);
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
  // Zero timeout: the library only submits; waiting is ours so that it backs off and reports progress.
  const submitted = await PackageVersion.create(
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
    },
    { frequency: Duration.seconds(0), timeout: Duration.seconds(0) },
  ).catch((error: unknown) => {
    throw new PackagingError(`Could not start a version of ${pkg.name}: ${redact((error as Error).message)}`);
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
      initialMs: Number(process.env.ECA_ACTION_POLL_INITIAL_MS ?? 1000),
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
      initialMs: Number(process.env.ECA_ACTION_POLL_INITIAL_MS ?? 2000),
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
    throw new PackagingError(`Could not start the install of ${subscriberPackageVersionId}: ${redact((error as Error).message)}`);
  });
  log(`Install request ${request.Id} submitted.`);
  const final = await pollUntil(
    () => SubscriberPackageVersion.getInstallRequest(request.Id, target),
    (r) => r.Status !== 'IN_PROGRESS',
    {
      what: `Install request ${request.Id}`,
      timeoutMs: remaining(),
      initialMs: Number(process.env.ECA_ACTION_POLL_INITIAL_MS ?? 1000),
      maxMs: Number(process.env.ECA_ACTION_POLL_MAX_MS ?? 20_000),
      log,
      onProgress: (r, ms) => log(`Install ${request.Id}: ${r.Status} (${Math.round(ms / 1000)} s)`),
    },
  );
  if (final.Status !== 'SUCCESS') {
    const errors = (final.Errors as { errors?: { message: string }[] } | null)?.errors ?? [];
    const text = errors.map((e) => `  - ${redact(e.message)}`).join('\n');
    throw new PackagingError(`Install ${request.Id} of ${subscriberPackageVersionId} ended in ${final.Status}:\n${text || '  (no message)'}`);
  }
  const installed = await SubscriberPackageVersion.installedList(target);
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
