// Scratch-org signup in the Dev Hub, as `sf org create scratch` and `sf org delete scratch` use it
// (@salesforce/core scratchOrgInfoApi.js, org.js; docs/platform-notes.md §29):
//   POST   sobjects/ScratchOrgInfo        the request (Status New); Proxy Signup checks the signup app
//   GET    sobjects/ScratchOrgInfo/<id>   the poll: New → Active (a new fake org, AuthCode, LoginUrl …) or Error
//   GET    query ScratchOrgInfo           every request, with CreatedBy.Username
//   GET    query ActiveScratchOrg         the live orgs (delete looks one up by SignupUsername)
//   DELETE sobjects/ActiveScratchOrg/<id> the org goes away: logins and sessions stop, the request reads Deleted
// Every signup makes its own org on the same port; the session or login names which org a request is for.
import type { FakeOrgContext, FakeRequest, FakeResponse, OrgState, Route } from './types.ts';
import type { OAuth } from './oauth.ts';
import { SIGNUP_APP } from './oauth.ts';
import { parseSoql, runQuery, SoqlError, fieldsOf, type ObjectSchema, type ParsedQuery, type Row } from './soql.ts';
import { sameId } from './rules.ts';

/** The sf CLI's own Connected App: Proxy Signup can always replicate it. */
const PLATFORM_CLI = 'PlatformCLI';

export interface ScratchOrgInfoRecord {
  Id: string;
  Status: 'New' | 'Creating' | 'Active' | 'Error' | 'Deleted';
  ErrorCode: string | null;
  SignupUsername: string;
  Username: string | null;
  AdminEmail: string | null;
  OrgName: string;
  Edition: string;
  Features: string | null;
  Namespace: string | null;
  DurationDays: number;
  ConnectedAppConsumerKey: string | null;
  ConnectedAppCallbackUrl: string | null;
  AuthCode: string | null;
  LoginUrl: string | null;
  SignupInstance: string | null;
  ScratchOrg: string | null;
  ExpirationDate: string | null;
  CreatedDate: string;
  CreatedById: string;
  /** polls still to answer New before the request finishes */
  pollsLeft: number;
  org?: OrgState;
}

interface SignupState {
  requests: ScratchOrgInfoRecord[];
  /** ActiveScratchOrg Id → request */
  active: Map<string, ScratchOrgInfoRecord>;
  serial: number;
}

const STATE = 'scratchSignup';

/** The Dev Hub's signup records (tests read them). */
export function signupState(devHub: OrgState): SignupState {
  let state = devHub.ext.get(STATE) as SignupState | undefined;
  if (!state) {
    state = { requests: [], active: new Map(), serial: 0 };
    devHub.ext.set(STATE, state);
  }
  return state;
}

const SCRATCH_ORG_INFO_FIELDS = {
  Id: 'id',
  Status: 'picklist',
  ErrorCode: 'picklist',
  SignupUsername: 'string',
  Username: 'string',
  AdminEmail: 'string',
  OrgName: 'string',
  Edition: 'picklist',
  Features: 'string',
  Namespace: 'string',
  DurationDays: 'int',
  ConnectedAppConsumerKey: 'string',
  ConnectedAppCallbackUrl: 'string',
  AuthCode: 'string',
  LoginUrl: 'string',
  SignupInstance: 'string',
  ScratchOrg: 'string',
  ExpirationDate: 'datetime',
  CreatedDate: 'datetime',
  CreatedById: 'id',
} as const;

const ACTIVE_SCRATCH_ORG_FIELDS = {
  Id: 'id',
  ScratchOrg: 'string',
  ScratchOrgInfoId: 'id',
  SignupUsername: 'string',
  OrgName: 'string',
  Edition: 'picklist',
  Namespace: 'string',
  ExpirationDate: 'datetime',
  CreatedDate: 'datetime',
  CreatedById: 'id',
} as const;

const USER_SCHEMA: ObjectSchema = {
  name: 'User',
  fields: fieldsOf({ Id: 'id', Username: 'string', Name: 'string' }),
  relationships: [],
};

/** The `columns=true` answer for plain fields: what `sf data query` reads to lay out its result. */
function columnsOf(query: ParsedQuery): Record<string, unknown> {
  const columnMetadata = query.select
    .filter((item) => item.kind === 'field')
    .map((item) => ({
      aggregate: false,
      columnName: item.path.split('.').pop(),
      displayName: item.path,
      foreignKeyName: null,
      insertable: false,
      joinColumns: [],
      custom: false,
      updatable: false,
    }));
  return { columnMetadata, entityName: query.from, groupBy: false, idSelected: true, keyPrefix: null };
}

export interface SignupDeps {
  ctx: FakeOrgContext;
  oauth: OAuth;
  /** the pre-made scratch org's expiry, for its own ScratchOrgInfo row */
  scratchExpires: Date;
  startedAt: Date;
}

export function scratchSignupRoutes(deps: SignupDeps): Route[] {
  const { ctx, oauth } = deps;
  const hubOnly = (req: FakeRequest): FakeResponse | undefined =>
    req.org.isDevHub ? undefined : ctx.restError(404, 'NOT_FOUND', 'The requested resource does not exist');

  // The pre-made scratch org (ctx.scratch) reads as a finished signup of the Dev Hub, as before signup existed.
  const state = signupState(ctx.devHub);
  if (!state.requests.length) {
    const created = deps.startedAt.toISOString().replace('Z', '+0000');
    const record: ScratchOrgInfoRecord = {
      Id: ctx.newId('2SR'),
      Status: 'Active',
      ErrorCode: null,
      SignupUsername: ctx.scratch.username,
      Username: ctx.scratch.username,
      AdminEmail: null,
      OrgName: ctx.scratch.name,
      Edition: 'Developer',
      Features: 'SalesforceHostedMCP',
      Namespace: null,
      DurationDays: 30,
      ConnectedAppConsumerKey: PLATFORM_CLI,
      ConnectedAppCallbackUrl: 'http://localhost:1717/OauthRedirect',
      AuthCode: null,
      LoginUrl: ctx.instanceUrl,
      SignupInstance: 'FAKE2',
      ScratchOrg: ctx.scratch.orgId.slice(0, 15),
      ExpirationDate: deps.scratchExpires.toISOString().slice(0, 10),
      CreatedDate: created,
      CreatedById: ctx.devHub.userId,
      pollsLeft: 0,
      org: ctx.scratch,
    };
    state.requests.push(record);
    state.active.set(ctx.newId('2AS'), record);
  }

  const userRow = (id: string): Row | null => {
    const org = ctx.orgs.find((o) => sameId(o.userId, id));
    return org
      ? { type: 'User', values: { Id: org.userId, Username: org.username, Name: 'Fake User' }, rel: () => null }
      : null;
  };
  const query = (
    name: string,
    fields: Record<string, (typeof SCRATCH_ORG_INFO_FIELDS)[keyof typeof SCRATCH_ORG_INFO_FIELDS]>,
    rows: () => Record<string, unknown>[],
  ): Route => ({
    name: `query.${name[0]!.toLowerCase()}${name.slice(1)}`,
    method: 'GET',
    pattern: /^\/query\/?$/,
    handler: (req) => {
      let parsed: ParsedQuery;
      try {
        parsed = parseSoql(req.query.get('q') ?? '');
      } catch {
        return undefined; // the fallback reports the syntax error
      }
      // Only a Dev Hub has these objects; other orgs answer INVALID_TYPE through the fallback, which is what
      // @salesforce/core's "is this a Dev Hub?" probe looks for.
      if (parsed.from.toLowerCase() !== name.toLowerCase() || !req.org.isDevHub) return undefined;
      const schema: ObjectSchema = {
        name,
        fields: fieldsOf(fields),
        relationships: [{ name: 'CreatedBy', target: 'User' }],
      };
      const context = {
        schemas: (object: string) => (object === 'User' ? USER_SCHEMA : undefined),
        apiVersion: Number(req.apiVersion),
        urlBase: `/services/data/v${req.apiVersion}/sobjects`,
        now: new Date(),
      };
      // `sf data query` first asks for the columns (plugin-data commands/data/query.js retrieveColumns).
      if (req.query.get('columns') === 'true') return ctx.json(200, columnsOf(parsed));
      try {
        const data = rows().map((values) => ({
          type: name,
          values,
          rel: (rel: string) => (rel === 'CreatedBy' ? userRow(String(values.CreatedById)) : null),
        }));
        return ctx.json(200, runQuery(parsed, schema, data, context));
      } catch (error) {
        if (error instanceof SoqlError) return ctx.restError(400, error.errorCode, error.message);
        throw error;
      }
    },
  });

  const publicFields = (r: ScratchOrgInfoRecord): Record<string, unknown> => {
    const { pollsLeft: _polls, org: _org, ...fields } = r;
    return fields;
  };
  const activeRows = (): Record<string, unknown>[] =>
    [...state.active].map(([id, r]) => ({
      Id: id,
      ScratchOrg: r.ScratchOrg,
      ScratchOrgInfoId: r.Id,
      SignupUsername: r.SignupUsername,
      OrgName: r.OrgName,
      Edition: r.Edition,
      Namespace: r.Namespace,
      ExpirationDate: r.ExpirationDate,
      CreatedDate: r.CreatedDate,
      CreatedById: r.CreatedById,
    }));

  return [
    query('ScratchOrgInfo', SCRATCH_ORG_INFO_FIELDS, () => state.requests.map(publicFields)),
    query('ActiveScratchOrg', ACTIVE_SCRATCH_ORG_FIELDS, activeRows),
    {
      name: 'sobjects.scratchOrgInfo.create',
      method: 'POST',
      pattern: /^\/sobjects\/ScratchOrgInfo\/?$/,
      handler: (req) => hubOnly(req) ?? create(req),
    },
    {
      name: 'sobjects.scratchOrgInfo.get',
      method: 'GET',
      pattern: /^\/sobjects\/ScratchOrgInfo\/([0-9A-Za-z]{15,18})$/,
      handler: (req, match) => hubOnly(req) ?? poll(req, match[1]!),
    },
    {
      name: 'sobjects.activeScratchOrg.delete',
      method: 'DELETE',
      pattern: /^\/sobjects\/ActiveScratchOrg\/([0-9A-Za-z]{15,18})$/,
      handler: (req, match) => hubOnly(req) ?? remove(match[1]!),
    },
  ];

  function create(req: FakeRequest): FakeResponse {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(req.body.toString('utf8')) as Record<string, unknown>;
    } catch {
      return ctx.restError(400, 'JSON_PARSER_ERROR', 'The request body is not valid JSON');
    }
    const text = (name: string): string | null => {
      const value = body[name];
      return typeof value === 'string' && value.trim() ? value.trim() : null;
    };
    const key = text('ConnectedAppConsumerKey');
    const callback = text('ConnectedAppCallbackUrl');
    // Salesforce's text when the key comes without its callback (docs/platform-notes.md §29).
    if (key && !callback) return requiredFieldMissing('ConnectedAppCallbackUrl');
    if (callback && !key) return requiredFieldMissing('ConnectedAppConsumerKey');
    if (!text('Edition') && !text('Snapshot') && !text('SourceOrg') && !text('Template'))
      return requiredFieldMissing('Edition');
    const days = Number(body.DurationDays ?? 7);
    const now = new Date();
    const username =
      text('Username')?.toLowerCase() ??
      `test-${(++state.serial).toString(36)}${now.getTime().toString(36)}@example.com`;
    const record: ScratchOrgInfoRecord = {
      Id: ctx.newId('2SR'),
      Status: 'New',
      ErrorCode: null,
      SignupUsername: username,
      Username: text('Username')?.toLowerCase() ?? null,
      AdminEmail: text('AdminEmail'),
      OrgName: text('OrgName') ?? 'Company',
      Edition: text('Edition') ?? 'Developer',
      Features: text('Features'),
      Namespace: text('Namespace'),
      DurationDays: Number.isFinite(days) ? days : 7,
      ConnectedAppConsumerKey: key,
      ConnectedAppCallbackUrl: callback,
      AuthCode: null,
      LoginUrl: null,
      SignupInstance: null,
      ScratchOrg: null,
      ExpirationDate: null,
      CreatedDate: now.toISOString().replace('Z', '+0000'),
      CreatedById: req.org.userId,
      pollsLeft: Math.max(0, ctx.timing.scratchSignupPolls ?? 1),
    };
    state.requests.push(record);
    return ctx.json(201, { id: record.Id, success: true, errors: [] });
  }

  function requiredFieldMissing(field: string): FakeResponse {
    return ctx.json(400, [
      { message: `Required fields are missing: [${field}]`, errorCode: 'REQUIRED_FIELD_MISSING', fields: [field] },
    ]);
  }

  function poll(req: FakeRequest, id: string): FakeResponse {
    const record = state.requests.find((r) => sameId(r.Id, id));
    if (!record) return ctx.restError(404, 'NOT_FOUND', 'The requested resource does not exist');
    if (record.Status === 'New') {
      if (record.pollsLeft > 0) record.pollsLeft--;
      else finish(record);
    }
    return ctx.json(200, {
      attributes: {
        type: 'ScratchOrgInfo',
        url: `/services/data/v${req.apiVersion}/sobjects/ScratchOrgInfo/${record.Id}`,
      },
      ...publicFields(record),
    });
  }

  /**
   * Proxy Signup: the new org gets the signup app. A Connected App (the sf CLI's PlatformCLI or the org's own) is
   * replicated; an External Client App cannot be, and neither can a key the Dev Hub does not hold: C-1016.
   */
  function finish(record: ScratchOrgInfoRecord): void {
    const key = record.ConnectedAppConsumerKey;
    const app = key ? oauth.appOf(key) : undefined;
    if (key && (!app || app.kind === 'external-client-app')) {
      record.Status = 'Error';
      record.ErrorCode = 'C-1016';
      return;
    }
    const features = (record.Features ?? '').split(/[;,]/).map((f) => f.trim().toLowerCase());
    const org: OrgState = {
      orgId: ctx.newId('00D'),
      userId: ctx.newId('005'),
      username: record.SignupUsername,
      name: record.OrgName,
      isDevHub: false,
      ...(record.Namespace ? { namespace: record.Namespace } : {}),
      metadata: new Map(),
      consumers: new Map(),
      ext: new Map(),
      componentIds: new Map(),
      settings: {
        enableClientSecretInRestApiAccess: true,
        enableConsumerSecretApiAccess: false,
        hostedMcp: features.includes('salesforcehostedmcp'),
      },
    };
    if (key) org.ext.set(SIGNUP_APP, key);
    ctx.orgs.push(org);
    const expires = new Date(Date.now() + record.DurationDays * 86_400_000);
    Object.assign(record, {
      Status: 'Active',
      ScratchOrg: org.orgId.slice(0, 15),
      LoginUrl: ctx.instanceUrl,
      // A Hyperforce instance name ends in S: @salesforce/core then logs in at LoginUrl rather than at
      // https://<instance>.salesforce.com (scratchOrgInfoApi.js getOrgInstanceAuthority).
      SignupInstance: 'FAKE9S',
      ExpirationDate: expires.toISOString().slice(0, 10),
      AuthCode:
        key && record.ConnectedAppCallbackUrl ? oauth.issueAuthCode(org, key, record.ConnectedAppCallbackUrl) : null,
      org,
    });
    state.active.set(ctx.newId('2AS'), record);
  }

  function remove(id: string): FakeResponse {
    const entry = [...state.active].find(([activeId]) => sameId(activeId, id));
    if (!entry) return ctx.restError(404, 'NOT_FOUND', 'The requested resource does not exist');
    const [activeId, record] = entry;
    state.active.delete(activeId);
    record.Status = 'Deleted';
    if (record.org) {
      const at = ctx.orgs.indexOf(record.org);
      if (at >= 0) ctx.orgs.splice(at, 1);
      oauth.forgetOrg(record.org);
    }
    return { status: 204 };
  }
}
