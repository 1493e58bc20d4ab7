// Package2VersionCreateRequest (Dev Hub): the multipart or JSON create, the status read that advances the build
// (ctx.timing.versionCreatePolls reads and versionBuildMs), and async validation after the version exists.
import type { FakeOrgContext, FakeRequest, FakeResponse, OrgState } from '../types.ts';
import { type VersionCreateRequestRec, type VersionRec, key15, stateOf, timestamp } from '../packaging-state.ts';
import { ID_RE } from '../soql.ts';
import { checkVersionInfo, resolveBuild } from '../packaging-version.ts';
import { stillRunning } from '../timing.ts';
import {
  type Kind,
  apiNum,
  bodyGet,
  checkBody,
  fieldError,
  notFound,
  parseJsonObject,
  retrieveResponse,
  str,
} from './http.ts';
import { createRequestValues, hubPackage } from './rows.ts';

/** One status read of a version create request; finishes it after ctx.timing.versionCreatePolls reads. */
export function advanceCreateRequest(ctx: FakeOrgContext, hub: OrgState, r: VersionCreateRequestRec): void {
  if (r.Status === 'Success' || r.Status === 'Error') return;
  if (r.Status === 'PerformingValidations') {
    advanceValidation(ctx, hub, r);
    return;
  }
  r.reads++;
  const polls = ctx.timing.versionCreatePolls;
  const { versionBuildMs, validationMs } = ctx.timing.durations;
  // Async and skipped validation return the version before (or without) the validations (docs/platform-notes.md §30).
  const buildMs = r.AsyncValidation || r.SkipValidation ? Math.max(0, versionBuildMs - validationMs) : versionBuildMs;
  if (r.reads <= polls || stillRunning(r.CreatedDate, buildMs)) {
    const next = r.reads === 1 ? 'Queued' : 'InProgress';
    if (next !== r.Status) {
      r.Status = next;
      r.LastModifiedDate = timestamp();
    }
    return;
  }
  finishCreateRequest(ctx, hub, r);
}

function failCreateRequest(ctx: FakeOrgContext, r: VersionCreateRequestRec, messages: string[]): void {
  r.Status = 'Error';
  r.LastModifiedDate = timestamp();
  r.errors = messages.map((Message) => ({ Id: ctx.newId('0Wv'), Message, CreatedDate: r.LastModifiedDate }));
}

function finishCreateRequest(ctx: FakeOrgContext, hub: OrgState, r: VersionCreateRequestRec): void {
  if (r.outcome.kind === 'error') {
    failCreateRequest(ctx, r, r.outcome.messages);
    return;
  }
  const pkg = hubPackage(hub, r.Package2Id);
  if (!pkg) {
    failCreateRequest(ctx, r, [`The package ${r.Package2Id} no longer exists in this Dev Hub org.`]);
    return;
  }
  const pv = r.outcome.version;
  const build = resolveBuild(hub, pkg, pv);
  if (!build.ok) {
    failCreateRequest(ctx, r, [build.message]);
    return;
  }
  const now = timestamp();
  const v: VersionRec = {
    Id: ctx.newId('05i'),
    SubscriberPackageVersionId: ctx.newId('04t'),
    Package2Id: pkg.Id,
    Name: pv.versionName,
    Description: pv.versionDescription,
    MajorVersion: pv.major,
    MinorVersion: pv.minor,
    PatchVersion: pv.patch,
    BuildNumber: build.build,
    Tag: r.Tag,
    Branch: r.Branch,
    AncestorId: pv.ancestor04t,
    IsReleased: false,
    IsDeprecated: false,
    InstallKey: r.InstallKey,
    ValidationSkipped: r.SkipValidation,
    ValidatedAsync: r.AsyncValidation,
    // No Apex in these packages: when coverage is calculated, the check passes.
    HasPassedCodeCoverageCheck: r.CalculateCodeCoverage && !r.SkipValidation,
    CodeCoverageCalculated: r.CalculateCodeCoverage,
    Language: r.Language,
    CreatedDate: now,
    CreatedById: hub.userId,
    LastModifiedDate: now,
    BuildDurationInSeconds: 1,
    TotalNumberOfMetadataFiles: pv.components.length,
    TotalSizeOfMetadataFiles: pv.totalSize,
    components: pv.components,
    availabilityChecks: 0,
    hub,
  };
  stateOf(hub).versions.set(key15(v.Id), v);
  r.Package2VersionId = v.Id;
  // Async validation: the version exists and installs while its validations run (the CLI's
  // packageVersionCreatePerformingValidations message); the request ends Success or Error afterwards.
  r.Status = r.AsyncValidation ? 'PerformingValidations' : 'Success';
  r.validationReads = 0;
  r.LastModifiedDate = now;
}

/** One status read while an async-validated version's validations run; they end after validationPolls reads and validationMs. */
function advanceValidation(ctx: FakeOrgContext, hub: OrgState, r: VersionCreateRequestRec): void {
  r.validationReads = (r.validationReads ?? 0) + 1;
  const v = r.Package2VersionId ? stateOf(hub).versions.get(key15(r.Package2VersionId)) : undefined;
  if (
    r.validationReads <= (ctx.timing.validationPolls ?? 1) ||
    (v && stillRunning(v.CreatedDate, ctx.timing.durations.validationMs))
  )
    return;
  if (r.validationErrors?.length) failCreateRequest(ctx, r, r.validationErrors);
  else {
    r.Status = 'Success';
    r.LastModifiedDate = timestamp();
  }
}

export async function createVersionRequest(ctx: FakeOrgContext, req: FakeRequest): Promise<FakeResponse> {
  const hub = req.org;
  if (!hub.isDevHub) return notFound(ctx);
  let json: Record<string, unknown>;
  let versionInfo: Buffer | undefined;
  const contentType = String(req.headers['content-type'] ?? '');
  if (/^multipart\/form-data/i.test(contentType)) {
    let parts: ReturnType<typeof ctx.parseMultipart>;
    try {
      parts = ctx.parseMultipart(req);
    } catch (e) {
      return fieldError(ctx, 400, 'INVALID_MULTIPART_REQUEST', (e as Error).message);
    }
    // jsforce names the JSON part after the sObject; Salesforce's docs call it entity_content
    const entity = parts.filter((p) => /^(Package2VersionCreateRequest|entity_content|entity_document)$/i.test(p.name));
    if (entity.length !== 1) {
      return fieldError(
        ctx,
        400,
        'INVALID_MULTIPART_REQUEST',
        'The multipart request must have exactly one part with the JSON of the Package2VersionCreateRequest.',
      );
    }
    const parsedBody = parseJsonObject(ctx, entity[0]!.data.toString('utf8'));
    if (!parsedBody.ok) return parsedBody.res;
    json = parsedBody.body;
    const others = parts.filter((p) => p !== entity[0]);
    for (const p of others) {
      if (p.name !== 'VersionInfo')
        return fieldError(
          ctx,
          400,
          'INVALID_FIELD',
          `No such column '${p.name}' on sobject of type Package2VersionCreateRequest`,
          [p.name],
        );
    }
    if (others.length > 1)
      return fieldError(ctx, 400, 'INVALID_MULTIPART_REQUEST', 'VersionInfo was sent more than once.', ['VersionInfo']);
    const vi = others[0];
    if (vi) versionInfo = vi.data;
    if (vi && bodyGet(json, 'VersionInfo') !== undefined) {
      return fieldError(
        ctx,
        400,
        'INVALID_MULTIPART_REQUEST',
        'VersionInfo was sent both as a file part and in the JSON part.',
        ['VersionInfo'],
      );
    }
  } else if (/^application\/json/i.test(contentType)) {
    const parsedBody = parseJsonObject(ctx, req.body.toString('utf8'));
    if (!parsedBody.ok) return parsedBody.res;
    json = parsedBody.body;
    const b64 = bodyGet(json, 'VersionInfo');
    if (typeof b64 === 'string' && b64) versionInfo = Buffer.from(b64, 'base64');
  } else {
    return fieldError(
      ctx,
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      `Content type ${contentType || '(none)'} is not supported for this resource`,
    );
  }
  const allowed: Record<string, Kind> = {
    Package2Id: 'string',
    VersionInfo: 'string',
    Tag: 'string',
    Branch: 'string',
    InstallKey: 'string',
    Instance: 'string',
    SourceOrg: 'string',
    CalculateCodeCoverage: 'boolean',
    SkipValidation: 'boolean',
    IsDevUsePkgZipRequested: 'boolean',
    IsConversionRequest: 'boolean',
  };
  const api = apiNum(req);
  if (api >= 57) allowed['Language'] = 'string';
  if (api >= 60) allowed['AsyncValidation'] = 'boolean';
  if (api >= 65) allowed['CalcTransitiveDependencies'] = 'boolean';
  const bad = checkBody(ctx, json, 'Package2VersionCreateRequest', allowed);
  if (bad) return bad;
  const package2Id = str(bodyGet(json, 'Package2Id'));
  if (!package2Id)
    return fieldError(ctx, 400, 'REQUIRED_FIELD_MISSING', 'Required fields are missing: [Package2Id]', ['Package2Id']);
  if (!ID_RE.test(package2Id) || !package2Id.startsWith('0Ho')) {
    return fieldError(ctx, 400, 'MALFORMED_ID', `Package2Id: id value of incorrect type: ${package2Id}`, [
      'Package2Id',
    ]);
  }
  const pkg = hubPackage(hub, package2Id);
  if (!pkg)
    return fieldError(
      ctx,
      400,
      'INVALID_CROSS_REFERENCE_KEY',
      `invalid cross reference id: Package2Id ${package2Id} isn't a package in this Dev Hub org`,
      ['Package2Id'],
    );
  if (pkg.IsDeprecated)
    return fieldError(
      ctx,
      400,
      'FIELD_INTEGRITY_EXCEPTION',
      `Package ${pkg.Name} is deleted. You can't create versions of it.`,
      ['Package2Id'],
    );
  if (!versionInfo || versionInfo.length === 0)
    return fieldError(ctx, 400, 'REQUIRED_FIELD_MISSING', 'Required fields are missing: [VersionInfo]', [
      'VersionInfo',
    ]);
  if (bodyGet(json, 'IsConversionRequest') === true) {
    return fieldError(
      ctx,
      400,
      'FIELD_INTEGRITY_EXCEPTION',
      'IsConversionRequest is set by the platform for package conversions only.',
      ['IsConversionRequest'],
    );
  }

  const now = timestamp();
  const forced = ctx.failures.versionCreate;
  let outcome: VersionCreateRequestRec['outcome'];
  if (forced) {
    ctx.failures.versionCreate = undefined;
    outcome = { kind: 'error', messages: [...forced] };
  } else {
    outcome = await checkVersionInfo({ ctx, hub, pkg, versionInfo });
  }
  const installKey = str(bodyGet(json, 'InstallKey'));
  const r: VersionCreateRequestRec = {
    Id: ctx.newId('08c'),
    Package2Id: pkg.Id,
    Tag: str(bodyGet(json, 'Tag')),
    Branch: str(bodyGet(json, 'Branch')),
    InstallKey: installKey,
    Instance: str(bodyGet(json, 'Instance')),
    SourceOrg: str(bodyGet(json, 'SourceOrg')),
    CalculateCodeCoverage: bodyGet(json, 'CalculateCodeCoverage') === true,
    SkipValidation: bodyGet(json, 'SkipValidation') === true,
    AsyncValidation: bodyGet(json, 'AsyncValidation') === true,
    IsDevUsePkgZipRequested: bodyGet(json, 'IsDevUsePkgZipRequested') === true,
    CalcTransitiveDependencies: bodyGet(json, 'CalcTransitiveDependencies') === true,
    Language: str(bodyGet(json, 'Language')),
    CreatedDate: now,
    CreatedById: hub.userId,
    LastModifiedDate: now,
    Status: 'Queued',
    reads: 0,
    outcome,
    Package2VersionId: null,
    errors: [],
  };
  if (r.AsyncValidation && ctx.failures.asyncValidation) {
    r.validationErrors = ctx.failures.asyncValidation;
    ctx.failures.asyncValidation = undefined;
  }
  if (r.CalculateCodeCoverage && r.SkipValidation) {
    return fieldError(
      ctx,
      400,
      'FIELD_INTEGRITY_EXCEPTION',
      "You can't calculate code coverage when validation is skipped.",
      ['CalculateCodeCoverage', 'SkipValidation'],
    );
  }
  // The daily counter (docs/platform-notes.md §18). Refusing at 0, and this text, are our choice, no evidence:
  // no public report quotes the platform's answer; the action reads the limits resource before it asks.
  const limits = stateOf(hub).limits;
  const counter = r.SkipValidation ? limits.Package2VersionCreatesWithoutValidation : limits.Package2VersionCreates;
  if (counter.Remaining < 1) {
    return fieldError(
      ctx,
      400,
      'LIMIT_EXCEEDED',
      `You've reached the daily limit of ${counter.Max} package version creations for this Dev Hub. Try again later.`,
    );
  }
  counter.Remaining--;
  stateOf(hub).requests.set(key15(r.Id), r);
  return ctx.json(201, { id: r.Id, success: true, errors: [] });
}

export function getVersionRequest(ctx: FakeOrgContext, req: FakeRequest, m: RegExpMatchArray): FakeResponse {
  if (!req.org.isDevHub) return notFound(ctx);
  const id = decodeURIComponent(m[1] ?? '');
  const r = ID_RE.test(id) ? stateOf(req.org).requests.get(key15(id)) : undefined;
  if (!r) return notFound(ctx);
  advanceCreateRequest(ctx, req.org, r);
  return retrieveResponse(ctx, req, 'Package2VersionCreateRequest', createRequestValues(r, apiNum(req)));
}
