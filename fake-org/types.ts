// Contract between the fake org's server (server.ts and friends) and its route modules (e.g. packaging.ts).
// Route modules get everything through FakeOrgContext so that they never import the server.

import type { IncomingHttpHeaders } from 'node:http';
import type { FaultAction } from './faults.ts';

/** One simulated Salesforce org. The server hosts several (a Dev Hub and a scratch org) on one port. */
export interface OrgState {
  /** 18-char org id, 00D… */
  orgId: string;
  /** 18-char user id, 005… */
  userId: string;
  username: string;
  /** Organization.Name */
  name: string;
  isDevHub: boolean;
  /** namespace prefix linked to this (Dev Hub) org, if any */
  namespace?: string;
  /**
   * Deployed metadata, by metadata type name → fullName → the component's XML text as the org would
   * return it on retrieve (for the ECA family, with org-generated fields such as oauthLink filled in).
   */
  metadata: Map<string, Map<string, string>>;
  /** OAuth consumers of deployed External Client Apps, by app (ExternalClientApplication fullName). */
  consumers: Map<string, Consumer>;
  /** Free slots for route modules to keep their own per-org state (e.g. 'packaging'). */
  ext: Map<string, unknown>;
  /** Ids of deployed components by `Type:fullName` (ExternalClientApplication 0xI…, PermissionSet 0PS…). */
  componentIds: Map<string, string>;
  /** Org settings that change what the APIs reveal; tests flip them. */
  settings: OrgSettings;
}

/** The ExternalClientAppSettings switches the fake honours. */
export interface OrgSettings {
  /** enableClientSecretInRestApiAccess: the Connect REST credentials resources answer at all (default true) */
  enableClientSecretInRestApiAccess: boolean;
  /** enableConsumerSecretApiAccess: a retrieve includes consumerSecret (default false; deprecated by Salesforce) */
  enableConsumerSecretApiAccess: boolean;
  /** scratch-org feature SalesforceHostedMCP: McpServerAccess exists in this org (default true) */
  hostedMcp?: boolean;
  /** the platform MCP servers' DeveloperNames this org offers (default: every one in mcp.ts PLATFORM_SERVERS) */
  hostedMcpServers?: readonly string[];
  /** the current user's effective permissions as UserPermissionAccess reports them (default: all true) */
  userPermissions?: Record<string, boolean>;
}

/** One component of a deploy or package zip, in metadata format. */
export interface ComponentSource {
  type: string;
  fullName: string;
  /** path in the zip, e.g. externalClientApps/MyApp.eca */
  fileName: string;
  xml: string;
}

/** A component as stored by applyComponents. */
export interface AppliedComponent {
  type: string;
  fullName: string;
  fileName: string;
  /** record id, e.g. 0xI… */
  id: string;
  /** it did not exist before */
  created: boolean;
  /** its stored XML changed */
  changed: boolean;
}

/** One part of a multipart/form-data body. */
export interface MultipartPart {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

export interface Consumer {
  appName: string;
  /** 0xI… id of the ExternalClientApplication */
  appId: string;
  /** 888… id of the OAuth consumer */
  consumerId: string;
  consumerKey: string;
  consumerSecret: string;
  /** `<orgId>:<consumerId>`, as written into ExtlClntAppOauthSettings.oauthLink */
  oauthLink: string;
  /** when this org got the consumer (epoch ms): the token endpoint knows the client timing.appUsableMs later */
  createdAt?: number;
}

export interface FakeRequest {
  method: string;
  /** path without the query string, e.g. /services/data/v65.0/tooling/sobjects/Package2 */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** the org whose session the request carries (Bearer token); set for authenticated routes */
  org: OrgState;
  /** API version from the path, e.g. '65.0' */
  apiVersion: string;
}

export interface FakeResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** A problem in one metadata component, shaped like a Metadata API componentFailure. */
export interface ComponentProblem {
  componentType: string;
  fullName: string;
  /** path in the metadata-format zip, e.g. externalClientApps/MyApp.eca */
  fileName: string;
  problem: string;
  lineNumber?: number;
  columnNumber?: number;
}

export interface Route {
  /** stable name for fault injection and the request log, e.g. 'tooling.package2.create' */
  name: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** matched against FakeRequest.path after the `/services/data/vNN.0` prefix, e.g. /^\/tooling\/sobjects\/Package2$/ */
  pattern: RegExp;
  /**
   * Answer, or return undefined to pass the request on to the next route with a matching pattern (several
   * modules share `/query` and `/tooling/query`; each answers the FROM objects it owns).
   */
  handler: (req: FakeRequest, match: RegExpMatchArray) => FakeResponse | undefined | Promise<FakeResponse | undefined>;
}

/**
 * Where a component is going. `siblings` are the other components of the same deploy or package version: the rules
 * that look across components (cross references, "global and OAuth settings together") use them; without them only
 * what is already in `org` counts.
 */
export type ValidationContext =
  | {
      kind: 'deploy';
      org: OrgState;
      siblings?: readonly ComponentSource[];
      /** the package.xml version: a field newer than it is not part of the type (schema.ts FIELD_SINCE) */
      apiVersion?: number;
    }
  | { kind: 'package'; org: OrgState; siblings?: readonly ComponentSource[] };

export interface FakeOrgContext {
  orgs: OrgState[];
  devHub: OrgState;
  /** the second org (a scratch org) that packages are installed into */
  scratch: OrgState;
  /** a fresh 18-char id with that 3-char key prefix: prefix + 12 digits + 'AAA' */
  newId(prefix: string): string;
  /**
   * Validate one metadata-format component (the XML text inside a deploy or package zip) against the type's
   * schema and the platform rules. `context` says where it is going: a deploy to `org`, or a package version.
   */
  validateComponent(
    type: string,
    fullName: string,
    fileName: string,
    xml: string,
    context: ValidationContext,
  ): ComponentProblem[];
  /** Parse a multipart/form-data request body (REST deploy, Package2VersionCreateRequest). Throws on a malformed body. */
  parseMultipart(req: FakeRequest): MultipartPart[];
  /** Base URL of the server, http://127.0.0.1:PORT (the same port also answers https, see server.ts) */
  instanceUrl: string;
  /**
   * Store already validated components in `org` as a deploy would: ids, the OAuth consumer, oauthLink and
   * orgScopedExternalApp filled in. For a package install, pass the subscriber org.
   */
  applyComponents(org: OrgState, components: readonly ComponentSource[]): void;
  /** JSON response with Salesforce's content type */
  json(status: number, body: unknown): FakeResponse;
  /** REST error in Salesforce's shape: [{ errorCode, message }] */
  restError(status: number, errorCode: string, message: string): FakeResponse;
  /** Milliseconds or poll counts that async jobs take; tests shorten or lengthen them. */
  timing: {
    /** polls of a package version create request before it finishes */
    versionCreatePolls: number;
    /** polls of an async-validated request in PerformingValidations before its validations end (default 1) */
    validationPolls?: number;
    /** polls of SubscriberPackageVersion during which a new version is not yet installable */
    versionUnavailablePolls: number;
    /**
     * Error codes the first SubscriberPackageVersion queries of a new version fail with, in order (default none):
     * @salesforce/packaging (packageInstall.js isErrorPackageNotAvailable) keeps waiting on UNKNOWN_EXCEPTION,
     * PACKAGE_UNAVAILABLE, PACKAGE_UNAVAILABLE_CRC and PACKAGE_UNAVAILABLE_ZIP.
     */
    versionQueryErrors?: string[];
    /** PackageInstallRequest creates for a new version refused with "invalid cross reference id" (CumulusCI retries them) */
    installCreateRefusals?: number;
    /** installs of a version that already reads as installable that end in "The package version is not fully available…" */
    installsNotAvailable?: number;
    /**
     * installs of a version that already reads as installable that end, one each in this order, with the "not yet"
     * forms CI libraries retry (packaging/installs.ts INSTALL_NOT_YET_TEXTS)
     */
    installNotYetTexts?: ('notYetAvailable' | 'versionNumber' | 'doesNotYetExist' | 'rowLock' | 'notFullyAvailable')[];
    /** polls of an install request before it finishes */
    installPolls: number;
    /** polls of a ScratchOrgInfo that still read New before the signup finishes (default 1) */
    scratchSignupPolls?: number;
    /** InProgress polls of a metadata deploy before it reports its result (at least 1, as real orgs) */
    deployPolls: number;
    /** InProgress polls of a metadata retrieve before it reports its result */
    retrievePolls: number;
    /** ms after an org got an app's OAuth consumer before its token endpoint knows the client (default 0) */
    appUsableMs?: number;
    /** server-side durations of jobs (timing.ts): a job also runs until its duration has passed; zero = none */
    durations: import('./timing.ts').JobDurations;
  };
  /** Forced failures, set by tests. */
  failures: {
    /** the next package version create request ends in Error with these messages */
    versionCreate?: string[];
    /** the next install ends in ERROR with these messages */
    install?: string[];
    /**
     * the next async-validated version request (AsyncValidation) builds its version, then its validations end in
     * Error with these messages: the version stays installed where it was installed and cannot be promoted
     */
    asyncValidation?: string[];
  };
}

/** How the server answers one call: its route name (log, faults) and the answer, or a dropped connection. */
export interface CallOutcome {
  route: string;
  response?: FakeResponse;
  drop?: boolean;
  org?: OrgState;
  fault?: FaultAction['kind'];
  lose?: boolean;
}
