// What a Dev Hub does with the VersionInfo zip of a Package2VersionCreateRequest: read the descriptor and the
// metadata-format package.zip, and decide whether the version can be built. Problems are not HTTP errors: the
// request is accepted and later ends in Status 'Error' with these messages (Package2VersionCreateRequestError).
import { createRequire } from 'node:module';
import JSZip from 'jszip';
import { XMLParser } from 'fast-xml-parser';
import type { ComponentProblem, FakeOrgContext, OrgState } from './types.ts';
import {
  type Package2Rec,
  type PackagedComponent,
  type PendingVersion,
  key15,
  stateOf,
  versionNumberOf,
} from './packaging-state.ts';

/** ECA family types that may go into a (managed) package version. */
export const PACKAGEABLE_ECA_TYPES = new Set(['ExternalClientApplication', 'ExtlClntAppOauthSettings']);

/**
 * ECA family types the fake refuses in a package, with the reason. The global OAuth settings and SAML policies are
 * documented as never packageable. For the policy files and the other plugin types no Salesforce page says they may
 * be packaged (subscribers' admins own policies, which are generated on install), so the fake refuses them too:
 * a project must not rely on behaviour nobody has confirmed.
 */
export const UNPACKAGEABLE_ECA_TYPES: Record<string, string> = {
  ExtlClntAppGlobalOauthSettings:
    "Global OAuth settings contain the OAuth consumer's private information (consumer key and secret) and can't be packaged. They stay in the org where the app was developed; package the external client app and its ExtlClntAppOauthSettings, whose oauthLink points at this consumer.",
  ExtlClntAppSamlConfigurablePolicies: "External client apps with SAML configurations can't be packaged.",
  ExtlClntAppOauthConfigurablePolicies:
    "OAuth policies can't be added to a package version. Policies are configured by each subscriber org's admin and are generated with default values when the app is installed.",
  // Not supported by 2GP packaging (a public ISV project's packaging table); the wording is ours.
  ExtlClntAppOauthSecuritySettings:
    "External client app OAuth security settings can't be added to a package version. They stay in the org where they are configured.",
  ExtlClntAppConfigurablePolicies:
    "External client app policies can't be added to a package version. Policies are configured by each subscriber org's admin and are generated with default values when the app is installed.",
};

const ECA_FAMILY_DIRS = /^(externalClientApps|extlClntApp[A-Za-z]+)$/;

interface RegistryType {
  name: string;
  directoryName?: string;
  suffix?: string;
}

let registryBySuffixDir: Map<string, string> | undefined;
let registryDirOnly: Map<string, string> | undefined;
function loadRegistry(): void {
  const require = createRequire(import.meta.url);
  const json = require('@salesforce/source-deploy-retrieve/lib/src/registry/metadataRegistry.json') as {
    types: Record<string, RegistryType>;
  };
  registryBySuffixDir = new Map();
  registryDirOnly = new Map();
  for (const t of Object.values(json.types)) {
    if (t.directoryName && t.suffix) registryBySuffixDir.set(`${t.directoryName}/${t.suffix}`.toLowerCase(), t.name);
    if (t.directoryName && !t.suffix) registryDirOnly.set(t.directoryName.toLowerCase(), t.name);
  }
}
/** `${directoryName}/${suffix}` → metadata type name, from SDR's registry (the same table the CLI uses). */
function registry(): Map<string, string> {
  if (!registryBySuffixDir) loadRegistry();
  return registryBySuffixDir!;
}
/** directoryName → type, for bundle types that have no suffix (lwc, aura, …). */
function registryByDir(): Map<string, string> {
  if (!registryDirOnly) loadRegistry();
  return registryDirOnly!;
}

const xmlParser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  isArray: (name) => name === 'types' || name === 'members',
});

export interface VersionCheckInput {
  ctx: FakeOrgContext;
  hub: OrgState;
  pkg: Package2Rec;
  versionInfo: Buffer;
}

export type VersionCheckResult = { kind: 'error'; messages: string[] } | { kind: 'ok'; version: PendingVersion };

interface Descriptor {
  id?: unknown;
  versionNumber?: unknown;
  versionName?: unknown;
  versionDescription?: unknown;
  ancestorId?: unknown;
  dependencies?: unknown;
}

const VERSION_RE = /^(\d{1,9})\.(\d{1,9})\.(\d{1,9})\.(NEXT|\d{1,9})$/;

export async function checkVersionInfo(input: VersionCheckInput): Promise<VersionCheckResult> {
  const { ctx, hub, pkg } = input;
  const errors: string[] = [];
  let outer: JSZip;
  try {
    outer = await JSZip.loadAsync(input.versionInfo);
  } catch {
    return { kind: 'error', messages: ['The VersionInfo file is not a valid zip file.'] };
  }
  const descFile = outer.file('package2-descriptor.json');
  if (!descFile)
    return { kind: 'error', messages: ['The VersionInfo zip file must contain package2-descriptor.json.'] };
  let desc: Descriptor;
  try {
    const parsed: unknown = JSON.parse(await descFile.async('string'));
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    desc = parsed as Descriptor;
  } catch {
    return { kind: 'error', messages: ['package2-descriptor.json is not valid JSON.'] };
  }

  // --- descriptor ---
  if (typeof desc.id !== 'string' || key15(desc.id) !== key15(pkg.Id)) {
    errors.push(
      `The package ID in package2-descriptor.json (${String(desc.id ?? '')}) doesn't match the Package2Id of the request (${pkg.Id}).`,
    );
  }
  const vn = typeof desc.versionNumber === 'string' ? VERSION_RE.exec(desc.versionNumber) : null;
  if (!vn) {
    errors.push(
      `The version number ${String(desc.versionNumber ?? '(none)')} isn't valid. Specify the version number in the format major.minor.patch.build, where build is a number or NEXT, for example 1.0.0.NEXT.`,
    );
  }
  const versionName =
    typeof desc.versionName === 'string' && desc.versionName.trim()
      ? desc.versionName
      : typeof desc.versionNumber === 'string'
        ? desc.versionNumber.replace(/\.NEXT$/, '')
        : '';
  const versionDescription = typeof desc.versionDescription === 'string' ? desc.versionDescription : null;
  const major = vn ? Number(vn[1]) : 0;
  const minor = vn ? Number(vn[2]) : 0;
  const patch = vn ? Number(vn[3]) : 0;
  const build = vn ? (vn[4] === 'NEXT' ? null : Number(vn[4])) : null;
  if (build === 0) errors.push(`The build number of ${String(desc.versionNumber)} must be 1 or higher.`);

  const hubState = stateOf(hub);
  const ownVersions = [...hubState.versions.values()].filter((v) => key15(v.Package2Id) === key15(pkg.Id));

  // --- ancestor ---
  let ancestor04t: string | null = null;
  const ancestorId = desc.ancestorId;
  if (ancestorId !== undefined && ancestorId !== null && ancestorId !== '') {
    if (pkg.ContainerOptions === 'Unlocked') {
      errors.push("Unlocked packages don't have ancestors. Remove the ancestorId from the package directory.");
    } else if (typeof ancestorId !== 'string' || !/^05i[a-zA-Z0-9]{12}([a-zA-Z0-9]{3})?$/.test(ancestorId)) {
      errors.push(`The ancestorId ${String(ancestorId)} isn't a valid package version ID (05i).`);
    } else {
      const anc = hubState.versions.get(key15(ancestorId));
      if (!anc || key15(anc.Package2Id) !== key15(pkg.Id)) {
        errors.push(`The ancestor version ${ancestorId} isn't a version of package ${pkg.Name} (${pkg.Id}).`);
      } else if (!anc.IsReleased) {
        errors.push(
          `The ancestor version ${versionNumberOf(anc)} (${ancestorId}) isn't released. Only a released package version can be an ancestor.`,
        );
      } else {
        ancestor04t = anc.SubscriberPackageVersionId;
        if (
          vn &&
          patch === 0 &&
          (major < anc.MajorVersion || (major === anc.MajorVersion && minor <= anc.MinorVersion))
        ) {
          errors.push(
            `The version number ${String(desc.versionNumber)} must be higher than its ancestor's version number ${versionNumberOf(anc)}.`,
          );
        }
      }
    }
  }
  if (vn && patch > 0 && pkg.ContainerOptions === 'Managed') {
    const base = ownVersions.find(
      (v) => v.IsReleased && v.MajorVersion === major && v.MinorVersion === minor && v.PatchVersion === 0,
    );
    if (!base)
      errors.push(
        `Can't create patch version ${String(desc.versionNumber)}: no released version ${major}.${minor}.0 of package ${pkg.Name} exists.`,
      );
    else ancestor04t = base.SubscriberPackageVersionId;
  }

  // --- dependencies ---
  if (desc.dependencies !== undefined) {
    if (!Array.isArray(desc.dependencies)) errors.push('The dependencies in package2-descriptor.json must be a list.');
    else {
      for (const d of desc.dependencies as unknown[]) {
        const id =
          d && typeof d === 'object'
            ? (d as { subscriberPackageVersionId?: unknown }).subscriberPackageVersionId
            : undefined;
        if (typeof id !== 'string' || !id.startsWith('04t'))
          errors.push(
            `A dependency in package2-descriptor.json has no subscriberPackageVersionId: ${JSON.stringify(d)}`,
          );
        else if (!ctxHasVersion(ctx, id))
          errors.push(`The dependency ${id} isn't a valid package version, or isn't available to this Dev Hub org.`);
      }
    }
  }

  // --- metadata ---
  const pkgZipFile = outer.file('package.zip');
  if (!pkgZipFile) {
    errors.push('The VersionInfo zip file must contain package.zip with the metadata of the package version.');
    return { kind: 'error', messages: errors };
  }
  let inner: JSZip;
  try {
    inner = await JSZip.loadAsync(await pkgZipFile.async('nodebuffer'));
  } catch {
    errors.push('package.zip is not a valid zip file.');
    return { kind: 'error', messages: errors };
  }
  const { components, problems, totalSize } = await readComponents(inner);
  errors.push(...problems);
  if (components.length === 0 && problems.length === 0) {
    errors.push(
      'The package version has no metadata components. Add metadata to the package directory, then create the version again.',
    );
  }

  // --- per-component checks: the platform's validation (ctx.validateComponent), then the packaging rules it
  // doesn't cover. Where both look at the same thing (distributionState, global settings, oauthLink), the
  // platform's message wins and the packaging rule stays silent.
  const seen = new Set<string>();
  const add = (m: string) => {
    if (!seen.has(m)) {
      seen.add(m);
      errors.push(m);
    }
  };
  for (const c of components) {
    const platform: ComponentProblem[] = ctx.validateComponent(c.type, c.fullName, c.fileName, c.xml, {
      kind: 'package',
      org: hub,
      siblings: components,
    });
    for (const p of platform) add(formatProblem(p));
    const said = platform.map((p) => p.problem).join('\n');
    for (const rule of packagingRules(ctx, hub, pkg, c, components)) {
      if (rule.topic && new RegExp(rule.topic, 'i').test(said)) continue;
      add(rule.message);
    }
  }

  if (errors.length > 0) return { kind: 'error', messages: errors };
  return {
    kind: 'ok',
    version: { major, minor, patch, build, versionName, versionDescription, ancestor04t, components, totalSize },
  };
}

function ctxHasVersion(ctx: FakeOrgContext, id04t: string): boolean {
  for (const org of ctx.orgs) {
    const st = org.ext.get('packaging') as ReturnType<typeof stateOf> | undefined;
    if (st && [...st.versions.values()].some((v) => key15(v.SubscriberPackageVersionId) === key15(id04t))) return true;
  }
  return false;
}

export function formatProblem(p: ComponentProblem): string {
  const where = p.lineNumber !== undefined ? ` (${p.lineNumber}:${p.columnNumber ?? 1})` : '';
  return `${p.componentType} ${p.fullName}: ${p.problem}${where}`;
}

async function readComponents(
  zip: JSZip,
): Promise<{ components: PackagedComponent[]; problems: string[]; totalSize: number }> {
  const problems: string[] = [];
  const components: PackagedComponent[] = [];
  let totalSize = 0;
  const files = Object.values(zip.files).filter((f) => !f.dir);
  const names = new Set(files.map((f) => f.name));
  const manifestFile = zip.file('package.xml');
  if (!manifestFile) return { components, problems: ['package.zip must contain package.xml at its root.'], totalSize };
  const manifestText = await manifestFile.async('string');
  let listed: Map<string, Set<string>>;
  try {
    const parsed = xmlParser.parse(manifestText) as { Package?: { types?: { name?: string; members?: string[] }[] } };
    if (!parsed.Package) throw new Error('no Package root');
    listed = new Map();
    for (const t of parsed.Package.types ?? []) {
      if (!t.name) throw new Error('types without name');
      const set = listed.get(t.name) ?? new Set<string>();
      for (const m of t.members ?? []) set.add(String(m));
      listed.set(t.name, set);
    }
  } catch {
    return { components, problems: ['package.xml in package.zip is not a valid package manifest.'], totalSize };
  }

  const bundles = new Set<string>();
  for (const f of files) {
    if (f.name === 'package.xml') continue;
    const data = await f.async('nodebuffer');
    totalSize += data.length;
    if (f.name.endsWith('-meta.xml') && names.has(f.name.slice(0, -'-meta.xml'.length))) continue; // companion of a content file
    const segs = f.name.split('/');
    const dir = segs.length > 1 ? segs[0]! : '';
    let type: string | undefined;
    let stem: string;
    let fileSuffix = '';
    if (segs.length >= 3) {
      // bundle types (lwc/x/x.js, aura/y/y.cmp, …): one component per folder
      type = registryByDir().get(dir.toLowerCase());
      stem = segs[1]!;
      if (type && bundles.has(`${type}/${stem}`)) continue;
      bundles.add(`${type}/${stem}`);
    } else {
      const base = segs[segs.length - 1]!;
      let inner = base;
      if (base.endsWith('-meta.xml')) inner = base.slice(0, -'-meta.xml'.length); // metadata file without content file
      const dot = inner.lastIndexOf('.');
      fileSuffix = dot > 0 ? inner.slice(dot + 1) : '';
      stem = dot > 0 ? inner.slice(0, dot) : inner;
      type = registry().get(`${dir}/${fileSuffix}`.toLowerCase());
    }
    if (!type) {
      problems.push(
        `${f.name}: Unknown metadata file. No metadata type is stored in ${dir || 'the zip root'}${fileSuffix ? ` with the suffix .${fileSuffix}` : ''}.`,
      );
      continue;
    }
    const members = listed.get(type);
    if (!members || !(members.has(stem) || members.has('*'))) {
      problems.push(`${f.name}: The ${type} ${stem} isn't listed in package.xml.`);
      continue;
    }
    let xml: string;
    if (segs.length >= 3) {
      const meta = files.find((x) => x.name.startsWith(`${dir}/${stem}/`) && x.name.endsWith('-meta.xml'));
      xml = meta ? await meta.async('string') : '';
      components.push({ type, fullName: stem, fileName: `${dir}/${stem}`, xml });
    } else {
      const metaName = `${f.name}-meta.xml`;
      xml = names.has(metaName) ? await zip.file(metaName)!.async('string') : data.toString('utf8');
      components.push({ type, fullName: stem, fileName: f.name, xml });
    }
  }
  for (const [type, members] of listed) {
    for (const m of members) {
      if (m === '*') continue;
      if (
        !components.some((c) => c.type === type && c.fullName === m) &&
        !problems.some((p) => p.includes(` ${type} ${m} `))
      ) {
        problems.push(
          `An object '${m}' of type ${type} was named in package.xml, but was not found in zipped directory`,
        );
      }
    }
  }
  return { components, problems, totalSize };
}

function rootOf(xml: string, type: string): Record<string, unknown> | undefined {
  try {
    const parsed = xmlParser.parse(xml) as Record<string, unknown>;
    const root = parsed[type];
    return root && typeof root === 'object' ? (root as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

interface RuleMessage {
  /** what the rule is about, as a pattern; skipped when the platform's problems already mention it */
  topic?: string;
  message: string;
}

/** Packaging rules for the ECA family (Help "Package an External Client App", "Association and Disassociation"). */
function packagingRules(
  ctx: FakeOrgContext,
  hub: OrgState,
  pkg: Package2Rec,
  c: PackagedComponent,
  all: PackagedComponent[],
): RuleMessage[] {
  const out: RuleMessage[] = [];
  const dir = c.fileName.split('/')[0] ?? '';
  const isEcaFamily =
    ECA_FAMILY_DIRS.test(dir) || c.type.startsWith('ExtlClntApp') || c.type === 'ExternalClientApplication';
  if (!isEcaFamily) return out;
  const refused = UNPACKAGEABLE_ECA_TYPES[c.type];
  if (refused) {
    out.push({
      topic: "can't be packaged",
      message: `${c.type} ${c.fullName}: ${refused} Remove ${c.fileName} from the package directory.`,
    });
    return out;
  }
  if (!PACKAGEABLE_ECA_TYPES.has(c.type)) {
    out.push({
      topic: "can't be packaged",
      message: `${c.type} ${c.fullName}: This external client app plugin type can't be added to a package version. Only ExternalClientApplication and ExtlClntAppOauthSettings can be packaged.`,
    });
    return out;
  }
  if (pkg.ContainerOptions !== 'Managed') {
    out.push({
      message: `${c.type} ${c.fullName}: External client apps can be packaged only in second-generation managed packages. Package ${pkg.Name} is ${pkg.ContainerOptions}; create a managed package (with a namespace linked to your Dev Hub org) for the app.`,
    });
    return out;
  }
  const root = rootOf(c.xml, c.type);
  if (!root) return out; // malformed XML is the platform validation's business
  if (c.type === 'ExternalClientApplication') {
    const ds = text(root['distributionState']) ?? 'Local';
    if (ds !== 'Packaged') {
      out.push({
        topic: 'distributionState',
        message: `ExternalClientApplication ${c.fullName}: The distributionState of an external client app must be Packaged to add the app to a package. It's ${ds}. Set distributionState to Packaged, deploy the app to the Dev Hub org, then create the version again.`,
      });
    }
  }
  if (c.type === 'ExtlClntAppOauthSettings') {
    const app = text(root['externalClientApplication']);
    if (app && !all.some((o) => o.type === 'ExternalClientApplication' && o.fullName === app)) {
      out.push({
        topic: `ExternalClientApplication named ${app}|${app}, which isn't in`,
        message: `ExtlClntAppOauthSettings ${c.fullName}: It belongs to external client app ${app}, which isn't in this package version. Add externalClientApps/${app}.eca to the package.`,
      });
    }
    const link = text(root['oauthLink']);
    if (!link) {
      out.push({
        topic: 'oauthLink',
        message: `ExtlClntAppOauthSettings ${c.fullName}: Packaged OAuth settings need an oauthLink that associates the app with its OAuth consumer in the Dev Hub org. Deploy the app with its global OAuth settings to the Dev Hub org, retrieve ExtlClntAppOauthSettings ${c.fullName} to get the generated oauthLink, and add it to the file.`,
      });
      return out;
    }
    const [orgPart = '', consumerPart = ''] = link.split(':');
    const inHub = [...hub.consumers.values()].find(
      (k) => k.oauthLink === link || (sameId(hub.orgId, orgPart) && sameId(k.consumerId, consumerPart)),
    );
    if (!inHub) {
      const elsewhere = ctx.orgs.find((o) => o !== hub && sameId(o.orgId, orgPart));
      out.push({
        topic: 'oauthLink',
        message: elsewhere
          ? `ExtlClntAppOauthSettings ${c.fullName}: The oauthLink ${link} points at an OAuth consumer of org ${elsewhere.orgId}, not of this Dev Hub org (${hub.orgId}). Only apps whose global OAuth settings live in the Dev Hub org can be packaged; apps owned by scratch orgs or sandboxes can never be packaged.`
          : `ExtlClntAppOauthSettings ${c.fullName}: The oauthLink ${link} doesn't match an OAuth consumer in this Dev Hub org (${hub.orgId}). Use the oauthLink that the Dev Hub org generated when the app's global OAuth settings were deployed.`,
      });
    } else if (app && inHub.appName !== app) {
      out.push({
        topic: 'oauthLink',
        message: `ExtlClntAppOauthSettings ${c.fullName}: The oauthLink ${link} belongs to the OAuth consumer of external client app ${inHub.appName}, not of ${app}.`,
      });
    }
  }
  return out;
}

function sameId(a: string, b: string): boolean {
  return (
    (a.length === 15 || a.length === 18) && (b.length === 15 || b.length === 18) && a.slice(0, 15) === b.slice(0, 15)
  );
}

/** Build number for a new version: NEXT = highest build of major.minor.patch + 1; a given build must be free. */
export function resolveBuild(
  hub: OrgState,
  pkg: Package2Rec,
  v: PendingVersion,
): { ok: true; build: number } | { ok: false; message: string } {
  const same = [...stateOf(hub).versions.values()].filter(
    (x) =>
      key15(x.Package2Id) === key15(pkg.Id) &&
      x.MajorVersion === v.major &&
      x.MinorVersion === v.minor &&
      x.PatchVersion === v.patch,
  );
  if (v.build === null) return { ok: true, build: same.reduce((m, x) => Math.max(m, x.BuildNumber), 0) + 1 };
  if (same.some((x) => x.BuildNumber === v.build)) {
    return {
      ok: false,
      message: `Version ${v.major}.${v.minor}.${v.patch}.${v.build} of package ${pkg.Name} already exists. Specify a different version number, or use NEXT as the build number.`,
    };
  }
  return { ok: true, build: v.build };
}
