// The rows of the packaging objects as queries and retrieves see them: Package2, SubscriberPackage, Package2Version,
// SubscriberPackageVersion (with its InstallValidationStatus as the viewing org sees it),
// Package2VersionCreateRequest and PackageInstallRequest. Field sets follow the API version that has them.
import type { FakeOrgContext, OrgState } from '../types.ts';
import {
  type InstallRequestRec,
  type Package2Rec,
  type VersionCreateRequestRec,
  type VersionRec,
  compareVersions,
  findPackage,
  findVersionBy04t,
  key15,
  stateOf,
} from '../packaging-state.ts';
import type { Row } from '../soql.ts';
import { stillRunning } from '../timing.ts';

export function hubPackage(hub: OrgState, id: string): Package2Rec | undefined {
  return stateOf(hub).packages.get(key15(id));
}

export function package2Values(p: Package2Rec, api: number): Record<string, unknown> {
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

export function subscriberPackageRow(p: Package2Rec): Row {
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

export function package2Row(p: Package2Rec, api: number): Row {
  return {
    type: 'Package2',
    values: package2Values(p, api),
    rel: (name) => (name === 'SubscriberPackage' ? subscriberPackageRow(p) : null),
  };
}

/** The InstallValidationStatus of a version as seen from `viewer` (without counting a look-up). */
export function installValidationStatus(
  ctx: FakeOrgContext,
  v: VersionRec,
  viewer: OrgState,
): { status: string; installed?: VersionRec } {
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

export function subscriberVersionValues(ctx: FakeOrgContext, v: VersionRec, viewer: OrgState): Record<string, unknown> {
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
    InstallValidationStatus: installValidationStatus(ctx, v, viewer).status,
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

export function subscriberVersionRow(
  ctx: FakeOrgContext,
  v: VersionRec,
  viewer: OrgState,
  extra: Record<string, unknown> = {},
): Row {
  return {
    type: 'SubscriberPackageVersion',
    values: { ...subscriberVersionValues(ctx, v, viewer), ...extra },
    rel: (name) => {
      if (name !== 'SubscriberPackage') return null;
      const pkg = findPackage(ctx, v.Package2Id);
      return pkg ? subscriberPackageRow(pkg) : null;
    },
  };
}

export function versionValues(v: VersionRec, api: number): Record<string, unknown> {
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

export function versionRow(ctx: FakeOrgContext, v: VersionRec, viewer: OrgState, api: number): Row {
  return {
    type: 'Package2Version',
    values: versionValues(v, api),
    rel: (name) => {
      if (name === 'Package2') {
        const p = findPackage(ctx, v.Package2Id);
        return p ? package2Row(p, api) : null;
      }
      if (name === 'SubscriberPackageVersion') return subscriberVersionRow(ctx, v, viewer);
      if (name === 'Ancestor') {
        const a = v.AncestorId ? findVersionBy04t(ctx, v.AncestorId) : undefined;
        return a ? subscriberVersionRow(ctx, a, viewer) : null;
      }
      return null;
    },
  };
}

export function createRequestValues(r: VersionCreateRequestRec, api: number): Record<string, unknown> {
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

export function createRequestRow(ctx: FakeOrgContext, hub: OrgState, r: VersionCreateRequestRec, api: number): Row {
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
        return v ? versionRow(ctx, v, hub, api) : null;
      }
      return null;
    },
  };
}

export function installRequestValues(r: InstallRequestRec): Record<string, unknown> {
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
