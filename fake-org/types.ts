// Contract between the fake org's server (server.ts and friends) and its route modules (e.g. packaging.ts).
// Route modules get everything through FakeOrgContext so that they never import the server.

import type { IncomingHttpHeaders } from 'node:http';

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
  handler: (
    req: FakeRequest,
    match: RegExpMatchArray,
  ) => FakeResponse | undefined | Promise<FakeResponse | undefined>;
}

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
    context: { kind: 'deploy'; org: OrgState } | { kind: 'package'; org: OrgState },
  ): ComponentProblem[];
  /** JSON response with Salesforce's content type */
  json(status: number, body: unknown): FakeResponse;
  /** REST error in Salesforce's shape: [{ errorCode, message }] */
  restError(status: number, errorCode: string, message: string): FakeResponse;
  /** Milliseconds or poll counts that async jobs take; tests shorten or lengthen them. */
  timing: {
    /** polls of a package version create request before it finishes */
    versionCreatePolls: number;
    /** polls of SubscriberPackageVersion during which a new version is not yet installable */
    versionUnavailablePolls: number;
    /** polls of an install request before it finishes */
    installPolls: number;
  };
  /** Forced failures, set by tests. */
  failures: {
    /** the next package version create request ends in Error with these messages */
    versionCreate?: string[];
    /** the next install ends in ERROR with these messages */
    install?: string[];
  };
}
