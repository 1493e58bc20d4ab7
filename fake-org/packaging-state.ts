// Per-org state of the packaging routes, kept in `org.ext.get('packaging')`.
import type { ComponentSource, FakeOrgContext, OrgState } from './types.ts';

export type ContainerOptions = 'Managed' | 'Unlocked';

export interface Package2Rec {
  Id: string;
  SubscriberPackageId: string;
  Name: string;
  Description: string | null;
  NamespacePrefix: string | null;
  ContainerOptions: ContainerOptions;
  IsOrgDependent: boolean;
  PackageErrorUsername: string | null;
  IsDeprecated: boolean;
  CreatedDate: string;
  CreatedById: string;
  LastModifiedDate: string;
  /** the Dev Hub that owns it */
  hub: OrgState;
}

/** One component of a package version, as it went into the version (metadata format). */
export type PackagedComponent = ComponentSource;

export interface VersionRec {
  Id: string; // 05i
  SubscriberPackageVersionId: string; // 04t
  Package2Id: string;
  Name: string;
  Description: string | null;
  MajorVersion: number;
  MinorVersion: number;
  PatchVersion: number;
  BuildNumber: number;
  Tag: string | null;
  Branch: string | null;
  /** 04t of the ancestor, or null */
  AncestorId: string | null;
  IsReleased: boolean;
  IsDeprecated: boolean;
  InstallKey: string | null;
  ValidationSkipped: boolean;
  ValidatedAsync: boolean;
  HasPassedCodeCoverageCheck: boolean;
  CodeCoverageCalculated: boolean;
  Language: string | null;
  CreatedDate: string;
  CreatedById: string;
  LastModifiedDate: string;
  BuildDurationInSeconds: number;
  TotalNumberOfMetadataFiles: number;
  TotalSizeOfMetadataFiles: number;
  components: PackagedComponent[];
  /** how many times a SubscriberPackageVersion look-up (or install attempt) has named this version */
  availabilityChecks: number;
  /** SubscriberPackageVersion queries that failed (ctx.timing.versionQueryErrors), PackageInstallRequest creates
   *  refused (installCreateRefusals) and installs ended "not fully available" (installsNotAvailable) so far */
  queryErrorsGiven?: number;
  createRefusalsGiven?: number;
  notAvailableGiven?: number;
  /** installs ended with one of timing.installNotYetTexts so far */
  notYetTextsGiven?: number;
  hub: OrgState;
}

export interface PendingVersion {
  major: number;
  minor: number;
  patch: number;
  /** null = NEXT */
  build: number | null;
  versionName: string;
  versionDescription: string | null;
  ancestor04t: string | null;
  components: PackagedComponent[];
  totalSize: number;
}

export interface VersionCreateRequestRec {
  Id: string; // 08c
  Package2Id: string;
  Tag: string | null;
  Branch: string | null;
  InstallKey: string | null;
  Instance: string | null;
  SourceOrg: string | null;
  CalculateCodeCoverage: boolean;
  SkipValidation: boolean;
  AsyncValidation: boolean;
  IsDevUsePkgZipRequested: boolean;
  CalcTransitiveDependencies: boolean;
  Language: string | null;
  CreatedDate: string;
  CreatedById: string;
  LastModifiedDate: string;
  /** PerformingValidations: an async-validated version is built and installable, its validations still run */
  Status: 'Queued' | 'InProgress' | 'PerformingValidations' | 'Success' | 'Error';
  /** status reads so far; the request finishes after ctx.timing.versionCreatePolls reads */
  reads: number;
  /** async validation: reads while PerformingValidations, and what the validations end with (ctx.failures.asyncValidation) */
  validationReads?: number;
  validationErrors?: string[];
  /** decided when the request is accepted; revealed when it finishes */
  outcome: { kind: 'error'; messages: string[] } | { kind: 'ok'; version: PendingVersion };
  Package2VersionId: string | null;
  errors: { Id: string; Message: string; CreatedDate: string }[];
}

export interface InstallRequestRec {
  Id: string; // 0Hf
  SubscriberPackageVersionKey: string;
  NameConflictResolution: string;
  SecurityType: string;
  PackageInstallSource: string;
  EnableRss: boolean;
  UpgradeType: string | null;
  ApexCompileType: string | null;
  SkipHandlers: string | null;
  ProfileMappings: unknown;
  Password: string | null;
  CreatedDate: string;
  CreatedById: string;
  LastModifiedDate: string;
  Status: 'IN_PROGRESS' | 'SUCCESS' | 'ERROR';
  Errors: { errors: { message: string }[] } | null;
  reads: number;
  outcome: { kind: 'error'; messages: string[] } | { kind: 'ok' };
}

export interface InstalledRec {
  Id: string; // 0A3
  SubscriberPackageId: string;
  SubscriberPackageVersionId: string;
  MinPackageVersionId: string;
  installRequestId: string;
  /** component keys (type, fullName) added to org.metadata by the install */
  components: { type: string; fullName: string }[];
}

export interface PackagingState {
  packages: Map<string, Package2Rec>;
  versions: Map<string, VersionRec>;
  requests: Map<string, VersionCreateRequestRec>;
  installRequests: Map<string, InstallRequestRec>;
  /** by SubscriberPackageId (15-char key) */
  installed: Map<string, InstalledRec>;
  /**
   * The daily counters of the REST limits resource that packaging uses, by the resource's names. Each accepted
   * version request takes one (our choice, no evidence: at acceptance rather than on success); tests lower them.
   */
  limits: { Package2VersionCreates: DailyLimit; Package2VersionCreatesWithoutValidation: DailyLimit };
}

export interface DailyLimit {
  Max: number;
  Remaining: number;
}

/**
 * Max of a Dev Hub's daily version creations: 50 with validation, as the Salesforce DX Developer Guide's example
 * of `sf limits api display` shows ("Package2VersionCreates 23 50", "How Many Package Versions Can I Create Per
 * Day?"); 500 without validation, as the REST API Developer Guide's "List Organization Limits" example shows
 * (whose example org has 6 validated). See docs/platform-notes.md §18. A non-Dev-Hub org lists 0 (our choice).
 */
function defaultLimits(org: OrgState): PackagingState['limits'] {
  const max = org.isDevHub ? 50 : 0;
  return {
    Package2VersionCreates: { Max: max, Remaining: max },
    Package2VersionCreatesWithoutValidation: { Max: org.isDevHub ? 500 : 0, Remaining: org.isDevHub ? 500 : 0 },
  };
}

export function stateOf(org: OrgState): PackagingState {
  let s = org.ext.get('packaging') as PackagingState | undefined;
  if (!s) {
    s = {
      packages: new Map(),
      versions: new Map(),
      requests: new Map(),
      installRequests: new Map(),
      installed: new Map(),
      limits: defaultLimits(org),
    };
    org.ext.set('packaging', s);
  }
  return s;
}

/** Map key for an id: its 15-character form (ids are case-sensitive; 15 and 18 name the same record). */
export function key15(id: string): string {
  return id.slice(0, 15);
}

let lastTs = 0;
/** A Salesforce-style timestamp, strictly increasing across the process so ORDER BY CreatedDate is stable. */
export function timestamp(): string {
  let t = Date.now();
  if (t <= lastTs) t = lastTs + 1;
  lastTs = t;
  return new Date(t).toISOString().replace('Z', '+0000');
}

/** Every package version in every org of this fake, found by 04t. */
export function findVersionBy04t(ctx: FakeOrgContext, id04t: string): VersionRec | undefined {
  const k = key15(id04t);
  for (const org of ctx.orgs) {
    const st = org.ext.get('packaging') as PackagingState | undefined;
    if (!st) continue;
    for (const v of st.versions.values()) if (key15(v.SubscriberPackageVersionId) === k) return v;
  }
  return undefined;
}

export function findPackage(ctx: FakeOrgContext, id0Ho: string): Package2Rec | undefined {
  for (const org of ctx.orgs) {
    const st = org.ext.get('packaging') as PackagingState | undefined;
    const p = st?.packages.get(key15(id0Ho));
    if (p) return p;
  }
  return undefined;
}

/** The package (033…) a subscriber package id belongs to. */
export function findPackageBySubscriberId(ctx: FakeOrgContext, id033: string): Package2Rec | undefined {
  const k = key15(id033);
  for (const org of ctx.orgs) {
    const st = org.ext.get('packaging') as PackagingState | undefined;
    if (!st) continue;
    for (const p of st.packages.values()) if (key15(p.SubscriberPackageId) === k) return p;
  }
  return undefined;
}

export function versionNumberOf(
  v: Pick<VersionRec, 'MajorVersion' | 'MinorVersion' | 'PatchVersion' | 'BuildNumber'>,
): string {
  return `${v.MajorVersion}.${v.MinorVersion}.${v.PatchVersion}.${v.BuildNumber}`;
}

/** Compare two versions by major.minor.patch.build. */
export function compareVersions(
  a: Pick<VersionRec, 'MajorVersion' | 'MinorVersion' | 'PatchVersion' | 'BuildNumber'>,
  b: Pick<VersionRec, 'MajorVersion' | 'MinorVersion' | 'PatchVersion' | 'BuildNumber'>,
): number {
  return (
    a.MajorVersion - b.MajorVersion ||
    a.MinorVersion - b.MinorVersion ||
    a.PatchVersion - b.PatchVersion ||
    a.BuildNumber - b.BuildNumber
  );
}
