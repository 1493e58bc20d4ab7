// The generated schema (gen-schema.ts → schema.json) and the fake org's table of modelled metadata types.
import schemaJson from './schema.json' with { type: 'json' };
import type { FieldSchema, Schema } from './gen-schema.ts';

export const schema = schemaJson as Schema;

export function fieldsOf(type: string): FieldSchema[] | undefined {
  return schema.types[type];
}

export interface TypeInfo {
  name: string;
  /** folder in a metadata-format zip */
  directory: string;
  /** file suffix in a metadata-format zip (no -meta.xml there) */
  suffix: string;
  /** first API version that knows the type (Metadata API docs) */
  since: number;
  /** id key prefix of the component record (0xI and 0PS are Salesforce's; the ECA children's are made up) */
  keyPrefix: string;
}

/** The metadata types the fake org deploys, stores and retrieves. Directories and suffixes as in SDR's registry. */
export const MODELLED_TYPES: readonly TypeInfo[] = [
  { name: 'ExternalClientApplication', directory: 'externalClientApps', suffix: 'eca', since: 59, keyPrefix: '0xI' },
  {
    name: 'ExtlClntAppGlobalOauthSettings',
    directory: 'extlClntAppGlobalOauthSets',
    suffix: 'ecaGlblOauth',
    since: 59,
    keyPrefix: '0nU',
  },
  {
    name: 'ExtlClntAppOauthSettings',
    directory: 'extlClntAppOauthSettings',
    suffix: 'ecaOauth',
    since: 59,
    keyPrefix: '0nV',
  },
  {
    name: 'ExtlClntAppOauthConfigurablePolicies',
    directory: 'extlClntAppOauthPolicies',
    suffix: 'ecaOauthPlcy',
    since: 59,
    keyPrefix: '0nW',
  },
  {
    name: 'ExtlClntAppConfigurablePolicies',
    directory: 'extlClntAppPolicies',
    suffix: 'ecaPlcy',
    since: 60,
    keyPrefix: '0nX',
  },
  {
    // The first version is not documented; the refresh-token IP ranges it carries came with Spring '26 (our choice).
    name: 'ExtlClntAppOauthSecuritySettings',
    directory: 'extlClntAppOauthSecuritySettings',
    suffix: 'ecaOauthSecurity',
    since: 66,
    keyPrefix: '0nY',
  },
  { name: 'PermissionSet', directory: 'permissionsets', suffix: 'permissionset', since: 10, keyPrefix: '0PS' },
];

export const TYPE_BY_NAME = new Map(MODELLED_TYPES.map((t) => [t.name, t]));

/** The ECA children: every one names its app in `externalClientApplication`. */
export const ECA_CHILD_TYPES = new Set([
  'ExtlClntAppGlobalOauthSettings',
  'ExtlClntAppOauthSettings',
  'ExtlClntAppOauthConfigurablePolicies',
  'ExtlClntAppConfigurablePolicies',
  'ExtlClntAppOauthSecuritySettings',
]);

export function filePath(type: TypeInfo, fullName: string): string {
  return `${type.directory}/${fullName}.${type.suffix}`;
}

/**
 * Fields newer than their type, by the first API version whose WSDL has them: the Metadata API guide's "Available in
 * API version N.0 and later" (docs/platform-notes.md §22, §27). isEnforceRefreshTokenTTL: the release that introduced
 * the setting (Spring '26), our choice; the action deploys at 66.0 or later and does not depend on it.
 */
export const FIELD_SINCE: Record<string, Record<string, number>> = {
  ExtlClntAppGlobalOauthSettings: {
    isSecretRequiredForTokenExchange: 60,
    isCodeCredPostOnly: 61,
    isEnforceRefreshTokenTTL: 66,
  },
  ExtlClntAppOauthSettings: { areAttributesIncludedInAssetToken: 61, areCustomPermsIncludedInAssetToken: 61 },
  ExtlClntAppOauthConfigurablePolicies: { namedUserJwtSessionTimeoutType: 65 },
};
