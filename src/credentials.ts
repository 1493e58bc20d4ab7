// Step 7 of the procedure: read what the org generated for the app: the consumer key (and secret), and the
// links that tie later deploys and the package to the same OAuth consumer. The retrieve is read from memory:
// the consumer key never touches the disk.
import type { Connection } from '@salesforce/core';
import { ComponentSet, type MetadataApiRetrieveStatus } from '@salesforce/source-deploy-retrieve';
import JSZip from 'jszip';
import { XMLParser } from 'fast-xml-parser';
import type { OrgLinks } from './model.ts';
import { pollMetadataJob } from './poll.ts';
import { isTransientError, withRetry } from './retry.ts';
import { maskSecret } from './mask.ts';
import { orgAnyId, OrgAnswerError } from './org-answers.ts';
import { componentNames, type ComponentNames } from './component-names.ts';

export interface AppState {
  /** the ExternalClientApplication exists in the org */
  exists: boolean;
  links: OrgLinks;
  /** the names its components have in the org (Setup's, an earlier run's, or, for parts it lacks, new ones) */
  names?: ComponentNames;
  consumerKey?: string;
  consumerSecret?: string;
  /** with `withSettings`: what the org holds in each component, for `mode: verify` (drift.ts) */
  settings?: AppSettings;
}

/** Each component's elements as the org returned them (untrusted text), with the consumer key and secret left out. */
export interface AppSettings {
  global?: Record<string, unknown>;
  oauth?: Record<string, unknown>;
  policy?: Record<string, unknown>;
}

const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: true });

/**
 * Retrieve the app's header and OAuth settings (and, with `withKey`, its global OAuth settings, which hold
 * the consumer key). Every secret found is masked before this returns.
 */
export async function readAppState(
  connection: Connection,
  appName: string,
  opts: {
    withKey: boolean;
    withSecret: boolean;
    timeoutMs: number;
    log: (line: string) => void;
    /** the names the components are known to have (right after deploying them); otherwise they are looked up */
    names?: ComponentNames;
    /** also return the settings of the global OAuth settings, OAuth settings and OAuth policy (needs no `names`) */
    withSettings?: boolean;
  },
): Promise<AppState> {
  const defaults = componentNames(appName);
  let files = new Map<string, string>();
  let names: ComponentNames;
  if (opts.names) {
    names = opts.names;
    files = await retrieveInMemory(
      connection,
      [
        { fullName: names.app, type: 'ExternalClientApplication' },
        { fullName: names.oauth, type: 'ExtlClntAppOauthSettings' },
        ...(opts.withKey ? [{ fullName: names.global, type: 'ExtlClntAppGlobalOauthSettings' }] : []),
      ],
      opts,
    );
  } else {
    const found = await findComponents(connection, appName, files, opts);
    names = {
      app: defaults.app,
      global: found.get('ExtlClntAppGlobalOauthSettings') ?? defaults.global,
      oauth: found.get('ExtlClntAppOauthSettings') ?? defaults.oauth,
      policy: found.get('ExtlClntAppOauthConfigurablePolicies') ?? defaults.policy,
    };
  }

  const find = (dir: string, suffix: string): Record<string, unknown> | undefined => {
    const entry = [...files.entries()].find(([path]) => path.includes(`/${dir}/`) && path.endsWith(suffix));
    if (!entry) return undefined;
    return rootOf(entry[1]);
  };
  const app = find('externalClientApps', `/${names.app}.eca`);
  const oauth = find('extlClntAppOauthSettings', `/${names.oauth}.ecaOauth`);
  const global =
    opts.withKey || opts.withSettings ? find('extlClntAppGlobalOauthSets', `/${names.global}.ecaGlblOauth`) : undefined;

  const state: AppState = {
    exists: app !== undefined,
    links: {
      orgScopedExternalApp: str(app?.orgScopedExternalApp),
      oauthLink: str(oauth?.oauthLink),
    },
    names,
    consumerKey: opts.withKey ? str(global?.consumerKey) : undefined,
    consumerSecret: opts.withKey ? str(global?.consumerSecret) : undefined,
  };
  if (opts.withSettings) {
    // The key came with the retrieve (findComponents masked it); the settings never carry it on.
    const { consumerKey: _key, consumerSecret: _secret, ...globalSettings } = global ?? {};
    const policy = find('extlClntAppOauthPolicies', `/${names.policy}.ecaOauthPlcy`);
    state.settings = {
      ...(global ? { global: globalSettings } : {}),
      ...(oauth ? { oauth } : {}),
      ...(policy ? { policy } : {}),
    };
  }
  checkShapes(state, appName);
  maskSecret(state.consumerKey);
  maskSecret(state.consumerSecret);
  const renamed = (['global', 'oauth', 'policy'] as const).filter((k) => names[k] !== defaults[k]);
  if (renamed.length && !opts.names)
    opts.log(`${appName} keeps the names its components have in the org: ${renamed.map((k) => names[k]).join(', ')}.`);

  if (opts.withSecret && state.exists && !state.consumerSecret) {
    // Orgs stopped returning secrets through the Metadata API; the Connect REST credentials resource still
    // does when the org allows it.
    const rest = await readCredentialsOverRest(connection, appName, true, opts.log);
    // The REST resources find the app by a look-up (App OAuth Usage, or SOQL) that can name another app: its secret
    // is published only when its key is the one retrieved with this app's own metadata.
    if (!state.consumerKey || rest.key !== state.consumerKey) {
      throw new Error(
        `The OAuth credentials the org returned for ${appName} carry ${rest.key ? 'another consumer key' : 'no consumer key'} than the one retrieved with the app's metadata: they may belong to another app (a look-alike listed by /apps/oauth/usage). No consumer secret was published. Check External Client App Manager for apps named like ${appName}.`,
      );
    }
    state.consumerSecret = rest.secret;
    checkShapes(state, appName);
  }
  return state;
}

// What the org generates, by shape: consumer keys are letters, digits, '.' and '_' (3MVG9…, 85 characters);
// secrets are letters and digits (64 hex digits for External Client Apps, 19 digits for older apps). A value of
// another shape is not used: it did not come from the platform as documented, and it would go into an output
// and the runner's mask list.
const CONSUMER_KEY = /^[A-Za-z0-9._]{20,255}$/;
const CONSUMER_SECRET = /^[A-Za-z0-9]{16,128}$/;

function checkShapes(state: AppState, appName: string): void {
  for (const [value, shape, what] of [
    [state.consumerKey, CONSUMER_KEY, 'consumer key'],
    [state.consumerSecret, CONSUMER_SECRET, 'consumer secret'],
  ] as const) {
    if (value !== undefined && !shape.test(value)) {
      throw new Error(
        `The org returned a ${what} of ${appName} that is not shaped like one (the value is not shown); it was not used. Run again, or check the app in Setup → External Client App Manager.`,
      );
    }
  }
}

const CHILD_TYPES = [
  'ExtlClntAppGlobalOauthSettings',
  'ExtlClntAppOauthSettings',
  'ExtlClntAppOauthConfigurablePolicies',
] as const;

/**
 * The app's components whatever their names: an app made in Setup names them `<App>_glbloauth`, `<App>_oauth`,
 * `<App>_oauthPlcy`, other tools otherwise, and the org allows one OAuth policy per app (a second one fails with
 * DUPLICATE_VALUE), so a deploy must update the ones that exist. listMetadata gives the names per type; only the
 * component's own `externalClientApplication` element says which app it belongs to. Names that start with the
 * app's name are read first, the rest only when those are not the app's. Fills `files` with what it retrieved.
 */
async function findComponents(
  connection: Connection,
  appName: string,
  files: Map<string, string>,
  opts: { timeoutMs: number; log: (line: string) => void },
): Promise<Map<string, string>> {
  const listed = toArray(
    await withRetry(() => connection.metadata.list(CHILD_TYPES.map((type) => ({ type }))), {
      what: "List the app's components",
      log: opts.log,
    }),
  );
  const byType = new Map<string, string[]>(
    CHILD_TYPES.map((t) => [t, listed.filter((p) => p.type === t).map((p) => p.fullName)]),
  );
  const found = new Map<string, string>();
  const read = async (members: { fullName: string; type: string }[]): Promise<void> => {
    const got = await retrieveInMemory(connection, members, opts);
    for (const [path, xml] of got) {
      files.set(path, xml);
      const root = rootOf(xml);
      // Other apps' global settings come back with their keys: masked at once, never used.
      maskSecret(str(root?.consumerKey));
      maskSecret(str(root?.consumerSecret));
      const member = members.find(
        (m) => m.type !== 'ExternalClientApplication' && path.endsWith(`/${m.fullName}${SUFFIX[m.type]}`),
      );
      if (member && !found.has(member.type) && str(root?.externalClientApplication)?.replace(/^\w+__/, '') === appName)
        found.set(member.type, member.fullName);
    }
  };
  const first = CHILD_TYPES.flatMap((type) =>
    byType
      .get(type)!
      .filter((n) => n.startsWith(appName))
      .map((fullName) => ({ fullName, type })),
  );
  await read([{ fullName: appName, type: 'ExternalClientApplication' }, ...first]);
  const rest = CHILD_TYPES.filter((t) => !found.has(t)).flatMap((type) =>
    byType
      .get(type)!
      .filter((n) => !n.startsWith(appName))
      .map((fullName) => ({ fullName, type })),
  );
  if (rest.length) await read(rest);
  return found;
}

const SUFFIX: Record<string, string> = {
  ExtlClntAppGlobalOauthSettings: '.ecaGlblOauth',
  ExtlClntAppOauthSettings: '.ecaOauth',
  ExtlClntAppOauthConfigurablePolicies: '.ecaOauthPlcy',
};

function rootOf(xml: string): Record<string, unknown> | undefined {
  const doc = parser.parse(xml) as Record<string, Record<string, unknown>>;
  return Object.values(doc).find((v) => typeof v === 'object') as Record<string, unknown> | undefined;
}

/**
 * Whether the org has the app, from one synchronous listMetadata call. A first run then skips retrieving settings
 * that cannot exist yet: a retrieve is an asynchronous job (a request, status reads and the waits between them).
 */
export async function appExists(
  connection: Connection,
  appName: string,
  log: (line: string) => void,
): Promise<boolean> {
  const name = componentNames(appName).app;
  const listed = await withRetry(() => connection.metadata.list({ type: 'ExternalClientApplication' }), {
    what: 'List the External Client Apps',
    log,
  });
  // jsforce gives one object for a single result and nothing for none; a namespaced org may prefix the name.
  return toArray(listed).some((p) => p.fullName === name || p.fullName.endsWith(`__${name}`));
}

async function retrieveInMemory(
  connection: Connection,
  members: { fullName: string; type: string }[],
  opts: { timeoutMs: number; log: (line: string) => void },
): Promise<Map<string, string>> {
  const set = new ComponentSet(members);
  // The version chosen for this run (api-version.ts), in the manifest as on the endpoint.
  set.apiVersion = set.sourceApiVersion = connection.getApiVersion();
  return withRetry(
    async () => {
      // format 'metadata' with no post(): SDR writes nothing; the zip is read from the status below.
      const operation = await set.retrieve({
        usernameOrConnection: connection,
        output: '/nonexistent-never-written',
        format: 'metadata',
        singlePackage: true,
      });
      const status = await pollMetadataJob<MetadataApiRetrieveStatus>(operation, 'Retrieve', opts);
      if (!status.success || status.status !== 'Succeeded') {
        const messages = toArray(status.messages)
          .map((m) => m.problem)
          .join('; ');
        throw new Error(
          `Retrieve ${operation.id} of the app's settings failed: ${status.status}${messages ? `: ${messages}` : ''}`,
        );
      }
      const zip = await JSZip.loadAsync(Buffer.from(status.zipFile, 'base64'));
      const files = new Map<string, string>();
      for (const entry of Object.values(zip.files)) {
        if (!entry.dir)
          files.set(entry.name.startsWith('/') ? entry.name : `/${entry.name}`, await entry.async('string'));
      }
      return files;
    },
    { what: 'Retrieve', log: opts.log },
  );
}

interface CredentialsCollection {
  consumers?: { id: string }[];
}
interface Credentials {
  id: string;
  key?: string;
  secret?: string;
}

interface UsageCollection {
  apps?: { developerName?: string; identifier?: string }[];
  nextPageUrl?: string | null;
}

/**
 * The app's id from Connect REST "App OAuth Usage" (API 59.0+), the documented way to it: the Object Reference lists
 * ExternalClientApplication "for internal use only", without query(). The collection holds only apps "that have
 * OAuth usage data", and may need the same org setting as the credentials resources, so a miss is not an answer:
 * undefined sends the caller to the SOQL look-up.
 */
async function appIdFromUsage(connection: Connection, appName: string): Promise<string | undefined> {
  try {
    for (let page = 0; page < 50; page++) {
      const usage = await connection.request<UsageCollection>(`/apps/oauth/usage?page=${page}&pageSize=100`);
      // This app's own name first: a namespaced look-alike (x__<appName>) listed before it is not taken for it.
      const apps = usage.apps ?? [];
      const app =
        apps.find((a) => a.developerName === appName) ?? apps.find((a) => a.developerName?.endsWith(`__${appName}`));
      // The identifier becomes a URL path: an id, or nothing.
      if (app?.identifier) return orgAnyId(app.identifier, `the id of ${appName} in /apps/oauth/usage`);
      if (!usage.nextPageUrl) return undefined;
    }
  } catch (error) {
    if (isTransientError(error) || error instanceof OrgAnswerError) throw error;
  }
  return undefined;
}

/** The app's id by SOQL: works on the orgs seen so far, but the Object Reference does not promise it. */
async function appIdFromQuery(connection: Connection, appName: string): Promise<string | undefined> {
  const result = await connection.query<{ Id: string }>(
    `SELECT Id FROM ExternalClientApplication WHERE DeveloperName = '${appName}'`,
  );
  const id = result.records[0]?.Id;
  return id === undefined ? undefined : orgAnyId(id, `the id of ${appName}`);
}

/** Connect REST "OAuth Credentials" (API 60.0+): the app's id, then its consumer, then key and secret. */
export async function readCredentialsOverRest(
  connection: Connection,
  appName: string,
  withSecret: boolean,
  log?: (line: string) => void,
): Promise<{ key?: string; secret?: string }> {
  // Three reads: safe to repeat as a whole when one of them meets a dropped connection or a 5xx.
  return withRetry(
    async () => {
      const appId = (await appIdFromUsage(connection, appName)) ?? (await appIdFromQuery(connection, appName));
      if (!appId) throw new Error(`The org has no External Client App named ${appName}.`);
      const collection = await connection.request<CredentialsCollection>(`/apps/oauth/credentials/${appId}`);
      const consumerId = collection.consumers?.[0]?.id;
      if (!consumerId) throw new Error(`The External Client App ${appName} has no OAuth consumer yet.`);
      orgAnyId(consumerId, `the OAuth consumer id of ${appName}`);
      try {
        const creds = await connection.request<Credentials>(
          `/apps/oauth/credentials/${appId}/${consumerId}?part=${withSecret ? 'keyandsecret' : 'key'}`,
        );
        maskSecret(creds.key);
        maskSecret(creds.secret);
        return { key: creds.key, secret: creds.secret };
      } catch (error) {
        if (isTransientError(error)) throw error;
        throw new Error(
          `The org did not return the consumer secret of ${appName} (${(error as Error).message.split('\n')[0]}). ` +
            'Turn on "Allow access to External Client App consumer secrets via REST API" in Setup → External Client App Settings, ' +
            'and give the Dev Hub user the "View Client Secret" permission.',
        );
      }
    },
    { what: 'Read the OAuth credentials', log },
  );
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function toArray<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}
