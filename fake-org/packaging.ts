// Tooling API routes for 2GP packaging (Dev Hub) and package installs (any org), as @salesforce/packaging and the
// action use them: Package2, Package2VersionCreateRequest (multipart), Package2Version, SubscriberPackageVersion,
// PackageInstallRequest, InstalledSubscriberPackage, and the Tooling queries on those objects.
// Asynchronous work advances per read: a version create request finishes after ctx.timing.versionCreatePolls status
// reads, a new version is PACKAGE_UNAVAILABLE for ctx.timing.versionUnavailablePolls look-ups, an install finishes
// after ctx.timing.installPolls reads. See docs/platform-notes.md, "Library wire notes", and §10.
// This file is the route table; each API surface is a module under packaging/ that takes the org context (ctx)
// as its first argument: packages.ts, version-requests.ts, installs.ts, queries.ts, with rows.ts and http.ts shared.
import type { FakeOrgContext, FakeRequest, Route } from './types.ts';
import { stateOf } from './packaging-state.ts';
import { SCHEMAS } from './packaging-schema.ts';
import { createInstallRequest, getInstallRequest, getSubscriberVersion } from './packaging/installs.ts';
import { createPackage2, getPackage2, getVersion, patchPackage2, patchVersion } from './packaging/packages.ts';
import { query } from './packaging/queries.ts';
import { createVersionRequest, getVersionRequest } from './packaging/version-requests.ts';

export { PACKAGEABLE_ECA_TYPES, UNPACKAGEABLE_ECA_TYPES } from './packaging-version.ts';
export { INSTALL_NOT_YET_TEXTS, type InstallNotYetForm } from './packaging/installs.ts';

export function packagingRoutes(ctx: FakeOrgContext): Route[] {
  const sobject = (name: string, withId: boolean) =>
    new RegExp(`^/tooling/sobjects/${name}${withId ? '/([^/]+)' : ''}/?$`, 'i');

  const queryRoutes: Route[] = SCHEMAS.map((schema) => ({
    name: `tooling.query.${schema.name[0]!.toLowerCase()}${schema.name.slice(1)}`,
    method: 'GET',
    pattern: /^\/tooling\/query\/?$/,
    handler: (req: FakeRequest) => query(ctx, req, schema.name),
  }));

  // REST limits resource (GET /services/data/vNN.0/limits): { <name>: { Max, Remaining } } per the REST API
  // Developer Guide, "List Organization Limits" (dome_limits.htm). Only the packaging counters are modelled.
  const limitsRoute: Route = {
    name: 'rest.limits',
    method: 'GET',
    pattern: /^\/limits\/?$/,
    handler: (req) => {
      const { Package2VersionCreates, Package2VersionCreatesWithoutValidation } = stateOf(req.org).limits;
      return ctx.json(200, {
        Package2VersionCreates: { ...Package2VersionCreates },
        Package2VersionCreatesWithoutValidation: { ...Package2VersionCreatesWithoutValidation },
      });
    },
  };

  // One line per Tooling sObject route: its name (faults, log), method, object, whether the path has an id, handler.
  const route = (
    name: string,
    method: Route['method'],
    object: string,
    withId: boolean,
    handler: Route['handler'],
  ): Route => ({
    name,
    method,
    pattern: sobject(object, withId),
    handler,
  });

  return [
    limitsRoute,
    ...queryRoutes,
    route('tooling.package2.create', 'POST', 'Package2', false, (req) => createPackage2(ctx, req)),
    route('tooling.package2.retrieve', 'GET', 'Package2', true, (req, m) => getPackage2(ctx, req, m)),
    route('tooling.package2.update', 'PATCH', 'Package2', true, (req, m) => patchPackage2(ctx, req, m)),
    route('tooling.package2VersionCreateRequest.create', 'POST', 'Package2VersionCreateRequest', false, (req) =>
      createVersionRequest(ctx, req),
    ),
    route('tooling.package2VersionCreateRequest.retrieve', 'GET', 'Package2VersionCreateRequest', true, (req, m) =>
      getVersionRequest(ctx, req, m),
    ),
    route('tooling.package2Version.retrieve', 'GET', 'Package2Version', true, (req, m) => getVersion(ctx, req, m)),
    route('tooling.package2Version.update', 'PATCH', 'Package2Version', true, (req, m) => patchVersion(ctx, req, m)),
    route('tooling.subscriberPackageVersion.retrieve', 'GET', 'SubscriberPackageVersion', true, (req, m) =>
      getSubscriberVersion(ctx, req, m),
    ),
    route('tooling.packageInstallRequest.create', 'POST', 'PackageInstallRequest', false, (req) =>
      createInstallRequest(ctx, req),
    ),
    route('tooling.packageInstallRequest.retrieve', 'GET', 'PackageInstallRequest', true, (req, m) =>
      getInstallRequest(ctx, req, m),
    ),
  ];
}
