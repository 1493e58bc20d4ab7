// After the install: activate hosted MCP servers in the install target (`mcp-servers`).
// Servers are off by default in every org. Activation is not metadata: it is a Tooling API record,
// McpServerAccess, with McpServerId = null for Salesforce's own (platform) servers (docs/platform-notes.md §15).
import type { Connection } from '@salesforce/core';
import { redact } from './mask.ts';
import { withRetry } from './retry.ts';
import { orgAnyId } from './org-answers.ts';

/**
 * The standard servers, by the name users see in server URLs (`platform/<name>`). Each one's McpServerAccess
 * DeveloperName follows from its name (mcpDeveloperName); docs/platform-notes.md §15.
 */
export const MCP_SERVERS: Record<string, { developerName: string }> = Object.fromEntries(
  [
    'sobject-all',
    'sobject-reads',
    'sobject-mutations',
    'sobject-deletes',
    'metadata-experts',
    'salesforce-api-context',
  ].map((name) => [name, { developerName: mcpDeveloperName('platform', name) }]),
);

/** Salesforce's rule: `<namespace>_<server name with - as _>` (`platform/sobject-reads` → `platform_sobject_reads`). */
export function mcpDeveloperName(namespace: string, name: string): string {
  return `${namespace}_${name.replace(/-/g, '_')}`;
}

/** `sobject-all`, `platform/sobject-all` → `sobject-all`; undefined for a name we do not know. */
export function mcpServerName(item: string): string | undefined {
  const name = item
    .trim()
    .toLowerCase()
    .replace(/^platform\//, '');
  return Object.hasOwn(MCP_SERVERS, name) ? name : undefined;
}

export class McpServerError extends Error {
  override name = 'McpServerError';
}

export interface McpActivation {
  activated: string[];
  alreadyActive: string[];
}

interface AccessRecord {
  Id: string;
  DeveloperName: string;
  Active: boolean;
}

/**
 * Create the access record where there is none, set Active where it is off, leave active ones alone: a rerun
 * changes nothing. Records someone made in Setup keep their label; only Active is ours to set.
 */
export async function activateMcpServers(
  target: Connection,
  names: readonly string[],
  log: (line: string) => void,
): Promise<McpActivation> {
  const existing = await withRetry(
    async () =>
      target.tooling.query<AccessRecord>(
        'SELECT Id, DeveloperName, Active FROM McpServerAccess WHERE McpServerId = null',
      ),
    { what: 'Hosted MCP servers of the install target', log },
  ).catch((error: unknown) => {
    throw explain(error);
  });
  const byName = new Map(existing.records.map((r) => [r.DeveloperName.toLowerCase(), r]));
  const result: McpActivation = { activated: [], alreadyActive: [] };
  for (const name of names) {
    const developerName = MCP_SERVERS[name]!.developerName;
    const record = byName.get(developerName.toLowerCase());
    if (record?.Active) {
      result.alreadyActive.push(name);
      continue;
    }
    try {
      // Not retried blindly: a create whose answer was lost would be repeated into DUPLICATE_VALUE; the rerun converges instead.
      if (record)
        await target.tooling
          .sobject('McpServerAccess')
          .update({ Id: orgAnyId(record.Id, `the id of the McpServerAccess ${developerName}`), Active: true });
      else {
        const created = await target.tooling
          .sobject('McpServerAccess')
          .create({ DeveloperName: developerName, MasterLabel: name, Language: 'en_US', Active: true });
        if (!created.success) throw new Error(JSON.stringify(created.errors));
      }
    } catch (error) {
      throw explain(error, name);
    }
    result.activated.push(name);
  }
  log(
    `Hosted MCP servers in the install target: activated ${result.activated.join(', ') || 'none'}; already active ${result.alreadyActive.join(', ') || 'none'}. ` +
      'Salesforce says a server can take up to 2 minutes to become active.',
  );
  return result;
}

function explain(error: unknown, name?: string): McpServerError {
  const text = redact(error instanceof Error ? error.message : String(error))
    .split('\n')
    .filter(Boolean)
    .join(' ')
    .slice(0, 400);
  if (
    /INVALID_TYPE|McpServerAccess'? is not supported|not supported/i.test(
      `${(error as { errorCode?: string }).errorCode ?? ''} ${text}`,
    )
  ) {
    return new McpServerError(
      'mcp-servers: the install target has no hosted MCP servers (McpServerAccess is not available there). Create the scratch org with the feature ' +
        'SalesforceHostedMCP in its definition file ("features": ["SalesforceHostedMCP"]), then run again.',
    );
  }
  if (name && /McpServerId is required for custom server access records/i.test(text)) {
    // Salesforce reads an access record for a name it does not offer as one for a custom server (platform-notes §15).
    return new McpServerError(
      `mcp-servers: the install target does not offer the hosted MCP server ${name} (McpServerAccess ${MCP_SERVERS[name]?.developerName ?? name}; Salesforce: ${text}). ` +
        'Check Setup → API Catalog → MCP Servers of that org for the servers it has, or remove the name from mcp-servers.',
    );
  }
  return new McpServerError(
    `mcp-servers: could not activate ${name ?? 'the hosted MCP servers'} in the install target: ${text}`,
  );
}
