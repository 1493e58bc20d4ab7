// An admin changes the app in Setup. The change reaches the org's metadata as a deploy of the changed components
// would: here, the component as the org holds it, with the given elements changed, deployed through the fake org's
// Metadata API (REST deployRequest, validated like any deploy). The request log shows it as a deploy, before the run
// the test looks at. An installed (namespaced) component is changed in place, as only Setup can.
import JSZip from 'jszip';
import type { FakeOrg } from '../../fake-org/server.ts';
import { filePath, TYPE_BY_NAME } from '../../fake-org/schema.ts';
import { normalizedNodes, setField } from '../../fake-org/store.ts';
import type { ComponentSource } from '../../fake-org/types.ts';
import { renderMetadata, type OutNode } from '../../fake-org/xml.ts';

/** A simple element's new text (undefined removes it), or the trusted IP ranges as a whole. */
export type SetupEdit = Record<string, string | undefined | { start: string; end: string }[]>;

export interface SetupChange {
  type:
    | 'ExtlClntAppGlobalOauthSettings'
    | 'ExtlClntAppOauthSettings'
    | 'ExtlClntAppOauthConfigurablePolicies'
    | 'ExternalClientApplication';
  fullName: string;
  edit: SetupEdit;
}

/** Apply the changes in `which` org (Dev Hub by default) through the fake's Metadata API; throws if the org refuses. */
export async function setupChange(
  fake: FakeOrg,
  changes: SetupChange[],
  which: 'devHub' | 'scratch' = 'devHub',
): Promise<void> {
  const org = fake.ctx[which];
  const zip = new JSZip();
  const byType = new Map<string, string[]>();
  const sources: ComponentSource[] = [];
  for (const change of changes) {
    const stored = org.metadata.get(change.type)?.get(change.fullName);
    if (stored === undefined) throw new Error(`setupChange: the org has no ${change.type} ${change.fullName}`);
    const nodes = normalizedNodes(change.type, stored);
    for (const [name, value] of Object.entries(change.edit)) {
      if (Array.isArray(value)) {
        const kept = nodes.filter((n) => n.name !== name);
        const ranges: OutNode[] = value.map((r) => ({
          name,
          value: [
            { name: 'endIpAddress', value: r.end },
            { name: 'startIpAddress', value: r.start },
          ],
        }));
        nodes.splice(
          0,
          nodes.length,
          ...normalizedNodes(change.type, renderMetadata(change.type, [...kept, ...ranges])),
        );
      } else setField(nodes, change.type, name, value);
    }
    const fileName = filePath(TYPE_BY_NAME.get(change.type)!, change.fullName);
    sources.push({ type: change.type, fullName: change.fullName, fileName, xml: renderMetadata(change.type, nodes) });
    zip.file(fileName, renderMetadata(change.type, nodes));
    byType.set(change.type, [...(byType.get(change.type) ?? []), change.fullName]);
  }
  zip.file(
    'package.xml',
    `<?xml version="1.0" encoding="UTF-8"?>\n<Package xmlns="http://soap.sforce.com/2006/04/metadata">\n${[...byType]
      .map(
        ([type, members]) =>
          `  <types>${members.map((m) => `<members>${m}</members>`).join('')}<name>${type}</name></types>\n`,
      )
      .join('')}  <version>66.0</version>\n</Package>\n`,
  );

  if (sources.some((c) => c.fullName.includes('__'))) {
    // An installed app's components carry the package's namespace, which a deploy from the subscriber org cannot
    // name (the API-name rule); Setup edits them in place. The org stores them as a deploy would.
    fake.ctx.applyComponents(org, sources);
    return;
  }
  const token = await accessToken(fake, which);
  const base = `${fake.url}/services/data/v66.0/metadata/deployRequest`;
  const boundary = `setup${Date.now()}`;
  const body = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="entity_content"\r\nContent-Type: application/json\r\n\r\n` +
        `${JSON.stringify({ deployOptions: { singlePackage: true, rollbackOnError: true } })}\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="setup.zip"\r\nContent-Type: application/zip\r\n\r\n`,
    ),
    await zip.generateAsync({ type: 'nodebuffer' }),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const auth = { authorization: `Bearer ${token}` };
  const started = await fetch(base, {
    method: 'POST',
    headers: { ...auth, 'content-type': `multipart/form-data; boundary=${boundary}` },
    body,
  });
  if (started.status !== 201) throw new Error(`setupChange: deploy refused: ${await started.text()}`);
  const { id } = (await started.json()) as { id: string };
  for (let i = 0; i < 50; i++) {
    const res = await fetch(`${base}/${id}?includeDetails=true`, { headers: auth });
    const { deployResult } = (await res.json()) as {
      deployResult: { done: boolean; success: boolean; details?: { componentFailures: { problem?: string }[] } };
    };
    if (!deployResult.done) continue;
    if (deployResult.success) return;
    const problems = (deployResult.details?.componentFailures ?? []).map((f) => f.problem).join('; ');
    throw new Error(`setupChange: the org refused the change: ${problems}`);
  }
  throw new Error('setupChange: the deploy did not finish');
}

/** A session of the org's admin, from the refresh token of its SFDX auth URL. */
async function accessToken(fake: FakeOrg, which: 'devHub' | 'scratch'): Promise<string> {
  const authUrl = which === 'devHub' ? fake.devHubAuthUrl : fake.scratchAuthUrl;
  const [, clientId, refreshToken] = /^force:\/\/([^:]*)::([^@]+)@/.exec(authUrl)!;
  const res = await fetch(`${fake.url}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', client_id: clientId!, refresh_token: refreshToken! }),
  });
  const json = (await res.json()) as { access_token?: string };
  if (!json.access_token) throw new Error(`setupChange: no session: ${JSON.stringify(json)}`);
  return json.access_token;
}
