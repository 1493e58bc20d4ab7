// Small hostile servers on 127.0.0.1 for the attack tests: a proxy in front of the fake org that can answer a
// request itself (echoing the session it was sent, or carrying text meant to break a log line), and a bare
// token endpoint that refuses every login.
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { createServer as createTlsServer, request as tlsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { FakeResponse } from '../../fake-org/types.ts';

export interface Seen {
  method: string;
  path: string;
  body: string;
  /** the session the client sent: bearer token or SOAP sessionId */
  token?: string;
}

export interface Hostile {
  url: string;
  /** every request, in order */
  seen: Seen[];
  /** sessions the client sent */
  tokens: Set<string>;
  close(): Promise<void>;
}

export interface ProxyOptions {
  /** serve https with this key and certificate (trusted by the run through NODE_EXTRA_CA_CERTS) */
  tls?: { privateKeyPem: string; certificatePem: string };
  /** change a forwarded answer's body (undefined: unchanged) */
  rewrite?: (seen: Seen, status: number, body: string) => string | undefined;
  /** after forwarding, drop the connection instead of answering (the org did the work; the client never hears) */
  lose?: (seen: Seen) => boolean;
}

/**
 * Answer with `intercept`'s response when it gives one, otherwise forward to `target` (http://127.0.0.1:PORT, or
 * https://, whose certificate the proxy does not check: it is the attacker's side).
 */
export async function startHostileProxy(
  target: string,
  intercept: (seen: Seen, n: number) => FakeResponse | undefined,
  options: ProxyOptions = {},
): Promise<Hostile> {
  const upstream = new URL(target);
  const seen: Seen[] = [];
  const tokens = new Set<string>();
  const handler = async (req: IncomingMessage, res: import('node:http').ServerResponse) => {
    const body = await readBody(req);
    const token =
      /^(?:Bearer|OAuth)\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1] ??
      /<(?:\w+:)?sessionId>([^<]+)</.exec(body.toString('utf8'))?.[1];
    const entry: Seen = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      body: body.toString('utf8'),
      ...(token ? { token } : {}),
    };
    seen.push(entry);
    if (token) tokens.add(token);
    const answer = intercept(entry, seen.length);
    if (answer) {
      res.writeHead(answer.status, answer.headers ?? { 'content-type': 'application/json' });
      res.end(answer.body ?? '');
      return;
    }
    // The Host header goes on unchanged, so the fake names this proxy as the instance URL.
    const send = upstream.protocol === 'https:' ? tlsRequest : request;
    const forward = send(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, 'accept-encoding': 'identity' },
        rejectUnauthorized: false,
      },
      (up) => {
        if (options.lose?.(entry)) {
          up.resume();
          up.on('end', () => res.destroy());
          return;
        }
        if (!options.rewrite) {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        up.on('data', (c: Buffer) => chunks.push(c));
        up.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const changed = options.rewrite!(entry, up.statusCode ?? 502, text);
          const out = changed ?? text;
          const headers = { ...up.headers };
          delete headers['content-length'];
          delete headers['transfer-encoding'];
          res.writeHead(up.statusCode ?? 502, { ...headers, 'content-length': Buffer.byteLength(out) });
          res.end(out);
        });
      },
    );
    forward.on('error', () => res.destroy());
    forward.end(body);
  };
  const server = options.tls
    ? createTlsServer({ key: options.tls.privateKeyPem, cert: options.tls.certificatePem }, handler)
    : createServer(handler);
  return listen(server, seen, tokens, options.tls ? 'https' : 'http');
}

/** A token endpoint that answers every request with `status` and a JSON `body` (or one made from the request). */
export async function startTokenEndpoint(status: number, body: unknown | ((seen: Seen) => unknown)): Promise<Hostile> {
  const seen: Seen[] = [];
  const server = createServer(async (req, res) => {
    const entry = { method: req.method ?? 'GET', path: req.url ?? '/', body: (await readBody(req)).toString('utf8') };
    seen.push(entry);
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(typeof body === 'function' ? (body as (seen: Seen) => unknown)(entry) : body));
  });
  return listen(server, seen, new Set());
}

async function listen(
  server: Server,
  seen: Seen[],
  tokens: Set<string>,
  scheme: 'http' | 'https' = 'http',
  host = '127.0.0.1',
): Promise<Hostile> {
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${scheme}://${host}:${port}`,
    seen,
    tokens,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

/**
 * A server on another loopback address (127.0.0.2, which the action does not accept as loopback: only 127.0.0.1,
 * localhost and [::1] as written) that records what it is sent and answers 401.
 */
export async function startCatcher(host = '127.0.0.2'): Promise<Hostile> {
  const seen: Seen[] = [];
  const tokens = new Set<string>();
  const server = createServer(async (req, res) => {
    const token = /^(?:Bearer|OAuth)\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    seen.push({ method: req.method ?? 'GET', path: req.url ?? '/', body: (await readBody(req)).toString('utf8') });
    if (token) tokens.add(token);
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end('[{"errorCode":"INVALID_SESSION_ID","message":"Session expired or invalid"}]');
  });
  return listen(server, seen, tokens, 'http', host);
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
