// REST routes under /services/data/vNN.0 that the server core owns: SOQL on the fake's objects (data API and
// Tooling) and the User sobject (Connect REST's OAuth resources are connect.ts).
// Query routes answer only their FROM object and return undefined otherwise, so route modules (packaging.ts)
// can add objects; the fallbacks at the end answer what nobody owns with INVALID_TYPE, as an org does.
import type { FakeOrgContext, FakeRequest, FakeResponse, OrgState, Route } from './types.ts';
import {
  fieldsOf,
  parseSoql,
  plainRows,
  runQuery,
  SoqlError,
  type FieldType,
  type ObjectSchema,
  type ParsedQuery,
} from './soql.ts';
import { normalizedNodes, textOf } from './store.ts';
import { sameId } from './rules.ts';

export interface CoreRouteDeps {
  ctx: FakeOrgContext;
  startedAt: Date;
  /** the scratch org's expiry (Organization.TrialExpirationDate, ScratchOrgInfo.ExpirationDate) */
  scratchExpires: Date;
}

/** Routes that must come after every module's routes. */
export function fallbackRoutes(ctx: FakeOrgContext): Route[] {
  const unsupported = (req: FakeRequest): FakeResponse => {
    const q = req.query.get('q');
    if (!q) return ctx.restError(400, 'MALFORMED_QUERY', "The 'q' parameter is required");
    let query: ParsedQuery;
    try {
      query = parseSoql(q);
    } catch (error) {
      return soqlError(ctx, error);
    }
    const column = query.fromCol;
    return ctx.restError(
      400,
      'INVALID_TYPE',
      `\n${q}\n${' '.repeat(Math.max(0, column - 1))}^\nERROR at Row:1:Column:${column}\nsObject type '${query.from}' is not supported. ` +
        "If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.",
    );
  };
  return [
    { name: 'query.unsupported', method: 'GET', pattern: /^\/query\/?$/, handler: unsupported },
    { name: 'tooling.query.unsupported', method: 'GET', pattern: /^\/tooling\/query\/?$/, handler: unsupported },
  ];
}

/** An object without relationships that the fake can query: its fields with their types, and its records. */
export interface SObjectTable {
  fields: Record<string, FieldType>;
  records: () => Record<string, unknown>[];
}

/** A query route for one object on the data API or Tooling; it answers only queries of its FROM object. */
export function tableQueryRoute(
  ctx: FakeOrgContext,
  api: 'data' | 'tooling',
  table: (org: OrgState) => SObjectTable,
  name: string,
  available: (org: OrgState) => boolean = () => true,
): Route {
  return {
    name: `${api === 'tooling' ? 'tooling.' : ''}query.${name[0]!.toLowerCase()}${name.slice(1)}`,
    method: 'GET',
    pattern: api === 'tooling' ? /^\/tooling\/query\/?$/ : /^\/query\/?$/,
    handler: (req) => {
      let query: ParsedQuery;
      try {
        query = parseSoql(req.query.get('q') ?? '');
      } catch {
        return undefined; // the fallback reports the syntax error
      }
      if (query.from.toLowerCase() !== name.toLowerCase() || !available(req.org)) return undefined;
      try {
        const { fields, records } = table(req.org);
        const schema: ObjectSchema = { name, fields: fieldsOf(fields), relationships: [] };
        const urlBase = `/services/data/v${req.apiVersion}${api === 'tooling' ? '/tooling' : ''}/sobjects`;
        const context = { schemas: () => undefined, apiVersion: Number(req.apiVersion), urlBase, now: new Date() };
        return ctx.json(200, runQuery(query, schema, plainRows(name, records()), context));
      } catch (error) {
        return soqlError(ctx, error);
      }
    },
  };
}

export function coreRoutes(deps: CoreRouteDeps): Route[] {
  const { ctx } = deps;
  const tables = sobjectTables(deps);
  const queryRoute = (
    table: keyof typeof tables,
    api: 'data' | 'tooling',
    available?: (org: OrgState) => boolean,
  ): Route => tableQueryRoute(ctx, api, tables[table], table, available);

  return [
    {
      name: 'rest.resources',
      method: 'GET',
      pattern: /^\/?$/,
      handler: (req) => {
        const base = `/services/data/v${req.apiVersion}`;
        return ctx.json(200, {
          sobjects: `${base}/sobjects`,
          query: `${base}/query`,
          tooling: `${base}/tooling`,
          metadata: `${base}/metadata`,
          connect: `${base}/connect`,
          apps: `${base}/apps`,
        });
      },
    },
    // ScratchOrgInfo and ActiveScratchOrg: scratch-signup.ts.
    queryRoute('Organization', 'data'),
    queryRoute('Organization', 'tooling'),
    queryRoute('ExternalClientApplication', 'data'),
    queryRoute('ExternalClientApplication', 'tooling'),
    queryRoute('PermissionSet', 'data'),
    queryRoute('PermissionSet', 'tooling'),
    // The Namespace Registry lives in the Dev Hub (Setup → Namespace Registries); elsewhere: INVALID_TYPE.
    queryRoute('NamespaceRegistry', 'data', (org) => org.isDevHub),
    queryRoute('UserPermissionAccess', 'data'),
    {
      name: 'sobjects.user.get',
      method: 'GET',
      pattern: /^\/sobjects\/User\/([0-9A-Za-z]{15,18})$/,
      handler: (req, match) => {
        if (!sameId(match[1]!, req.org.userId))
          return ctx.restError(404, 'NOT_FOUND', 'The requested resource does not exist');
        return ctx.json(200, {
          attributes: { type: 'User', url: `/services/data/v${req.apiVersion}/sobjects/User/${req.org.userId}` },
          Id: req.org.userId,
          Username: req.org.username,
          Name: 'Fake User',
          FirstName: 'Fake',
          LastName: 'User',
          Email: req.org.username,
          IsActive: true,
          UserType: 'Standard',
          ProfileId: '00e000000000001AAA',
        });
      },
    },
  ];
}

function soqlError(ctx: FakeOrgContext, error: unknown): FakeResponse {
  if (error instanceof SoqlError) return ctx.restError(400, error.errorCode, error.message);
  throw error;
}

type TableName =
  | 'Organization'
  | 'ExternalClientApplication'
  | 'PermissionSet'
  | 'NamespaceRegistry'
  | 'UserPermissionAccess';

/** UserPermissionAccess fields the fake knows; each true unless a test turns it off in OrgSettings.userPermissions. */
const USER_PERMISSIONS = [
  'PermissionsApiEnabled',
  'PermissionsModifyAllData',
  'PermissionsModifyMetadata',
  'PermissionsCustomizeApplication',
  'PermissionsViewSetup',
  'PermissionsExternalClientAppDeveloper',
  'PermissionsExternalClientAppAdmin',
  'PermissionsExternalClientAppViewer',
  'PermissionsViewClientSecret',
];

function sobjectTables(deps: CoreRouteDeps): Record<TableName, (org: OrgState) => SObjectTable> {
  const { startedAt, scratchExpires } = deps;
  const created = startedAt.toISOString().replace('Z', '+0000');
  const stored = (org: OrgState, type: string) =>
    [...(org.metadata.get(type) ?? [])].map(([name, xml]) => ({ name, nodes: normalizedNodes(type, xml) }));
  return {
    Organization: (org) => ({
      fields: {
        Id: 'id',
        Name: 'string',
        InstanceName: 'string',
        IsSandbox: 'boolean',
        TrialExpirationDate: 'datetime',
        NamespacePrefix: 'string',
        OrganizationType: 'picklist',
        LanguageLocaleKey: 'picklist',
        CreatedDate: 'datetime',
      },
      records: () => [
        {
          Id: org.orgId,
          Name: org.name,
          InstanceName: org.isDevHub ? 'FAKE1' : 'FAKE2',
          // A scratch org reads as a sandbox with a trial expiry; that is how @salesforce/core tells it apart.
          IsSandbox: !org.isDevHub,
          TrialExpirationDate: org.isDevHub ? null : scratchExpires.toISOString().replace('Z', '+0000'),
          // The Dev Hub's namespace is linked, not its own: NamespacePrefix stays null, as on a real hub. A scratch org
          // created from a project with a namespace has it as its own (set ctx.scratch.namespace to model one).
          NamespacePrefix: org.isDevHub ? null : (org.namespace ?? null),
          OrganizationType: 'Developer Edition',
          LanguageLocaleKey: 'en_US',
          CreatedDate: created,
        },
      ],
    }),
    ExternalClientApplication: (org) => ({
      fields: {
        Id: 'id',
        DeveloperName: 'string',
        MasterLabel: 'string',
        ContactEmail: 'string',
        ContactPhone: 'string',
        Description: 'string',
        DistributionState: 'picklist',
        IconUrl: 'string',
        InfoUrl: 'string',
        LogoUrl: 'string',
        ManageableState: 'picklist',
        ManagedType: 'picklist',
        NamespacePrefix: 'string',
        OrgScopedExternalApp: 'string',
        Language: 'picklist',
        IsDeleted: 'boolean',
        CreatedDate: 'datetime',
        LastModifiedDate: 'datetime',
      },
      records: () =>
        stored(org, 'ExternalClientApplication').map(({ name, nodes }) => ({
          Id: org.componentIds.get(`ExternalClientApplication:${name}`),
          DeveloperName: name,
          MasterLabel: textOf(nodes, 'label') ?? name,
          ContactEmail: textOf(nodes, 'contactEmail') ?? null,
          ContactPhone: textOf(nodes, 'contactPhone') ?? null,
          Description: textOf(nodes, 'description') ?? null,
          DistributionState: textOf(nodes, 'distributionState') ?? 'Local',
          IconUrl: textOf(nodes, 'iconUrl') ?? null,
          InfoUrl: textOf(nodes, 'infoUrl') ?? null,
          LogoUrl: textOf(nodes, 'logoUrl') ?? null,
          ManageableState: 'unmanaged',
          ManagedType: textOf(nodes, 'managedType') ?? 'Local',
          NamespacePrefix: null,
          OrgScopedExternalApp: textOf(nodes, 'orgScopedExternalApp') ?? null,
          Language: 'en_US',
          IsDeleted: false,
          CreatedDate: created,
          LastModifiedDate: created,
        })),
    }),
    NamespaceRegistry: (org) => ({
      fields: { Id: 'id', NamespacePrefix: 'string', NamespaceOrg: 'string', CreatedDate: 'datetime' },
      records: () =>
        org.namespace
          ? [
              {
                Id: '0Nx000000000001AAA',
                NamespacePrefix: org.namespace,
                NamespaceOrg: org.orgId,
                CreatedDate: created,
              },
            ]
          : [],
    }),
    UserPermissionAccess: (org) => ({
      fields: { Id: 'id', ...Object.fromEntries(USER_PERMISSIONS.map((f) => [f, 'boolean' as const])) },
      records: () => [
        {
          Id: '000000000000000AAA',
          ...Object.fromEntries(USER_PERMISSIONS.map((f) => [f, org.settings.userPermissions?.[f] ?? true])),
        },
      ],
    }),
    PermissionSet: (org) => ({
      fields: {
        Id: 'id',
        Name: 'string',
        Label: 'string',
        Description: 'string',
        NamespacePrefix: 'string',
        IsOwnedByProfile: 'boolean',
        IsCustom: 'boolean',
        Type: 'picklist',
        CreatedDate: 'datetime',
      },
      records: () =>
        stored(org, 'PermissionSet').map(({ name, nodes }) => ({
          Id: org.componentIds.get(`PermissionSet:${name}`),
          Name: name,
          Label: textOf(nodes, 'label') ?? name,
          Description: textOf(nodes, 'description') ?? null,
          NamespacePrefix: null,
          IsOwnedByProfile: false,
          IsCustom: true,
          Type: 'Regular',
          CreatedDate: created,
        })),
    }),
  };
}
