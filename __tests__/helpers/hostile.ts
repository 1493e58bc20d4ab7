// Small hostile servers on 127.0.0.1 for the attack tests: a proxy in front of the fake org that can answer a
// request itself (echoing the session it was sent, or carrying text meant to break a log line), and a bare
// token endpoint that refuses every login.
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
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

/** Answer with `intercept`'s response when it gives one, otherwise forward to `target` (http://127.0.0.1:PORT). */
export async function startHostileProxy(
  target: string,
  intercept: (seen: Seen, n: number) => FakeResponse | undefined,
): Promise<Hostile> {
  const upstream = new URL(target);
  const seen: Seen[] = [];
  const tokens = new Set<string>();
  const server = createServer(async (req, res) => {
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
    const forward = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    forward.end(body);
  });
  return listen(server, seen, tokens);
}

/** A token endpoint that answers every request with `status` and a JSON `body`. */
export async function startTokenEndpoint(status: number, body: unknown): Promise<Hostile> {
  const seen: Seen[] = [];
  const server = createServer(async (req, res) => {
    seen.push({ method: req.method ?? 'GET', path: req.url ?? '/', body: (await readBody(req)).toString('utf8') });
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  return listen(server, seen, new Set());
}

async function listen(server: Server, seen: Seen[], tokens: Set<string>): Promise<Hostile> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
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

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
