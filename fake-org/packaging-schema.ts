// Field lists of the Tooling API objects the packaging routes own, from @salesforce/types (tooling.d.ts) and the
// field lists @salesforce/packaging sends, with the API version each field appeared in where the library tells.
import type { FieldDef, FieldType, ObjectSchema, RelationshipDef } from './soql.ts';

function f(name: string, type: FieldType, minVersion?: number): FieldDef {
  return minVersion === undefined ? { name, type } : { name, type, minVersion };
}
function r(name: string, target: string, minVersion?: number): RelationshipDef {
  return minVersion === undefined ? { name, target } : { name, target, minVersion };
}

const audit: FieldDef[] = [
  f('Id', 'id'),
  f('IsDeleted', 'boolean'),
  f('CreatedDate', 'datetime'),
  f('CreatedById', 'id'),
  f('LastModifiedDate', 'datetime'),
  f('LastModifiedById', 'id'),
  f('SystemModstamp', 'datetime'),
];

export const PACKAGE2: ObjectSchema = {
  name: 'Package2',
  fields: [
    ...audit,
    f('SubscriberPackageId', 'id'),
    f('Name', 'string'),
    f('Description', 'string'),
    f('NamespacePrefix', 'string'),
    f('ContainerOptions', 'picklist'),
    f('IsDeprecated', 'boolean'),
    f('IsOrgDependent', 'boolean'),
    f('ConvertedFromPackageId', 'id'),
    f('PackageErrorUsername', 'string'),
    f('AppAnalyticsEnabled', 'boolean', 59),
    f('RecommendedVersionId', 'id', 66),
    f('DataCloudPackage', 'boolean'),
    f('DistributionType', 'picklist'),
    f('WasTransferred', 'boolean'),
  ],
  relationships: [
    r('SubscriberPackage', 'SubscriberPackage'),
    r('ConvertedFromPackage', 'SubscriberPackage'),
    r('RecommendedVersion', 'SubscriberPackageVersion', 66),
  ],
};

export const PACKAGE2_VERSION: ObjectSchema = {
  name: 'Package2Version',
  fields: [
    ...audit,
    f('Package2Id', 'id'),
    f('SubscriberPackageVersionId', 'id'),
    f('Tag', 'string'),
    f('Branch', 'string'),
    f('AncestorId', 'id'),
    f('ValidationSkipped', 'boolean'),
    f('ValidatedAsync', 'boolean', 61),
    f('Name', 'string'),
    f('Description', 'string'),
    f('MajorVersion', 'int'),
    f('MinorVersion', 'int'),
    f('PatchVersion', 'int'),
    f('BuildNumber', 'int'),
    f('IsDeprecated', 'boolean'),
    f('IsPasswordProtected', 'boolean'),
    f('CodeCoverage', 'complex'),
    f('CodeCoveragePercentages', 'complex'),
    f('HasPassedCodeCoverageCheck', 'boolean'),
    f('InstallKey', 'string'),
    f('IsReleased', 'boolean'),
    f('ConvertedFromVersionId', 'id'),
    f('ReleaseVersion', 'double'),
    f('BuildDurationInSeconds', 'int'),
    f('HasMetadataRemoved', 'boolean'),
    f('EndToEndBuildDurationInSeconds', 'int', 61),
    f('DeveloperUsePkgZip', 'string', 64),
    f('HasVpi', 'boolean', 67),
    f('Language', 'picklist', 57),
    f('TotalNumberOfMetadataFiles', 'int', 64),
    f('TotalSizeOfMetadataFiles', 'int', 64),
    f('ContainsPsld', 'boolean'),
    f('SnapshotName', 'string'),
  ],
  relationships: [
    r('Package2', 'Package2'),
    r('SubscriberPackageVersion', 'SubscriberPackageVersion'),
    r('Ancestor', 'SubscriberPackageVersion'),
    r('ConvertedFromVersion', 'SubscriberPackageVersion'),
  ],
};

export const PACKAGE2_VERSION_CREATE_REQUEST: ObjectSchema = {
  name: 'Package2VersionCreateRequest',
  fields: [
    ...audit,
    f('Package2Id', 'id'),
    f('Package2VersionId', 'id'),
    f('Status', 'picklist'),
    f('Tag', 'string'),
    f('Branch', 'string'),
    f('InstallKey', 'string'),
    f('Instance', 'string'),
    f('SourceOrg', 'string'),
    f('CalculateCodeCoverage', 'boolean'),
    f('SkipValidation', 'boolean'),
    f('AsyncValidation', 'boolean', 60),
    f('IsDevUsePkgZipRequested', 'boolean'),
    f('IsPasswordProtected', 'boolean'),
    f('IsConversionRequest', 'boolean'),
    f('Language', 'picklist', 57),
    f('CalcTransitiveDependencies', 'boolean', 65),
    f('DependencyGraphJson', 'string', 65),
  ],
  relationships: [r('Package2', 'Package2'), r('Package2Version', 'Package2Version')],
};

export const PACKAGE2_VERSION_CREATE_REQUEST_ERROR: ObjectSchema = {
  name: 'Package2VersionCreateRequestError',
  fields: [...audit, f('Message', 'string'), f('ParentRequestId', 'id')],
  relationships: [r('ParentRequest', 'Package2VersionCreateRequest')],
};

export const SUBSCRIBER_PACKAGE_VERSION: ObjectSchema = {
  name: 'SubscriberPackageVersion',
  fields: [
    f('Id', 'id'),
    f('AppExchangeDescription', 'string'),
    f('AppExchangeLogoUrl', 'string'),
    f('AppExchangePackageName', 'string'),
    f('AppExchangePublisherName', 'string'),
    f('BuildNumber', 'int'),
    f('CspTrustedSites', 'complex'),
    f('Dependencies', 'complex'),
    f('Description', 'string'),
    f('InstallValidationStatus', 'picklist'),
    f('IsBeta', 'boolean'),
    f('IsDeprecated', 'boolean'),
    f('IsManaged', 'boolean'),
    f('IsOrgDependent', 'boolean'),
    f('IsPasswordProtected', 'boolean'),
    f('IsSecurityReviewed', 'boolean'),
    f('MajorVersion', 'int'),
    f('MinorVersion', 'int'),
    f('Name', 'string'),
    f('Package2ContainerOptions', 'picklist'),
    f('PatchVersion', 'int'),
    f('PostInstallUrl', 'string'),
    f('Profiles', 'complex'),
    f('PublisherName', 'string'),
    f('ReleaseNotesUrl', 'string'),
    f('ReleaseState', 'string'),
    f('RemoteSiteSettings', 'complex'),
    f('SubscriberPackageId', 'id'),
  ],
  relationships: [r('SubscriberPackage', 'SubscriberPackage')],
  // The installation key is only a filter: SELECT … WHERE Id = '04t…' AND InstallationKey = '…'
  filterOnly: [f('InstallationKey', 'string')],
};

export const SUBSCRIBER_PACKAGE: ObjectSchema = {
  name: 'SubscriberPackage',
  fields: [
    f('Id', 'id'),
    f('Name', 'string'),
    f('NamespacePrefix', 'string'),
    f('Description', 'string'),
    f('IsPackageValid', 'boolean'),
    f('PackagingModel', 'picklist'),
  ],
  relationships: [],
};

export const PACKAGE_INSTALL_REQUEST: ObjectSchema = {
  name: 'PackageInstallRequest',
  fields: [
    ...audit,
    f('ApexCompileType', 'string'),
    f('EnableRss', 'boolean'),
    f('Errors', 'complex'),
    f('NameConflictResolution', 'picklist'),
    f('PackageInstallSource', 'picklist'),
    f('Password', 'string'),
    f('ProfileMappings', 'complex'),
    f('SecurityType', 'picklist'),
    f('SkipHandlers', 'string'),
    f('Status', 'picklist'),
    f('SubscriberPackageVersionKey', 'string'),
    f('UpgradeType', 'picklist'),
  ],
  relationships: [],
};

export const INSTALLED_SUBSCRIBER_PACKAGE: ObjectSchema = {
  name: 'InstalledSubscriberPackage',
  fields: [
    f('Id', 'id'),
    f('MinPackageVersionId', 'id'),
    f('SubscriberPackageId', 'id'),
    f('SubscriberPackageVersionId', 'id'),
  ],
  relationships: [
    r('SubscriberPackage', 'SubscriberPackage'),
    r('SubscriberPackageVersion', 'SubscriberPackageVersion'),
    r('MinPackageVersion', 'SubscriberPackageVersion'),
  ],
};

export const SCHEMAS: ObjectSchema[] = [
  PACKAGE2,
  PACKAGE2_VERSION,
  PACKAGE2_VERSION_CREATE_REQUEST,
  PACKAGE2_VERSION_CREATE_REQUEST_ERROR,
  SUBSCRIBER_PACKAGE_VERSION,
  SUBSCRIBER_PACKAGE,
  PACKAGE_INSTALL_REQUEST,
  INSTALLED_SUBSCRIBER_PACKAGE,
];

export function schemaFor(name: string): ObjectSchema | undefined {
  return SCHEMAS.find((s) => s.name.toLowerCase() === name.toLowerCase());
}

/** Objects that exist only in a Dev Hub (2GP packaging enabled). Elsewhere Salesforce says the type isn't supported. */
export const DEV_HUB_ONLY = new Set([
  'package2',
  'package2version',
  'package2versioncreaterequest',
  'package2versioncreaterequesterror',
]);
