// Tooling queries on the packaging objects, one route per FROM object: rows from rows.ts, run by soql.ts. Reading a
// create or install request by query advances it as a retrieve does; a SubscriberPackageVersion look-up counts
// towards the version's availability.
import type { FakeOrgContext, FakeRequest, FakeResponse } from '../types.ts';
import { findPackage, findPackageBySubscriberId, findVersionBy04t, key15, stateOf } from '../packaging-state.ts';
import {
  type ObjectSchema,
  type ParsedQuery,
  type Row,
  ID_RE,
  SoqlError,
  parseSoql,
  requiredEqualities,
  runQuery,
} from '../soql.ts';
import { DEV_HUB_ONLY, schemaFor } from '../packaging-schema.ts';
import { apiNum, urlBase } from './http.ts';
import { advanceInstall } from './installs.ts';
import {
  createRequestRow,
  installRequestValues,
  package2Row,
  subscriberPackageRow,
  subscriberVersionRow,
  versionRow,
} from './rows.ts';
import { advanceCreateRequest } from './version-requests.ts';

/**
 * What a failing SubscriberPackageVersion query says. The codes are the ones @salesforce/packaging waits on; the
 * UNKNOWN_EXCEPTION text is the platform's generic one; the PACKAGE_UNAVAILABLE texts are our choice, no evidence.
 */
const VERSION_QUERY_ERRORS: Record<string, string> = {
  UNKNOWN_EXCEPTION:
    'An unexpected error occurred. Please include this ErrorId if you contact support: 1234567890-12345 (-1234567890)',
  PACKAGE_UNAVAILABLE: 'The package version is not available yet.',
};

function idsFrom(q: ParsedQuery, field: string): string[] | undefined {
  const eqs = requiredEqualities(q.where).filter((e) => e.path.toLowerCase() === field.toLowerCase());
  if (eqs.length === 0) return undefined;
  const out: string[] = [];
  for (const e of eqs) for (const v of e.values) if (v.kind === 'string') out.push(v.value);
  return out;
}

function rowsFor(ctx: FakeOrgContext, req: FakeRequest, q: ParsedQuery, schema: ObjectSchema): Row[] {
  const org = req.org;
  const api = apiNum(req);
  const st = stateOf(org);
  switch (schema.name) {
    case 'Package2':
      return [...st.packages.values()].map((p) => package2Row(p, api));
    case 'Package2Version':
      return [...st.versions.values()].map((v) => versionRow(ctx, v, org, api));
    case 'Package2VersionCreateRequest': {
      const ids = idsFrom(q, 'Id');
      for (const r of st.requests.values()) {
        if (!ids || ids.some((id) => ID_RE.test(id) && key15(id) === key15(r.Id))) advanceCreateRequest(ctx, org, r);
      }
      return [...st.requests.values()].map((r) => createRequestRow(ctx, org, r, api));
    }
    case 'Package2VersionCreateRequestError': {
      const rows: Row[] = [];
      for (const r of st.requests.values()) {
        for (const e of r.errors) {
          rows.push({
            type: 'Package2VersionCreateRequestError',
            values: {
              Id: e.Id,
              IsDeleted: false,
              CreatedDate: e.CreatedDate,
              CreatedById: r.CreatedById,
              LastModifiedDate: e.CreatedDate,
              LastModifiedById: r.CreatedById,
              SystemModstamp: e.CreatedDate,
              Message: e.Message,
              ParentRequestId: r.Id,
            },
            rel: (name) => (name === 'ParentRequest' ? createRequestRow(ctx, org, r, api) : null),
          });
        }
      }
      return rows;
    }
    case 'SubscriberPackageVersion': {
      const ids = idsFrom(q, 'Id');
      if (!ids) {
        throw new SoqlError(
          'MALFORMED_QUERY',
          "Implementation restriction: You can only perform queries of the form Id='<value>' or Id IN ('<value>', …) on SubscriberPackageVersion. Include the ID (04t) of the package version in the WHERE clause.",
        );
      }
      const keys = idsFrom(q, 'InstallationKey');
      const key = keys?.[0];
      const rows: Row[] = [];
      for (const id of ids) {
        if (!ID_RE.test(id)) continue; // the filter check reports malformed ids
        const v = findVersionBy04t(ctx, id);
        if (!v) continue;
        if (v.InstallKey !== null) {
          if (key === undefined) {
            throw new SoqlError(
              'INSTALL_KEY_REQUIRED',
              'Please provide installationkey when querying against SubscriberPackageVersion that is protected by installationkey',
            );
          }
          if (key !== v.InstallKey)
            throw new SoqlError('INSTALL_KEY_INVALID', 'Invalid InstallationKey for SubscriberPackageVersion');
        }
        const failWith = ctx.timing.versionQueryErrors?.[v.queryErrorsGiven ?? 0];
        if (failWith) {
          v.queryErrorsGiven = (v.queryErrorsGiven ?? 0) + 1;
          throw new SoqlError(
            failWith,
            VERSION_QUERY_ERRORS[failWith] ?? `${failWith}: the package version is not available yet.`,
          );
        }
        v.availabilityChecks++;
        rows.push(subscriberVersionRow(ctx, v, org, { InstallationKey: key ?? null }));
      }
      return rows;
    }
    case 'SubscriberPackage': {
      const ids = idsFrom(q, 'Id');
      if (!ids) {
        throw new SoqlError(
          'MALFORMED_QUERY',
          "Implementation restriction: You can only perform queries of the form Id='<value>' on SubscriberPackage. Include the ID (033) of the package in the WHERE clause.",
        );
      }
      const rows: Row[] = [];
      for (const id of ids) {
        const p = ID_RE.test(id) ? findPackageBySubscriberId(ctx, id) : undefined;
        if (p) rows.push(subscriberPackageRow(p));
      }
      return rows;
    }
    case 'PackageInstallRequest': {
      const ids = idsFrom(q, 'Id');
      for (const r of st.installRequests.values()) {
        if (!ids || ids.some((id) => ID_RE.test(id) && key15(id) === key15(r.Id))) advanceInstall(ctx, org, r);
      }
      return [...st.installRequests.values()].map((r) => ({
        type: 'PackageInstallRequest',
        values: installRequestValues(r),
        rel: () => null,
      }));
    }
    case 'InstalledSubscriberPackage':
      return [...st.installed.values()].map((i) => {
        const v = findVersionBy04t(ctx, i.SubscriberPackageVersionId);
        const pkg = v ? findPackage(ctx, v.Package2Id) : undefined;
        return {
          type: 'InstalledSubscriberPackage',
          values: {
            Id: i.Id,
            SubscriberPackageId: i.SubscriberPackageId,
            SubscriberPackageVersionId: i.SubscriberPackageVersionId,
            MinPackageVersionId: i.MinPackageVersionId,
          },
          rel: (name: string) => {
            if (name === 'SubscriberPackage') return pkg ? subscriberPackageRow(pkg) : null;
            if (name === 'SubscriberPackageVersion' || name === 'MinPackageVersion')
              return v ? subscriberVersionRow(ctx, v, org) : null;
            return null;
          },
        };
      });
  }
  return [];
}

/** Answer a Tooling query whose FROM object is `object` (one route per object, so faults can target one). */
export function query(ctx: FakeOrgContext, req: FakeRequest, object: string): FakeResponse | undefined {
  const soql = req.query.get('q');
  if (!soql) return undefined;
  const fromMatch = /\bfrom\s+([A-Za-z0-9_]+)/i.exec(soql);
  const from = fromMatch?.[1];
  if (!fromMatch || !from || from.toLowerCase() !== object.toLowerCase()) return undefined;
  if (DEV_HUB_ONLY.has(from.toLowerCase()) && !req.org.isDevHub) {
    // Without 2GP packaging (not a Dev Hub) these objects don't exist.
    const column = fromMatch.index + fromMatch[0].length - from.length + 1;
    return ctx.restError(
      400,
      'INVALID_TYPE',
      `\n${soql}\n${' '.repeat(column - 1)}^\nERROR at Row:1:Column:${column}\nsObject type '${from}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
    );
  }
  try {
    const parsed = parseSoql(soql);
    const schema = schemaFor(parsed.from);
    if (!schema) return undefined;
    const rows = rowsFor(ctx, req, parsed, schema);
    const result = runQuery(parsed, schema, rows, {
      schemas: schemaFor,
      apiVersion: apiNum(req),
      urlBase: urlBase(req),
      now: new Date(),
    });
    return ctx.json(200, result);
  } catch (e) {
    if (e instanceof SoqlError) return ctx.restError(400, e.errorCode, e.message);
    throw e;
  }
}
