// Package2 (create, retrieve, update and delete as IsDeprecated) and Package2Version (retrieve; promote, delete and
// update by PATCH) in the Dev Hub. Every check of an update runs before any field changes: an update is atomic.
import type { FakeOrgContext, FakeRequest, FakeResponse, OrgState } from '../types.ts';
import { type Package2Rec, key15, stateOf, timestamp, versionNumberOf } from '../packaging-state.ts';
import { ID_RE } from '../soql.ts';
import { apiNum, bodyGet, checkBody, fieldError, notFound, parseJsonObject, retrieveResponse, str } from './http.ts';
import { hubPackage, package2Values, versionValues } from './rows.ts';

export function createPackage2(ctx: FakeOrgContext, req: FakeRequest): FakeResponse {
  const hub = req.org;
  if (!hub.isDevHub) return notFound(ctx);
  const parsedBody = parseJsonObject(ctx, req.body.toString('utf8'));
  if (!parsedBody.ok) return parsedBody.res;
  const body = parsedBody.body;
  const bad = checkBody(ctx, body, 'Package2', {
    Name: 'string',
    Description: 'string',
    NamespacePrefix: 'string',
    ContainerOptions: 'string',
    IsOrgDependent: 'boolean',
    PackageErrorUsername: 'string',
    AppAnalyticsEnabled: 'boolean',
  });
  if (bad) return bad;
  const name = str(bodyGet(body, 'Name'));
  if (!name?.trim())
    return fieldError(ctx, 400, 'REQUIRED_FIELD_MISSING', 'Required fields are missing: [Name]', ['Name']);
  if (name.length > 255)
    return fieldError(
      ctx,
      400,
      'STRING_TOO_LONG',
      `Name: data value too large: ${name.slice(0, 20)}... (max length=255)`,
      ['Name'],
    );
  const st = stateOf(hub);
  const dup = duplicateName(ctx, hub, name);
  if (dup) return dup;
  const container = str(bodyGet(body, 'ContainerOptions'));
  if (!container)
    return fieldError(ctx, 400, 'REQUIRED_FIELD_MISSING', 'Required fields are missing: [ContainerOptions]', [
      'ContainerOptions',
    ]);
  if (container !== 'Managed' && container !== 'Unlocked') {
    return fieldError(
      ctx,
      400,
      'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
      `Container Options: bad value for restricted picklist field: ${container}`,
      ['ContainerOptions'],
    );
  }
  const ns = str(bodyGet(body, 'NamespacePrefix'));
  if (container === 'Managed' && !ns) {
    return fieldError(
      ctx,
      400,
      'FIELD_INTEGRITY_EXCEPTION',
      'A managed package requires a namespace. Link a namespace to your Dev Hub org, add it to sfdx-project.json, and create the package with that namespace.',
      ['NamespacePrefix'],
    );
  }
  if (ns && (!hub.namespace || hub.namespace.toLowerCase() !== ns.toLowerCase())) {
    return fieldError(
      ctx,
      400,
      'INVALID_NAMESPACE_PREFIX',
      `The namespace ${ns} isn't linked to this Dev Hub org. Link it in the Namespace Registry of the Dev Hub org, or use a namespace that's already linked${hub.namespace ? ` (${hub.namespace})` : ''}.`,
      ['NamespacePrefix'],
    );
  }
  const orgDependent = bodyGet(body, 'IsOrgDependent') === true;
  if (orgDependent && container !== 'Unlocked') {
    return fieldError(ctx, 400, 'FIELD_INTEGRITY_EXCEPTION', 'Only unlocked packages can be org-dependent.', [
      'IsOrgDependent',
    ]);
  }
  const errUser = str(bodyGet(body, 'PackageErrorUsername'));
  if (errUser && errUser.toLowerCase() !== hub.username.toLowerCase()) {
    return fieldError(
      ctx,
      400,
      'FIELD_INTEGRITY_EXCEPTION',
      `PackageErrorUsername ${errUser} isn't an active user in this Dev Hub org.`,
      ['PackageErrorUsername'],
    );
  }
  const now = timestamp();
  const p: Package2Rec = {
    Id: ctx.newId('0Ho'),
    SubscriberPackageId: ctx.newId('033'),
    Name: name,
    Description: str(bodyGet(body, 'Description')),
    NamespacePrefix: ns ? (hub.namespace ?? ns) : null,
    ContainerOptions: container,
    IsOrgDependent: orgDependent,
    PackageErrorUsername: errUser,
    IsDeprecated: false,
    CreatedDate: now,
    CreatedById: hub.userId,
    LastModifiedDate: now,
    hub,
  };
  st.packages.set(key15(p.Id), p);
  return ctx.json(201, { id: p.Id, success: true, errors: [] });
}

export function getPackage2(ctx: FakeOrgContext, req: FakeRequest, m: RegExpMatchArray): FakeResponse {
  if (!req.org.isDevHub) return notFound(ctx);
  const id = decodeURIComponent(m[1] ?? '');
  const p = ID_RE.test(id) ? hubPackage(req.org, id) : undefined;
  if (!p) return notFound(ctx);
  return retrieveResponse(ctx, req, 'Package2', package2Values(p, apiNum(req)));
}

/** PATCH Package2 (Package.update, Package.delete = IsDeprecated). All checks first: an update is atomic. */
export function patchPackage2(ctx: FakeOrgContext, req: FakeRequest, m: RegExpMatchArray): FakeResponse {
  if (!req.org.isDevHub) return notFound(ctx);
  const id = decodeURIComponent(m[1] ?? '');
  const p = ID_RE.test(id) ? hubPackage(req.org, id) : undefined;
  if (!p) return notFound(ctx);
  const parsedBody = parseJsonObject(ctx, req.body.toString('utf8'));
  if (!parsedBody.ok) return parsedBody.res;
  const body = parsedBody.body;
  const bad = checkBody(ctx, body, 'Package2', {
    Id: 'string',
    Name: 'string',
    Description: 'string',
    PackageErrorUsername: 'string',
    IsDeprecated: 'boolean',
  });
  if (bad) return bad;
  const name = bodyGet(body, 'Name');
  if (name !== undefined) {
    if (typeof name !== 'string' || !name.trim())
      return fieldError(ctx, 400, 'REQUIRED_FIELD_MISSING', 'Required fields are missing: [Name]', ['Name']);
    const dup = duplicateName(ctx, req.org, name, p);
    if (dup) return dup;
  }
  const eu = bodyGet(body, 'PackageErrorUsername');
  const errUser = eu === undefined ? undefined : str(eu);
  if (errUser && errUser.toLowerCase() !== req.org.username.toLowerCase()) {
    return fieldError(
      ctx,
      400,
      'FIELD_INTEGRITY_EXCEPTION',
      `PackageErrorUsername ${errUser} isn't an active user in this Dev Hub org.`,
      ['PackageErrorUsername'],
    );
  }
  const deprecate = bodyGet(body, 'IsDeprecated');
  if (deprecate === true && !p.IsDeprecated) {
    // Package.delete: only a package without live versions, and never a managed one with released versions
    const versions = [...stateOf(req.org).versions.values()].filter((v) => key15(v.Package2Id) === key15(p.Id));
    if (p.ContainerOptions === 'Managed' && versions.some((v) => v.IsReleased)) {
      return fieldError(
        ctx,
        400,
        'FIELD_INTEGRITY_EXCEPTION',
        `Package ${p.Name} has released versions. A managed package with released versions can't be deleted.`,
        ['IsDeprecated'],
      );
    }
    if (versions.some((v) => !v.IsDeprecated)) {
      return fieldError(
        ctx,
        400,
        'FIELD_INTEGRITY_EXCEPTION',
        `Package ${p.Name} has package versions that aren't deleted. Delete its versions first, then delete the package.`,
        ['IsDeprecated'],
      );
    }
  }
  if (typeof name === 'string') p.Name = name;
  const desc = bodyGet(body, 'Description');
  if (desc !== undefined) p.Description = str(desc);
  if (errUser !== undefined) p.PackageErrorUsername = errUser;
  if (typeof deprecate === 'boolean') p.IsDeprecated = deprecate;
  p.LastModifiedDate = timestamp();
  return { status: 204 };
}

export function getVersion(ctx: FakeOrgContext, req: FakeRequest, m: RegExpMatchArray): FakeResponse {
  if (!req.org.isDevHub) return notFound(ctx);
  const id = decodeURIComponent(m[1] ?? '');
  const v = ID_RE.test(id) ? stateOf(req.org).versions.get(key15(id)) : undefined;
  if (!v) return notFound(ctx);
  return retrieveResponse(ctx, req, 'Package2Version', versionValues(v, apiNum(req)));
}

/** PATCH Package2Version (promote = IsReleased, delete = IsDeprecated, update). All checks first: atomic. */
export function patchVersion(ctx: FakeOrgContext, req: FakeRequest, m: RegExpMatchArray): FakeResponse {
  if (!req.org.isDevHub) return notFound(ctx);
  const id = decodeURIComponent(m[1] ?? '');
  const v = ID_RE.test(id) ? stateOf(req.org).versions.get(key15(id)) : undefined;
  if (!v) return notFound(ctx);
  const parsedBody = parseJsonObject(ctx, req.body.toString('utf8'));
  if (!parsedBody.ok) return parsedBody.res;
  const body = parsedBody.body;
  const bad = checkBody(ctx, body, 'Package2Version', {
    Id: 'string',
    IsReleased: 'boolean',
    IsDeprecated: 'boolean',
    InstallKey: 'string',
    Name: 'string',
    Description: 'string',
    Tag: 'string',
    Branch: 'string',
  });
  if (bad) return bad;
  const pkg = hubPackage(req.org, v.Package2Id);
  const released = bodyGet(body, 'IsReleased');
  if (released === false && v.IsReleased) {
    return fieldError(
      ctx,
      400,
      'FIELD_INTEGRITY_EXCEPTION',
      `Package version ${versionNumberOf(v)} is released. A released package version can't be changed back to beta.`,
      ['IsReleased'],
    );
  }
  const promote = released === true && !v.IsReleased;
  if (promote) {
    if (v.IsDeprecated)
      return fieldError(
        ctx,
        400,
        'FIELD_INTEGRITY_EXCEPTION',
        `Package version ${versionNumberOf(v)} is deleted and can't be promoted.`,
        ['IsReleased'],
      );
    if (v.ValidationSkipped) {
      return fieldError(
        ctx,
        400,
        'FIELD_INTEGRITY_EXCEPTION',
        `Package version ${versionNumberOf(v)} was created with validation skipped, so it can't be promoted. Create a version with validation, then promote it.`,
        ['IsReleased'],
      );
    }
    const request = v.ValidatedAsync
      ? [...stateOf(req.org).requests.values()].find(
          (r) => r.Package2VersionId && key15(r.Package2VersionId) === key15(v.Id),
        )
      : undefined;
    if (request && request.Status !== 'Success') {
      // The sf CLI's own words for async-validated versions (plugin-packaging, packageVersionCreatePerformingValidations);
      // the platform's error code and text for this refusal are our choice, no evidence.
      return fieldError(
        ctx,
        400,
        'FIELD_INTEGRITY_EXCEPTION',
        `Package version ${versionNumberOf(v)} was created with async validation and its validations ${request.Status === 'Error' ? 'failed' : 'are still in progress'}. Async validated package versions can be promoted only if all validations complete successfully.`,
        ['IsReleased'],
      );
    }
    if (!v.CodeCoverageCalculated) {
      return fieldError(
        ctx,
        400,
        'FIELD_INTEGRITY_EXCEPTION',
        'Code coverage has not been run for this version. Code coverage must be run during version creation and meet the minimum coverage requirement to promote the version.',
        ['IsReleased'],
      );
    }
    if (pkg?.ContainerOptions === 'Managed') {
      const other = [...stateOf(req.org).versions.values()].find(
        (o) =>
          o !== v &&
          o.IsReleased &&
          key15(o.Package2Id) === key15(v.Package2Id) &&
          o.MajorVersion === v.MajorVersion &&
          o.MinorVersion === v.MinorVersion &&
          o.PatchVersion === v.PatchVersion,
      );
      if (other) {
        return fieldError(
          ctx,
          400,
          'FIELD_INTEGRITY_EXCEPTION',
          `Version ${versionNumberOf(other)} of ${v.MajorVersion}.${v.MinorVersion}.${v.PatchVersion} is already released. Only one build of a managed package version number can be released.`,
          ['IsReleased'],
        );
      }
    }
  }
  const dep = bodyGet(body, 'IsDeprecated');
  if (dep === true && (v.IsReleased || promote) && pkg?.ContainerOptions === 'Managed') {
    return fieldError(
      ctx,
      400,
      'FIELD_INTEGRITY_EXCEPTION',
      `Package version ${versionNumberOf(v)} is a released version of a managed package and can't be deleted.`,
      ['IsDeprecated'],
    );
  }
  if (promote) v.IsReleased = true;
  if (typeof dep === 'boolean') v.IsDeprecated = dep;
  const key = bodyGet(body, 'InstallKey');
  if (key !== undefined) v.InstallKey = str(key);
  const name = bodyGet(body, 'Name');
  if (typeof name === 'string') v.Name = name;
  const desc = bodyGet(body, 'Description');
  if (desc !== undefined) v.Description = str(desc);
  const tag = bodyGet(body, 'Tag');
  if (tag !== undefined) v.Tag = str(tag);
  const branch = bodyGet(body, 'Branch');
  if (branch !== undefined) v.Branch = str(branch);
  v.LastModifiedDate = timestamp();
  return { status: 204 };
}

/** Package2 names are unique in a Dev Hub, whatever their case (the record being renamed aside). */
function duplicateName(ctx: FakeOrgContext, org: OrgState, name: string, except?: unknown): FakeResponse | undefined {
  const dup = [...stateOf(org).packages.values()].find(
    (o) => o !== except && o.Name.toLowerCase() === name.toLowerCase(),
  );
  if (!dup) return undefined;
  return fieldError(
    ctx,
    400,
    'DUPLICATE_VALUE',
    `duplicate value found: Name duplicates value on record with id: ${dup.Id}`,
    ['Name'],
  );
}
