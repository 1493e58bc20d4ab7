// What every packaging route shares on the wire: Salesforce's error bodies, the JSON body checks of its sObject
// deserializer, and the sObject retrieve answer (?fields=…).
import type { FakeOrgContext, FakeRequest, FakeResponse } from '../types.ts';
import { schemaFor } from '../packaging-schema.ts';

const NOT_FOUND_MESSAGE = 'The requested resource does not exist';

export const fieldError = (
  ctx: FakeOrgContext,
  status: number,
  errorCode: string,
  message: string,
  fields: string[] = [],
): FakeResponse => ctx.json(status, [{ errorCode, message, fields }]);
export const notFound = (ctx: FakeOrgContext): FakeResponse => ctx.restError(404, 'NOT_FOUND', NOT_FOUND_MESSAGE);
export const urlBase = (req: FakeRequest) => `/services/data/v${req.apiVersion}/tooling/sobjects`;
export const apiNum = (req: FakeRequest) => Number(req.apiVersion);

type Parsed = { ok: true; body: Record<string, unknown> } | { ok: false; res: FakeResponse };
export function parseJsonObject(ctx: FakeOrgContext, text: string): Parsed {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return {
      ok: false,
      res: fieldError(
        ctx,
        400,
        'JSON_PARSER_ERROR',
        `Unexpected character in the request body: ${(e as Error).message}`,
      ),
    };
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return {
      ok: false,
      res: fieldError(
        ctx,
        400,
        'JSON_PARSER_ERROR',
        'Cannot deserialize instance of the sObject from the request body: expected a JSON object',
      ),
    };
  }
  return { ok: true, body: parsed as Record<string, unknown> };
}

export type Kind = 'string' | 'boolean' | 'any';
/** Unknown fields and wrongly typed values are refused, as Salesforce's JSON deserializer does. */
export function checkBody(
  ctx: FakeOrgContext,
  body: Record<string, unknown>,
  sobject: string,
  allowed: Record<string, Kind>,
): FakeResponse | undefined {
  for (const [k, v] of Object.entries(body)) {
    const kind = Object.entries(allowed).find(([name]) => name.toLowerCase() === k.toLowerCase())?.[1];
    if (!kind) return fieldError(ctx, 400, 'INVALID_FIELD', `No such column '${k}' on sobject of type ${sobject}`, [k]);
    if (v === null || kind === 'any') continue;
    if (typeof v !== kind) {
      const token =
        typeof v === 'string'
          ? 'VALUE_STRING'
          : typeof v === 'boolean'
            ? `VALUE_${String(v).toUpperCase()}`
            : typeof v === 'number'
              ? 'VALUE_NUMBER_INT'
              : 'START_OBJECT';
      return fieldError(
        ctx,
        400,
        'JSON_PARSER_ERROR',
        `Cannot deserialize instance of ${kind} from ${token} value ${JSON.stringify(v)} or request may be missing a required field at [line:1, column:1]`,
        [k],
      );
    }
  }
  return undefined;
}
/** A body value by case-insensitive field name. */
export function bodyGet(body: Record<string, unknown>, name: string): unknown {
  const k = Object.keys(body).find((x) => x.toLowerCase() === name.toLowerCase());
  return k === undefined ? undefined : body[k];
}
export const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

export function retrieveResponse(
  ctx: FakeOrgContext,
  req: FakeRequest,
  type: string,
  values: Record<string, unknown>,
): FakeResponse {
  const fields = req.query.get('fields');
  let out: Record<string, unknown> = values;
  if (fields) {
    const schema = schemaFor(type);
    out = {};
    for (const f of fields
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean)) {
      const def = schema?.fields.find((d) => d.name.toLowerCase() === f.toLowerCase());
      if (!def || !(def.name in values))
        return fieldError(ctx, 400, 'INVALID_FIELD', `No such column '${f}' on sobject of type ${type}`, [f]);
      out[def.name] = values[def.name];
    }
  }
  return ctx.json(200, { attributes: { type, url: `${urlBase(req)}/${type}/${String(values['Id'])}` }, ...out });
}
