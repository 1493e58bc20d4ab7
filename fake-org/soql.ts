// Just enough SOQL for the fake org's objects: SELECT fields FROM Object [WHERE a = 'x' [AND b = 1 …]]
// [ORDER BY …] [LIMIT n]. Conditions are equality / IN on plain fields, joined with AND.
import type { FakeResponse } from './types.ts';

export interface Condition {
  field: string;
  values: (string | number | boolean | null)[];
}

export interface Query {
  fields: string[];
  from: string;
  where: Condition[];
  limit?: number;
}

export class SoqlError extends Error {
  readonly errorCode: string;
  constructor(errorCode: string, message: string) {
    super(message);
    this.errorCode = errorCode;
  }
}

const QUERY = /^\s*SELECT\s+(.+?)\s+FROM\s+([A-Za-z_][A-Za-z0-9_]*)(?:\s+WHERE\s+(.+?))?(?:\s+ORDER\s+BY\s+.+?)?(?:\s+LIMIT\s+(\d+))?\s*$/is;

export function parseSoql(text: string): Query {
  const match = QUERY.exec(text);
  if (!match) throw new SoqlError('MALFORMED_QUERY', `unexpected token in query: ${text.trim().slice(0, 80)}`);
  const [, fieldList, from, where, limit] = match;
  return {
    fields: fieldList!.split(',').map((f) => f.trim()).filter(Boolean),
    from: from!,
    where: where ? parseWhere(where) : [],
    ...(limit ? { limit: Number(limit) } : {}),
  };
}

function parseWhere(text: string): Condition[] {
  const conditions: Condition[] = [];
  const rest = text.trim();
  const term = /^\s*([A-Za-z_][A-Za-z0-9_.]*)\s*(=|IN\b)\s*('(?:[^'\\]|\\.)*'|\((?:[^)'\\]|'(?:[^'\\]|\\.)*')*\)|[A-Za-z0-9_.\-]+)\s*(?:AND\b|$)/i;
  let remaining = rest;
  while (remaining.trim()) {
    const m = term.exec(remaining);
    if (!m) throw new SoqlError('MALFORMED_QUERY', `the fake org understands only 'Field = value' conditions joined by AND: ${rest}`);
    const [, field, op, raw] = m;
    const values = op!.toUpperCase() === 'IN' ? splitList(raw!) : [literal(raw!)];
    conditions.push({ field: field!, values });
    remaining = remaining.slice(m[0].length);
  }
  return conditions;
}

function splitList(raw: string): Condition['values'] {
  if (!raw.startsWith('(')) throw new SoqlError('MALFORMED_QUERY', `IN needs a list: ${raw}`);
  return (raw.slice(1, -1).match(/'(?:[^'\\]|\\.)*'|[^,\s]+/g) ?? []).map(literal);
}

function literal(raw: string): string | number | boolean | null {
  if (raw.startsWith("'")) return raw.slice(1, -1).replace(/\\(.)/g, '$1');
  if (/^(true|false)$/i.test(raw)) return raw.toLowerCase() === 'true';
  if (/^null$/i.test(raw)) return null;
  if (/^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
  throw new SoqlError('MALFORMED_QUERY', `unexpected token: ${raw}`);
}

/** An object the fake can query: its fields (canonical case) and records. */
export interface SObjectTable {
  name: string;
  fields: string[];
  records: () => Record<string, unknown>[];
}

/** Run a parsed query on a table: projection, equality filters (ids on 15 chars, text case-insensitive), limit. */
export function runQuery(query: Query, table: SObjectTable, urlBase: string): FakeResponse {
  const canonical = (name: string): string => {
    const found = table.fields.find((f) => f.toLowerCase() === name.toLowerCase());
    if (!found) {
      throw new SoqlError(
        'INVALID_FIELD',
        `No such column '${name}' on entity '${table.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
      );
    }
    return found;
  };
  const fields = query.fields.map(canonical);
  const conditions = query.where.map((c) => ({ field: canonical(c.field), values: c.values }));
  let records = table.records().filter((r) => conditions.every((c) => c.values.some((v) => matches(c.field, r[c.field], v))));
  if (query.limit !== undefined) records = records.slice(0, query.limit);
  const projected = records.map((r) => ({
    attributes: { type: table.name, url: `${urlBase}/sobjects/${table.name}/${String(r.Id ?? '')}` },
    ...Object.fromEntries(fields.map((f) => [f, r[f] ?? null])),
  }));
  return {
    status: 200,
    headers: { 'content-type': 'application/json;charset=UTF-8' },
    body: JSON.stringify({ totalSize: projected.length, done: true, records: projected }),
  };
}

function matches(field: string, actual: unknown, expected: string | number | boolean | null): boolean {
  if (expected === null) return actual === null || actual === undefined;
  if (typeof actual === 'string' && typeof expected === 'string') {
    if (/Id$/.test(field) && /^[0-9A-Za-z]{15}(?:[0-9A-Za-z]{3})?$/.test(actual)) return actual.slice(0, 15) === expected.slice(0, 15) && expected.length >= 15;
    return actual.toLowerCase() === expected.toLowerCase();
  }
  return actual === expected;
}
