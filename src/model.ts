// The typed shapes that flow through the procedure: inputs → Settings → AppPlan → files.
// Kept free of logic so that every step can depend on it without depending on another step.
import type { ClientId } from './clients.ts';

// The client presets declare their own ids (src/clients.ts); re-exported so the shapes read in one place.
export type { ClientId };

/** An org given by an sf CLI login (username or alias) or by an SFDX auth URL (a secret). */
export type OrgRef = { kind: 'cli'; usernameOrAlias: string } | { kind: 'authUrl'; authUrl: string };

export type DevHubAuth =
  | {
      kind: 'jwt';
      username: string;
      clientId: string;
      /** PEM text, already normalised (newlines repaired). A secret. */
      jwtKey: string;
      loginUrl: string;
    }
  | OrgRef;

export interface IpRange {
  start: string;
  end: string;
}

export interface PackageSettings {
  name: string;
  namespace?: string;
  /** MAJOR.MINOR.PATCH.BUILD where BUILD may be NEXT */
  versionNumber: string;
  /** A secret; undefined = bypass. */
  installationKey?: string;
  waitMinutes: number;
  installTarget?: OrgRef;
  /** `mcp-servers`: hosted MCP servers to activate in the install target, as names like `sobject-all`. */
  mcpServers?: string[];
  /** `when-changed`: reuse a version built from the same content; `always`: build one on every run. */
  newVersion: NewVersion;
  /** `package-validation`: how the version's validations run (Package2VersionCreateRequest AsyncValidation / SkipValidation) */
  validation: PackageValidation;
  /** `install-method`: `package` installs the version into installTarget; `deploy` deploys the app there, no version */
  installMethod: InstallMethod;
}

export const PACKAGE_VALIDATIONS = ['async', 'full', 'skip'] as const;
export type PackageValidation = (typeof PACKAGE_VALIDATIONS)[number];
export const INSTALL_METHODS = ['package', 'deploy'] as const;
export type InstallMethod = (typeof INSTALL_METHODS)[number];

export const NEW_VERSION_MODES = ['when-changed', 'always'] as const;
export type NewVersion = (typeof NEW_VERSION_MODES)[number];

export interface GithubSecretSettings {
  token: string;
  secretName: string;
  environment?: string;
}

/** `consumer-key-variable`: the consumer key (a client id, never the secret) as a repository Actions variable. */
export interface GithubVariableSettings {
  token: string;
  variableName: string;
}

export type Hardening = 'baseline' | 'recommended' | 'strict';

/** `mode`: `apply` creates or updates the app; `verify` only reads it and reports where it drifted. */
export const MODES = ['apply', 'verify'] as const;
export type Mode = (typeof MODES)[number];
/** `fail-on-drift`: with `mode: verify`, which differences fail the step. */
export const FAIL_ON_DRIFT = ['weaker', 'any'] as const;
export type FailOnDrift = (typeof FAIL_ON_DRIFT)[number];

/** Every input, parsed and validated. Nothing here has been resolved against a preset yet. */
export interface Settings {
  clients: ClientId[];
  /** Extra URLs from `callback-urls`, in the order given. */
  callbackUrls: string[];
  appName: string;
  appLabel: string;
  contactEmail: string;
  description?: string;

  hardening: Hardening;
  requireSecret: boolean;
  allowSecretForDesktop: boolean;
  permissionSet?: string;
  createPermissionSet: boolean;
  ipRanges: IpRange[];
  /** undefined = not given: the preset decides. */
  refreshTokenValidityDays?: number;
  /** undefined = not given: the preset decides. */
  refreshTokenRotation?: boolean;
  singleLogout: boolean;
  singleLogoutUrl?: string;

  /** undefined only in dry run. */
  devHub?: DevHubAuth;
  /** undefined when `package: false`. */
  package?: PackageSettings;
  /** `wait-until-usable`: minutes to wait until the app accepts its consumer key; 0 or undefined = do not wait. */
  waitUntilUsableMinutes?: number;
  github?: GithubSecretSettings;
  keyVariable?: GithubVariableSettings;

  dryRun: boolean;
  /** `mode`; `verify` changes nothing in any org. */
  mode: Mode;
  /** `fail-on-drift`; read only with `mode: verify`. */
  failOnDrift: FailOnDrift;
  outputDir: string;
}

/** How a setting compares with the procedure's secure baseline; the summary calls out `weaker`. */
export type Level = 'baseline' | 'hardened' | 'weaker';

export interface SettingReport {
  setting: string;
  value: string;
  level: Level;
  /** Why, where it is not plain baseline. */
  note?: string;
}

export interface ClientPlan {
  id: ClientId;
  label: string;
  callbackUrls: string[];
  /** desktop apps cannot keep a secret */
  desktop: boolean;
}

/** What the app will be: the single source for the renderer and the summary. */
export interface AppPlan {
  appName: string;
  label: string;
  contactEmail: string;
  description?: string;
  distributionState: 'Local' | 'Packaged';
  clients: ClientPlan[];
  /** All callback URLs, deduplicated, in a stable order: presets first, then `callback-urls`. */
  callbackUrls: string[];
  /** Metadata scope tokens, e.g. ['MCP', 'RefreshToken']. */
  scopes: string[];
  /** ExtlClntAppGlobalOauthSettings booleans (Dev Hub only, never packaged). */
  global: {
    isNamedUserJwtEnabled: boolean;
    isPkceRequired: boolean;
    isConsumerSecretOptional: boolean;
    isSecretRequiredForRefreshToken: boolean;
    isClientCredentialsFlowEnabled: boolean;
    isCodeCredFlowEnabled: boolean;
    isDeviceFlowEnabled: boolean;
    isTokenExchangeEnabled: boolean;
    isRefreshTokenRotationEnabled: boolean;
    isIntrospectAllTokens: boolean;
    /** Only meaningful with the code-and-credentials flow, which stays off (API 61.0+). */
    isCodeCredPostOnly: boolean;
    /** Only meaningful with token exchange, which stays off (API 60.0+). */
    isSecretRequiredForTokenExchange: boolean;
    /**
     * "Limit Idle Refresh Token TTL to 30 Days". undefined: not written (the org's default stays); the field is not in
     * the Metadata API guide of the version this action deploys at (docs/platform-notes.md §22).
     */
    isEnforceRefreshTokenTTL?: boolean;
  };
  /** ExtlClntAppOauthSettings extras (packaged). */
  oauth: {
    trustedIpRanges: IpRange[];
    singleLogoutUrl?: string;
  };
  /** ExtlClntAppOauthConfigurablePolicies (admin side, Dev Hub deploy). */
  policy: {
    permittedUsersPolicyType: 'AllSelfAuthorized' | 'AdminApprovedPreAuthorized';
    permissionSet?: string;
    ipRelaxationPolicyType: 'Enforce';
    refreshTokenPolicyType: 'Infinite' | 'SpecificLifetime';
    refreshTokenValidityPeriod?: number;
    refreshTokenValidityUnit?: 'Days';
    singleLogoutUrl?: string;
    /** HIGH_ASSURANCE asks for a high-assurance (MFA) session at sign-in, raising it when lower. */
    requiredSessionLevel: 'STANDARD' | 'HIGH_ASSURANCE';
    policyAction?: 'RaiseSessionLevel';
  };
  /** Generate this (empty) permission set too. */
  createPermissionSet?: { name: string; label: string };
  report: SettingReport[];
  warnings: string[];
  /** Facts a run with these inputs always meets and no input changes: notices, not warnings. */
  notes?: string[];
}

/** Values the org assigned on the first deploy; sent back on later deploys and in the package. */
export interface OrgLinks {
  /** `<orgId>:<appName>` from ExternalClientApplication.orgScopedExternalApp */
  orgScopedExternalApp?: string;
  /** `<orgId>:<consumerId>` from ExtlClntAppOauthSettings.oauthLink */
  oauthLink?: string;
}

export interface ProjectFile {
  /** relative to the project root, '/'-separated */
  path: string;
  content: string;
}
