// Trusted IP ranges as the app's metadata takes them: START-END of one family, IPv4 or IPv6. Addresses are compared
// as integers (BigInt), which also turns a CIDR block into the START-END the user should write instead. node's own
// `net.isIP` recognises the addresses; `net.BlockList` only answers "is this address inside", which neither the
// reversed-range check nor the CIDR hint needs, so no IP library is used.
import { isIP } from 'node:net';
import { show } from './checks.ts';
import type { IpRange } from './model.ts';

/** 'START-END' (or one address) → the range, or the reason it is not one. */
export function parseIpRange(item: string): IpRange | string {
  const form = 'Write START-END, e.g. 203.0.113.0-203.0.113.255 or 2001:db8::-2001:db8::ffff.';
  if (item.includes('/')) {
    const hint = cidrHint(item);
    return `is CIDR notation, which the app's trusted IP ranges do not take. ${hint ? `Write it as ${hint}.` : form}`;
  }
  const parts = item.split('-').map((s) => s.trim());
  if (parts.length > 2) return `has more than one '-'. ${form}`;
  const start = parts[0] ?? '';
  const end = parts[1] ?? start;
  if (!start || !end) return `is missing an address. ${form}`;
  const fs = ipFamily(start);
  const fe = ipFamily(end);
  if (!fs) return `starts with ${show(start)}, which is not an IPv4 or IPv6 address. ${form}`;
  if (!fe) return `ends with ${show(end)}, which is not an IPv4 or IPv6 address. ${form}`;
  if (fs !== fe) return `mixes IPv${fs} and IPv${fe}; both ends of a range must be the same family. ${form}`;
  if (ipToBigInt(start, fs) > ipToBigInt(end, fe))
    return `is reversed: the start is after the end. Write ${end}-${start}.`;
  return { start, end };
}

function ipFamily(addr: string): 4 | 6 | undefined {
  if (addr.includes('%')) return undefined; // zone ids (fe80::1%eth0) mean nothing to Salesforce
  const f = isIP(addr);
  return f === 4 || f === 6 ? f : undefined;
}

function ipToBigInt(addr: string, family: 4 | 6): bigint {
  if (family === 4) return addr.split('.').reduce((acc, o) => (acc << 8n) | BigInt(Number(o)), 0n);
  // Expand '::' and a dotted IPv4 tail (::ffff:192.0.2.1) into eight 16-bit groups.
  let text = addr.toLowerCase();
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const n = ipToBigInt(v4[1]!, 4);
    text = `${text.slice(0, -v4[1]!.length)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

function bigIntToIp(n: bigint, family: 4 | 6): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => ((n >> s) & 0xffn).toString()).join('.');
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((n >> BigInt(i * 16)) & 0xffffn).toString(16));
  return groups.join(':');
}

function cidrHint(item: string): string | undefined {
  const [addr = '', bitsText = ''] = item.split('/').map((s) => s.trim());
  const family = ipFamily(addr);
  if (!family || !/^\d+$/.test(bitsText)) return undefined;
  const width = family === 4 ? 32 : 128;
  const bits = Number(bitsText);
  if (bits > width) return undefined;
  const hostMask = (1n << BigInt(width - bits)) - 1n;
  const start = ipToBigInt(addr, family) & ~hostMask & ((1n << BigInt(width)) - 1n);
  return `${bigIntToIp(start, family)}-${bigIntToIp(start | hostMask, family)}`;
}

/** A range that spans every address of its family restricts nothing. */
export function coversEverything(r: IpRange): boolean {
  const family = isIP(r.start) as 4 | 6;
  return ipToBigInt(r.end, family) - ipToBigInt(r.start, family) === (1n << BigInt(family === 4 ? 32 : 128)) - 1n;
}

/** Whether every address of `r` is inside one of `ranges` (of the same family): `r` admits no one they do not. */
export function withinAny(r: IpRange, ranges: readonly IpRange[]): boolean {
  const family = ipFamily(r.start);
  if (!family || ipFamily(r.end) !== family) return false;
  const start = ipToBigInt(r.start, family);
  const end = ipToBigInt(r.end, family);
  return ranges.some(
    (o) =>
      ipFamily(o.start) === family &&
      ipFamily(o.end) === family &&
      ipToBigInt(o.start, family) <= start &&
      end <= ipToBigInt(o.end, family),
  );
}
