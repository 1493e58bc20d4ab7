// The fake org's server: one loopback port that hosts a Dev Hub and a scratch org (the bearer token or SOAP
// session says which), speaks http and https on the same port (SFDX auth URLs always mean https), and routes:
//   POST /services/oauth2/token           oauth.ts (oauthCall dispatches every OAuth path)
//   GET  /services/oauth2/authorize      oauth.ts → authorize.ts
//   GET  /services/oauth2/userinfo, /id/… oauth.ts
//   POST /services/Soap/m/NN.0            soap.ts → metadata-api.ts
//   GET  /services/data                   version list
//   *    /services/data/vNN.0/…           the Route table: rest.ts, connect.ts, scratch-signup.ts, metadata-api.ts,
//                                         packaging.ts, mcp.ts, fallbacks
// Every request is logged (RequestLogEntry) and passes the fault engine (faults.ts) once its route is known.
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { randomBytes } from 'node:crypto';
import { createServer as createNetServer, type Socket } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type {
  CallOutcome,
  ComponentSource,
  FakeOrgContext,
  FakeRequest,
  FakeResponse,
  OrgState,
  Route,
} from './types.ts';
import { assertPair, selfSigned, type KeyAndCert } from './certs.ts';
import { createFaults, type FaultAction, type FaultApi } from './faults.ts';
import { idFactory, newConsumerKey } from './ids.ts';
import { createMetadataApi } from './metadata-api.ts';
import { parseMultipart } from './multipart.ts';
import { createOAuth, oauthCall, oauthError, type OAuthDispatchDeps } from './oauth.ts';
import { packagingRoutes } from './packaging.ts';
import { mcpRoutes } from './mcp.ts';
import { coreRoutes, fallbackRoutes } from './rest.ts';
import { connectRoutes } from './connect.ts';
import { scratchSignupRoutes } from './scratch-signup.ts';
import { createValidator } from './rules.ts';
import { createSoapHandler, INVALID_SESSION_FAULT, parseSoapCall, soapFault } from './soap.ts';
import { createStore } from './store.ts';
import { NO_DURATIONS, REALISTIC } from './timing.ts';

/** API versions the org advertises on /services/data; the highest becomes every later call's version. */
export const MIN_API_VERSION = 31;
export const MAX_API_VERSION = 68;

/** The client id of the sf CLI's own connected app, which SFDX auth URLs of CLI logins carry (no secret). */
export const SF_CLI_CLIENT_ID = 'PlatformCLI';

export interface FakeOrgOptions {
  /** 0 (default) = a free port */
  port?: number;
  /** namespace linked to the Dev Hub (default 'ecafake') */
  namespace?: string;
  /** the CI connected app's JWT key pair (PKCS#8 or PKCS#1 PEM + X.509 PEM); generated when not given */
  jwtKey?: KeyAndCert;
  /** the CI connected app's consumer key (default: a generated 3MVG9… key) */
  clientId?: string;
  /** added to every answer, in ms (default 0) */
  latencyMs?: number;
  /** server-side job durations: 'realistic' (timing.ts, public figures scaled down) or none (default) */
  timing?: 'realistic' | 'none';
  /** the newest API version the orgs serve (default MAX_API_VERSION, the newest the fake models; never above it) */
  maxApiVersion?: number;
  /**
   * What the CI login app (clientId) is in the Dev Hub: an External Client App (default, what orgs can create since
   * Spring '26) or a Connected App. Scratch-org signup with its key fails with C-1016 for an External Client App.
   */
  ciLoginApp?: 'external-client-app' | 'connected-app';
}

export interface RequestLogEntry {
  /** route name, the key for fault injection: e.g. 'oauth.token', 'soap.deploy', 'query.organization' */
  route: string;
  method: string;
  /** path without the query string */
  path: string;
  /** HTTP status; 0 when the connection was dropped */
  status: number;
  /** server-side time, ms */
  ms: number;
  /** when the request arrived: epoch ms with a fraction (performance.timeOrigin + performance.now()) */
  at: number;
  /** orgId of the session the request carried, if any */
  org?: string;
  /** the fault that shaped the answer */
  fault?: FaultAction['kind'];
}

export interface FakeOrg {
  /** http://127.0.0.1:PORT (https://127.0.0.1:PORT answers too) */
  url: string;
  /** the login URL for the JWT flow (= url) */
  loginUrl: string;
  /** the Dev Hub user */
  username: string;
  /** the CI connected app's consumer key (JWT `iss`) */
  clientId: string;
  /** the JWT private key as a 0600 file (removed on close) */
  privateKeyPath: string;
  privateKeyPem: string;
  /** the certificate registered for clientId */
  certificatePem: string;
  namespace: string;
  /** force://PlatformCLI::<refresh token>@127.0.0.1:PORT for the Dev Hub */
  devHubAuthUrl: string;
  scratchUsername: string;
  scratchAuthUrl: string;
  /** the server's TLS certificate (self-signed): trust it for the https side, e.g. NODE_EXTRA_CA_CERTS */
  caCertPath: string;
  caCertPem: string;
  ctx: FakeOrgContext;
  log: RequestLogEntry[];
  faults: FaultApi;
  close(): Promise<void>;
}

export async function startFakeOrg(options: FakeOrgOptions = {}): Promise<FakeOrg> {
  const namespace = options.namespace ?? 'ecafake';
  const newest = Math.min(options.maxApiVersion ?? MAX_API_VERSION, MAX_API_VERSION);
  const supported = (apiVersion: string): boolean => {
    const n = Number(apiVersion);
    return Number.isInteger(n) && n >= MIN_API_VERSION && n <= newest;
  };
  const [jwtKey, tls] = await Promise.all([
    options.jwtKey ?? selfSigned('eca-action CI'),
    selfSigned('127.0.0.1', { server: true }),
  ]);
  assertPair(jwtKey);
  const clientId = options.clientId ?? newConsumerKey();
  const dir = await mkdtemp(join(tmpdir(), 'eca-fake-org-'));
  const privateKeyPath = join(dir, 'jwt.key');
  const caCertPath = join(dir, 'server.crt');
  await writeFile(privateKeyPath, jwtKey.privateKeyPem, { mode: 0o600 });
  await writeFile(join(dir, 'jwt.crt'), jwtKey.certificatePem);
  await writeFile(caCertPath, tls.certificatePem);

  const newId = idFactory();
  const newOrg = (fields: Pick<OrgState, 'username' | 'name' | 'isDevHub'> & { namespace?: string }): OrgState => ({
    orgId: newId('00D'),
    userId: newId('005'),
    metadata: new Map(),
    consumers: new Map(),
    ext: new Map(),
    componentIds: new Map(),
    settings: { enableClientSecretInRestApiAccess: true, enableConsumerSecretApiAccess: false },
    ...fields,
  });
  // Usernames are unique per server: @salesforce/core refuses a second login of a username it has an auth file for.
  const tag = randomBytes(4).toString('hex');
  const devHub = newOrg({
    username: `admin-${tag}@devhub.${namespace}.example.com`,
    name: 'Fake Dev Hub',
    isDevHub: true,
    namespace,
  });
  const scratch = newOrg({ username: `test-${tag}@example.com`, name: 'Fake Scratch Org', isDevHub: false });
  const orgs = [devHub, scratch];
  const listOrgs = (): readonly OrgState[] => orgs;

  const oauth = createOAuth({ orgs: listOrgs, appUsableMs: () => ctx.timing.appUsableMs ?? 0 });
  oauth.registerApp({
    clientId,
    certificatePem: jwtKey.certificatePem,
    kind: options.ciLoginApp ?? 'external-client-app',
  });
  oauth.registerApp({ clientId: SF_CLI_CLIENT_ID });
  const faults = createFaults(() => oauth.expireAll());
  const store = createStore(newId, listOrgs);

  const json = (status: number, body: unknown): FakeResponse => ({
    status,
    headers: { 'content-type': 'application/json;charset=UTF-8' },
    body: JSON.stringify(body),
  });
  const ctx: FakeOrgContext = {
    orgs,
    devHub,
    scratch,
    newId,
    validateComponent: createValidator(listOrgs),
    parseMultipart,
    instanceUrl: '', // set once the port is known
    applyComponents: (org: OrgState, components: readonly ComponentSource[]) => {
      store.apply(org, components);
    },
    json,
    restError: (status, errorCode, message) => json(status, [{ message, errorCode }]),
    timing: {
      versionCreatePolls: 2,
      versionUnavailablePolls: 1,
      installPolls: 1,
      deployPolls: 1,
      retrievePolls: 1,
      durations: { ...(options.timing === 'realistic' ? REALISTIC : NO_DURATIONS) },
    },
    failures: {},
  };
  const metadataApi = createMetadataApi({
    ctx,
    apply: store.apply,
    takeDeployFailure: () => faults.takeDeployFailure(),
  });
  const soap = createSoapHandler(metadataApi);
  // Built once the port is known, so that route modules may read ctx.instanceUrl when they are made.
  let routes: Route[] = [];
  const log: RequestLogEntry[] = [];

  type Channel = 'rest' | 'soap' | 'oauth';

  const faultResponse = (channel: Channel, action: Extract<FaultAction, { kind: 'error' }>): FakeResponse => {
    const message = action.message ?? `Injected fault: HTTP ${action.status}`;
    if (channel === 'soap') return soapFault('sf:UNKNOWN_EXCEPTION', `UNKNOWN_EXCEPTION: ${message}`, action.status);
    if (channel === 'oauth') return oauthError(action.status, 'unknown_error', message);
    return ctx.restError(action.status, action.status === 503 ? 'SERVER_UNAVAILABLE' : 'UNKNOWN_EXCEPTION', message);
  };

  /** Apply armed faults to a call of `route`: delays wait, then a drop or an error replaces the answer. */
  const applyFaults = async (route: string, channel: Channel): Promise<Omit<CallOutcome, 'route'> | undefined> => {
    for (const action of faults.take(route)) {
      if (action.kind === 'delay') await sleep(action.ms);
      else if (action.kind === 'drop') return { drop: true, fault: 'drop' };
      else if (action.kind === 'lose') return { lose: true, fault: 'lose' };
      else return { response: faultResponse(channel, action), fault: 'error' };
    }
    return undefined;
  };

  const bearer = (req: IncomingMessage): string | undefined =>
    /^(?:Bearer|OAuth)\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  const invalidSession = (): FakeResponse => ctx.restError(401, 'INVALID_SESSION_ID', 'Session expired or invalid');

  const oauthDeps: OAuthDispatchDeps = {
    oauth,
    orgs: listOrgs,
    appUsableMs: () => ctx.timing.appUsableMs ?? 0,
    applyFaults: (route) => applyFaults(route, 'oauth'),
  };

  async function dispatch(req: IncomingMessage, url: URL, body: Buffer, baseUrl: string): Promise<CallOutcome> {
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const method = req.method ?? 'GET';

    const oauthOutcome = await oauthCall(oauthDeps, {
      path,
      method,
      query: url.searchParams,
      body,
      contentType: req.headers['content-type'] ?? '',
      bearer: bearer(req),
      baseUrl,
    });
    if (oauthOutcome) return oauthOutcome;
    const soapPath = /^\/services\/Soap\/m\/(\d+\.\d)(?:\/[0-9A-Za-z]{15,18})?$/.exec(path);
    if (soapPath && method === 'POST') return soapCall(req, body, soapPath[1]!);
    if (path === '/services/data' && method === 'GET') {
      const faulted = await applyFaults('rest.versions', 'rest');
      return { route: 'rest.versions', ...(faulted ?? { response: json(200, versions(newest)) }) };
    }
    const data = /^\/services\/data\/v(\d+\.\d)(\/.*)?$/.exec(path);
    if (data) return restCall(req, url, body, data[1]!, data[2] ?? '');
    return { route: 'notFound', response: ctx.restError(404, 'NOT_FOUND', 'The requested resource does not exist') };
  }

  async function soapCall(req: IncomingMessage, body: Buffer, apiVersion: string): Promise<CallOutcome> {
    const call = parseSoapCall(body.toString('utf8'), req.headers);
    if ('fault' in call) return { route: 'soap.invalid', response: call.fault };
    const route = `soap.${call.method}`;
    const faulted = await applyFaults(route, 'soap');
    if (faulted && !faulted.lose) return { route, ...faulted };
    const session = oauth.session(call.sessionId);
    if (!session) return { route, response: INVALID_SESSION_FAULT() };
    if (!supported(apiVersion))
      return {
        route,
        org: session.org,
        response: soapFault(
          'sf:UNSUPPORTED_API_VERSION',
          'UNSUPPORTED_API_VERSION: Invalid Api version specified on URL',
        ),
      };
    const response = await soap(session.org, call, apiVersion);
    return faulted?.lose
      ? { route, org: session.org, drop: true, fault: 'lose' }
      : { route, org: session.org, response };
  }

  async function restCall(
    req: IncomingMessage,
    url: URL,
    body: Buffer,
    apiVersion: string,
    rest: string,
  ): Promise<CallOutcome> {
    const method = req.method ?? 'GET';
    const byPath = routes.filter((r) => r.pattern.test(rest));
    const candidates = byPath.filter((r) => r.method === method);
    if (!supported(apiVersion) || !byPath.length)
      return { route: 'notFound', response: ctx.restError(404, 'NOT_FOUND', 'The requested resource does not exist') };
    if (!candidates.length) {
      const allowed = [...new Set(byPath.map((r) => r.method))].join(',');
      return {
        route: 'methodNotAllowed',
        response: ctx.restError(
          405,
          'METHOD_NOT_ALLOWED',
          `HTTP Method '${method}' not allowed. Allowed are ${allowed}`,
        ),
      };
    }
    // A route shared by several modules (query) is known only once one answers; then faults apply after it.
    const single = candidates.length === 1 ? candidates[0]!.name : undefined;
    let lose = false;
    if (single) {
      const faulted = await applyFaults(single, 'rest');
      if (faulted?.lose) lose = true;
      else if (faulted) return { route: single, ...faulted };
    }
    const session = oauth.session(bearer(req));
    if (!session) return { route: single ?? familyName(candidates), response: invalidSession() };
    const fakeReq: FakeRequest = {
      method,
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body,
      org: session.org,
      apiVersion,
    };
    for (const route of candidates) {
      const response = await route.handler(fakeReq, rest.match(route.pattern)!);
      if (response === undefined) continue;
      if (!single) {
        const faulted = await applyFaults(route.name, 'rest');
        if (faulted?.lose) lose = true;
        else if (faulted) return { route: route.name, org: session.org, ...faulted };
      }
      if (lose) return { route: route.name, org: session.org, drop: true, fault: 'lose' };
      return { route: route.name, org: session.org, response };
    }
    return {
      route: familyName(candidates),
      org: session.org,
      response: ctx.restError(404, 'NOT_FOUND', 'The requested resource does not exist'),
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const scheme = (req.socket as Socket & { encrypted?: boolean }).encrypted ? 'https' : 'http';
    const baseUrl = `${scheme}://${req.headers.host ?? `127.0.0.1:${port}`}`;
    let outcome: CallOutcome;
    try {
      const body = await readBody(req);
      if (options.latencyMs) await sleep(options.latencyMs);
      outcome = await dispatch(req, url, body, baseUrl);
    } catch (error) {
      // A bug in the fake, not a simulated failure: say so loudly.
      console.error('fake org: request failed:', error);
      outcome = {
        route: 'internalError',
        response: ctx.restError(500, 'UNKNOWN_EXCEPTION', `fake org bug: ${(error as Error).message}`),
      };
    }
    const entry: RequestLogEntry = {
      route: outcome.route,
      method: req.method ?? 'GET',
      path: url.pathname,
      status: outcome.drop ? 0 : outcome.response!.status,
      ms: 0,
      at: performance.timeOrigin + started,
      ...(outcome.org ? { org: outcome.org.orgId } : {}),
      ...(outcome.fault ? { fault: outcome.fault } : {}),
    };
    if (outcome.drop) {
      req.socket.destroy();
    } else {
      const response = outcome.response!;
      res.writeHead(response.status, response.headers ?? {});
      res.end(response.body ?? '');
    }
    entry.ms = Math.round((performance.now() - started) * 10) / 10;
    log.push(entry);
  }

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    void handle(req, res);
  };
  const httpServer = createHttpServer(onRequest);
  const httpsServer = createHttpsServer({ key: tls.privateKeyPem, cert: tls.certificatePem }, onRequest);
  const sockets = new Set<Socket>();
  // One port, two protocols: a TLS ClientHello starts with byte 0x16.
  const server = createNetServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.once('data', (chunk: Buffer) => {
      socket.pause();
      socket.unshift(chunk);
      (chunk[0] === 0x16 ? httpsServer : httpServer).emit('connection', socket);
      process.nextTick(() => socket.resume());
    });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
  } catch (error) {
    await rm(dir, { recursive: true, force: true }); // e.g. EADDRINUSE: leave no key behind
    throw error;
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const url = `http://127.0.0.1:${port}`;
  ctx.instanceUrl = url;
  const startedAt = new Date();
  const scratchExpires = new Date(startedAt.getTime() + 30 * 86_400_000);
  routes = [
    ...coreRoutes({ ctx, startedAt, scratchExpires }),
    ...connectRoutes(ctx),
    ...scratchSignupRoutes({ ctx, oauth, startedAt, scratchExpires }),
    ...metadataApi.routes,
    ...packagingRoutes(ctx),
    ...mcpRoutes(ctx),
    ...fallbackRoutes(ctx),
  ];

  const authUrl = (org: OrgState): string =>
    `force://${SF_CLI_CLIENT_ID}::${oauth.issueRefreshToken(org, SF_CLI_CLIENT_ID)}@127.0.0.1:${port}`;
  let closed = false;
  return {
    url,
    loginUrl: url,
    username: devHub.username,
    clientId,
    privateKeyPath,
    privateKeyPem: jwtKey.privateKeyPem,
    certificatePem: jwtKey.certificatePem,
    namespace,
    devHubAuthUrl: authUrl(devHub),
    scratchUsername: scratch.username,
    scratchAuthUrl: authUrl(scratch),
    caCertPath,
    caCertPem: tls.certificatePem,
    ctx,
    log,
    faults,
    async close() {
      if (closed) return;
      closed = true;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** GET /services/data: [{label, url, version}], oldest first, as Salesforce lists them. */
function versions(newest: number): { label: string; url: string; version: string }[] {
  const out = [];
  for (let v = MIN_API_VERSION; v <= newest; v++) {
    // Three releases a year: 68.0 = Winter '27, 67.0 = Summer '26, 66.0 = Spring '26, 65.0 = Winter '26, …
    const season = ['Spring', 'Summer', 'Winter'][(((v - 66) % 3) + 3) % 3];
    const year = 26 + Math.floor((v - 65) / 3);
    out.push({
      label: `${season} '${String(year).padStart(2, '0')}`,
      url: `/services/data/v${v}.0`,
      version: `${v}.0`,
    });
  }
  return out;
}

/** The shared part of several route names ('query.organization', 'query.unsupported' → 'query'). */
function familyName(routes: Route[]): string {
  const parts = routes.map((r) => r.name.split('.'));
  const common: string[] = [];
  for (let i = 0; parts.every((p) => p[i] !== undefined && p[i] === parts[0]![i]); i++) common.push(parts[0]![i]!);
  return common.join('.') || routes[0]!.name;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
