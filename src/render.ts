// Step 3 of the procedure: the AppPlan as an SFDX source-format project. One function per metadata type, each
// writing exactly the fields the plan decides, in the WSDL's element order (alphabetical for these types), with
// values escaped by the XML builder. Field names and file layout: docs/platform-notes.md §1–§6, fake-org/schema.json.
//
// Two targets:
//   deploy  – everything the Dev Hub needs: app, global OAuth settings (callback URLs and flow switches; never
//             a consumer key or secret), OAuth settings, OAuth policy, and the permission set if asked for.
//   package – only what a managed 2GP package can and should carry: the app and its OAuth settings (with the
//             oauthLink to the Dev Hub's consumer). Global settings are "private and sensitive … can't be
//             packaged"; policies belong to each installing org's admin (docs/platform-notes.md §3, §9).
import { isAbsolute, resolve, sep } from 'node:path';
import { writeNoFollow } from './workspace.ts';
import { XMLBuilder } from 'fast-xml-parser';
import type { AppPlan, OrgLinks, ProjectFile } from './model.ts';
import { componentNames, type ComponentNames } from './component-names.ts';
import { FIELDS_NEED_API_VERSION } from './api-version.ts';

/** The dry run's project: the oldest version that carries every field written (a run uses the Dev Hub's, api-version.ts). */
export const SOURCE_API_VERSION = FIELDS_NEED_API_VERSION;
export const METADATA_NS = 'http://soap.sforce.com/2006/04/metadata';
const PACKAGE_DIR = 'force-app';
const DEFAULT_DIR = `${PACKAGE_DIR}/main/default`;

export interface RenderOptions {
  target: 'deploy' | 'package';
  /** Values the org assigned on the first deploy (orgScopedExternalApp, oauthLink). */
  links?: OrgLinks;
  /** sourceApiVersion of the project; default 66.0 (isNamedUserJwtEnabled needs a recent version). */
  apiVersion?: string;
  /** Package fields for sfdx-project.json (target 'package'). `id` (0Ho…) adds the packageAliases entry. */
  package?: { name: string; namespace?: string | undefined; versionNumber: string; id?: string | undefined };
  /** The names the app's components have in the org (an app made in Setup, or by an earlier run); default: new names. */
  names?: ComponentNames;
}

export class RenderError extends Error {
  override name = 'RenderError';
}

/** Where each file of an app goes, relative to the project root. */
export function projectPaths(appName: string, permissionSet?: string, names?: ComponentNames) {
  const n = names ?? componentNames(appName);
  return {
    project: 'sfdx-project.json',
    app: `${DEFAULT_DIR}/externalClientApps/${n.app}.eca-meta.xml`,
    global: `${DEFAULT_DIR}/extlClntAppGlobalOauthSets/${n.global}.ecaGlblOauth-meta.xml`,
    oauth: `${DEFAULT_DIR}/extlClntAppOauthSettings/${n.oauth}.ecaOauth-meta.xml`,
    policy: `${DEFAULT_DIR}/extlClntAppOauthPolicies/${n.policy}.ecaOauthPlcy-meta.xml`,
    ...(permissionSet
      ? { permissionSet: `${DEFAULT_DIR}/permissionsets/${permissionSet}.permissionset-meta.xml` }
      : {}),
  };
}

export function renderProject(plan: AppPlan, opts: RenderOptions): ProjectFile[] {
  if (opts.target === 'package' && plan.distributionState !== 'Packaged') {
    // The platform refuses a Local app in a package; this is a caller bug, not a user mistake.
    throw new RenderError(
      `renderProject: ${plan.appName} is ${plan.distributionState}; only a Packaged app can be rendered for a package.`,
    );
  }
  const names = opts.names ?? componentNames(plan.appName);
  const paths = projectPaths(plan.appName, plan.createPermissionSet?.name, names);
  const files: ProjectFile[] = [
    { path: paths.project, content: renderSfdxProject(opts) },
    { path: paths.app, content: renderApp(plan, opts.links) },
  ];
  if (opts.target === 'deploy') files.push({ path: paths.global, content: renderGlobalOauth(plan, names) });
  files.push({ path: paths.oauth, content: renderOauthSettings(plan, names, opts.links) });
  if (opts.target === 'deploy') {
    files.push({ path: paths.policy, content: renderOauthPolicy(plan, names) });
    if (plan.createPermissionSet && paths.permissionSet) {
      files.push({ path: paths.permissionSet, content: renderPermissionSet(plan) });
    }
  }
  return files;
}

// ===========================================================================================================
// sfdx-project.json

function renderSfdxProject(opts: RenderOptions): string {
  const pkg = opts.target === 'package' ? opts.package : undefined;
  const project = {
    packageDirectories: [
      {
        path: PACKAGE_DIR,
        default: true,
        ...(pkg
          ? {
              package: pkg.name,
              versionName: `ver ${pkg.versionNumber.split('.').slice(0, 2).join('.')}`,
              versionNumber: pkg.versionNumber,
            }
          : {}),
      },
    ],
    name: 'eca-action',
    namespace: pkg?.namespace ?? '',
    sourceApiVersion: opts.apiVersion ?? SOURCE_API_VERSION,
    ...(pkg?.id ? { packageAliases: { [pkg.name]: pkg.id } } : {}),
  };
  return `${JSON.stringify(project, null, 2)}\n`;
}

// ===========================================================================================================
// Metadata XML

type Value = string | number | boolean | undefined | Value[] | { [key: string]: Value };
type Fields = Record<string, Value>;

const builder = new XMLBuilder({
  ignoreAttributes: false,
  format: true,
  indentBy: '    ',
  suppressEmptyNode: true,
  processEntities: true,
});

// XML 1.0 cannot carry these at all, escaped or not; settings refuse them, this is the backstop.
const XML_ILLEGAL =
  /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function assertXmlSafe(root: string, fields: Fields): void {
  const visit = (path: string, v: Value): void => {
    if (typeof v === 'string' && XML_ILLEGAL.test(v))
      throw new RenderError(`${root}.${path} contains a character XML cannot hold.`);
    if (Array.isArray(v)) {
      for (const [i, x] of v.entries()) visit(`${path}[${i}]`, x);
    } else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) visit(`${path}.${k}`, x);
  };
  for (const [k, v] of Object.entries(fields)) visit(k, v);
}

/** `fields` in the order given (callers list them in WSDL order); undefined fields are left out. */
export function metadataXml(root: string, fields: Fields): string {
  assertXmlSafe(root, fields);
  const defined = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
  return builder.build({
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    [root]: { '@_xmlns': METADATA_NS, ...defined },
  });
}

/** ExternalClientApplication: the app header. */
function renderApp(plan: AppPlan, links?: OrgLinks): string {
  return metadataXml('ExternalClientApplication', {
    contactEmail: plan.contactEmail,
    description: plan.description,
    distributionState: plan.distributionState,
    isProtected: false,
    label: plan.label,
    orgScopedExternalApp: links?.orgScopedExternalApp,
  });
}

/**
 * ExtlClntAppGlobalOauthSettings: callback URLs and the flow switches, shared by every org the app reaches.
 * No consumerKey/consumerSecret: the platform generates them on the first deploy and they must never be in source.
 */
function renderGlobalOauth(plan: AppPlan, names: ComponentNames): string {
  const g = plan.global;
  return metadataXml('ExtlClntAppGlobalOauthSettings', {
    // Several URLs go into one element, one per line (docs/platform-notes.md §1).
    callbackUrl: plan.callbackUrls.join('\n'),
    externalClientApplication: names.app,
    isClientCredentialsFlowEnabled: g.isClientCredentialsFlowEnabled,
    isCodeCredFlowEnabled: g.isCodeCredFlowEnabled,
    isCodeCredPostOnly: g.isCodeCredPostOnly,
    isConsumerSecretOptional: g.isConsumerSecretOptional,
    isDeviceFlowEnabled: g.isDeviceFlowEnabled,
    isEnforceRefreshTokenTTL: g.isEnforceRefreshTokenTTL,
    isIntrospectAllTokens: g.isIntrospectAllTokens,
    isNamedUserJwtEnabled: g.isNamedUserJwtEnabled,
    isPkceRequired: g.isPkceRequired,
    isRefreshTokenRotationEnabled: g.isRefreshTokenRotationEnabled,
    isSecretRequiredForRefreshToken: g.isSecretRequiredForRefreshToken,
    isSecretRequiredForTokenExchange: g.isSecretRequiredForTokenExchange,
    isTokenExchangeEnabled: g.isTokenExchangeEnabled,
    label: `${plan.appName} Global OAuth`,
    // Said explicitly: re-running the action must never rotate the key clients are configured with.
    shouldRotateConsumerKey: false,
    shouldRotateConsumerSecret: false,
  });
}

/** ExtlClntAppOauthSettings: scopes, trusted IP ranges, single logout; the part a package carries. */
function renderOauthSettings(plan: AppPlan, names: ComponentNames, links?: OrgLinks): string {
  return metadataXml('ExtlClntAppOauthSettings', {
    commaSeparatedOauthScopes: plan.scopes.join(', '),
    externalClientApplication: names.app,
    label: `${plan.appName} OAuth Settings`,
    // Absent on a first deploy (the org generates it); present when it links a package to the Dev Hub consumer.
    oauthLink: links?.oauthLink,
    singleLogoutUrl: plan.oauth.singleLogoutUrl,
    trustedIpRanges: plan.oauth.trustedIpRanges.length
      ? plan.oauth.trustedIpRanges.map((r) => ({ endIpAddress: r.end, startIpAddress: r.start }))
      : undefined,
  });
}

/**
 * ExtlClntAppOauthConfigurablePolicies, named like the policy the org auto-creates so that this deploy updates
 * it. Fields the plan does not decide are written with the values of the auto-created policy (docs/platform-notes.md
 * §3, §22), so deploying it changes only what the plan means to change.
 */
function renderOauthPolicy(plan: AppPlan, names: ComponentNames): string {
  const p = plan.policy;
  return metadataXml('ExtlClntAppOauthConfigurablePolicies', {
    // API names: IDs would differ per org (docs/platform-notes.md §4).
    commaSeparatedPermissionSet:
      p.permittedUsersPolicyType === 'AdminApprovedPreAuthorized' ? p.permissionSet : undefined,
    externalClientApplication: names.app,
    ipRelaxationPolicyType: p.ipRelaxationPolicyType,
    isClientCredentialsFlowEnabled: false,
    isGuestCodeCredFlowEnabled: false,
    isTokenExchangeFlowEnabled: false,
    label: names.policy,
    // Access tokens are JWTs for named users: they last as long as the user's session (the org-made policy's value).
    namedUserJwtSessionTimeoutType: 'UserSession',
    permittedUsersPolicyType: p.permittedUsersPolicyType,
    policyAction: p.policyAction,
    refreshTokenPolicyType: p.refreshTokenPolicyType,
    refreshTokenValidityPeriod: p.refreshTokenPolicyType === 'Infinite' ? undefined : p.refreshTokenValidityPeriod,
    refreshTokenValidityUnit: p.refreshTokenPolicyType === 'Infinite' ? undefined : p.refreshTokenValidityUnit,
    // STANDARD is the org-made policy's value; strict asks for a high-assurance session.
    requiredSessionLevel: p.requiredSessionLevel,
    singleLogoutUrl: p.singleLogoutUrl,
  });
}

/** An empty permission set whose assignment is what admits a user (with the admin-approved policy). */
function renderPermissionSet(plan: AppPlan): string {
  const ps = plan.createPermissionSet!;
  return metadataXml('PermissionSet', {
    description: `Users with this permission set may use the External Client App ${plan.appName} (MCP clients). Created by eca-action.`,
    hasActivationRequired: false,
    label: ps.label,
  });
}

// ===========================================================================================================
// Writing

/** Write `files` under `dir` (created as needed); returns their absolute paths. */
export function writeProject(dir: string, files: ProjectFile[]): string[] {
  const root = resolve(dir);
  return files.map((file) => {
    const target = resolve(root, file.path);
    if (isAbsolute(file.path) || file.path.split('/').includes('..') || !target.startsWith(root + sep)) {
      throw new RenderError(`writeProject: ${file.path} is not a path inside the project.`);
    }
    // Never through a symbolic link: output-dir may be a folder of a checked-out pull request.
    return writeNoFollow(root, file.path, file.content);
  });
}
