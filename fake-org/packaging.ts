// Tooling API routes for 2GP packaging (Dev Hub) and package installs (any org), as @salesforce/packaging and the
// action use them: Package2, Package2VersionCreateRequest (multipart), Package2Version, SubscriberPackageVersion,
// PackageInstallRequest, InstalledSubscriberPackage, and the Tooling queries on those objects.
// Asynchronous work advances per read: a version create request finishes after ctx.timing.versionCreatePolls status
// reads, a new version is PACKAGE_UNAVAILABLE for ctx.timing.versionUnavailablePolls look-ups, an install finishes
// after ctx.timing.installPolls reads. See docs/platform-notes.md, "Library wire notes", and §10.
import type { ComponentSource, FakeOrgContext, FakeRequest, FakeResponse, OrgState, Route } from './types.ts';
import {
  type InstallRequestRec,
  type InstalledRec,
  type Package2Rec,
  type VersionCreateRequestRec,
  type VersionRec,
  compareVersions,
  findPackage,
  findPackageBySubscriberId,
  findVersionBy04t,
  key15,
  stateOf,
  timestamp,
  versionNumberOf,
} from './packaging-state.ts';
import {
  type ObjectSchema,
  type ParsedQuery,
  type Row,
  ID_RE,
  SoqlError,
  parseSoql,
  requiredEqualities,
  runQuery,
} from './soql.ts';
import { DEV_HUB_ONLY, SCHEMAS, schemaFor } from './packaging-schema.ts';
import { checkVersionInfo, resolveBuild } from './packaging-version.ts';
import { stillRunning } from './timing.ts';

export { PACKAGEABLE_ECA_TYPES, UNPACKAGEABLE_ECA_TYPES } from './packaging-version.ts';

const NOT_FOUND_MESSAGE = 'The requested resource does not exist';

/**
 * What a failing SubscriberPackageVersion query says. The codes are the ones @salesforce/packaging waits on; the
 * UNKNOWN_EXCEPTION text is the platform's generic one; the PACKAGE_UNAVAILABLE texts are our choice, no evidence.
 */
const VERSION_QUERY_ERRORS: Record<string, string> = {
  UNKNOWN_EXCEPTION:
    'An unexpected error occurred. Please include this ErrorId if you contact support: 1234567890-12345 (-1234567890)',
  PACKAGE_UNAVAILABLE: 'The package version is not available yet.',
};

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

export function packagingRoutes(ctx: FakeOrgContext): Route[] {
  // ---------------------------------------------------------------------------------------------------------
  // helpers

  const fieldError = (status: number, errorCode: string, message: string, fields: string[] = []): FakeResponse =>
    ctx.json(status, [{ errorCode, message, fields }]);
  const notFound = (): FakeResponse => ctx.restError(404, 'NOT_FOUND', NOT_FOUND_MESSAGE);
  const urlBase = (req: FakeRequest) => `/services/data/v${req.apiVersion}/tooling/sobjects`;
  const apiNum = (req: FakeRequest) => Number(req.apiVersion);

  type Parsed = { ok: true; body: Record<string, unknown> } | { ok: false; res: FakeResponse };
  function parseJsonObject(text: string): Parsed {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      return {
        ok: false,
        res: fieldError(400, 'JSON_PARSER_ERROR', `Unexpected character in the request body: ${(e as Error).message}`),
      };
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      return {
        ok: false,
        res: fieldError(
          400,
          'JSON_PARSER_ERROR',
          'Cannot deserialize instance of the sObject from the request body: expected a JSON object',
        ),
      };
    }
    return { ok: true, body: parsed as Record<string, unknown> };
  }

  type Kind = 'string' | 'boolean' | 'any';
  /** Unknown fields and wrongly typed values are refused, as Salesforce's JSON deserializer does. */
  function checkBody(
    body: Record<string, unknown>,
    sobject: string,
    allowed: Record<string, Kind>,
  ): FakeResponse | undefined {
    for (const [k, v] of Object.entries(body)) {
      const kind = Object.entries(allowed).find(([name]) => name.toLowerCase() === k.toLowerCase())?.[1];
      if (!kind) return fieldError(400, 'INVALID_FIELD', `No such column '${k}' on sobject of type ${sobject}`, [k]);
      if (v === null || kind === 'any') continue;
      if (typeof v !== kind) {
        const token =
          typeof v === 'string'
            ? 'VALUE_STRING'
            : typeof v === 'boolean'
              ? `VALUE_${String(v).toUpperCase()}`
              : typeof v === 'number'
                ? 'VALUE_NUMBER_INT'
                : 'START_OBJECT';
        return fieldError(
          400,
          'JSON_PARSER_ERROR',
          `Cannot deserialize instance of ${kind} from ${token} value ${JSON.stringify(v)} or request may be missing a required field at [line:1, column:1]`,
          [k],
        );
      }
    }
    return undefined;
  }
  /** A body value by case-insensitive field name. */
  function bodyGet(body: Record<string, unknown>, name: string): unknown {
    const k = Object.keys(body).find((x) => x.toLowerCase() === name.toLowerCase());
    return k === undefined ? undefined : body[k];
  }
  const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

  function hubPackage(hub: OrgState, id: string): Package2Rec | undefined {
    return stateOf(hub).packages.get(key15(id));
  }

  // ---------------------------------------------------------------------------------------------------------
  // rows for queries

  function package2Values(p: Package2Rec, api: number): Record<string, unknown> {
    const v: Record<string, unknown> = {
      Id: p.Id,
      IsDeleted: false,
      CreatedDate: p.CreatedDate,
      CreatedById: p.CreatedById,
      LastModifiedDate: p.LastModifiedDate,
      LastModifiedById: p.CreatedById,
      SystemModstamp: p.LastModifiedDate,
      SubscriberPackageId: p.SubscriberPackageId,
      Name: p.Name,
      Description: p.Description,
      NamespacePrefix: p.NamespacePrefix,
      ContainerOptions: p.ContainerOptions,
      IsDeprecated: p.IsDeprecated,
      IsOrgDependent: p.IsOrgDependent,
      ConvertedFromPackageId: null,
      PackageErrorUsername: p.PackageErrorUsername,
      DataCloudPackage: false,
      DistributionType: null,
      WasTransferred: false,
    };
    if (api >= 59) v['AppAnalyticsEnabled'] = false;
    if (api >= 66) v['RecommendedVersionId'] = null;
    return v;
  }

  function subscriberPackageRow(p: Package2Rec): Row {
    return {
      type: 'SubscriberPackage',
      values: {
        Id: p.SubscriberPackageId,
        Name: p.Name,
        NamespacePrefix: p.NamespacePrefix,
        Description: p.Description,
        IsPackageValid: true,
        PackagingModel: p.ContainerOptions === 'Managed' ? 'Managed' : 'Unlocked',
      },
      rel: () => null,
    };
  }

  function package2Row(p: Package2Rec, api: number): Row {
    return {
      type: 'Package2',
      values: package2Values(p, api),
      rel: (name) => (name === 'SubscriberPackage' ? subscriberPackageRow(p) : null),
    };
  }

  /** The InstallValidationStatus of a version as seen from `viewer` (without counting a look-up). */
  function installValidationStatus(v: VersionRec, viewer: OrgState): { status: string; installed?: VersionRec } {
    if (
      v.availabilityChecks <= ctx.timing.versionUnavailablePolls ||
      stillRunning(v.CreatedDate, ctx.timing.durations.replicationMs)
    )
      return { status: 'PACKAGE_UNAVAILABLE' };
    if (v.IsDeprecated) return { status: 'DEPRECATED_INSTALL_PACKAGE' };
    const pkg = findPackage(ctx, v.Package2Id);
    if (!pkg) return { status: 'UNKNOWN_ERROR' };
    if (
      !viewer.isDevHub &&
      viewer.namespace &&
      pkg.NamespacePrefix &&
      viewer.namespace.toLowerCase() === pkg.NamespacePrefix.toLowerCase()
    ) {
      return { status: 'NAMESPACE_COLLISION' };
    }
    if (!v.IsReleased && viewer.isDevHub) return { status: 'BETA_INSTALL_INTO_PRODUCTION_ORG' };
    const inst = stateOf(viewer).installed.get(key15(pkg.SubscriberPackageId));
    const instVersion = inst ? findVersionBy04t(ctx, inst.SubscriberPackageVersionId) : undefined;
    if (instVersion && key15(instVersion.SubscriberPackageVersionId) !== key15(v.SubscriberPackageVersionId)) {
      if (pkg.ContainerOptions === 'Managed' && !instVersion.IsReleased)
        return { status: 'CANNOT_UPGRADE_BETA', installed: instVersion };
      if (compareVersions(v, instVersion) < 0)
        return { status: 'CANNOT_INSTALL_EARLIER_VERSION', installed: instVersion };
    }
    return instVersion ? { status: 'NO_ERRORS_DETECTED', installed: instVersion } : { status: 'NO_ERRORS_DETECTED' };
  }

  /** Whether `older` is on `v`'s ancestor chain (AncestorId holds the ancestor's 04t). */
  function descendsFrom(v: VersionRec, older: VersionRec): boolean {
    const seen = new Set<string>();
    let cur: VersionRec | undefined = v;
    while (cur?.AncestorId && !seen.has(cur.AncestorId)) {
      seen.add(cur.AncestorId);
      if (key15(cur.AncestorId) === key15(older.SubscriberPackageVersionId)) return true;
      cur = findVersionBy04t(ctx, cur.AncestorId);
    }
    return false;
  }

  function subscriberVersionValues(v: VersionRec, viewer: OrgState): Record<string, unknown> {
    const pkg = findPackage(ctx, v.Package2Id);
    return {
      Id: v.SubscriberPackageVersionId,
      AppExchangeDescription: null,
      AppExchangeLogoUrl: null,
      AppExchangePackageName: null,
      AppExchangePublisherName: null,
      BuildNumber: v.BuildNumber,
      CspTrustedSites: null,
      Dependencies: null,
      Description: v.Description,
      InstallValidationStatus: installValidationStatus(v, viewer).status,
      IsBeta: !v.IsReleased,
      IsDeprecated: v.IsDeprecated,
      IsManaged: pkg?.ContainerOptions === 'Managed',
      IsOrgDependent: pkg?.IsOrgDependent ?? false,
      IsPasswordProtected: v.InstallKey !== null,
      IsSecurityReviewed: false,
      MajorVersion: v.MajorVersion,
      MinorVersion: v.MinorVersion,
      Name: v.Name,
      Package2ContainerOptions: pkg?.ContainerOptions ?? null,
      PatchVersion: v.PatchVersion,
      PostInstallUrl: null,
      Profiles: null,
      PublisherName: v.hub.name,
      ReleaseNotesUrl: null,
      ReleaseState: v.IsReleased ? 'Released' : 'Beta',
      RemoteSiteSettings: null,
      SubscriberPackageId: pkg?.SubscriberPackageId ?? null,
    };
  }

  function subscriberVersionRow(v: VersionRec, viewer: OrgState, extra: Record<string, unknown> = {}): Row {
    return {
      type: 'SubscriberPackageVersion',
      values: { ...subscriberVersionValues(v, viewer), ...extra },
      rel: (name) => {
        if (name !== 'SubscriberPackage') return null;
        const pkg = findPackage(ctx, v.Package2Id);
        return pkg ? subscriberPackageRow(pkg) : null;
      },
    };
  }

  function versionValues(v: VersionRec, api: number): Record<string, unknown> {
    const out: Record<string, unknown> = {
      Id: v.Id,
      IsDeleted: false,
      CreatedDate: v.CreatedDate,
      CreatedById: v.CreatedById,
      LastModifiedDate: v.LastModifiedDate,
      LastModifiedById: v.CreatedById,
      SystemModstamp: v.LastModifiedDate,
      Package2Id: v.Package2Id,
      SubscriberPackageVersionId: v.SubscriberPackageVersionId,
      Tag: v.Tag,
      Branch: v.Branch,
      AncestorId: v.AncestorId,
      ValidationSkipped: v.ValidationSkipped,
      Name: v.Name,
      Description: v.Description,
      MajorVersion: v.MajorVersion,
      MinorVersion: v.MinorVersion,
      PatchVersion: v.PatchVersion,
      BuildNumber: v.BuildNumber,
      IsDeprecated: v.IsDeprecated,
      IsPasswordProtected: v.InstallKey !== null,
      CodeCoverage: null,
      CodeCoveragePercentages: null,
      HasPassedCodeCoverageCheck: v.HasPassedCodeCoverageCheck,
      InstallKey: v.InstallKey,
      IsReleased: v.IsReleased,
      ConvertedFromVersionId: null,
      ReleaseVersion: Math.floor(api),
      BuildDurationInSeconds: v.BuildDurationInSeconds,
      HasMetadataRemoved: false,
      ContainsPsld: false,
      SnapshotName: null,
    };
    if (api >= 57) out['Language'] = v.Language;
    if (api >= 61) {
      out['ValidatedAsync'] = v.ValidatedAsync;
      out['EndToEndBuildDurationInSeconds'] = v.BuildDurationInSeconds;
    }
    if (api >= 64) {
      out['DeveloperUsePkgZip'] = null;
      out['TotalNumberOfMetadataFiles'] = v.TotalNumberOfMetadataFiles;
      out['TotalSizeOfMetadataFiles'] = v.TotalSizeOfMetadataFiles;
    }
    if (api >= 67) out['HasVpi'] = false;
    return out;
  }

  function versionRow(v: VersionRec, viewer: OrgState, api: number): Row {
    return {
      type: 'Package2Version',
      values: versionValues(v, api),
      rel: (name) => {
        if (name === 'Package2') {
          const p = findPackage(ctx, v.Package2Id);
          return p ? package2Row(p, api) : null;
        }
        if (name === 'SubscriberPackageVersion') return subscriberVersionRow(v, viewer);
        if (name === 'Ancestor') {
          const a = v.AncestorId ? findVersionBy04t(ctx, v.AncestorId) : undefined;
          return a ? subscriberVersionRow(a, viewer) : null;
        }
        return null;
      },
    };
  }

  function createRequestValues(r: VersionCreateRequestRec, api: number): Record<string, unknown> {
    const out: Record<string, unknown> = {
      Id: r.Id,
      IsDeleted: false,
      CreatedDate: r.CreatedDate,
      CreatedById: r.CreatedById,
      LastModifiedDate: r.LastModifiedDate,
      LastModifiedById: r.CreatedById,
      SystemModstamp: r.LastModifiedDate,
      Package2Id: r.Package2Id,
      Package2VersionId: r.Package2VersionId,
      Status: r.Status,
      Tag: r.Tag,
      Branch: r.Branch,
      InstallKey: r.InstallKey,
      Instance: r.Instance,
      SourceOrg: r.SourceOrg,
      CalculateCodeCoverage: r.CalculateCodeCoverage,
      SkipValidation: r.SkipValidation,
      IsDevUsePkgZipRequested: r.IsDevUsePkgZipRequested,
      IsPasswordProtected: r.InstallKey !== null,
      IsConversionRequest: false,
    };
    if (api >= 57) out['Language'] = r.Language;
    if (api >= 60) out['AsyncValidation'] = r.AsyncValidation;
    if (api >= 65) {
      out['CalcTransitiveDependencies'] = r.CalcTransitiveDependencies;
      out['DependencyGraphJson'] = null;
    }
    return out;
  }

  function createRequestRow(hub: OrgState, r: VersionCreateRequestRec, api: number): Row {
    return {
      type: 'Package2VersionCreateRequest',
      values: createRequestValues(r, api),
      rel: (name) => {
        if (name === 'Package2') {
          const p = hubPackage(hub, r.Package2Id);
          return p ? package2Row(p, api) : null;
        }
        if (name === 'Package2Version') {
          const v = r.Package2VersionId ? stateOf(hub).versions.get(key15(r.Package2VersionId)) : undefined;
          return v ? versionRow(v, hub, api) : null;
        }
        return null;
      },
    };
  }

  function installRequestValues(r: InstallRequestRec): Record<string, unknown> {
    return {
      Id: r.Id,
      IsDeleted: false,
      CreatedDate: r.CreatedDate,
      CreatedById: r.CreatedById,
      LastModifiedDate: r.LastModifiedDate,
      LastModifiedById: r.CreatedById,
      SystemModstamp: r.LastModifiedDate,
      SubscriberPackageVersionKey: r.SubscriberPackageVersionKey,
      NameConflictResolution: r.NameConflictResolution,
      SecurityType: r.SecurityType,
      PackageInstallSource: r.PackageInstallSource,
      ProfileMappings: r.ProfileMappings ?? null,
      // The key is write-only: Salesforce does not echo it.
      Password: null,
      EnableRss: r.EnableRss,
      UpgradeType: r.UpgradeType,
      ApexCompileType: r.ApexCompileType,
      SkipHandlers: r.SkipHandlers,
      Status: r.Status,
      Errors: r.Errors,
    };
  }

  // ---------------------------------------------------------------------------------------------------------
  // async progress

  /** One status read of a version create request; finishes it after ctx.timing.versionCreatePolls reads. */
  function advanceCreateRequest(hub: OrgState, r: VersionCreateRequestRec): void {
    if (r.Status === 'Success' || r.Status === 'Error') return;
    if (r.Status === 'PerformingValidations') {
      advanceValidation(hub, r);
      return;
    }
    r.reads++;
    const polls = ctx.timing.versionCreatePolls;
    const { versionBuildMs, validationMs } = ctx.timing.durations;
    // Async and skipped validation return the version before (or without) the validations (docs/platform-notes.md §30).
    const buildMs = r.AsyncValidation || r.SkipValidation ? Math.max(0, versionBuildMs - validationMs) : versionBuildMs;
    if (r.reads <= polls || stillRunning(r.CreatedDate, buildMs)) {
      const next = r.reads === 1 ? 'Queued' : 'InProgress';
      if (next !== r.Status) {
        r.Status = next;
        r.LastModifiedDate = timestamp();
      }
      return;
    }
    finishCreateRequest(hub, r);
  }

  function failCreateRequest(r: VersionCreateRequestRec, messages: string[]): void {
    r.Status = 'Error';
    r.LastModifiedDate = timestamp();
    r.errors = messages.map((Message) => ({ Id: ctx.newId('0Wv'), Message, CreatedDate: r.LastModifiedDate }));
  }

  function finishCreateRequest(hub: OrgState, r: VersionCreateRequestRec): void {
    if (r.outcome.kind === 'error') {
      failCreateRequest(r, r.outcome.messages);
      return;
    }
    const pkg = hubPackage(hub, r.Package2Id);
    if (!pkg) {
      failCreateRequest(r, [`The package ${r.Package2Id} no longer exists in this Dev Hub org.`]);
      return;
    }
    const pv = r.outcome.version;
    const build = resolveBuild(hub, pkg, pv);
    if (!build.ok) {
      failCreateRequest(r, [build.message]);
      return;
    }
    const now = timestamp();
    const v: VersionRec = {
      Id: ctx.newId('05i'),
      SubscriberPackageVersionId: ctx.newId('04t'),
      Package2Id: pkg.Id,
      Name: pv.versionName,
      Description: pv.versionDescription,
      MajorVersion: pv.major,
      MinorVersion: pv.minor,
      PatchVersion: pv.patch,
      BuildNumber: build.build,
      Tag: r.Tag,
      Branch: r.Branch,
      AncestorId: pv.ancestor04t,
      IsReleased: false,
      IsDeprecated: false,
      InstallKey: r.InstallKey,
      ValidationSkipped: r.SkipValidation,
      ValidatedAsync: r.AsyncValidation,
      // No Apex in these packages: when coverage is calculated, the check passes.
      HasPassedCodeCoverageCheck: r.CalculateCodeCoverage && !r.SkipValidation,
      CodeCoverageCalculated: r.CalculateCodeCoverage,
      Language: r.Language,
      CreatedDate: now,
      CreatedById: hub.userId,
      LastModifiedDate: now,
      BuildDurationInSeconds: 1,
      TotalNumberOfMetadataFiles: pv.components.length,
      TotalSizeOfMetadataFiles: pv.totalSize,
      components: pv.components,
      availabilityChecks: 0,
      hub,
    };
    stateOf(hub).versions.set(key15(v.Id), v);
    r.Package2VersionId = v.Id;
    // Async validation: the version exists and installs while its validations run (the CLI's
    // packageVersionCreatePerformingValidations message); the request ends Success or Error afterwards.
    r.Status = r.AsyncValidation ? 'PerformingValidations' : 'Success';
    r.validationReads = 0;
    r.LastModifiedDate = now;
  }

  /** One status read while an async-validated version's validations run; they end after validationPolls reads and validationMs. */
  function advanceValidation(hub: OrgState, r: VersionCreateRequestRec): void {
    r.validationReads = (r.validationReads ?? 0) + 1;
    const v = r.Package2VersionId ? stateOf(hub).versions.get(key15(r.Package2VersionId)) : undefined;
    if (
      r.validationReads <= (ctx.timing.validationPolls ?? 1) ||
      (v && stillRunning(v.CreatedDate, ctx.timing.durations.validationMs))
    )
      return;
    if (r.validationErrors?.length) failCreateRequest(r, r.validationErrors);
    else {
      r.Status = 'Success';
      r.LastModifiedDate = timestamp();
    }
  }

  /** One status read of an install request; finishes it after ctx.timing.installPolls reads. */
  function advanceInstall(org: OrgState, r: InstallRequestRec): void {
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
    install(org, v, pkg, r.Id);
    r.Status = 'SUCCESS';
    r.Errors = null;
  }

  /**
   * Put the package's components into the org as the platform does on install: managed components get the
   * namespace prefix (ns__Name, also in references to the app), and ctx.applyComponents stores them, gives them
   * ids, associates the installed app with the Dev Hub's OAuth consumer through the oauthLink and generates the
   * subscriber's default OAuth policy.
   */
  function install(org: OrgState, v: VersionRec, pkg: Package2Rec, requestId: string): void {
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

  // ---------------------------------------------------------------------------------------------------------
  // queries

  function idsFrom(q: ParsedQuery, field: string): string[] | undefined {
    const eqs = requiredEqualities(q.where).filter((e) => e.path.toLowerCase() === field.toLowerCase());
    if (eqs.length === 0) return undefined;
    const out: string[] = [];
    for (const e of eqs) for (const v of e.values) if (v.kind === 'string') out.push(v.value);
    return out;
  }

  function rowsFor(req: FakeRequest, q: ParsedQuery, schema: ObjectSchema): Row[] {
    const org = req.org;
    const api = apiNum(req);
    const st = stateOf(org);
    switch (schema.name) {
      case 'Package2':
        return [...st.packages.values()].map((p) => package2Row(p, api));
      case 'Package2Version':
        return [...st.versions.values()].map((v) => versionRow(v, org, api));
      case 'Package2VersionCreateRequest': {
        const ids = idsFrom(q, 'Id');
        for (const r of st.requests.values()) {
          if (!ids || ids.some((id) => ID_RE.test(id) && key15(id) === key15(r.Id))) advanceCreateRequest(org, r);
        }
        return [...st.requests.values()].map((r) => createRequestRow(org, r, api));
      }
      case 'Package2VersionCreateRequestError': {
        const rows: Row[] = [];
        for (const r of st.requests.values()) {
          for (const e of r.errors) {
            rows.push({
              type: 'Package2VersionCreateRequestError',
              values: {
                Id: e.Id,
                IsDeleted: false,
                CreatedDate: e.CreatedDate,
                CreatedById: r.CreatedById,
                LastModifiedDate: e.CreatedDate,
                LastModifiedById: r.CreatedById,
                SystemModstamp: e.CreatedDate,
                Message: e.Message,
                ParentRequestId: r.Id,
              },
              rel: (name) => (name === 'ParentRequest' ? createRequestRow(org, r, api) : null),
            });
          }
        }
        return rows;
      }
      case 'SubscriberPackageVersion': {
        const ids = idsFrom(q, 'Id');
        if (!ids) {
          throw new SoqlError(
            'MALFORMED_QUERY',
            "Implementation restriction: You can only perform queries of the form Id='<value>' or Id IN ('<value>', …) on SubscriberPackageVersion. Include the ID (04t) of the package version in the WHERE clause.",
          );
        }
        const keys = idsFrom(q, 'InstallationKey');
        const key = keys?.[0];
        const rows: Row[] = [];
        for (const id of ids) {
          if (!ID_RE.test(id)) continue; // the filter check reports malformed ids
          const v = findVersionBy04t(ctx, id);
          if (!v) continue;
          if (v.InstallKey !== null) {
            if (key === undefined) {
              throw new SoqlError(
                'INSTALL_KEY_REQUIRED',
                'Please provide installationkey when querying against SubscriberPackageVersion that is protected by installationkey',
              );
            }
            if (key !== v.InstallKey)
              throw new SoqlError('INSTALL_KEY_INVALID', 'Invalid InstallationKey for SubscriberPackageVersion');
          }
          const failWith = ctx.timing.versionQueryErrors?.[v.queryErrorsGiven ?? 0];
          if (failWith) {
            v.queryErrorsGiven = (v.queryErrorsGiven ?? 0) + 1;
            throw new SoqlError(
              failWith,
              VERSION_QUERY_ERRORS[failWith] ?? `${failWith}: the package version is not available yet.`,
            );
          }
          v.availabilityChecks++;
          rows.push(subscriberVersionRow(v, org, { InstallationKey: key ?? null }));
        }
        return rows;
      }
      case 'SubscriberPackage': {
        const ids = idsFrom(q, 'Id');
        if (!ids) {
          throw new SoqlError(
            'MALFORMED_QUERY',
            "Implementation restriction: You can only perform queries of the form Id='<value>' on SubscriberPackage. Include the ID (033) of the package in the WHERE clause.",
          );
        }
        const rows: Row[] = [];
        for (const id of ids) {
          const p = ID_RE.test(id) ? findPackageBySubscriberId(ctx, id) : undefined;
          if (p) rows.push(subscriberPackageRow(p));
        }
        return rows;
      }
      case 'PackageInstallRequest': {
        const ids = idsFrom(q, 'Id');
        for (const r of st.installRequests.values()) {
          if (!ids || ids.some((id) => ID_RE.test(id) && key15(id) === key15(r.Id))) advanceInstall(org, r);
        }
        return [...st.installRequests.values()].map((r) => ({
          type: 'PackageInstallRequest',
          values: installRequestValues(r),
          rel: () => null,
        }));
      }
      case 'InstalledSubscriberPackage':
        return [...st.installed.values()].map((i) => {
          const v = findVersionBy04t(ctx, i.SubscriberPackageVersionId);
          const pkg = v ? findPackage(ctx, v.Package2Id) : undefined;
          return {
            type: 'InstalledSubscriberPackage',
            values: {
              Id: i.Id,
              SubscriberPackageId: i.SubscriberPackageId,
              SubscriberPackageVersionId: i.SubscriberPackageVersionId,
              MinPackageVersionId: i.MinPackageVersionId,
            },
            rel: (name: string) => {
              if (name === 'SubscriberPackage') return pkg ? subscriberPackageRow(pkg) : null;
              if (name === 'SubscriberPackageVersion' || name === 'MinPackageVersion')
                return v ? subscriberVersionRow(v, org) : null;
              return null;
            },
          };
        });
    }
    return [];
  }

  /** Answer a Tooling query whose FROM object is `object` (one route per object, so faults can target one). */
  function query(req: FakeRequest, object: string): FakeResponse | undefined {
    const soql = req.query.get('q');
    if (!soql) return undefined;
    const fromMatch = /\bfrom\s+([A-Za-z0-9_]+)/i.exec(soql);
    const from = fromMatch?.[1];
    if (!fromMatch || !from || from.toLowerCase() !== object.toLowerCase()) return undefined;
    if (DEV_HUB_ONLY.has(from.toLowerCase()) && !req.org.isDevHub) {
      // Without 2GP packaging (not a Dev Hub) these objects don't exist.
      const column = fromMatch.index + fromMatch[0].length - from.length + 1;
      return ctx.restError(
        400,
        'INVALID_TYPE',
        `\n${soql}\n${' '.repeat(column - 1)}^\nERROR at Row:1:Column:${column}\nsObject type '${from}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
      );
    }
    try {
      const parsed = parseSoql(soql);
      const schema = schemaFor(parsed.from);
      if (!schema) return undefined;
      const rows = rowsFor(req, parsed, schema);
      const result = runQuery(parsed, schema, rows, {
        schemas: schemaFor,
        apiVersion: apiNum(req),
        urlBase: urlBase(req),
        now: new Date(),
      });
      return ctx.json(200, result);
    } catch (e) {
      if (e instanceof SoqlError) return ctx.restError(400, e.errorCode, e.message);
      throw e;
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // Package2

  function createPackage2(req: FakeRequest): FakeResponse {
    const hub = req.org;
    if (!hub.isDevHub) return notFound();
    const parsedBody = parseJsonObject(req.body.toString('utf8'));
    if (!parsedBody.ok) return parsedBody.res;
    const body = parsedBody.body;
    const bad = checkBody(body, 'Package2', {
      Name: 'string',
      Description: 'string',
      NamespacePrefix: 'string',
      ContainerOptions: 'string',
      IsOrgDependent: 'boolean',
      PackageErrorUsername: 'string',
      AppAnalyticsEnabled: 'boolean',
    });
    if (bad) return bad;
    const name = str(bodyGet(body, 'Name'));
    if (!name?.trim())
      return fieldError(400, 'REQUIRED_FIELD_MISSING', 'Required fields are missing: [Name]', ['Name']);
    if (name.length > 255)
      return fieldError(
        400,
        'STRING_TOO_LONG',
        `Name: data value too large: ${name.slice(0, 20)}... (max length=255)`,
        ['Name'],
      );
    const st = stateOf(hub);
    const dup = duplicateName(hub, name);
    if (dup) return dup;
    const container = str(bodyGet(body, 'ContainerOptions'));
    if (!container)
      return fieldError(400, 'REQUIRED_FIELD_MISSING', 'Required fields are missing: [ContainerOptions]', [
        'ContainerOptions',
      ]);
    if (container !== 'Managed' && container !== 'Unlocked') {
      return fieldError(
        400,
        'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
        `Container Options: bad value for restricted picklist field: ${container}`,
        ['ContainerOptions'],
      );
    }
    const ns = str(bodyGet(body, 'NamespacePrefix'));
    if (container === 'Managed' && !ns) {
      return fieldError(
        400,
        'FIELD_INTEGRITY_EXCEPTION',
        'A managed package requires a namespace. Link a namespace to your Dev Hub org, add it to sfdx-project.json, and create the package with that namespace.',
        ['NamespacePrefix'],
      );
    }
    if (ns && (!hub.namespace || hub.namespace.toLowerCase() !== ns.toLowerCase())) {
      return fieldError(
        400,
        'INVALID_NAMESPACE_PREFIX',
        `The namespace ${ns} isn't linked to this Dev Hub org. Link it in the Namespace Registry of the Dev Hub org, or use a namespace that's already linked${hub.namespace ? ` (${hub.namespace})` : ''}.`,
        ['NamespacePrefix'],
      );
    }
    const orgDependent = bodyGet(body, 'IsOrgDependent') === true;
    if (orgDependent && container !== 'Unlocked') {
      return fieldError(400, 'FIELD_INTEGRITY_EXCEPTION', 'Only unlocked packages can be org-dependent.', [
        'IsOrgDependent',
      ]);
    }
    const errUser = str(bodyGet(body, 'PackageErrorUsername'));
    if (errUser && errUser.toLowerCase() !== hub.username.toLowerCase()) {
      return fieldError(
        400,
        'FIELD_INTEGRITY_EXCEPTION',
        `PackageErrorUsername ${errUser} isn't an active user in this Dev Hub org.`,
        ['PackageErrorUsername'],
      );
    }
    const now = timestamp();
    const p: Package2Rec = {
      Id: ctx.newId('0Ho'),
      SubscriberPackageId: ctx.newId('033'),
      Name: name,
      Description: str(bodyGet(body, 'Description')),
      NamespacePrefix: ns ? (hub.namespace ?? ns) : null,
      ContainerOptions: container,
      IsOrgDependent: orgDependent,
      PackageErrorUsername: errUser,
      IsDeprecated: false,
      CreatedDate: now,
      CreatedById: hub.userId,
      LastModifiedDate: now,
      hub,
    };
    st.packages.set(key15(p.Id), p);
    return ctx.json(201, { id: p.Id, success: true, errors: [] });
  }

  function retrieveResponse(req: FakeRequest, type: string, values: Record<string, unknown>): FakeResponse {
    const fields = req.query.get('fields');
    let out: Record<string, unknown> = values;
    if (fields) {
      const schema = schemaFor(type);
      out = {};
      for (const f of fields
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)) {
        const def = schema?.fields.find((d) => d.name.toLowerCase() === f.toLowerCase());
        if (!def || !(def.name in values))
          return fieldError(400, 'INVALID_FIELD', `No such column '${f}' on sobject of type ${type}`, [f]);
        out[def.name] = values[def.name];
      }
    }
    return ctx.json(200, { attributes: { type, url: `${urlBase(req)}/${type}/${String(values['Id'])}` }, ...out });
  }

  function getPackage2(req: FakeRequest, m: RegExpMatchArray): FakeResponse {
    if (!req.org.isDevHub) return notFound();
    const id = decodeURIComponent(m[1] ?? '');
    const p = ID_RE.test(id) ? hubPackage(req.org, id) : undefined;
    if (!p) return notFound();
    return retrieveResponse(req, 'Package2', package2Values(p, apiNum(req)));
  }

  /** PATCH Package2 (Package.update, Package.delete = IsDeprecated). All checks first: an update is atomic. */
  function patchPackage2(req: FakeRequest, m: RegExpMatchArray): FakeResponse {
    if (!req.org.isDevHub) return notFound();
    const id = decodeURIComponent(m[1] ?? '');
    const p = ID_RE.test(id) ? hubPackage(req.org, id) : undefined;
    if (!p) return notFound();
    const parsedBody = parseJsonObject(req.body.toString('utf8'));
    if (!parsedBody.ok) return parsedBody.res;
    const body = parsedBody.body;
    const bad = checkBody(body, 'Package2', {
      Id: 'string',
      Name: 'string',
      Description: 'string',
      PackageErrorUsername: 'string',
      IsDeprecated: 'boolean',
    });
    if (bad) return bad;
    const name = bodyGet(body, 'Name');
    if (name !== undefined) {
      if (typeof name !== 'string' || !name.trim())
        return fieldError(400, 'REQUIRED_FIELD_MISSING', 'Required fields are missing: [Name]', ['Name']);
      const dup = duplicateName(req.org, name, p);
      if (dup) return dup;
    }
    const eu = bodyGet(body, 'PackageErrorUsername');
    const errUser = eu === undefined ? undefined : str(eu);
    if (errUser && errUser.toLowerCase() !== req.org.username.toLowerCase()) {
      return fieldError(
        400,
        'FIELD_INTEGRITY_EXCEPTION',
        `PackageErrorUsername ${errUser} isn't an active user in this Dev Hub org.`,
        ['PackageErrorUsername'],
      );
    }
    const deprecate = bodyGet(body, 'IsDeprecated');
    if (deprecate === true && !p.IsDeprecated) {
      // Package.delete: only a package without live versions, and never a managed one with released versions
      const versions = [...stateOf(req.org).versions.values()].filter((v) => key15(v.Package2Id) === key15(p.Id));
      if (p.ContainerOptions === 'Managed' && versions.some((v) => v.IsReleased)) {
        return fieldError(
          400,
          'FIELD_INTEGRITY_EXCEPTION',
          `Package ${p.Name} has released versions. A managed package with released versions can't be deleted.`,
          ['IsDeprecated'],
        );
      }
      if (versions.some((v) => !v.IsDeprecated)) {
        return fieldError(
          400,
          'FIELD_INTEGRITY_EXCEPTION',
          `Package ${p.Name} has package versions that aren't deleted. Delete its versions first, then delete the package.`,
          ['IsDeprecated'],
        );
      }
    }
    if (typeof name === 'string') p.Name = name;
    const desc = bodyGet(body, 'Description');
    if (desc !== undefined) p.Description = str(desc);
    if (errUser !== undefined) p.PackageErrorUsername = errUser;
    if (typeof deprecate === 'boolean') p.IsDeprecated = deprecate;
    p.LastModifiedDate = timestamp();
    return { status: 204 };
  }

  // ---------------------------------------------------------------------------------------------------------
  // Package2VersionCreateRequest

  async function createVersionRequest(req: FakeRequest): Promise<FakeResponse> {
    const hub = req.org;
    if (!hub.isDevHub) return notFound();
    let json: Record<string, unknown>;
    let versionInfo: Buffer | undefined;
    const contentType = String(req.headers['content-type'] ?? '');
    if (/^multipart\/form-data/i.test(contentType)) {
      let parts: ReturnType<typeof ctx.parseMultipart>;
      try {
        parts = ctx.parseMultipart(req);
      } catch (e) {
        return fieldError(400, 'INVALID_MULTIPART_REQUEST', (e as Error).message);
      }
      // jsforce names the JSON part after the sObject; Salesforce's docs call it entity_content
      const entity = parts.filter((p) =>
        /^(Package2VersionCreateRequest|entity_content|entity_document)$/i.test(p.name),
      );
      if (entity.length !== 1) {
        return fieldError(
          400,
          'INVALID_MULTIPART_REQUEST',
          'The multipart request must have exactly one part with the JSON of the Package2VersionCreateRequest.',
        );
      }
      const parsedBody = parseJsonObject(entity[0]!.data.toString('utf8'));
      if (!parsedBody.ok) return parsedBody.res;
      json = parsedBody.body;
      const others = parts.filter((p) => p !== entity[0]);
      for (const p of others) {
        if (p.name !== 'VersionInfo')
          return fieldError(
            400,
            'INVALID_FIELD',
            `No such column '${p.name}' on sobject of type Package2VersionCreateRequest`,
            [p.name],
          );
      }
      if (others.length > 1)
        return fieldError(400, 'INVALID_MULTIPART_REQUEST', 'VersionInfo was sent more than once.', ['VersionInfo']);
      const vi = others[0];
      if (vi) versionInfo = vi.data;
      if (vi && bodyGet(json, 'VersionInfo') !== undefined) {
        return fieldError(
          400,
          'INVALID_MULTIPART_REQUEST',
          'VersionInfo was sent both as a file part and in the JSON part.',
          ['VersionInfo'],
        );
      }
    } else if (/^application\/json/i.test(contentType)) {
      const parsedBody = parseJsonObject(req.body.toString('utf8'));
      if (!parsedBody.ok) return parsedBody.res;
      json = parsedBody.body;
      const b64 = bodyGet(json, 'VersionInfo');
      if (typeof b64 === 'string' && b64) versionInfo = Buffer.from(b64, 'base64');
    } else {
      return fieldError(
        415,
        'UNSUPPORTED_MEDIA_TYPE',
        `Content type ${contentType || '(none)'} is not supported for this resource`,
      );
    }
    const allowed: Record<string, Kind> = {
      Package2Id: 'string',
      VersionInfo: 'string',
      Tag: 'string',
      Branch: 'string',
      InstallKey: 'string',
      Instance: 'string',
      SourceOrg: 'string',
      CalculateCodeCoverage: 'boolean',
      SkipValidation: 'boolean',
      IsDevUsePkgZipRequested: 'boolean',
      IsConversionRequest: 'boolean',
    };
    const api = apiNum(req);
    if (api >= 57) allowed['Language'] = 'string';
    if (api >= 60) allowed['AsyncValidation'] = 'boolean';
    if (api >= 65) allowed['CalcTransitiveDependencies'] = 'boolean';
    const bad = checkBody(json, 'Package2VersionCreateRequest', allowed);
    if (bad) return bad;
    const package2Id = str(bodyGet(json, 'Package2Id'));
    if (!package2Id)
      return fieldError(400, 'REQUIRED_FIELD_MISSING', 'Required fields are missing: [Package2Id]', ['Package2Id']);
    if (!ID_RE.test(package2Id) || !package2Id.startsWith('0Ho')) {
      return fieldError(400, 'MALFORMED_ID', `Package2Id: id value of incorrect type: ${package2Id}`, ['Package2Id']);
    }
    const pkg = hubPackage(hub, package2Id);
    if (!pkg)
      return fieldError(
        400,
        'INVALID_CROSS_REFERENCE_KEY',
        `invalid cross reference id: Package2Id ${package2Id} isn't a package in this Dev Hub org`,
        ['Package2Id'],
      );
    if (pkg.IsDeprecated)
      return fieldError(
        400,
        'FIELD_INTEGRITY_EXCEPTION',
        `Package ${pkg.Name} is deleted. You can't create versions of it.`,
        ['Package2Id'],
      );
    if (!versionInfo || versionInfo.length === 0)
      return fieldError(400, 'REQUIRED_FIELD_MISSING', 'Required fields are missing: [VersionInfo]', ['VersionInfo']);
    if (bodyGet(json, 'IsConversionRequest') === true) {
      return fieldError(
        400,
        'FIELD_INTEGRITY_EXCEPTION',
        'IsConversionRequest is set by the platform for package conversions only.',
        ['IsConversionRequest'],
      );
    }

    const now = timestamp();
    const forced = ctx.failures.versionCreate;
    let outcome: VersionCreateRequestRec['outcome'];
    if (forced) {
      ctx.failures.versionCreate = undefined;
      outcome = { kind: 'error', messages: [...forced] };
    } else {
      outcome = await checkVersionInfo({ ctx, hub, pkg, versionInfo });
    }
    const installKey = str(bodyGet(json, 'InstallKey'));
    const r: VersionCreateRequestRec = {
      Id: ctx.newId('08c'),
      Package2Id: pkg.Id,
      Tag: str(bodyGet(json, 'Tag')),
      Branch: str(bodyGet(json, 'Branch')),
      InstallKey: installKey,
      Instance: str(bodyGet(json, 'Instance')),
      SourceOrg: str(bodyGet(json, 'SourceOrg')),
      CalculateCodeCoverage: bodyGet(json, 'CalculateCodeCoverage') === true,
      SkipValidation: bodyGet(json, 'SkipValidation') === true,
      AsyncValidation: bodyGet(json, 'AsyncValidation') === true,
      IsDevUsePkgZipRequested: bodyGet(json, 'IsDevUsePkgZipRequested') === true,
      CalcTransitiveDependencies: bodyGet(json, 'CalcTransitiveDependencies') === true,
      Language: str(bodyGet(json, 'Language')),
      CreatedDate: now,
      CreatedById: hub.userId,
      LastModifiedDate: now,
      Status: 'Queued',
      reads: 0,
      outcome,
      Package2VersionId: null,
      errors: [],
    };
    if (r.AsyncValidation && ctx.failures.asyncValidation) {
      r.validationErrors = ctx.failures.asyncValidation;
      ctx.failures.asyncValidation = undefined;
    }
    if (r.CalculateCodeCoverage && r.SkipValidation) {
      return fieldError(
        400,
        'FIELD_INTEGRITY_EXCEPTION',
        "You can't calculate code coverage when validation is skipped.",
        ['CalculateCodeCoverage', 'SkipValidation'],
      );
    }
    // The daily counter (docs/platform-notes.md §18). Refusing at 0, and this text, are our choice, no evidence:
    // no public report quotes the platform's answer; the action reads the limits resource before it asks.
    const limits = stateOf(hub).limits;
    const counter = r.SkipValidation ? limits.Package2VersionCreatesWithoutValidation : limits.Package2VersionCreates;
    if (counter.Remaining < 1) {
      return fieldError(
        400,
        'LIMIT_EXCEEDED',
        `You've reached the daily limit of ${counter.Max} package version creations for this Dev Hub. Try again later.`,
      );
    }
    counter.Remaining--;
    stateOf(hub).requests.set(key15(r.Id), r);
    return ctx.json(201, { id: r.Id, success: true, errors: [] });
  }

  function getVersionRequest(req: FakeRequest, m: RegExpMatchArray): FakeResponse {
    if (!req.org.isDevHub) return notFound();
    const id = decodeURIComponent(m[1] ?? '');
    const r = ID_RE.test(id) ? stateOf(req.org).requests.get(key15(id)) : undefined;
    if (!r) return notFound();
    advanceCreateRequest(req.org, r);
    return retrieveResponse(req, 'Package2VersionCreateRequest', createRequestValues(r, apiNum(req)));
  }

  // ---------------------------------------------------------------------------------------------------------
  // Package2Version

  function getVersion(req: FakeRequest, m: RegExpMatchArray): FakeResponse {
    if (!req.org.isDevHub) return notFound();
    const id = decodeURIComponent(m[1] ?? '');
    const v = ID_RE.test(id) ? stateOf(req.org).versions.get(key15(id)) : undefined;
    if (!v) return notFound();
    return retrieveResponse(req, 'Package2Version', versionValues(v, apiNum(req)));
  }

  /** PATCH Package2Version (promote = IsReleased, delete = IsDeprecated, update). All checks first: atomic. */
  function patchVersion(req: FakeRequest, m: RegExpMatchArray): FakeResponse {
    if (!req.org.isDevHub) return notFound();
    const id = decodeURIComponent(m[1] ?? '');
    const v = ID_RE.test(id) ? stateOf(req.org).versions.get(key15(id)) : undefined;
    if (!v) return notFound();
    const parsedBody = parseJsonObject(req.body.toString('utf8'));
    if (!parsedBody.ok) return parsedBody.res;
    const body = parsedBody.body;
    const bad = checkBody(body, 'Package2Version', {
      Id: 'string',
      IsReleased: 'boolean',
      IsDeprecated: 'boolean',
      InstallKey: 'string',
      Name: 'string',
      Description: 'string',
      Tag: 'string',
      Branch: 'string',
    });
    if (bad) return bad;
    const pkg = hubPackage(req.org, v.Package2Id);
    const released = bodyGet(body, 'IsReleased');
    if (released === false && v.IsReleased) {
      return fieldError(
        400,
        'FIELD_INTEGRITY_EXCEPTION',
        `Package version ${versionNumberOf(v)} is released. A released package version can't be changed back to beta.`,
        ['IsReleased'],
      );
    }
    const promote = released === true && !v.IsReleased;
    if (promote) {
      if (v.IsDeprecated)
        return fieldError(
          400,
          'FIELD_INTEGRITY_EXCEPTION',
          `Package version ${versionNumberOf(v)} is deleted and can't be promoted.`,
          ['IsReleased'],
        );
      if (v.ValidationSkipped) {
        return fieldError(
          400,
          'FIELD_INTEGRITY_EXCEPTION',
          `Package version ${versionNumberOf(v)} was created with validation skipped, so it can't be promoted. Create a version with validation, then promote it.`,
          ['IsReleased'],
        );
      }
      const request = v.ValidatedAsync
        ? [...stateOf(req.org).requests.values()].find(
            (r) => r.Package2VersionId && key15(r.Package2VersionId) === key15(v.Id),
          )
        : undefined;
      if (request && request.Status !== 'Success') {
        // The sf CLI's own words for async-validated versions (plugin-packaging, packageVersionCreatePerformingValidations);
        // the platform's error code and text for this refusal are our choice, no evidence.
        return fieldError(
          400,
          'FIELD_INTEGRITY_EXCEPTION',
          `Package version ${versionNumberOf(v)} was created with async validation and its validations ${request.Status === 'Error' ? 'failed' : 'are still in progress'}. Async validated package versions can be promoted only if all validations complete successfully.`,
          ['IsReleased'],
        );
      }
      if (!v.CodeCoverageCalculated) {
        return fieldError(
          400,
          'FIELD_INTEGRITY_EXCEPTION',
          'Code coverage has not been run for this version. Code coverage must be run during version creation and meet the minimum coverage requirement to promote the version.',
          ['IsReleased'],
        );
      }
      if (pkg?.ContainerOptions === 'Managed') {
        const other = [...stateOf(req.org).versions.values()].find(
          (o) =>
            o !== v &&
            o.IsReleased &&
            key15(o.Package2Id) === key15(v.Package2Id) &&
            o.MajorVersion === v.MajorVersion &&
            o.MinorVersion === v.MinorVersion &&
            o.PatchVersion === v.PatchVersion,
        );
        if (other) {
          return fieldError(
            400,
            'FIELD_INTEGRITY_EXCEPTION',
            `Version ${versionNumberOf(other)} of ${v.MajorVersion}.${v.MinorVersion}.${v.PatchVersion} is already released. Only one build of a managed package version number can be released.`,
            ['IsReleased'],
          );
        }
      }
    }
    const dep = bodyGet(body, 'IsDeprecated');
    if (dep === true && (v.IsReleased || promote) && pkg?.ContainerOptions === 'Managed') {
      return fieldError(
        400,
        'FIELD_INTEGRITY_EXCEPTION',
        `Package version ${versionNumberOf(v)} is a released version of a managed package and can't be deleted.`,
        ['IsDeprecated'],
      );
    }
    if (promote) v.IsReleased = true;
    if (typeof dep === 'boolean') v.IsDeprecated = dep;
    const key = bodyGet(body, 'InstallKey');
    if (key !== undefined) v.InstallKey = str(key);
    const name = bodyGet(body, 'Name');
    if (typeof name === 'string') v.Name = name;
    const desc = bodyGet(body, 'Description');
    if (desc !== undefined) v.Description = str(desc);
    const tag = bodyGet(body, 'Tag');
    if (tag !== undefined) v.Tag = str(tag);
    const branch = bodyGet(body, 'Branch');
    if (branch !== undefined) v.Branch = str(branch);
    v.LastModifiedDate = timestamp();
    return { status: 204 };
  }

  // ---------------------------------------------------------------------------------------------------------
  // SubscriberPackageVersion (any org)

  function getSubscriberVersion(req: FakeRequest, m: RegExpMatchArray): FakeResponse {
    const id = decodeURIComponent(m[1] ?? '');
    const v = ID_RE.test(id) ? findVersionBy04t(ctx, id) : undefined;
    if (!v) return notFound();
    if (v.InstallKey !== null) {
      return ctx.restError(
        400,
        'INSTALL_KEY_REQUIRED',
        'Please provide installationkey when querying against SubscriberPackageVersion that is protected by installationkey',
      );
    }
    v.availabilityChecks++;
    return retrieveResponse(req, 'SubscriberPackageVersion', subscriberVersionValues(v, req.org));
  }

  // ---------------------------------------------------------------------------------------------------------
  // PackageInstallRequest (the target org)

  function createInstallRequest(req: FakeRequest): FakeResponse {
    const org = req.org;
    const parsedBody = parseJsonObject(req.body.toString('utf8'));
    if (!parsedBody.ok) return parsedBody.res;
    const body = parsedBody.body;
    const bad = checkBody(body, 'PackageInstallRequest', {
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
      return fieldError(400, 'REQUIRED_FIELD_MISSING', 'Required fields are missing: [SubscriberPackageVersionKey]', [
        'SubscriberPackageVersionKey',
      ]);
    if (!ID_RE.test(key) || !key.startsWith('04t')) {
      return fieldError(400, 'MALFORMED_ID', `SubscriberPackageVersionKey: id value of incorrect type: ${key}`, [
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
      return fieldError(400, 'INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', [
        'SubscriberPackageVersionKey',
      ]);
    }
    if (pkg.ContainerOptions !== 'Unlocked') {
      if (values['UpgradeType'] !== null && values['UpgradeType'] !== 'mixed-mode') {
        return fieldError(
          400,
          'FIELD_INTEGRITY_EXCEPTION',
          'UpgradeType can be set only when you install or upgrade an unlocked package.',
          ['UpgradeType'],
        );
      }
      if (values['ApexCompileType'] !== null && values['ApexCompileType'] !== 'all') {
        return fieldError(
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
        400,
        'INSTALL_KEY_INVALID',
        'Can’t install package. This package doesn’t require an installation key. Install the package without specifying an installation key.',
        ['Password'],
      );
    }
    if (v.InstallKey !== null) {
      if (password === null) {
        return fieldError(
          400,
          'INSTALL_KEY_REQUIRED',
          'This package version is protected by an installation key. Provide the installation key (Password) to install it.',
          ['Password'],
        );
      }
      // @salesforce/packaging escapes \ and ' in the key before sending it
      const unescaped = password.replace(/\\(['\\])/g, '$1');
      if (password !== v.InstallKey && unescaped !== v.InstallKey) {
        return fieldError(400, 'INSTALL_KEY_INVALID', 'Invalid InstallationKey for SubscriberPackageVersion', [
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
      installValidationStatus(v, org).status === 'NO_ERRORS_DETECTED'
    ) {
      const form = ctx.timing.installNotYetTexts![v.notYetTextsGiven ?? 0]!;
      v.notYetTextsGiven = (v.notYetTextsGiven ?? 0) + 1;
      outcome = { kind: 'error', messages: [INSTALL_NOT_YET_TEXTS[form](v)] };
    } else if (
      (v.notAvailableGiven ?? 0) < (ctx.timing.installsNotAvailable ?? 0) &&
      installValidationStatus(v, org).status === 'NO_ERRORS_DETECTED'
    ) {
      // "Available", then "unable to install" (forcedotcom/cli#2770): the install itself still meets replication.
      v.notAvailableGiven = (v.notAvailableGiven ?? 0) + 1;
      outcome = { kind: 'error', messages: [INSTALL_BLOCKED['PACKAGE_UNAVAILABLE']!(v, pkg)] };
    } else {
      const { status, installed } = installValidationStatus(v, org);
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
      } else if (installed && pkg.ContainerOptions === 'Managed' && !descendsFrom(v, installed)) {
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

  function getInstallRequest(req: FakeRequest, m: RegExpMatchArray): FakeResponse {
    const id = decodeURIComponent(m[1] ?? '');
    const r = ID_RE.test(id) ? stateOf(req.org).installRequests.get(key15(id)) : undefined;
    if (!r) return notFound();
    advanceInstall(req.org, r);
    return retrieveResponse(req, 'PackageInstallRequest', installRequestValues(r));
  }

  // ---------------------------------------------------------------------------------------------------------

  /** Package2 names are unique in a Dev Hub, whatever their case (the record being renamed aside). */
  function duplicateName(org: OrgState, name: string, except?: unknown): FakeResponse | undefined {
    const dup = [...stateOf(org).packages.values()].find(
      (o) => o !== except && o.Name.toLowerCase() === name.toLowerCase(),
    );
    if (!dup) return undefined;
    return fieldError(
      400,
      'DUPLICATE_VALUE',
      `duplicate value found: Name duplicates value on record with id: ${dup.Id}`,
      ['Name'],
    );
  }

  const sobject = (name: string, withId: boolean) =>
    new RegExp(`^/tooling/sobjects/${name}${withId ? '/([^/]+)' : ''}/?$`, 'i');

  const queryRoutes: Route[] = SCHEMAS.map((schema) => ({
    name: `tooling.query.${schema.name[0]!.toLowerCase()}${schema.name.slice(1)}`,
    method: 'GET',
    pattern: /^\/tooling\/query\/?$/,
    handler: (req: FakeRequest) => query(req, schema.name),
  }));

  // REST limits resource (GET /services/data/vNN.0/limits): { <name>: { Max, Remaining } } per the REST API
  // Developer Guide, "List Organization Limits" (dome_limits.htm). Only the packaging counters are modelled.
  const limitsRoute: Route = {
    name: 'rest.limits',
    method: 'GET',
    pattern: /^\/limits\/?$/,
    handler: (req) => {
      const { Package2VersionCreates, Package2VersionCreatesWithoutValidation } = stateOf(req.org).limits;
      return ctx.json(200, {
        Package2VersionCreates: { ...Package2VersionCreates },
        Package2VersionCreatesWithoutValidation: { ...Package2VersionCreatesWithoutValidation },
      });
    },
  };

  // One line per Tooling sObject route: its name (faults, log), method, object, whether the path has an id, handler.
  const route = (
    name: string,
    method: Route['method'],
    object: string,
    withId: boolean,
    handler: Route['handler'],
  ): Route => ({
    name,
    method,
    pattern: sobject(object, withId),
    handler,
  });

  return [
    limitsRoute,
    ...queryRoutes,
    route('tooling.package2.create', 'POST', 'Package2', false, (req) => createPackage2(req)),
    route('tooling.package2.retrieve', 'GET', 'Package2', true, (req, m) => getPackage2(req, m)),
    route('tooling.package2.update', 'PATCH', 'Package2', true, (req, m) => patchPackage2(req, m)),
    route('tooling.package2VersionCreateRequest.create', 'POST', 'Package2VersionCreateRequest', false, (req) =>
      createVersionRequest(req),
    ),
    route('tooling.package2VersionCreateRequest.retrieve', 'GET', 'Package2VersionCreateRequest', true, (req, m) =>
      getVersionRequest(req, m),
    ),
    route('tooling.package2Version.retrieve', 'GET', 'Package2Version', true, (req, m) => getVersion(req, m)),
    route('tooling.package2Version.update', 'PATCH', 'Package2Version', true, (req, m) => patchVersion(req, m)),
    route('tooling.subscriberPackageVersion.retrieve', 'GET', 'SubscriberPackageVersion', true, (req, m) =>
      getSubscriberVersion(req, m),
    ),
    route('tooling.packageInstallRequest.create', 'POST', 'PackageInstallRequest', false, (req) =>
      createInstallRequest(req),
    ),
    route('tooling.packageInstallRequest.retrieve', 'GET', 'PackageInstallRequest', true, (req, m) =>
      getInstallRequest(req, m),
    ),
  ];
}
