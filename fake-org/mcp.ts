// Hosted MCP server activation: the Tooling API object McpServerAccess (docs/platform-notes.md §15). An org has it
// when hosted MCP is on (a scratch org: the feature SalesforceHostedMCP; OrgSettings.hostedMcp, default true).
// Platform servers have McpServerId = null and no record until their first activation; Active turns one on.
import type { FakeOrgContext, FakeRequest, FakeResponse, OrgState, Route } from './types.ts';
import { tableQueryRoute } from './rest.ts';
import { sameId } from './rules.ts';

interface AccessRecord {
  Id: string;
  DeveloperName: string;
  MasterLabel: string;
  Language: string;
  Active: boolean;
  McpServerId: string | null;
}

/**
 * Platform servers' DeveloperNames: `<namespace>_<server name with - as _>`, MasterLabel the server name
 * (docs/platform-notes.md §15: observed for all six, and for `data_data_cloud_queries`). An org offers a subset when
 * a test says so (OrgSettings.hostedMcpServers).
 */
export const PLATFORM_SERVERS = [
  'platform_sobject_all',
  'platform_sobject_reads',
  'platform_sobject_mutations',
  'platform_sobject_deletes',
  'platform_metadata_experts',
  'platform_salesforce_api_context',
  'data_data_cloud_queries',
] as const;

export function mcpRoutes(ctx: FakeOrgContext): Route[] {
  const records = (org: OrgState): AccessRecord[] => {
    let list = org.ext.get('mcpServerAccess') as AccessRecord[] | undefined;
    if (!list) {
      list = [];
      org.ext.set('mcpServerAccess', list);
    }
    return list;
  };
  const enabled = (org: OrgState): boolean => org.settings.hostedMcp !== false;
  const notFound = (): FakeResponse => ctx.restError(404, 'NOT_FOUND', 'The requested resource does not exist');
  const fieldError = (errorCode: string, message: string, fields: string[]): FakeResponse =>
    ctx.json(400, [{ errorCode, message, fields }]);

  const parseBody = (req: FakeRequest): Record<string, unknown> | FakeResponse => {
    try {
      const body = JSON.parse(req.body.toString('utf8')) as unknown;
      if (body && typeof body === 'object' && !Array.isArray(body)) return body as Record<string, unknown>;
    } catch {
      // fall through
    }
    return ctx.restError(400, 'JSON_PARSER_ERROR', 'The request body is not a JSON object.');
  };
  const isResponse = (x: unknown): x is FakeResponse =>
    typeof x === 'object' && x !== null && 'status' in x && typeof (x as FakeResponse).status === 'number';

  return [
    tableQueryRoute(
      ctx,
      'tooling',
      (org) => ({
        fields: {
          Id: 'id',
          DeveloperName: 'string',
          MasterLabel: 'string',
          Language: 'picklist',
          Active: 'boolean',
          McpServerId: 'id',
        },
        records: () => records(org).map((r) => ({ ...r })),
      }),
      'McpServerAccess',
      enabled,
    ),
    {
      name: 'tooling.mcpServerAccess.create',
      method: 'POST',
      pattern: /^\/tooling\/sobjects\/McpServerAccess\/?$/,
      handler: (req) => {
        if (!enabled(req.org)) return notFound();
        const body = parseBody(req);
        if (isResponse(body)) return body;
        const developerName = typeof body['DeveloperName'] === 'string' ? body['DeveloperName'] : '';
        const masterLabel = typeof body['MasterLabel'] === 'string' ? body['MasterLabel'] : '';
        const missing = [!developerName && 'DeveloperName', !masterLabel && 'MasterLabel'].filter(Boolean) as string[];
        if (missing.length)
          return fieldError('REQUIRED_FIELD_MISSING', `Required fields are missing: [${missing.join(', ')}]`, missing);
        const serverId = (body['McpServerId'] as string | null | undefined) ?? null;
        // A record without McpServerId whose name is no server of this org is taken for a custom server's access
        // record, which needs the server: Salesforce's answer to an unknown name (docs/platform-notes.md §15).
        const offered: readonly string[] = req.org.settings.hostedMcpServers ?? PLATFORM_SERVERS;
        if (serverId === null && !offered.includes(developerName)) {
          return fieldError('FIELD_INTEGRITY_EXCEPTION', 'McpServerId is required for custom server access records', [
            'McpServerId',
          ]);
        }
        const list = records(req.org);
        const dup = list.find((r) => r.DeveloperName.toLowerCase() === developerName.toLowerCase());
        if (dup)
          return fieldError(
            'DUPLICATE_VALUE',
            `duplicate value found: DeveloperName duplicates value on record with id: ${dup.Id}`,
            ['DeveloperName'],
          );
        const record: AccessRecord = {
          Id: ctx.newId('1fz'),
          DeveloperName: developerName,
          MasterLabel: masterLabel,
          Language: typeof body['Language'] === 'string' ? body['Language'] : 'en_US',
          Active: body['Active'] === true,
          McpServerId: serverId,
        };
        list.push(record);
        return ctx.json(201, { id: record.Id, success: true, errors: [] });
      },
    },
    {
      name: 'tooling.mcpServerAccess.update',
      method: 'PATCH',
      pattern: /^\/tooling\/sobjects\/McpServerAccess\/([0-9A-Za-z]{15,18})$/,
      handler: (req, match) => {
        if (!enabled(req.org)) return notFound();
        const record = records(req.org).find((r) => sameId(r.Id, match[1]!));
        if (!record) return notFound();
        const body = parseBody(req);
        if (isResponse(body)) return body;
        if ('Active' in body) record.Active = body['Active'] === true;
        if (typeof body['MasterLabel'] === 'string') record.MasterLabel = body['MasterLabel'];
        return { status: 204 };
      },
    },
  ];
}
