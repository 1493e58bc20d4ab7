// Small XML layer over fast-xml-parser: an ordered element tree with source positions (for componentFailure
// line/column), and writers for metadata files and SOAP bodies.
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export const MD_NS = 'http://soap.sforce.com/2006/04/metadata';

export interface XmlElement {
  /** local name (prefix stripped) */
  name: string;
  prefix?: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** concatenated character data directly inside the element, entities decoded */
  text: string;
  line: number;
  column: number;
}

export type ParseResult = { root: XmlElement } | { error: { message: string; line: number; column: number } };

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  captureMetaData: true,
  trimValues: false,
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
});
const META = XMLParser.getMetaDataSymbol() as unknown as symbol;

type RawNode = Record<string, unknown> & { ':@'?: Record<string, string> };

export function parseXml(text: string): ParseResult {
  const valid = XMLValidator.validate(text);
  if (valid !== true) return { error: { message: valid.err.msg, line: valid.err.line, column: valid.err.col } };
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const position = (index: number): { line: number; column: number } => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= index) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: index - lineStarts[lo]! + 1 };
  };
  const convert = (raw: RawNode): XmlElement | undefined => {
    const key = Object.keys(raw).find((k) => k !== ':@' && k !== '#text');
    if (!key) return undefined;
    const [prefix, local] = key.includes(':') ? (key.split(':', 2) as [string, string]) : [undefined, key];
    const meta = (raw as Record<symbol, { startIndex?: number } | undefined>)[META];
    const element: XmlElement = {
      name: local,
      ...(prefix ? { prefix } : {}),
      attrs: { ...(raw[':@'] ?? {}) },
      children: [],
      text: '',
      ...position(meta?.startIndex ?? 0),
    };
    for (const child of (raw[key] as RawNode[]) ?? []) {
      if ('#text' in child) element.text += String(child['#text']);
      else {
        const converted = convert(child);
        if (converted) element.children.push(converted);
      }
    }
    return element;
  };
  const nodes = parser.parse(text) as RawNode[];
  const roots = nodes.map(convert).filter((n): n is XmlElement => n !== undefined);
  if (roots.length !== 1)
    return {
      error: {
        message: 'The markup in the document following the root element must be well-formed.',
        line: 1,
        column: 1,
      },
    };
  return { root: roots[0]! };
}

export function escapeXml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** An element of a metadata file to write: a text value or nested elements. */
export interface OutNode {
  name: string;
  value: string | OutNode[];
}

/** A metadata file as a retrieve writes it: declaration, default namespace, 4-space indent. */
export function renderMetadata(type: string, nodes: OutNode[]): string {
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', `<${type} xmlns="${MD_NS}">`];
  const write = (node: OutNode, depth: number): void => {
    const pad = '    '.repeat(depth);
    if (typeof node.value === 'string') {
      lines.push(`${pad}<${node.name}>${escapeXml(node.value)}</${node.name}>`);
      return;
    }
    lines.push(`${pad}<${node.name}>`);
    for (const child of node.value) write(child, depth + 1);
    lines.push(`${pad}</${node.name}>`);
  };
  for (const node of nodes) write(node, 1);
  lines.push(`</${type}>`, '');
  return lines.join('\n');
}

/** Back from a parsed element to OutNodes (text of leaves, children of complex elements). */
export function toOutNodes(element: XmlElement): OutNode[] {
  return element.children.map((child) => ({
    name: child.name,
    value: child.children.length ? toOutNodes(child) : child.text,
  }));
}

/**
 * A JS value as XML elements, for SOAP bodies: arrays repeat the element, null writes xsi:nil, booleans and
 * numbers as their text. Keys whose value is undefined are left out.
 */
export function objectToXml(name: string, value: unknown): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return value.map((v) => objectToXml(name, v)).join('');
  if (value === null) return `<${name} xsi:nil="true"/>`;
  if (typeof value === 'object') {
    const inner = Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => objectToXml(k, v))
      .join('');
    return `<${name}>${inner}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** Direct child by local name. */
export function child(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((c) => c.name === name);
}

export function childText(element: XmlElement, name: string): string | undefined {
  return child(element, name)?.text;
}
