// validateComponent: what the Metadata API checks before it saves a component. Two layers:
// 1. the schema (schema.json from the WSDL-generated types): element names, cardinality, required elements,
//    boolean/int lexical forms, enumerations — any element order is accepted;
// 2. platform rules for the External Client App family from docs/platform-notes.md §1–§13
//    (required fields the WSDL leaves optional, scope tokens, URLs, IP ranges, cross references, OAuth link).
// Problem texts copy Salesforce's wording where it is known (cited in docs/platform-notes.md) and say plainly what is
// wrong where it is not.
import { isIP } from 'node:net';
import type { ComponentProblem, ComponentSource, Consumer, OrgState, ValidationContext } from './types.ts';
import { ECA_CHILD_TYPES, FIELD_SINCE, fieldsOf, schema } from './schema.ts';
import { MD_NS, child, childText, parseXml, type XmlElement } from './xml.ts';

/** commaSeparatedOauthScopes tokens: the v67 doc list plus CDP and DataCloudUserClaims, seen in the deploy error. */
export const OAUTH_SCOPE_TOKENS = [
  'Basic',
  'Api',
  'Web',
  'Full',
  'Chatter',
  'CustomApplications',
  'RefreshToken',
  'OpenID',
  'Profile',
  'Email',
  'Address',
  'Phone',
  'OfflineAccess',
  'CustomPermissions',
  'Wave',
  'Eclair',
  'Pardot',
  'Lightning',
  'Content',
  'CDPIngest',
  'CDPProfile',
  'CDPQuery',
  'Chatbot',
  'CDPSegment',
  'CDPIdentityResolution',
  'CDPCalculatedInsight',
  'SFApiPlatform',
  'Interaction',
  'EinsteinGPT',
  'PwdlessLogin',
  'ForgotPassword',
  'UserRegistration',
  'MCP',
  'SCRT',
  'CDP',
  'DataCloudUserClaims',
];

/** Plain string fields whose values the org still checks (the WSDL has no enumeration for them). */
const STRING_VALUE_SETS: Record<string, Record<string, string[]>> = {
  ExtlClntAppOauthConfigurablePolicies: {
    ipRelaxationPolicyType: ['Enforce', 'Bypass', 'Bypass_2factor', 'Enforce_RelaxRefresh'],
    refreshTokenValidityUnit: ['Days', 'Hours', 'Months'],
  },
};

/** Required by the platform although the WSDL marks them optional (Help pages; deploys observed to fail). */
const PLATFORM_REQUIRED: Record<string, string[]> = {
  ExternalClientApplication: ['contactEmail', 'label'],
  ExtlClntAppGlobalOauthSettings: ['label'],
  ExtlClntAppOauthSettings: ['label', 'commaSeparatedOauthScopes'],
};

const MAX_IP_RANGES = 128;
const MAX_ECA_NAME = 40;
const API_NAME = /^[A-Za-z](?:[A-Za-z0-9]|_(?!_))*$/;

type Problem = { problem: string; line?: number; column?: number };

/** Reads other orgs, for an oauthLink that points at a consumer elsewhere (package subscribers, association). */
export type OrgDirectory = () => readonly OrgState[];

export function createValidator(orgs: OrgDirectory) {
  return function validateComponent(
    type: string,
    fullName: string,
    fileName: string,
    xml: string,
    context: ValidationContext,
  ): ComponentProblem[] {
    const problems = validate(type, fullName, xml, context, orgs);
    return problems.map((p) => ({
      componentType: type,
      fullName,
      fileName,
      problem: p.problem,
      ...(p.line !== undefined ? { lineNumber: p.line, columnNumber: p.column ?? 1 } : {}),
    }));
  };
}

function validate(
  type: string,
  fullName: string,
  xml: string,
  context: ValidationContext,
  orgs: OrgDirectory,
): Problem[] {
  if (!fieldsOf(type)) return [{ problem: `The fake org does not model metadata type '${type}'.` }];
  const parsed = parseXml(xml);
  if ('error' in parsed) {
    const { message, line, column } = parsed.error;
    return [{ problem: `Error parsing file: ${message}`, line, column }];
  }
  const root = parsed.root;
  const rootNs = root.prefix ? root.attrs[`xmlns:${root.prefix}`] : root.attrs.xmlns;
  if (root.name !== type || rootNs !== MD_NS) {
    return [
      {
        problem: `Error parsing file: Element {${rootNs ?? ''}}${root.name} invalid at this location`,
        line: root.line,
        column: root.column,
      },
    ];
  }
  const problems: Problem[] = [];
  if (!API_NAME.test(fullName)) {
    problems.push({
      problem:
        `The API name '${fullName}' can only contain underscores and alphanumeric characters. It must begin with a letter, ` +
        'not include spaces, not end with an underscore, and not contain two consecutive underscores.',
    });
  }
  if ((type === 'ExternalClientApplication' || ECA_CHILD_TYPES.has(type)) && fullName.length > MAX_ECA_NAME) {
    // Object Reference (ExternalClientApplication, ExtlClntAppOauthPlcyCnfg, …): DeveloperName "must be 40
    // characters or fewer". The deploy's own wording is not public; the fake quotes the reference.
    problems.push({
      problem: `The API name '${fullName}' is ${fullName.length} characters long: it must be 40 characters or fewer.`,
    });
  }
  checkSchema(root, type, problems);
  if (context.kind === 'deploy' && context.apiVersion !== undefined) {
    // Deployed at an older version, a newer field is not part of the type: the same parse error as any unknown one.
    for (const el of root.children) {
      const since = FIELD_SINCE[type]?.[el.name];
      if (since !== undefined && context.apiVersion < since)
        problems.push({
          problem: `${PARSE}Element {${MD_NS}}${el.name} invalid at this location in type ${type}`,
          ...at(el),
        });
    }
  }
  // Platform rules read values; on schema errors the values may not mean anything, as on a real org's parse.
  if (problems.length) return problems;
  const component = new Component(root);
  for (const field of PLATFORM_REQUIRED[type] ?? []) {
    if (!component.text(field)?.trim())
      problems.push({ problem: `Required field is missing: ${field}`, line: root.line, column: root.column });
  }
  for (const [field, allowed] of Object.entries(STRING_VALUE_SETS[type] ?? {})) {
    const el = component.el(field);
    if (el && !allowed.includes(el.text)) {
      problems.push({
        problem: `'${el.text}' is not a valid value for ${field}. Valid values: ${allowed.join(', ')}.`,
        ...at(el),
      });
    }
  }
  const scope = new Scope(context, orgs);
  if (ECA_CHILD_TYPES.has(type)) checkAppReference(component, scope, problems);
  switch (type) {
    case 'ExternalClientApplication':
      checkApp(component, fullName, context, problems);
      break;
    case 'ExtlClntAppGlobalOauthSettings':
      checkGlobalOauth(component, fullName, context, scope, problems);
      break;
    case 'ExtlClntAppOauthSettings':
      checkOauthSettings(component, context, scope, problems);
      break;
    case 'ExtlClntAppOauthConfigurablePolicies':
      checkOauthPolicies(component, fullName, scope, problems);
      break;
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------------------
// Schema

/**
 * What the org's XML deserializer refuses comes back as "Error parsing file: …", e.g. `Error parsing file: Element
 * {http://soap.sforce.com/2006/04/metadata}types invalid at this location in type EmailServicesFunction` and `Error
 * parsing file: Unexpected element {…}p during simple type deserialization` (forcedotcom/source-deploy-retrieve#607).
 */
const PARSE = 'Error parsing file: ';

function checkSchema(element: XmlElement, typeName: string, problems: Problem[]): void {
  const fields = fieldsOf(typeName)!;
  const seen = new Set<string>();
  for (const el of element.children) {
    const field = el.prefix ? undefined : fields.find((f) => f.name === el.name);
    if (!field) {
      problems.push({
        problem: `${PARSE}Element {${MD_NS}}${el.name} invalid at this location in type ${typeName}`,
        ...at(el),
      });
      continue;
    }
    if (seen.has(field.name) && !field.array) {
      problems.push({
        problem: `${PARSE}Element {${MD_NS}}${el.name} duplicated at this location in type ${typeName}`,
        ...at(el),
      });
      continue;
    }
    seen.add(field.name);
    if (field.kind === 'complex') {
      if (el.text.trim())
        problems.push({
          problem: `${PARSE}Element {${MD_NS}}${el.name} has text content where type ${field.type} expects elements`,
          ...at(el),
        });
      checkSchema(el, field.type, problems);
      continue;
    }
    if (el.children.length) {
      problems.push({
        problem: `${PARSE}Unexpected element {${MD_NS}}${el.children[0]!.name} during simple type deserialization`,
        ...at(el.children[0]!),
      });
      continue;
    }
    const problem = checkSimple(field.kind, field.type, el.text);
    if (problem) problems.push({ problem: `${PARSE}${problem}`, ...at(el) });
  }
  for (const field of fields) {
    if (field.required && !seen.has(field.name)) {
      problems.push({ problem: `Required field is missing: ${field.name}`, ...at(element) });
    }
  }
}

function checkSimple(kind: string, type: string, raw: string): string | undefined {
  switch (kind) {
    case 'boolean': {
      // xsd whitespace collapse applies to booleans and ints; Salesforce accepts only the words true/false.
      const value = raw.trim();
      return value === 'true' || value === 'false'
        ? undefined
        : `'${raw}' is not a valid value for the type xsd:boolean`;
    }
    case 'int': {
      const value = raw.trim();
      const n = Number(value);
      return /^[+-]?\d+$/.test(value) && n >= -2147483648 && n <= 2147483647
        ? undefined
        : `'${raw}' is not a valid value for the type xsd:int`;
    }
    case 'enum':
      return schema.enums[type]!.includes(raw) ? undefined : `'${raw}' is not a valid value for the enum '${type}'`;
    default:
      return undefined;
  }
}

function at(el: XmlElement): { line: number; column: number } {
  return { line: el.line, column: el.column };
}

/** Top-level values of a schema-valid component. */
class Component {
  readonly root: XmlElement;
  constructor(root: XmlElement) {
    this.root = root;
  }
  el(name: string): XmlElement | undefined {
    return child(this.root, name);
  }
  all(name: string): XmlElement[] {
    return this.root.children.filter((c) => c.name === name);
  }
  text(name: string): string | undefined {
    return childText(this.root, name);
  }
  bool(name: string): boolean {
    return this.text(name)?.trim() === 'true';
  }
}

// ---------------------------------------------------------------------------------------------------------------
// What exists: the target org plus the rest of the deploy (or package)

class Scope {
  readonly org: OrgState;
  readonly kind: ValidationContext['kind'];
  readonly orgs: OrgDirectory;
  private readonly siblings: readonly ComponentSource[];
  private readonly parsed = new Map<ComponentSource, XmlElement | undefined>();

  constructor(context: ValidationContext, orgs: OrgDirectory) {
    this.org = context.org;
    this.kind = context.kind;
    this.siblings = context.siblings ?? [];
    this.orgs = orgs;
  }

  /**
   * In the deploy, or already in the org. A package version holds what it references itself, so given its
   * components only those count; without them (a caller checking one file) the org stands in.
   */
  exists(type: string, name: string): boolean {
    if (this.inBatch(type, name)) return true;
    if (this.kind === 'package' && this.siblings.length) return false;
    return this.org.metadata.get(type)?.has(name) === true;
  }

  inBatch(type: string, name: string): boolean {
    return this.siblings.some((s) => s.type === type && s.fullName === name);
  }

  /** Components of `type` (batch first, then org) that name `app` in externalClientApplication. */
  forApp(type: string, app: string): { fullName: string; inBatch: boolean }[] {
    const out: { fullName: string; inBatch: boolean }[] = [];
    for (const s of this.siblings) {
      if (s.type !== type) continue;
      const root = this.parse(s);
      if (root && childText(root, 'externalClientApplication') === app)
        out.push({ fullName: s.fullName, inBatch: true });
    }
    for (const [name, xml] of this.org.metadata.get(type) ?? []) {
      if (out.some((o) => o.fullName === name)) continue;
      const parsed = parseXml(xml);
      if ('root' in parsed && childText(parsed.root, 'externalClientApplication') === app)
        out.push({ fullName: name, inBatch: false });
    }
    return out;
  }

  private parse(source: ComponentSource): XmlElement | undefined {
    if (!this.parsed.has(source)) {
      const parsed = parseXml(source.xml);
      this.parsed.set(source, 'root' in parsed ? parsed.root : undefined);
    }
    return this.parsed.get(source);
  }

  /** The consumer an oauthLink `<orgId>:<consumerId>` points at, in any org of this server (15 or 18-char ids). */
  resolveLink(link: string): { org: OrgState; consumer: Consumer } | undefined {
    const [orgPart, consumerPart] = link.split(':');
    if (!orgPart || !consumerPart) return undefined;
    for (const org of this.orgs()) {
      if (!sameId(org.orgId, orgPart)) continue;
      for (const consumer of org.consumers.values()) {
        if (sameId(consumer.consumerId, consumerPart) && consumer.oauthLink.startsWith(org.orgId.slice(0, 15)))
          return { org, consumer };
      }
    }
    return undefined;
  }
}

/** Salesforce ids compare on their 15-char case-sensitive form; the 18-char form only adds a checksum. */
export function sameId(a: string, b: string): boolean {
  return (
    (a.length === 15 || a.length === 18) && (b.length === 15 || b.length === 18) && a.slice(0, 15) === b.slice(0, 15)
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Rules per type

function checkAppReference(component: Component, scope: Scope, problems: Problem[]): void {
  const el = component.el('externalClientApplication')!;
  if (!scope.exists('ExternalClientApplication', el.text)) {
    problems.push({
      problem: `In field: externalClientApplication - no ExternalClientApplication named ${el.text} found`,
      ...at(el),
    });
  }
}

function checkApp(component: Component, fullName: string, context: ValidationContext, problems: Problem[]): void {
  const email = component.el('contactEmail');
  if (email?.text.trim() && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.text.trim())) {
    problems.push({ problem: `Invalid email address: ${email.text}`, ...at(email) });
  }
  const state = component.el('distributionState');
  if (state && (state.text === 'Managed' || state.text === 'AutoInstalled')) {
    problems.push({
      problem: `distributionState '${state.text}' is set by Salesforce and can't be deployed. Use Local or Packaged.`,
      ...at(state),
    });
  }
  if (context.kind === 'package' && state?.text !== 'Packaged') {
    problems.push({
      problem: `External client app ${fullName} can't be packaged: its distributionState is ${state?.text ?? 'Local'}. Set distributionState to Packaged.`,
      ...(state ? at(state) : at(component.root)),
    });
  }
  const scoped = component.el('orgScopedExternalApp');
  if (scoped) {
    const [orgPart, appPart, extra] = scoped.text.split(':');
    if (extra !== undefined || !orgPart || !sameId(orgPart, context.org.orgId) || appPart !== fullName) {
      problems.push({
        problem: `The orgScopedExternalApp value '${scoped.text}' must be in the format DeveloperOrganizationId:ExternalClientAppDeveloperName (${context.org.orgId.slice(0, 15)}:${fullName}).`,
        ...at(scoped),
      });
    }
  }
}

function checkGlobalOauth(
  component: Component,
  fullName: string,
  context: ValidationContext,
  scope: Scope,
  problems: Problem[],
): void {
  const app = component.text('externalClientApplication')!;
  if (context.kind === 'package') {
    problems.push({
      problem:
        `ExtlClntAppGlobalOauthSettings ${fullName} can't be packaged: global OAuth settings hold private OAuth consumer information ` +
        'that stays in the org where the app was developed. Leave it out of the package; the packaged ExtlClntAppOauthSettings links to it with oauthLink.',
    });
    return;
  }
  const callback = component.el('callbackUrl');
  if (callback) checkCallbackUrls(callback, problems);

  const others = scope.forApp('ExtlClntAppGlobalOauthSettings', app).filter((o) => o.fullName !== fullName);
  if (others.length) {
    problems.push({
      problem: `External client app ${app} already has global OAuth settings (${others.map((o) => o.fullName).join(', ')}); an app has one.`,
    });
  }
  const consumer = scope.org.consumers.get(app);
  if (!consumer) {
    // First deploy: the consumer is created now and needs the OAuth settings beside it.
    if (!scope.forApp('ExtlClntAppOauthSettings', app).length) {
      problems.push({
        problem:
          "The external client app configured in your global OAuth Settings doesn't have a valid OAuth settings configuration.",
      });
    }
    const key = component.el('consumerKey');
    if (key && scope.orgs().some((o) => [...o.consumers.values()].some((c) => c.consumerKey === key.text))) {
      problems.push({
        problem: 'This consumer key is already in use by another app. Leave consumerKey out to have one generated.',
        ...at(key),
      });
    }
    return;
  }
  // Keys are generated by the org and rotated only on request.
  for (const [field, stored, rotate, what] of [
    ['consumerKey', consumer.consumerKey, 'shouldRotateConsumerKey', 'consumer key'],
    ['consumerSecret', consumer.consumerSecret, 'shouldRotateConsumerSecret', 'consumer secret'],
  ] as const) {
    const el = component.el(field);
    if (el && el.text !== stored && !component.bool(rotate)) {
      problems.push({
        problem: `The ${field} doesn't match this app's ${what} and can't be changed. Leave it out, or set ${rotate} to get a new one.`,
        ...at(el),
      });
    }
  }
}

function checkCallbackUrls(el: XmlElement, problems: Problem[]): void {
  // Several URLs go newline-separated into the one element (docs/platform-notes.md §1).
  const lines = el.text.replace(/\r\n?/g, '\n').trim().split('\n');
  for (const raw of lines) {
    const problem = callbackUrlProblem(raw.trim());
    if (problem) problems.push({ problem: `Invalid callback URL '${raw.trim()}': ${problem}`, ...at(el) });
  }
}

const FORBIDDEN_SCHEMES = new Set(['javascript:', 'data:', 'file:', 'vbscript:', 'blob:', 'about:']);

/**
 * Salesforce's callback validator: http only for the host `localhost`; an http URL on any other host, IP
 * literals included (127.0.0.1, [::1]), is refused with "Cannot be an HTTP URL" (anthropics/claude-code#86233,
 * lmstudio-ai/lmstudio-bug-tracker#1893). Custom schemes pass (cursor://…, the Hosted-MCP guide). The other
 * refusals (empty line, not a URL, fragment, script schemes) are our choice, no evidence: fake-org/RULES.md.
 */
export function callbackUrlProblem(value: string): string | undefined {
  if (!value) return 'empty line between callback URLs';
  let url: URL;
  try {
    // An org stores a `*` port as given: the retrieved ClaudeMcpClientRC_glbloauth of bgaldino/rlm-base-dev holds
    // `http://localhost:*/callback` (fixture public-eca/bgaldino-rlm-base-dev). Matching is exact all the same.
    url = new URL(value.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/[^/:?#]+):\*(?=[/?#]|$)/, '$1'));
  } catch {
    return 'not an absolute URL';
  }
  if (url.hash || value.includes('#')) return 'a redirect URI may not contain a fragment (#)';
  if (url.protocol === 'https:') return url.hostname ? undefined : 'no host';
  if (url.protocol === 'http:') return url.hostname === 'localhost' ? undefined : 'Cannot be an HTTP URL';
  if (FORBIDDEN_SCHEMES.has(url.protocol)) return `the ${url.protocol} scheme can't be a redirect URI`;
  // A custom scheme of a desktop or mobile client, e.g. cursor://anysphere.cursor-mcp/oauth/callback
  return undefined;
}

function checkOauthSettings(component: Component, context: ValidationContext, scope: Scope, problems: Problem[]): void {
  const app = component.text('externalClientApplication')!;
  const scopesEl = component.el('commaSeparatedOauthScopes');
  if (scopesEl?.text.trim()) {
    const bad = scopesEl.text
      .split(',')
      .map((t) => t.trim())
      .filter((token) => !OAUTH_SCOPE_TOKENS.includes(token));
    if (bad.length) {
      // Salesforce's text (an org's answer to mcp_api: "There's a problem with your scope(s): McpApi", then the valid
      // tokens; platform-notes §28): the org names the token in its own spelling. The list's wording is ours.
      const spelled = bad.map((t) =>
        t
          .split(/[_\s]+/)
          .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
          .join(''),
      );
      problems.push({
        problem: `There's a problem with your scope(s): ${spelled.join(', ')}. Valid scopes: ${OAUTH_SCOPE_TOKENS.join(', ')}`,
        ...at(scopesEl),
      });
    }
  }
  const ranges = component.all('trustedIpRanges');
  if (ranges.length > MAX_IP_RANGES)
    problems.push({
      problem: `Too many trustedIpRanges: ${ranges.length} (at most ${MAX_IP_RANGES}).`,
      ...at(ranges[MAX_IP_RANGES]!),
    });
  for (const range of ranges) {
    const problem = ipRangeProblem(childText(range, 'startIpAddress') ?? '', childText(range, 'endIpAddress') ?? '');
    if (problem) problems.push({ problem, ...at(range) });
  }
  const logout = component.el('singleLogoutUrl');
  if (logout?.text && !isHttpsUrl(logout.text))
    problems.push({ problem: `singleLogoutUrl must be an https URL: ${logout.text}`, ...at(logout) });

  const link = component.el('oauthLink');
  const globalInBatch = scope.forApp('ExtlClntAppGlobalOauthSettings', app).some((g) => g.inBatch);
  const own = scope.org.consumers.get(app);
  const incorrect = (why: string): void => {
    problems.push({
      problem: `The oauthLink '${link!.text}' has incorrect information: ${why}. Remove the oauthLink field to have it generated during deployment.`,
      ...at(link!),
    });
  };
  if (link) {
    if (!/^00D[0-9A-Za-z]{12}(?:[0-9A-Za-z]{3})?:[0-9A-Za-z]{15}(?:[0-9A-Za-z]{3})?$/.test(link.text)) {
      incorrect('it must be OrganizationId:OauthConsumerId');
    } else if (own) {
      if (link.text !== own.oauthLink && !sameLink(link.text, own.oauthLink))
        incorrect(`it doesn't match the OAuth consumer of ${app} in this org`);
    } else if (globalInBatch && context.kind === 'deploy') {
      incorrect(`the global OAuth settings in this deployment create a new OAuth consumer for ${app}`);
    } else if (!scope.resolveLink(link.text)) {
      incorrect('no OAuth consumer with that id exists');
    }
    return;
  }
  if (context.kind === 'package') {
    problems.push({
      problem: `ExtlClntAppOauthSettings for ${app} has no oauthLink. A packaged app reaches its OAuth consumer only through the link: retrieve the OAuth settings after deploying the app with its global OAuth settings, and package them with the generated oauthLink.`,
      ...at(component.root),
    });
  } else if (!own && !globalInBatch) {
    problems.push({
      problem: `External client app ${app} has no OAuth consumer in this org: deploy its ExtlClntAppGlobalOauthSettings in the same deployment, or set oauthLink to an existing consumer.`,
      ...at(component.root),
    });
  }
}

function sameLink(a: string, b: string): boolean {
  const [ao, ac] = a.split(':');
  const [bo, bc] = b.split(':');
  return !!ao && !!ac && !!bo && !!bc && sameId(ao, bo) && sameId(ac, bc);
}

function checkOauthPolicies(component: Component, fullName: string, scope: Scope, problems: Problem[]): void {
  // One policy per OAuth settings record (Tooling ExtlClntAppOauthPlcyCnfg.ExtlClntAppOauthSettingsId); a second
  // one under another name fails with this text (docs/platform-notes.md §3).
  const app = component.text('externalClientApplication')!;
  const other = scope.forApp('ExtlClntAppOauthConfigurablePolicies', app).find((o) => o.fullName !== fullName);
  if (other)
    problems.push({ problem: `DUPLICATE_VALUE: ExtlClntAppOauthSettingsId duplicates value on ${other.fullName}` });
  const policy = component.text('refreshTokenPolicyType');
  if (policy === 'SpecificLifetime' || policy === 'SpecificInactivity') {
    const period = component.el('refreshTokenValidityPeriod');
    if (!period || Number(period.text) < 1) {
      problems.push({
        problem: `refreshTokenPolicyType ${policy} needs refreshTokenValidityPeriod of 1 or more.`,
        ...at(period ?? component.root),
      });
    }
    if (!component.el('refreshTokenValidityUnit')) {
      problems.push({
        problem: `refreshTokenPolicyType ${policy} needs refreshTokenValidityUnit (Days, Hours or Months).`,
        ...at(component.root),
      });
    }
  }
  const permsets = component.el('commaSeparatedPermissionSet');
  if (permsets?.text.trim()) {
    const unknown = permsets.text
      .split(',')
      .map((n) => n.trim())
      .filter((name) => !permissionSetExists(name, scope));
    // Salesforce's text for unknown permission sets in a policy (platform-notes §28).
    if (unknown.length)
      problems.push({ problem: `We couldn't find permission sets called ${unknown.join(', ')}.`, ...at(permsets) });
  }
  if (component.bool('isClientCredentialsFlowEnabled')) {
    const user = component.el('clientCredentialsFlowUser');
    if (!user?.text)
      problems.push({
        problem: 'isClientCredentialsFlowEnabled needs clientCredentialsFlowUser (a username in this org).',
        ...at(component.root),
      });
    else if (user.text !== scope.org.username)
      problems.push({ problem: `In field: clientCredentialsFlowUser - no User named ${user.text} found`, ...at(user) });
  }
  const logout = component.el('singleLogoutUrl');
  if (logout?.text && !isHttpsUrl(logout.text))
    problems.push({ problem: `singleLogoutUrl must be an https URL: ${logout.text}`, ...at(logout) });
}

/** The doc says ids, every deployable example uses API names (docs/platform-notes.md §4): accept either. */
function permissionSetExists(nameOrId: string, scope: Scope): boolean {
  if (scope.exists('PermissionSet', nameOrId)) return true;
  return [...scope.org.componentIds].some(([key, id]) => key.startsWith('PermissionSet:') && sameId(id, nameOrId));
}

function isHttpsUrl(value: string): boolean {
  try {
    return new URL(value).protocol === 'https:';
  } catch {
    return false;
  }
}

export function ipRangeProblem(start: string, end: string): string | undefined {
  const fs = isIP(start);
  const fe = isIP(end);
  if (!fs) return `Invalid IP address in startIpAddress: ${start}`;
  if (!fe) return `Invalid IP address in endIpAddress: ${end}`;
  if (fs !== fe)
    return `The IP range ${start}-${end} mixes IPv${fs} and IPv${fe}: start and end must be the same family.`;
  if (ipValue(start) > ipValue(end))
    return `The IP range ${start}-${end} is invalid: the start address is greater than the end address.`;
  return undefined;
}

function ipValue(ip: string): bigint {
  if (isIP(ip) === 4) return ip.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
  // Expand '::' and any embedded IPv4 tail, then read 8 groups of 16 bits.
  let text = ip;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const n = ipValue(v4[1]!);
    text = `${text.slice(0, -v4[1]!.length)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const headParts = head ? head.split(':') : [];
  const tailParts = tail ? tail.split(':') : [];
  const groups =
    tail === undefined
      ? headParts
      : [...headParts, ...Array(8 - headParts.length - tailParts.length).fill('0'), ...tailParts];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g || '0', 16)), 0n);
}
