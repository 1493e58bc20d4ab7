// Metadata API deploy and retrieve, shared by the SOAP binding (soap.ts) and the REST deployRequest routes below.
// A deploy unzips the payload, reads package.xml, maps each file to its type, validates every component with
// ctx.validateComponent (siblings included), and then either fails as a whole (rollbackOnError) or stores the
// components as org state. Jobs report InProgress for ctx.timing.deployPolls / retrievePolls polls first.
import JSZip from 'jszip';
import registryJson from '@salesforce/source-deploy-retrieve/lib/src/registry/metadataRegistry.json' with {
  type: 'json',
};
import { stillRunning } from './timing.ts';
import type {
  AppliedComponent,
  ComponentProblem,
  ComponentSource,
  FakeOrgContext,
  FakeRequest,
  OrgState,
  Route,
} from './types.ts';
import { ECA_CHILD_TYPES, MODELLED_TYPES, TYPE_BY_NAME, filePath } from './schema.ts';
import { normalizedNodes, setField } from './store.ts';
import { MD_NS, childText, parseXml, renderMetadata, type XmlElement } from './xml.ts';

export interface DeployOptions {
  allowMissingFiles: boolean;
  autoUpdatePackage: boolean;
  checkOnly: boolean;
  ignoreWarnings: boolean;
  performRetrieve: boolean;
  purgeOnDelete: boolean;
  rollbackOnError: boolean;
  runTests: string[];
  singlePackage: boolean;
  testLevel?: string;
}

const DEFAULT_DEPLOY_OPTIONS: DeployOptions = {
  allowMissingFiles: false,
  autoUpdatePackage: false,
  checkOnly: false,
  ignoreWarnings: false,
  performRetrieve: false,
  purgeOnDelete: false,
  rollbackOnError: true,
  runTests: [],
  singlePackage: false,
};

const TEST_LEVELS = ['NoTestRun', 'RunSpecifiedTests', 'RunLocalTests', 'RunAllTestsInOrg', 'RunRelevantTests'];

export interface DeployMessage {
  changed: boolean;
  columnNumber?: number;
  componentType: string;
  created: boolean;
  createdDate: string;
  deleted: boolean;
  fileName: string;
  fullName: string;
  id?: string;
  lineNumber?: number;
  problem?: string;
  problemType?: 'Error' | 'Warning';
  success: boolean;
}

export interface DeployResult {
  id: string;
  checkOnly: boolean;
  completedDate?: string;
  createdBy: string;
  createdByName: string;
  createdDate: string;
  details?: {
    componentSuccesses: DeployMessage[];
    componentFailures: DeployMessage[];
    runTestResult: { numFailures: number; numTestsRun: number; totalTime: number };
  };
  done: boolean;
  errorMessage?: string;
  errorStatusCode?: string;
  ignoreWarnings: boolean;
  lastModifiedDate: string;
  numberComponentErrors: number;
  numberComponentsDeployed: number;
  numberComponentsTotal: number;
  numberTestErrors: number;
  numberTestsCompleted: number;
  numberTestsTotal: number;
  rollbackOnError: boolean;
  runTestsEnabled: boolean;
  startDate?: string;
  status: 'Pending' | 'InProgress' | 'Succeeded' | 'SucceededPartial' | 'Failed';
  success: boolean;
}

export interface FileProperties {
  createdById: string;
  createdByName: string;
  createdDate: string;
  fileName: string;
  fullName: string;
  id: string;
  lastModifiedById: string;
  lastModifiedByName: string;
  lastModifiedDate: string;
  manageableState: string;
  type: string;
}

export interface RetrieveResult {
  done: boolean;
  fileProperties: FileProperties[];
  id: string;
  messages: { fileName: string; problem: string }[];
  status: 'Pending' | 'InProgress' | 'Succeeded' | 'Failed';
  success: boolean;
  zipFile?: string;
}

export interface RetrieveRequest {
  apiVersion: string;
  singlePackage: boolean;
  packageNames: string[];
  unpackaged?: { types: { name: string; members: string[] }[]; version?: string };
}

interface DeployJob {
  kind: 'deploy';
  org: OrgState;
  polls: number;
  /** epoch ms */
  startedAt: number;
  options: DeployOptions;
  result: DeployResult;
}

interface RetrieveJob {
  kind: 'retrieve';
  org: OrgState;
  polls: number;
  result: RetrieveResult;
  archive: JSZip;
}

/** Every type name Salesforce knows (SDR's registry), to tell "unknown" from "not modelled by the fake". */
const KNOWN_TYPES = (() => {
  const names = new Set<string>();
  const walk = (types: Record<string, { name: string; children?: { types: Record<string, unknown> } }>): void => {
    for (const t of Object.values(types)) {
      names.add(t.name);
      if (t.children) walk(t.children.types as typeof types);
    }
  };
  walk((registryJson as unknown as { types: Parameters<typeof walk>[0] }).types);
  return names;
})();

export interface MetadataApiDeps {
  ctx: FakeOrgContext;
  /** store.apply: like ctx.applyComponents, and says what it stored */
  apply(org: OrgState, components: readonly ComponentSource[]): AppliedComponent[];
  /** one-shot forced failure for the next deploy (faults.ts) */
  takeDeployFailure(): string | undefined;
}

export function createMetadataApi(deps: MetadataApiDeps) {
  const { ctx } = deps;
  const jobs = new Map<string, DeployJob | RetrieveJob>();

  const now = (): string => new Date().toISOString();

  async function startDeploy(
    org: OrgState,
    zip: Buffer,
    given: Partial<DeployOptions>,
    apiVersion: string,
  ): Promise<DeployResult> {
    const options = { ...DEFAULT_DEPLOY_OPTIONS, ...given };
    const id = ctx.newId('0Af');
    const created = now();
    const base: DeployResult = {
      id,
      checkOnly: options.checkOnly,
      createdBy: org.userId,
      createdByName: 'Fake User',
      createdDate: created,
      done: false,
      ignoreWarnings: options.ignoreWarnings,
      lastModifiedDate: created,
      numberComponentErrors: 0,
      numberComponentsDeployed: 0,
      numberComponentsTotal: 0,
      numberTestErrors: 0,
      numberTestsCompleted: 0,
      numberTestsTotal: 0,
      rollbackOnError: options.rollbackOnError,
      runTestsEnabled: false,
      status: 'Pending',
      success: false,
    };
    // Like a real org the work happens whether or not anyone polls; polls only reveal it step by step.
    const result = await runDeploy(org, zip, options, apiVersion, base);
    jobs.set(id, { kind: 'deploy', org, polls: 0, startedAt: Date.now(), options, result });
    return base;
  }

  async function runDeploy(
    org: OrgState,
    zip: Buffer,
    options: DeployOptions,
    apiVersion: string,
    base: DeployResult,
  ): Promise<DeployResult> {
    const createdDate = base.createdDate;
    const finish = (fields: Partial<DeployResult>): DeployResult => ({
      ...base,
      startDate: createdDate,
      completedDate: now(),
      lastModifiedDate: now(),
      done: true,
      ...fields,
    });
    if (options.testLevel !== undefined && !TEST_LEVELS.includes(options.testLevel)) {
      return finish({
        status: 'Failed',
        errorStatusCode: 'INVALID_OPERATION',
        errorMessage: `Invalid testLevel: ${options.testLevel}`,
      });
    }
    let archive: JSZip;
    try {
      archive = await JSZip.loadAsync(zip);
    } catch (error) {
      return finish({
        status: 'Failed',
        errorStatusCode: 'UNKNOWN_EXCEPTION',
        errorMessage: `Error processing zip file: ${(error as Error).message}`,
      });
    }

    const failures: DeployMessage[] = [];
    const fail = (problem: ComponentProblem, problemType: 'Error' | 'Warning' = 'Error'): void => {
      failures.push({
        changed: false,
        componentType: problem.componentType,
        created: false,
        createdDate,
        deleted: false,
        fileName: problem.fileName,
        fullName: problem.fullName,
        problem: problem.problem,
        problemType,
        success: false,
        ...(problem.lineNumber !== undefined
          ? { lineNumber: problem.lineNumber, columnNumber: problem.columnNumber ?? 1 }
          : {}),
      });
    };
    const manifestProblem = (fileName: string, problem: string): void =>
      fail({ componentType: '', fullName: fileName, fileName, problem });

    const prefix = packageRoot(archive, options.singlePackage);
    if (prefix === undefined) {
      manifestProblem('package.xml', 'No package.xml found');
      return failed(finish, failures, [], 0);
    }
    const manifestName = `${prefix}package.xml`;
    const manifest = parseManifest(await archive.file(manifestName)!.async('string'));
    if ('error' in manifest) {
      manifestProblem(manifestName, manifest.error);
      return failed(finish, failures, [], 0);
    }
    if (
      archive.file(`${prefix}destructiveChanges.xml`) ||
      archive.file(`${prefix}destructiveChangesPost.xml`) ||
      archive.file(`${prefix}destructiveChangesPre.xml`)
    ) {
      manifestProblem(manifestName, 'The fake org does not model destructive changes.');
    }
    const version = Number(manifest.version ?? apiVersion);

    const components: ComponentSource[] = [];
    for (const { name, members } of manifest.types) {
      if (!members.length) continue; // e.g. the empty <types><name>Profile</name></types> packaging writes
      const type = TYPE_BY_NAME.get(name);
      if (!KNOWN_TYPES.has(name) || (type && version < type.since)) {
        manifestProblem(manifestName, `Unknown type name '${name}' specified in package.xml`);
        continue;
      }
      if (!type) {
        manifestProblem(manifestName, `The fake org does not model metadata type '${name}'.`);
        continue;
      }
      const names = members.includes('*') ? membersInZip(archive, prefix, type.directory, type.suffix) : members;
      for (const member of names) {
        const fileName = `${prefix}${filePath(type, member)}`;
        const file = archive.file(fileName);
        if (!file) {
          if (!options.allowMissingFiles) {
            fail({
              componentType: name,
              fullName: member,
              fileName,
              problem: `An object '${member}' of type ${name} was named in package.xml, but was not found in zipped directory`,
            });
          }
          continue;
        }
        components.push({ type: name, fullName: member, fileName, xml: await file.async('string') });
      }
    }

    const failedKeys = new Set<string>();
    const refused = ecaAccessProblem(org);
    if (refused) {
      // Salesforce's rule for creating External Client Apps (docs/platform-notes.md §16); the text is ours.
      for (const component of components) {
        if (component.type === 'ExternalClientApplication' || ECA_CHILD_TYPES.has(component.type)) {
          fail({ ...pick(component), problem: refused });
          failedKeys.add(key(component));
        }
      }
    }
    const forced = deps.takeDeployFailure();
    for (const component of components) {
      if (failedKeys.has(key(component))) continue;
      const problems = ctx.validateComponent(component.type, component.fullName, component.fileName, component.xml, {
        kind: 'deploy',
        org,
        siblings: components,
        apiVersion: version,
      });
      if (forced && component === components[0]) problems.push({ ...pick(component), problem: forced });
      for (const problem of problems) fail(problem);
      if (problems.length) failedKeys.add(key(component));
    }
    for (const component of components) {
      if (failedKeys.has(key(component)) || component.type !== 'ExtlClntAppGlobalOauthSettings') continue;
      // Rotation invalidates the key or secret in use: a warning, so it needs ignoreWarnings.
      const rotates = /<shouldRotateConsumer(?:Key|Secret)>\s*true\s*</.test(component.xml);
      if (rotates && !options.ignoreWarnings) {
        fail(
          {
            ...pick(component),
            problem: `Rotating the consumer key or secret of ${component.fullName} invalidates the current one. Deploy with ignoreWarnings to rotate.`,
          },
          'Warning',
        );
        failedKeys.add(key(component));
      }
    }

    // A component naming an app of this deploy that failed finds no app (unless the org already has it), as on an
    // org; without this a deploy with rollbackOnError false would save settings of an app that does not exist.
    for (const component of components) {
      if (failedKeys.has(key(component)) || !ECA_CHILD_TYPES.has(component.type)) continue;
      const parsed = parseXml(component.xml);
      const app = 'root' in parsed ? childText(parsed.root, 'externalClientApplication')?.trim() : undefined;
      if (
        app &&
        failedKeys.has(`ExternalClientApplication:${app}`) &&
        !org.metadata.get('ExternalClientApplication')?.has(app)
      ) {
        fail({
          ...pick(component),
          problem: `In field: externalClientApplication - no ExternalClientApplication named ${app} found`,
        });
        failedKeys.add(key(component));
      }
    }

    const passing = components.filter((c) => !failedKeys.has(key(c)));
    const whole = failures.length === 0;
    const save = !options.checkOnly && (whole || !options.rollbackOnError);
    const applied = save ? deps.apply(org, passing) : passing.map((c) => preview(org, c));
    const successes: DeployMessage[] = applied.map((a) => ({
      changed: a.changed,
      componentType: a.type,
      created: a.created,
      createdDate,
      deleted: false,
      fileName: a.fileName,
      fullName: a.fullName,
      id: a.id,
      success: true,
    }));
    successes.push({
      changed: true,
      componentType: '',
      created: false,
      createdDate,
      deleted: false,
      fileName: manifestName,
      fullName: 'package.xml',
      success: true,
    });
    if (!whole) return failed(finish, failures, successes, components.length, save);
    return finish({
      status: 'Succeeded',
      success: true,
      numberComponentsDeployed: components.length,
      numberComponentsTotal: components.length,
      details: { componentSuccesses: successes, componentFailures: [], runTestResult: NO_TESTS },
    });
  }

  /** What a component would be on save, for checkOnly and rolled-back deploys (ids and flags, no state change). */
  function preview(org: OrgState, c: ComponentSource): AppliedComponent {
    const stored = org.metadata.get(c.type)?.get(c.fullName);
    return {
      type: c.type,
      fullName: c.fullName,
      fileName: c.fileName,
      id: org.componentIds.get(`${c.type}:${c.fullName}`) ?? '',
      created: stored === undefined,
      changed: true,
    };
  }

  function checkDeploy(org: OrgState, id: string, includeDetails: boolean): DeployResult | undefined {
    const job = jobs.get(id);
    if (job?.kind !== 'deploy' || job.org !== org) return undefined;
    if (job.polls < Math.max(1, ctx.timing.deployPolls) || stillRunning(job.startedAt, ctx.timing.durations.deployMs)) {
      job.polls++;
      const total = job.result.numberComponentsTotal;
      const { details: _details, ...rest } = job.result;
      return {
        ...rest,
        done: false,
        status: 'InProgress',
        success: false,
        completedDate: undefined,
        startDate: job.result.createdDate,
        numberComponentsDeployed: 0,
        numberComponentErrors: 0,
        numberComponentsTotal: total,
        errorMessage: undefined,
        errorStatusCode: undefined,
      };
    }
    if (includeDetails) return job.result;
    const { details: _details, ...rest } = job.result;
    return rest;
  }

  function startRetrieve(org: OrgState, request: RetrieveRequest): RetrieveResult {
    const id = ctx.newId('09S');
    const { result, archive } = runRetrieve(org, request, id);
    jobs.set(id, { kind: 'retrieve', org, polls: 0, result, archive });
    return { done: false, fileProperties: [], id, messages: [], status: 'Pending', success: false };
  }

  function runRetrieve(
    org: OrgState,
    request: RetrieveRequest,
    id: string,
  ): { result: RetrieveResult; archive: JSZip } {
    const messages: RetrieveResult['messages'] = [];
    const prefix = request.singlePackage ? '' : 'unpackaged/';
    const manifestName = `${prefix}package.xml`;
    const archive = new JSZip();
    const files: FileProperties[] = [];
    const retrieved = new Map<string, string[]>();
    const date = now();
    const props = (fileName: string, fullName: string, type: string, componentId: string): FileProperties =>
      fileProperties(org, date, { fileName, fullName, type, id: componentId });
    if (request.packageNames.length) {
      messages.push({ fileName: manifestName, problem: 'The fake org does not model retrieving by package name.' });
    }
    for (const { name, members } of request.unpackaged?.types ?? []) {
      const type = TYPE_BY_NAME.get(name);
      if (!type) {
        messages.push({
          fileName: manifestName,
          problem: KNOWN_TYPES.has(name)
            ? `The fake org does not model metadata type '${name}'.`
            : `Unknown type name '${name}' specified in package.xml`,
        });
        continue;
      }
      const stored = org.metadata.get(name) ?? new Map<string, string>();
      const names = members.includes('*') ? [...stored.keys()].sort() : members;
      for (const member of names) {
        const xml = stored.get(member);
        if (xml === undefined) {
          messages.push({
            fileName: manifestName,
            problem: `Entity of type '${name}' named '${member}' cannot be found`,
          });
          continue;
        }
        const fileName = `${prefix}${filePath(type, member)}`;
        archive.file(fileName, retrievedXml(org, name, xml));
        files.push(props(fileName, member, name, org.componentIds.get(`${name}:${member}`) ?? ''));
        retrieved.set(name, [...(retrieved.get(name) ?? []), member]);
      }
    }
    const version = request.unpackaged?.version ?? request.apiVersion;
    archive.file(manifestName, renderManifest(retrieved, version));
    files.push(props(manifestName, manifestName, 'Package', ''));
    return { result: { done: true, fileProperties: files, id, messages, status: 'Succeeded', success: true }, archive };
  }

  /** Global OAuth settings come back with the key always, the secret only when the org allows (docs/platform-notes.md §6). */
  function retrievedXml(org: OrgState, type: string, xml: string): string {
    if (type !== 'ExtlClntAppGlobalOauthSettings' || !org.settings.enableConsumerSecretApiAccess) return xml;
    const nodes = normalizedNodes(type, xml);
    const app = nodes.find((n) => n.name === 'externalClientApplication')?.value;
    const consumer = typeof app === 'string' ? org.consumers.get(app) : undefined;
    if (consumer) setField(nodes, type, 'consumerSecret', consumer.consumerSecret);
    return renderMetadata(type, nodes);
  }

  async function checkRetrieve(org: OrgState, id: string, includeZip: boolean): Promise<RetrieveResult | undefined> {
    const job = jobs.get(id);
    if (job?.kind !== 'retrieve' || job.org !== org) return undefined;
    if (job.polls < Math.max(1, ctx.timing.retrievePolls)) {
      job.polls++;
      return { done: false, fileProperties: [], id, messages: [], status: 'InProgress', success: false };
    }
    if (!includeZip) return job.result;
    const zipFile = (await job.archive.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' })).toString(
      'base64',
    );
    return { ...job.result, zipFile };
  }

  /** REST deploy: POST /metadata/deployRequest (multipart) and GET /metadata/deployRequest/<id>. */
  const routes: Route[] = [
    {
      name: 'metadata.deployRequest.create',
      method: 'POST',
      pattern: /^\/metadata\/deployRequest$/,
      handler: async (req: FakeRequest) => {
        let parts: ReturnType<typeof ctx.parseMultipart>;
        try {
          parts = ctx.parseMultipart(req);
        } catch (error) {
          return ctx.restError(400, 'INVALID_MULTIPART_REQUEST', (error as Error).message);
        }
        const file = parts.find((p) => p.name === 'file');
        const entity = parts.find((p) => p.name === 'entity_content');
        if (!file)
          return ctx.restError(
            400,
            'INVALID_MULTIPART_REQUEST',
            "Missing the binary part 'file' with the zip to deploy",
          );
        let deployOptions: Partial<DeployOptions> = {};
        if (entity) {
          try {
            deployOptions =
              (JSON.parse(entity.data.toString('utf8')) as { deployOptions?: Partial<DeployOptions> }).deployOptions ??
              {};
          } catch {
            return ctx.restError(400, 'JSON_PARSER_ERROR', "The 'entity_content' part is not valid JSON");
          }
        }
        const started = await startDeploy(req.org, file.data, deployOptions, req.apiVersion);
        const url = `/services/data/v${req.apiVersion}/metadata/deployRequest/${started.id}`;
        return ctx.json(201, {
          id: started.id,
          url,
          deployOptions: { ...DEFAULT_DEPLOY_OPTIONS, ...deployOptions },
          deployResult: started,
        });
      },
    },
    {
      name: 'metadata.deployRequest.get',
      method: 'GET',
      pattern: /^\/metadata\/deployRequest\/([0-9A-Za-z]{15,18})$/,
      handler: (req: FakeRequest, match: RegExpMatchArray) => {
        const id = match[1]!;
        const job = jobs.get(id);
        const result = checkDeploy(req.org, id, req.query.get('includeDetails') === 'true');
        if (!result || job?.kind !== 'deploy')
          return ctx.restError(404, 'NOT_FOUND', 'The requested resource does not exist');
        return ctx.json(200, {
          id,
          url: `/services/data/v${req.apiVersion}/metadata/deployRequest/${id}`,
          deployOptions: job.options,
          deployResult: result,
        });
      },
    },
  ];

  /**
   * listMetadata (synchronous): FileProperties of every stored component of each queried type. Salesforce takes at
   * most three queries per call; a type the API version does not know is refused, one the org simply has none of
   * answers nothing.
   */
  function listMetadata(
    org: OrgState,
    queries: { type: string; folder?: string }[],
    apiVersion: string,
  ): FileProperties[] | { fault: string; message: string } {
    if (queries.length === 0)
      return { fault: 'soapenv:Client', message: "Element 'queries' is required for listMetadata" };
    // The limit is documented ("up to three ListMetadataQuery queries for each call"); the fault's text is the fake's own.
    if (queries.length > 3)
      return { fault: 'soapenv:Client', message: `listMetadata takes at most 3 queries, not ${queries.length}` };
    const version = Number(apiVersion);
    const date = now();
    const out: FileProperties[] = [];
    for (const query of queries) {
      const type = TYPE_BY_NAME.get(query.type);
      if (!KNOWN_TYPES.has(query.type) || (type && version < type.since)) {
        return {
          fault: 'sf:INVALID_TYPE',
          message: 'INVALID_TYPE: This type of metadata is not available for this organization',
        };
      }
      if (!type) continue;
      for (const fullName of [...(org.metadata.get(query.type)?.keys() ?? [])].sort()) {
        const id = org.componentIds.get(`${query.type}:${fullName}`) ?? '';
        out.push(fileProperties(org, date, { fileName: filePath(type, fullName), fullName, type: query.type, id }));
      }
    }
    return out;
  }

  return { startDeploy, checkDeploy, startRetrieve, checkRetrieve, listMetadata, routes };
}

/**
 * What retrieve and listMetadata say of one component (the fake keeps no per-component dates or authors), its
 * elements in the WSDL's order.
 */
function fileProperties(
  org: OrgState,
  date: string,
  c: Pick<FileProperties, 'fileName' | 'fullName' | 'type' | 'id'>,
): FileProperties {
  return {
    createdById: org.userId,
    createdByName: 'Fake User',
    createdDate: date,
    fileName: c.fileName,
    fullName: c.fullName,
    id: c.id,
    lastModifiedById: org.userId,
    lastModifiedByName: 'Fake User',
    lastModifiedDate: date,
    manageableState: 'unmanaged',
    type: c.type,
  };
}

const NO_TESTS = { numFailures: 0, numTestsRun: 0, totalTime: 0 };

function failed(
  finish: (fields: Partial<DeployResult>) => DeployResult,
  failures: DeployMessage[],
  successes: DeployMessage[],
  total: number,
  saved = false,
): DeployResult {
  return finish({
    status: saved ? 'SucceededPartial' : 'Failed',
    success: saved,
    numberComponentErrors: failures.length,
    numberComponentsDeployed: saved ? successes.length - 1 : 0,
    numberComponentsTotal: total,
    details: { componentSuccesses: successes, componentFailures: failures, runTestResult: NO_TESTS },
  });
}

function key(c: ComponentSource): string {
  return `${c.type}:${c.fullName}`;
}

function pick(c: ComponentSource): Omit<ComponentProblem, 'problem'> {
  return { componentType: c.type, fullName: c.fullName, fileName: c.fileName };
}

/** '' when package.xml is at the root (singlePackage), '<dir>/' for the classic layout, undefined if missing. */
function packageRoot(archive: JSZip, singlePackage: boolean): string | undefined {
  if (singlePackage) return archive.file('package.xml') ? '' : undefined;
  const nested = Object.keys(archive.files).find((p) => /^[^/]+\/package\.xml$/.test(p));
  return nested ? nested.slice(0, -'package.xml'.length) : undefined;
}

function membersInZip(archive: JSZip, prefix: string, directory: string, suffix: string): string[] {
  const pattern = new RegExp(`^${escapeRegExp(prefix)}${directory}/([^/]+)\\.${suffix}$`);
  return Object.keys(archive.files)
    .map((p) => pattern.exec(p)?.[1])
    .filter((m): m is string => m !== undefined)
    .sort();
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

type Manifest = { types: { name: string; members: string[] }[]; version?: string } | { error: string };

function parseManifest(xml: string): Manifest {
  const parsed = parseXml(xml);
  if ('error' in parsed) return { error: `Error parsing file: ${parsed.error.message}` };
  const root: XmlElement = parsed.root;
  if (root.name !== 'Package' || root.attrs.xmlns !== MD_NS)
    return { error: `Error parsing file: Element {${root.attrs.xmlns ?? ''}}${root.name} invalid at this location` };
  const types: { name: string; members: string[] }[] = [];
  for (const el of root.children) {
    if (el.name === 'types') {
      const name = childText(el, 'name');
      if (!name) return { error: 'Error parsing file: Required field is missing: name' };
      types.push({ name, members: el.children.filter((c) => c.name === 'members').map((c) => c.text.trim()) });
    } else if (
      ![
        'version',
        'fullName',
        'apiAccessLevel',
        'description',
        'namespacePrefix',
        'objectPermissions',
        'packageType',
        'postInstallClass',
        'setupWeblink',
        'uninstallClass',
      ].includes(el.name)
    ) {
      return { error: `Error parsing file: Element {${MD_NS}}${el.name} invalid at this location in type Package` };
    }
  }
  return { types, version: childText(root, 'version')?.trim() };
}

function renderManifest(retrieved: Map<string, string[]>, version: string): string {
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', `<Package xmlns="${MD_NS}">`];
  for (const type of MODELLED_TYPES) {
    const members = retrieved.get(type.name);
    if (!members?.length) continue;
    lines.push(
      '    <types>',
      ...members.map((m) => `        <members>${m}</members>`),
      `        <name>${type.name}</name>`,
      '    </types>',
    );
  }
  lines.push(`    <version>${version}</version>`, '</Package>', '');
  return lines.join('\n');
}

/**
 * Creating or changing External Client Apps needs Customize Application AND (Modify All Data OR Create, edit, and
 * delete External Client Apps) (docs/platform-notes.md §16). The wording of the refusal is our choice, no evidence.
 */
function ecaAccessProblem(org: OrgState): string | undefined {
  const has = (field: string): boolean => org.settings.userPermissions?.[field] ?? true;
  if (
    has('PermissionsCustomizeApplication') &&
    (has('PermissionsModifyAllData') || has('PermissionsExternalClientAppDeveloper'))
  )
    return undefined;
  return 'INSUFFICIENT_ACCESS: insufficient access rights to create or edit External Client Apps (Customize Application and Create, edit, and delete External Client Apps or Modify All Data are required)';
}
