// The fake org's one SOQL engine, small and strict, for every object it can query (data API and Tooling).
// It parses the subset of SOQL that the Salesforce libraries and the action send (SELECT with relationship paths and
// MAX/MIN/COUNT aggregates, WHERE with AND/OR/NOT, IN, LIKE, date literals, ORDER BY, LIMIT, OFFSET), checks every
// field against the object's schema for the request's API version, and answers in Salesforce's query shape.
// Anything it cannot parse is a MALFORMED_QUERY, as on Salesforce; unknown fields are INVALID_FIELD.

export type FieldType = 'id' | 'string' | 'picklist' | 'int' | 'double' | 'boolean' | 'datetime' | 'complex';

export interface FieldDef {
  name: string;
  type: FieldType;
  /** first API version that has the field */
  minVersion?: number;
}

export interface RelationshipDef {
  /** relationship name, e.g. Package2 */
  name: string;
  /** target object name, e.g. Package2 */
  target: string;
  minVersion?: number;
}

export interface ObjectSchema {
  name: string;
  fields: FieldDef[];
  relationships: RelationshipDef[];
  /** fields that may only appear in WHERE (e.g. SubscriberPackageVersion.InstallationKey) */
  filterOnly?: FieldDef[];
}

/** One record as the engine sees it: canonical field values plus relationship look-ups. */
export interface Row {
  type: string;
  values: Record<string, unknown>;
  rel(name: string): Row | null;
}

/** The fields of an object without relationships whose fields exist in every API version, from name → type. */
export function fieldsOf(types: Record<string, FieldType>): FieldDef[] {
  return Object.entries(types).map(([name, type]) => ({ name, type }));
}

/** Rows of an object without relationships, from its plain records. */
export function plainRows(type: string, records: Record<string, unknown>[]): Row[] {
  return records.map((values) => ({ type, values, rel: () => null }));
}

export class SoqlError extends Error {
  readonly errorCode: string;
  constructor(errorCode: string, message: string) {
    super(message);
    this.errorCode = errorCode;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Tokenizer

type TokKind = 'ident' | 'string' | 'number' | 'punct' | 'op' | 'eof';
interface Token {
  kind: TokKind;
  text: string;
  /** decoded value for strings */
  value?: string;
  /** 1-based column in the query */
  col: number;
}

function tokenize(q: string): Token[] {
  const toks: Token[] = [];
  let i = 0;
  while (i < q.length) {
    const c = q[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const col = i + 1;
    if (c === "'") {
      let j = i + 1;
      let out = '';
      for (;;) {
        if (j >= q.length) throw malformed(q, col, `unterminated string literal`);
        const d = q[j]!;
        if (d === '\\') {
          const e = q[j + 1];
          if (e === undefined) throw malformed(q, col, `unterminated string literal`);
          const map: Record<string, string> = {
            n: '\n',
            r: '\r',
            t: '\t',
            b: '\b',
            f: '\f',
            "'": "'",
            '"': '"',
            '\\': '\\',
            _: '\\_',
            '%': '\\%',
          };
          const m = map[e];
          if (m === undefined)
            throw malformed(
              q,
              j + 1,
              `Invalid string literal '${q.slice(i, j + 2)}'. Illegal character sequence '\\${e}' in string literal.`,
            );
          out += m;
          j += 2;
          continue;
        }
        if (d === "'") break;
        out += d;
        j++;
      }
      toks.push({ kind: 'string', text: q.slice(i, j + 1), value: out, col });
      i = j + 1;
      continue;
    }
    if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(q[i + 1] ?? ''))) {
      let j = i + 1;
      while (j < q.length && /[0-9.]/.test(q[j]!)) j++;
      // datetime literal 2024-01-01T00:00:00Z / date literal 2024-01-01
      const m = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2}))?/.exec(q.slice(i));
      if (m && m[0].length > j - i) {
        toks.push({ kind: 'ident', text: m[0], col });
        i += m[0].length;
        continue;
      }
      toks.push({ kind: 'number', text: q.slice(i, j), col });
      i = j;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < q.length && /[A-Za-z0-9_.]/.test(q[j]!)) j++;
      // date literals with a parameter: LAST_N_DAYS:7
      if (q[j] === ':' && /^[A-Z_]+$/i.test(q.slice(i, j)) && /[0-9]/.test(q[j + 1] ?? '')) {
        let k = j + 1;
        while (k < q.length && /[0-9]/.test(q[k]!)) k++;
        toks.push({ kind: 'ident', text: q.slice(i, k), col });
        i = k;
        continue;
      }
      toks.push({ kind: 'ident', text: q.slice(i, j), col });
      i = j;
      continue;
    }
    const two = q.slice(i, i + 2);
    if (two === '!=' || two === '<>' || two === '<=' || two === '>=') {
      toks.push({ kind: 'op', text: two === '<>' ? '!=' : two, col });
      i += 2;
      continue;
    }
    if (c === '=' || c === '<' || c === '>') {
      toks.push({ kind: 'op', text: c, col });
      i++;
      continue;
    }
    if (c === '(' || c === ')' || c === ',') {
      toks.push({ kind: 'punct', text: c, col });
      i++;
      continue;
    }
    throw malformed(q, col, `unexpected token: '${c}'`);
  }
  toks.push({ kind: 'eof', text: '<EOF>', col: q.length + 1 });
  return toks;
}

function caretMessage(q: string, col: number, message: string): string {
  // Salesforce shows the query, a caret under the offending column, the position and the message.
  const line = q.replace(/\s+/g, ' ');
  return `\n${line}\n${' '.repeat(Math.max(0, col - 1))}^\nERROR at Row:1:Column:${col}\n${message}`;
}

function malformed(q: string, col: number, message: string): SoqlError {
  return new SoqlError('MALFORMED_QUERY', caretMessage(q, col, message));
}

// ---------------------------------------------------------------------------------------------------------------
// Parser

export interface SelectField {
  kind: 'field';
  path: string;
  col: number;
}
export interface SelectAggregate {
  kind: 'aggregate';
  fn: 'MAX' | 'MIN' | 'COUNT' | 'SUM' | 'AVG' | 'COUNT_DISTINCT';
  path?: string;
  alias?: string;
  col: number;
}
export type SelectItem = SelectField | SelectAggregate;

export type Literal =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' }
  | { kind: 'date'; text: string };

export type Expr =
  | { kind: 'and' | 'or'; parts: Expr[] }
  | { kind: 'not'; expr: Expr }
  | {
      kind: 'cmp';
      path: string;
      col: number;
      op: '=' | '!=' | '<' | '<=' | '>' | '>=' | 'LIKE';
      value: Literal;
      valueCol: number;
    }
  | { kind: 'in'; path: string; col: number; negated: boolean; values: Literal[]; valueCol: number };

export interface OrderItem {
  path: string;
  col: number;
  desc: boolean;
  nullsLast: boolean;
}

export interface ParsedQuery {
  text: string;
  select: SelectItem[];
  from: string;
  fromCol: number;
  where?: Expr;
  orderBy: OrderItem[];
  limit?: number;
  offset?: number;
}

const AGG_FUNCS = new Set(['MAX', 'MIN', 'COUNT', 'SUM', 'AVG', 'COUNT_DISTINCT']);
const RESERVED = new Set([
  'SELECT',
  'FROM',
  'WHERE',
  'ORDER',
  'BY',
  'LIMIT',
  'OFFSET',
  'AND',
  'OR',
  'NOT',
  'IN',
  'LIKE',
  'GROUP',
  'HAVING',
  'ASC',
  'DESC',
  'NULLS',
  'FIRST',
  'LAST',
  'WITH',
  'FOR',
  'USING',
  'TYPEOF',
]);

export function parseSoql(text: string): ParsedQuery {
  const toks = tokenize(text);
  let p = 0;
  const peek = (): Token => toks[p]!;
  const next = (): Token => toks[p++]!;
  const isKw = (t: Token, kw: string): boolean => t.kind === 'ident' && t.text.toUpperCase() === kw;
  const expectKw = (kw: string): Token => {
    const t = next();
    if (!isKw(t, kw)) throw malformed(text, t.col, `unexpected token: '${t.text}'`);
    return t;
  };
  const expectPunct = (c: string): Token => {
    const t = next();
    if (t.kind !== 'punct' || t.text !== c) throw malformed(text, t.col, `unexpected token: '${t.text}'`);
    return t;
  };

  expectKw('SELECT');
  const select: SelectItem[] = [];
  for (;;) {
    const t = next();
    if (t.kind !== 'ident' || RESERVED.has(t.text.toUpperCase()))
      throw malformed(text, t.col, `unexpected token: '${t.text}'`);
    if (peek().kind === 'punct' && peek().text === '(') {
      const fn = t.text.toUpperCase();
      if (!AGG_FUNCS.has(fn)) throw malformed(text, t.col, `Unknown function ${t.text}. Check spelling.`);
      next();
      let path: string | undefined;
      if (!(peek().kind === 'punct' && peek().text === ')')) {
        const a = next();
        if (a.kind !== 'ident') throw malformed(text, a.col, `unexpected token: '${a.text}'`);
        path = a.text;
      }
      expectPunct(')');
      if (path === undefined && fn !== 'COUNT') throw malformed(text, t.col, `${fn}() requires a field argument`);
      let alias: string | undefined;
      if (peek().kind === 'ident' && !RESERVED.has(peek().text.toUpperCase())) alias = next().text;
      select.push({ kind: 'aggregate', fn: fn as SelectAggregate['fn'], path, alias, col: t.col });
    } else {
      select.push({ kind: 'field', path: t.text, col: t.col });
    }
    if (peek().kind === 'punct' && peek().text === ',') {
      next();
      continue;
    }
    break;
  }
  expectKw('FROM');
  const fromTok = next();
  if (fromTok.kind !== 'ident' || RESERVED.has(fromTok.text.toUpperCase()))
    throw malformed(text, fromTok.col, `unexpected token: '${fromTok.text}'`);
  const q: ParsedQuery = { text, select, from: fromTok.text, fromCol: fromTok.col, orderBy: [] };

  const parseLiteral = (): { lit: Literal; col: number } => {
    const t = next();
    if (t.kind === 'string') return { lit: { kind: 'string', value: t.value ?? '' }, col: t.col };
    if (t.kind === 'number') return { lit: { kind: 'number', value: Number(t.text) }, col: t.col };
    if (t.kind === 'ident') {
      const u = t.text.toUpperCase();
      if (u === 'TRUE' || u === 'FALSE') return { lit: { kind: 'boolean', value: u === 'TRUE' }, col: t.col };
      if (u === 'NULL') return { lit: { kind: 'null' }, col: t.col };
      if (
        /^\d{4}-\d{2}-\d{2}/.test(t.text) ||
        /^(TODAY|YESTERDAY|TOMORROW|LAST_N_DAYS:\d+|NEXT_N_DAYS:\d+|THIS_WEEK|LAST_WEEK|THIS_MONTH|LAST_MONTH)$/i.test(
          t.text,
        )
      ) {
        return { lit: { kind: 'date', text: t.text }, col: t.col };
      }
    }
    throw malformed(text, t.col, `unexpected token: '${t.text}'`);
  };

  const parseCondition = (): Expr => {
    const t = next();
    if (t.kind !== 'ident' || RESERVED.has(t.text.toUpperCase()))
      throw malformed(text, t.col, `unexpected token: '${t.text}'`);
    const o = peek();
    if (o.kind === 'op') {
      next();
      const { lit, col } = parseLiteral();
      return { kind: 'cmp', path: t.text, col: t.col, op: o.text as '=', value: lit, valueCol: col };
    }
    if (isKw(o, 'LIKE')) {
      next();
      const { lit, col } = parseLiteral();
      return { kind: 'cmp', path: t.text, col: t.col, op: 'LIKE', value: lit, valueCol: col };
    }
    let negated = false;
    if (isKw(o, 'NOT')) {
      next();
      negated = true;
      if (!isKw(peek(), 'IN')) throw malformed(text, peek().col, `unexpected token: '${peek().text}'`);
    }
    if (isKw(peek(), 'IN')) {
      next();
      const open = expectPunct('(');
      const values: Literal[] = [];
      for (;;) {
        values.push(parseLiteral().lit);
        const s = next();
        if (s.kind === 'punct' && s.text === ',') continue;
        if (s.kind === 'punct' && s.text === ')') break;
        throw malformed(text, s.col, `unexpected token: '${s.text}'`);
      }
      return { kind: 'in', path: t.text, col: t.col, negated, values, valueCol: open.col };
    }
    throw malformed(text, o.col, `unexpected token: '${o.text}'`);
  };

  const parseFactor = (): Expr => {
    const t = peek();
    if (isKw(t, 'NOT')) {
      next();
      return { kind: 'not', expr: parseFactor() };
    }
    if (t.kind === 'punct' && t.text === '(') {
      next();
      const e = parseExpr();
      expectPunct(')');
      return e;
    }
    return parseCondition();
  };

  function parseExpr(): Expr {
    const first = parseFactor();
    const parts = [first];
    let joiner: 'AND' | 'OR' | undefined;
    while (isKw(peek(), 'AND') || isKw(peek(), 'OR')) {
      const j = next();
      const u = j.text.toUpperCase() as 'AND' | 'OR';
      // SOQL refuses "a AND b OR c" without parentheses
      if (joiner && joiner !== u) throw malformed(text, j.col, `unexpected token: '${j.text}'`);
      joiner = u;
      parts.push(parseFactor());
    }
    return parts.length === 1 ? first : { kind: joiner === 'OR' ? 'or' : 'and', parts };
  }

  if (isKw(peek(), 'WHERE')) {
    next();
    q.where = parseExpr();
  }
  if (isKw(peek(), 'ORDER')) {
    next();
    expectKw('BY');
    for (;;) {
      const t = next();
      if (t.kind !== 'ident' || RESERVED.has(t.text.toUpperCase()))
        throw malformed(text, t.col, `unexpected token: '${t.text}'`);
      let desc = false;
      if (isKw(peek(), 'ASC')) next();
      else if (isKw(peek(), 'DESC')) {
        next();
        desc = true;
      }
      let nullsLast = desc; // Salesforce default: NULLS FIRST for ASC, NULLS LAST for DESC
      if (isKw(peek(), 'NULLS')) {
        next();
        const w = next();
        if (isKw(w, 'FIRST')) nullsLast = false;
        else if (isKw(w, 'LAST')) nullsLast = true;
        else throw malformed(text, w.col, `unexpected token: '${w.text}'`);
      }
      q.orderBy.push({ path: t.text, col: t.col, desc, nullsLast });
      if (peek().kind === 'punct' && peek().text === ',') {
        next();
        continue;
      }
      break;
    }
  }
  if (isKw(peek(), 'LIMIT')) {
    next();
    const t = next();
    if (t.kind !== 'number' || !/^\d+$/.test(t.text)) throw malformed(text, t.col, `unexpected token: '${t.text}'`);
    q.limit = Number(t.text);
  }
  if (isKw(peek(), 'OFFSET')) {
    next();
    const t = next();
    if (t.kind !== 'number' || !/^\d+$/.test(t.text)) throw malformed(text, t.col, `unexpected token: '${t.text}'`);
    q.offset = Number(t.text);
  }
  const end = peek();
  if (end.kind !== 'eof') throw malformed(text, end.col, `unexpected token: '${end.text}'`);
  return q;
}

// ---------------------------------------------------------------------------------------------------------------
// Field resolution against schemas

export type SchemaLookup = (objectName: string) => ObjectSchema | undefined;

interface ResolvedPath {
  /** canonical relationship names, then the canonical field name */
  rels: string[];
  field: FieldDef;
  /** canonical dotted path as Salesforce would spell it */
  canonical: string;
}

function noSuchColumn(q: string, col: number, name: string, entity: string): SoqlError {
  return new SoqlError(
    'INVALID_FIELD',
    caretMessage(
      q,
      col,
      `No such column '${name}' on entity '${entity}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
    ),
  );
}

function resolvePath(
  q: string,
  root: ObjectSchema,
  path: string,
  col: number,
  schemas: SchemaLookup,
  apiVersion: number,
  allowFilterOnly: boolean,
): ResolvedPath {
  const segs = path.split('.');
  let obj = root;
  const rels: string[] = [];
  // A leading segment equal to the FROM object's name is allowed (SELECT Package2.Name FROM Package2).
  if (
    segs.length > 1 &&
    segs[0]!.toLowerCase() === root.name.toLowerCase() &&
    !root.relationships.some((r) => r.name.toLowerCase() === segs[0]!.toLowerCase())
  ) {
    segs.shift();
  }
  for (let i = 0; i < segs.length - 1; i++) {
    const seg = segs[i]!;
    const rel = obj.relationships.find(
      (r) => r.name.toLowerCase() === seg.toLowerCase() && (r.minVersion ?? 0) <= apiVersion,
    );
    const target = rel ? schemas(rel.target) : undefined;
    if (!rel || !target) {
      throw new SoqlError(
        'INVALID_FIELD',
        caretMessage(
          q,
          col,
          `Didn't understand relationship '${seg}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`,
        ),
      );
    }
    rels.push(rel.name);
    obj = target;
  }
  const last = segs[segs.length - 1]!;
  const pool = allowFilterOnly ? [...obj.fields, ...(obj.filterOnly ?? [])] : obj.fields;
  const field = pool.find((f) => f.name.toLowerCase() === last.toLowerCase() && (f.minVersion ?? 0) <= apiVersion);
  if (!field) throw noSuchColumn(q, col, last, obj.name);
  return { rels, field, canonical: [...rels, field.name].join('.') };
}

function valueAt(row: Row, r: ResolvedPath): unknown {
  let cur: Row | null = row;
  for (const rel of r.rels) {
    cur = cur ? cur.rel(rel) : null;
    if (!cur) return null;
  }
  const v = cur.values[r.field.name];
  return v === undefined ? null : v;
}

// ---------------------------------------------------------------------------------------------------------------
// Evaluation

export interface QueryContext {
  schemas: SchemaLookup;
  apiVersion: number;
  /** base for attributes.url, e.g. /services/data/v65.0/tooling/sobjects */
  urlBase: string;
  now: Date;
}

export interface QueryResult {
  totalSize: number;
  done: true;
  records: Record<string, unknown>[];
  entityTypeName?: string;
}

/** Every `path = value` (and `path IN (…)`) condition that must hold for all results, i.e. reachable through ANDs only. */
export function requiredEqualities(where: Expr | undefined): { path: string; values: Literal[] }[] {
  if (!where) return [];
  if (where.kind === 'and') return where.parts.flatMap((p) => requiredEqualities(p));
  if (where.kind === 'cmp' && where.op === '=') return [{ path: where.path, values: [where.value] }];
  if (where.kind === 'in' && !where.negated) return [{ path: where.path, values: where.values }];
  return [];
}

export const ID_RE = /^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/;

function typeWord(t: FieldType): string {
  switch (t) {
    case 'boolean':
      return 'boolean';
    case 'int':
    case 'double':
      return 'double';
    case 'datetime':
      return 'datetime';
    case 'id':
      return 'id';
    default:
      return 'string';
  }
}

function checkLiteral(q: string, field: FieldDef, path: string, lit: Literal, col: number, op: string): void {
  if (lit.kind === 'null') {
    if (op !== '=' && op !== '!=') throw malformed(q, col, `unexpected token: 'null'`);
    return;
  }
  if (field.type === 'complex') {
    throw new SoqlError('INVALID_FIELD', caretMessage(q, col, `field '${path}' can not be filtered in a query call`));
  }
  const quotedWrong = (should: boolean) =>
    new SoqlError(
      'INVALID_FIELD',
      caretMessage(
        q,
        col,
        `value of filter criterion for field '${path}' must be of type ${typeWord(field.type)} and ${should ? 'should be enclosed in quotes' : 'should not be enclosed in quotes'}`,
      ),
    );
  switch (field.type) {
    case 'boolean':
      if (lit.kind !== 'boolean') throw quotedWrong(false);
      if (op !== '=' && op !== '!=')
        throw new SoqlError(
          'INVALID_QUERY_FILTER_OPERATOR',
          caretMessage(q, col, `invalid operator on boolean field: ${path}`),
        );
      return;
    case 'int':
    case 'double':
      if (lit.kind !== 'number') throw quotedWrong(false);
      return;
    case 'datetime':
      if (lit.kind !== 'date')
        throw new SoqlError(
          'INVALID_FIELD',
          caretMessage(
            q,
            col,
            `value of filter criterion for field '${path}' must be of type dateTime and should not be enclosed in quotes`,
          ),
        );
      return;
    case 'id':
      if (lit.kind !== 'string') throw quotedWrong(true);
      if (op === 'LIKE') return;
      if (!ID_RE.test(lit.value))
        throw new SoqlError('INVALID_QUERY_FILTER_OPERATOR', caretMessage(q, col, `invalid ID field: ${lit.value}`));
      return;
    default:
      if (lit.kind !== 'string') throw quotedWrong(true);
  }
}

function dateRange(text: string, now: Date): [number, number] {
  const dayStart = (d: Date) => Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  const today = dayStart(now);
  const day = 86_400_000;
  const u = text.toUpperCase();
  if (u === 'TODAY') return [today, today + day];
  if (u === 'YESTERDAY') return [today - day, today];
  if (u === 'TOMORROW') return [today + day, today + 2 * day];
  let m = /^LAST_N_DAYS:(\d+)$/.exec(u);
  if (m) return [today - Number(m[1]) * day, now.getTime() + 1];
  m = /^NEXT_N_DAYS:(\d+)$/.exec(u);
  if (m) return [now.getTime(), today + (Number(m[1]) + 1) * day];
  if (u === 'THIS_MONTH') {
    const s = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
    return [s, Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)];
  }
  if (u === 'LAST_MONTH') {
    return [
      Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1),
      Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1),
    ];
  }
  if (u === 'THIS_WEEK' || u === 'LAST_WEEK') {
    const dow = now.getUTCDay();
    const s = today - dow * day - (u === 'LAST_WEEK' ? 7 * day : 0);
    return [s, s + 7 * day];
  }
  const t = Date.parse(text.length === 10 ? `${text}T00:00:00Z` : text);
  return text.length === 10 ? [t, t + day] : [t, t + 1];
}

function compareValues(field: FieldDef, actual: unknown, lit: Literal, op: string, now: Date): boolean {
  if (lit.kind === 'null') {
    const isNull = actual === null || actual === undefined;
    return op === '=' ? isNull : !isNull;
  }
  if (actual === null || actual === undefined) return op === '!=';
  switch (field.type) {
    case 'boolean': {
      const b = lit.kind === 'boolean' && lit.value;
      return op === '=' ? actual === b : actual !== b;
    }
    case 'int':
    case 'double': {
      const a = Number(actual);
      const b = lit.kind === 'number' ? lit.value : NaN;
      return cmp(a, b, op);
    }
    case 'datetime': {
      const a = Date.parse(String(actual).replace(/\+0000$/, 'Z'));
      const [s, e] = dateRange(lit.kind === 'date' ? lit.text : '', now);
      switch (op) {
        case '=':
          return a >= s && a < e;
        case '!=':
          return a < s || a >= e;
        case '<':
          return a < s;
        case '<=':
          return a < e;
        case '>':
          return a >= e;
        case '>=':
          return a >= s;
      }
      return false;
    }
    case 'id': {
      const b = lit.kind === 'string' ? lit.value : '';
      if (op === 'LIKE') return like(String(actual), b);
      // ids compare on their 15-character case-sensitive form
      const eq = String(actual).slice(0, 15) === b.slice(0, 15);
      if (op === '=') return eq;
      if (op === '!=') return !eq;
      return cmp(String(actual), b, op);
    }
    default: {
      const b = lit.kind === 'string' ? lit.value : '';
      if (op === 'LIKE') return like(String(actual), b);
      // text comparisons are case-insensitive in SOQL
      return cmp(String(actual).toLowerCase(), b.toLowerCase(), op);
    }
  }
}

function cmp<T extends number | string>(a: T, b: T, op: string): boolean {
  switch (op) {
    case '=':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
  }
  return false;
}

function like(actual: string, pattern: string): boolean {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && (pattern[i + 1] === '%' || pattern[i + 1] === '_')) {
      re += `\\${pattern[i + 1]}`;
      i++;
    } else if (c === '%') re += '.*';
    else if (c === '_') re += '.';
    else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 'is').test(actual);
}

/**
 * Run a parsed query over rows of the FROM object. `rows` are all records visible to the caller; filtering,
 * ordering, limiting and projection happen here.
 */
export function runQuery(q: ParsedQuery, schema: ObjectSchema, rows: Row[], ctx: QueryContext): QueryResult {
  const text = q.text;
  const resolve = (path: string, col: number, filterOnly = false) =>
    resolvePath(text, schema, path, col, ctx.schemas, ctx.apiVersion, filterOnly);

  // Validate and resolve the SELECT list.
  const aggregates = q.select.filter((s): s is SelectAggregate => s.kind === 'aggregate');
  const plain = q.select.filter((s): s is SelectField => s.kind === 'field');
  if (aggregates.length > 0 && plain.length > 0) {
    throw malformed(text, plain[0]!.col, `Field must be grouped or aggregated: ${plain[0]!.path}`);
  }
  const resolvedSelect = plain.map((s) => {
    const r = resolve(s.path, s.col);
    return r;
  });
  const seen = new Set<string>();
  for (let i = 0; i < resolvedSelect.length; i++) {
    const c = resolvedSelect[i]!.canonical.toLowerCase();
    if (seen.has(c)) throw malformed(text, plain[i]!.col, `duplicate field selected: ${plain[i]!.path}`);
    seen.add(c);
  }
  const resolvedAgg = aggregates.map((a) => ({ a, r: a.path ? resolve(a.path, a.col) : undefined }));

  // Validate WHERE.
  const compiled = q.where ? compileExpr(q.where) : undefined;
  function compileExpr(e: Expr): (row: Row) => boolean {
    switch (e.kind) {
      case 'and': {
        const ps = e.parts.map(compileExpr);
        return (row) => ps.every((p) => p(row));
      }
      case 'or': {
        const ps = e.parts.map(compileExpr);
        return (row) => ps.some((p) => p(row));
      }
      case 'not': {
        const p = compileExpr(e.expr);
        return (row) => !p(row);
      }
      case 'cmp': {
        const r = resolve(e.path, e.col, true);
        checkLiteral(text, r.field, e.path, e.value, e.valueCol, e.op);
        if (e.op === 'LIKE' && r.field.type !== 'string' && r.field.type !== 'picklist' && r.field.type !== 'id') {
          throw new SoqlError(
            'INVALID_QUERY_FILTER_OPERATOR',
            caretMessage(text, e.col, `invalid operator on field: ${e.path}`),
          );
        }
        return (row) => compareValues(r.field, valueAt(row, r), e.value, e.op, ctx.now);
      }
      case 'in': {
        const r = resolve(e.path, e.col, true);
        for (const v of e.values) checkLiteral(text, r.field, e.path, v, e.valueCol, '=');
        return (row) => {
          const hit = e.values.some((v) => compareValues(r.field, valueAt(row, r), v, '=', ctx.now));
          return e.negated ? !hit : hit;
        };
      }
    }
  }

  // Validate ORDER BY.
  const order = q.orderBy.map((o) => ({ o, r: resolve(o.path, o.col) }));
  for (const { o, r } of order) {
    if (r.field.type === 'complex')
      throw new SoqlError(
        'INVALID_FIELD',
        caretMessage(text, o.col, `field '${o.path}' can not be sorted in a query call`),
      );
  }

  let matched = compiled ? rows.filter(compiled) : [...rows];

  if (resolvedAgg.length > 0) {
    if (order.length > 0)
      throw malformed(text, order[0]!.o.col, `Ordered field must be grouped or aggregated: ${order[0]!.o.path}`);
    const onlyCount = resolvedAgg.length === 1 && resolvedAgg[0]!.a.fn === 'COUNT' && !resolvedAgg[0]!.a.path;
    if (onlyCount) return { totalSize: matched.length, done: true, records: [] };
    const rec: Record<string, unknown> = { attributes: { type: 'AggregateResult' } };
    resolvedAgg.forEach(({ a, r }, i) => {
      const key = a.alias ?? `expr${i}`;
      const vals = r ? matched.map((row) => valueAt(row, r)).filter((v) => v !== null && v !== undefined) : matched;
      let out: unknown = null;
      switch (a.fn) {
        case 'COUNT':
          out = vals.length;
          break;
        case 'COUNT_DISTINCT':
          out = new Set(vals.map((v) => String(v))).size;
          break;
        case 'MAX':
        case 'MIN': {
          if (vals.length) {
            const sorted = [...(vals as (number | string)[])].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
            out = a.fn === 'MAX' ? sorted[sorted.length - 1] : sorted[0];
          }
          break;
        }
        case 'SUM':
          out = vals.length ? (vals as number[]).reduce((s, v) => s + Number(v), 0) : null;
          break;
        case 'AVG':
          out = vals.length ? (vals as number[]).reduce((s, v) => s + Number(v), 0) / vals.length : null;
          break;
      }
      rec[key] = out;
    });
    return { totalSize: 1, done: true, records: [rec] };
  }

  if (order.length > 0) {
    matched = [...matched].sort((x, y) => {
      for (const { o, r } of order) {
        const a = valueAt(x, r);
        const b = valueAt(y, r);
        const an = a === null || a === undefined;
        const bn = b === null || b === undefined;
        if (an && bn) continue;
        if (an || bn) return an ? (o.nullsLast ? 1 : -1) : o.nullsLast ? -1 : 1;
        let c: number;
        if (typeof a === 'number' && typeof b === 'number') c = a - b;
        else if (typeof a === 'boolean' && typeof b === 'boolean') c = Number(a) - Number(b);
        else {
          const sa = String(a).toLowerCase();
          const sb = String(b).toLowerCase();
          c = sa < sb ? -1 : sa > sb ? 1 : 0;
        }
        if (c !== 0) return o.desc ? -c : c;
      }
      return 0;
    });
  }
  if (q.offset !== undefined) matched = matched.slice(q.offset);
  if (q.limit !== undefined) matched = matched.slice(0, q.limit);

  const records = matched.map((row) => project(row, resolvedSelect, ctx));
  return { totalSize: records.length, done: true, records };
}

export function attributesFor(row: Row, urlBase: string): Record<string, unknown> {
  const id = row.values['Id'];
  return typeof id === 'string' ? { type: row.type, url: `${urlBase}/${row.type}/${id}` } : { type: row.type };
}

function project(row: Row, fields: ResolvedPath[], ctx: QueryContext): Record<string, unknown> {
  const out: Record<string, unknown> = { attributes: attributesFor(row, ctx.urlBase) };
  for (const f of fields) {
    let target = out;
    let cur: Row | null = row;
    let dead = false;
    for (const rel of f.rels) {
      cur = cur ? cur.rel(rel) : null;
      if (!cur) {
        target[rel] = null;
        dead = true;
        break;
      }
      const existing = target[rel];
      if (existing && typeof existing === 'object') target = existing as Record<string, unknown>;
      else {
        const nested: Record<string, unknown> = { attributes: attributesFor(cur, ctx.urlBase) };
        target[rel] = nested;
        target = nested;
      }
    }
    if (dead || !cur) continue;
    const v = cur.values[f.field.name];
    target[f.field.name] = v === undefined ? null : v;
  }
  return out;
}
