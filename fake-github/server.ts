// A fake of the GitHub REST API endpoints that store Actions secrets, for tests and the demo.
//
// It serves, on 127.0.0.1 only:
//   GET  {prefix}/repos/{owner}/{repo}/actions/secrets/public-key
//   PUT  {prefix}/repos/{owner}/{repo}/actions/secrets/{name}
//   GET  {prefix}/repos/{owner}/{repo}/environments/{env}/secrets/public-key
//   PUT  {prefix}/repos/{owner}/{repo}/environments/{env}/secrets/{name}
//   GET  {prefix}/repos/{owner}/{repo}/actions/variables/{name}      200 {name, value, …} | 404
//   POST {prefix}/repos/{owner}/{repo}/actions/variables             201 | 409 when it exists | 422 bad name
//   PATCH {prefix}/repos/{owner}/{repo}/actions/variables/{name}     204 | 404 when there is none
// (docs.github.com/rest/actions/variables: those status codes; names follow the secrets' rule, case-insensitive.
// The 409 for a POST of an existing name is our choice where the page names no status for it.)
// with its own libsodium key pair: PUT bodies are decrypted with crypto_box_seal_open, so a test can compare the
// stored plaintext with what it meant to store. `prefix` is '' (github.com style) or e.g. '/api/v3' (GHES style).

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import sodium from 'libsodium-wrappers';

/** Names for fault injection and the request log. */
export type FakeGitHubRoute =
  | 'repo.public-key'
  | 'repo.put-secret'
  | 'env.public-key'
  | 'env.put-secret'
  | 'repo.get-variable'
  | 'repo.create-variable'
  | 'repo.update-variable';

export interface FakeGitHubOptions {
  /** The token that may write secrets. Default 'ghp_fakeGitHubToken000000000000000000'. */
  token?: string;
  /** Tokens that authenticate but may not write secrets or variables (like GITHUB_TOKEN): 403 on those routes. */
  tokensWithoutPermission?: string[];
  /** 'owner/repo' that exists. Default 'octo-org/octo-repo'. Owner and repo compare case-insensitively. */
  repository?: string;
  /** Environments that exist in that repository. Default ['production']. */
  environments?: string[];
  /** Path prefix of the API, e.g. '/api/v3' as on GitHub Enterprise Server. Default ''. */
  pathPrefix?: string;
}

export interface FakeGitHubRequest {
  method: string;
  /** path as received, without the query string */
  path: string;
  status: number;
  /** the Authorization header as sent (the fake's tokens are not secrets) */
  authorization?: string;
  /** the route it matched, if any */
  route?: FakeGitHubRoute;
}

export interface FakeGitHub {
  /** Base URL of the API, including the path prefix, without a trailing slash. Pass it as apiUrl / GITHUB_API_URL. */
  url: string;
  /** The token that may write secrets. */
  token: string;
  /** 'owner/repo' that exists. */
  repository: string;
  /** Decrypted plaintexts by 'repo:NAME' or 'env:ENV:NAME' (NAME upper-cased, as GitHub stores it). */
  secrets: Map<string, string>;
  /** Repository variables in plain text (they are not secret), by name upper-cased as GitHub stores it. */
  variables: Map<string, string>;
  requests: FakeGitHubRequest[];
  /**
   * Answer the next `times` requests to `route` with `status` (a GitHub-shaped error body), or with 'reset' drop the
   * connection without an answer (a network error).
   */
  failNext(route: FakeGitHubRoute, status: number | 'reset', times?: number): void;
  close(): Promise<void>;
}

const DOCS = 'https://docs.github.com/rest/actions/secrets';

/** GitHub's rule for secret names: letters, digits, underscores; not starting with a digit or GITHUB_. */
export function isValidSecretName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !/^GITHUB_/i.test(name);
}

export async function startFakeGitHub(opts: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  await sodium.ready;
  const token = opts.token ?? 'ghp_fakeGitHubToken000000000000000000';
  const noPermission = new Set(opts.tokensWithoutPermission ?? []);
  const repository = opts.repository ?? 'octo-org/octo-repo';
  const environments = opts.environments ?? ['production'];
  const prefix = (opts.pathPrefix ?? '').replace(/\/+$/, '');

  const keyPair = sodium.crypto_box_keypair();
  const keyId = '568250167242549743';
  const publicKeyB64 = sodium.to_base64(keyPair.publicKey, sodium.base64_variants.ORIGINAL);

  const secrets = new Map<string, string>();
  const variables = new Map<string, string>();
  const requests: FakeGitHubRequest[] = [];
  const failures = new Map<FakeGitHubRoute, { status: number | 'reset'; times: number }>();

  interface Answer {
    status: number;
    body?: unknown;
    headers?: Record<string, string>;
  }
  const error = (status: number, message: string, headers?: Record<string, string>): Answer => ({
    status,
    body: { message, documentation_url: DOCS, status: String(status) },
    headers,
  });

  function findEnvironment(name: string): string | undefined {
    return environments.find((e) => e.toLowerCase() === name.toLowerCase());
  }

  function route(
    method: string,
    path: string,
  ): { route: FakeGitHubRoute; owner: string; repo: string; env?: string; name?: string } | undefined {
    if (!path.startsWith(`${prefix}/`)) return undefined;
    const rest = path.slice(prefix.length);
    const seg = rest
      .split('/')
      .slice(1)
      .map((s) => {
        try {
          return decodeURIComponent(s);
        } catch {
          return s;
        }
      });
    // repos owner repo actions secrets X
    if (seg[0] !== 'repos' || seg.length < 5) return undefined;
    const owner = seg[1] ?? '';
    const repo = seg[2] ?? '';
    if (seg[3] === 'actions' && seg[4] === 'secrets' && seg.length === 6) {
      const last = seg[5] ?? '';
      if (last === 'public-key' && method === 'GET') return { route: 'repo.public-key', owner, repo };
      if (last !== 'public-key' && method === 'PUT') return { route: 'repo.put-secret', owner, repo, name: last };
    }
    if (seg[3] === 'actions' && seg[4] === 'variables') {
      if (seg.length === 5 && method === 'POST') return { route: 'repo.create-variable', owner, repo };
      if (seg.length === 6 && method === 'GET') return { route: 'repo.get-variable', owner, repo, name: seg[5] };
      if (seg.length === 6 && method === 'PATCH') return { route: 'repo.update-variable', owner, repo, name: seg[5] };
    }
    if (seg[3] === 'environments' && seg[5] === 'secrets' && seg.length === 7) {
      const env = seg[4] ?? '';
      const last = seg[6] ?? '';
      if (last === 'public-key' && method === 'GET') return { route: 'env.public-key', owner, repo, env };
      if (last !== 'public-key' && method === 'PUT') return { route: 'env.put-secret', owner, repo, env, name: last };
    }
    return undefined;
  }

  function handle(
    _method: string,
    _path: string,
    authorization: string | undefined,
    body: string,
    r: ReturnType<typeof route>,
  ): Answer {
    // GitHub checks credentials before it routes: a bad token gets 401 anywhere.
    const m = /^(?:Bearer|token)\s+(\S+)\s*$/i.exec(authorization ?? '');
    const given = m?.[1];
    if (given === undefined || (given !== token && !noPermission.has(given))) {
      return error(401, 'Bad credentials');
    }
    if (!r) return error(404, 'Not Found');
    if (`${r.owner}/${r.repo}`.toLowerCase() !== repository.toLowerCase()) return error(404, 'Not Found');
    if (r.route.includes('variable')) return variable(r.route, r.name, body, noPermission.has(given));
    if (noPermission.has(given)) {
      const needs = r.route.startsWith('env.')
        ? r.route.endsWith('public-key')
          ? 'environments=read; secrets=read'
          : 'environments=write; secrets=write'
        : r.route.endsWith('public-key')
          ? 'secrets=read'
          : 'secrets=write';
      return error(403, 'Resource not accessible by personal access token', { 'x-accepted-github-permissions': needs });
    }
    let storeKeyPrefix = 'repo:';
    if (r.env !== undefined) {
      const env = findEnvironment(r.env);
      if (env === undefined) return error(404, 'Not Found');
      storeKeyPrefix = `env:${env}:`;
    }
    if (r.route.endsWith('public-key')) {
      return { status: 200, body: { key_id: keyId, key: publicKeyB64 } };
    }

    // PUT a secret
    const name = r.name ?? '';
    if (!isValidSecretName(name)) {
      return error(
        422,
        'Secret names can only contain alphanumeric characters ([a-z], [A-Z], [0-9]) or underscores (_), ' +
          'must not start with a number, and must not start with the GITHUB_ prefix.',
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return error(400, 'Problems parsing JSON');
    }
    const p = (parsed ?? {}) as { encrypted_value?: unknown; key_id?: unknown };
    if (typeof p.encrypted_value !== 'string' || typeof p.key_id !== 'string') {
      return error(422, 'Invalid request.\n\n"encrypted_value" and "key_id" are required.');
    }
    if (p.key_id !== keyId) return error(422, 'Bad request - key_id does not match the current public key');
    let plaintext: string;
    try {
      const sealed = sodium.from_base64(p.encrypted_value, sodium.base64_variants.ORIGINAL);
      plaintext = sodium.to_string(sodium.crypto_box_seal_open(sealed, keyPair.publicKey, keyPair.privateKey));
    } catch {
      return error(422, 'Bad request - encrypted_value could not be decrypted with the public key');
    }
    const storeKey = storeKeyPrefix + name.toUpperCase();
    const existed = secrets.has(storeKey);
    secrets.set(storeKey, plaintext);
    return existed ? { status: 204 } : { status: 201, body: {} };
  }

  function variable(route: FakeGitHubRoute, pathName: string | undefined, body: string, readOnly: boolean): Answer {
    if (readOnly) {
      return error(403, 'Resource not accessible by personal access token', {
        'x-accepted-github-permissions':
          route === 'repo.get-variable' ? 'actions_variables=read' : 'actions_variables=write',
      });
    }
    if (route === 'repo.get-variable') {
      const key = (pathName ?? '').toUpperCase();
      const value = variables.get(key);
      return value === undefined ? error(404, 'Not Found') : { status: 200, body: { name: key, value } };
    }
    let parsed: { name?: unknown; value?: unknown };
    try {
      parsed = (JSON.parse(body) ?? {}) as typeof parsed;
    } catch {
      return error(400, 'Problems parsing JSON');
    }
    const name = route === 'repo.create-variable' ? parsed.name : (pathName ?? '');
    if (typeof name !== 'string' || typeof parsed.value !== 'string') {
      return error(422, 'Invalid request.\n\n"name" and "value" are required.');
    }
    if (!isValidSecretName(name)) {
      return error(
        422,
        'Variable names can only contain alphanumeric characters ([a-z], [A-Z], [0-9]) or underscores (_), ' +
          'must not start with a number, and must not start with the GITHUB_ prefix.',
      );
    }
    const key = name.toUpperCase();
    if (route === 'repo.create-variable') {
      if (variables.has(key)) return error(409, 'Already exists - Variable already exists');
      variables.set(key, parsed.value);
      return { status: 201, body: {} };
    }
    if (!variables.has(key)) return error(404, 'Not Found');
    variables.set(key, parsed.value);
    return { status: 204 };
  }

  function send(res: ServerResponse, a: Answer): void {
    const headers: Record<string, string> = {
      'x-github-api-version-selected': '2022-11-28',
      ...a.headers,
    };
    if (a.body !== undefined && a.status !== 204) {
      headers['content-type'] = 'application/json; charset=utf-8';
      res.writeHead(a.status, headers);
      res.end(JSON.stringify(a.body));
    } else {
      res.writeHead(a.status, headers);
      res.end();
    }
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const method = req.method ?? 'GET';
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const authorization = req.headers.authorization;
      const r = route(method, path);
      const entry: FakeGitHubRequest = { method, path, status: 0, authorization, route: r?.route };
      requests.push(entry);

      const failure = r ? failures.get(r.route) : undefined;
      if (r && failure && failure.times > 0) {
        failure.times -= 1;
        if (failure.status === 'reset') {
          entry.status = -1;
          req.socket.destroy();
          return;
        }
        entry.status = failure.status;
        send(res, error(failure.status, failure.status >= 500 ? 'Server Error' : 'Injected failure'));
        return;
      }
      let answer: Answer;
      try {
        answer = handle(method, path, authorization, Buffer.concat(chunks).toString('utf8'), r);
      } catch (e) {
        answer = error(500, `fake-github: ${e instanceof Error ? e.message : String(e)}`);
      }
      entry.status = answer.status;
      send(res, answer);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}${prefix}`,
    token,
    repository,
    secrets,
    variables,
    requests,
    failNext(route, status, times = 1) {
      failures.set(route, { status, times });
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
