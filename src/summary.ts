// Step 13 of the procedure: what a person needs to know, as GitHub-flavoured Markdown for the job summary.
// Pure. It never receives the consumer key or secret, only whether they were set and where they went, so it
// cannot leak them. Every user-provided string passes through escapeMarkdown or code() before it lands here.
import { CLIENTS } from './clients.ts';
import type { ConnectContext } from './clients.ts';
import type { AppPlan, Level } from './model.ts';
import { securityControls } from './controls.ts';
import { SECRET_NAME } from './secret-name.ts';

export type OrgType = 'production' | 'sandbox' | 'developer' | 'scratch';

export interface SummaryOutputs {
  callbackUrls: string[];
  metadataDir?: string;
  packageId?: string;
  packageVersionId?: string;
  packageVersionNumber?: string;
  installUrl?: string;
  /** true: this run built the version; false: it reused one built earlier from the same content */
  packageVersionCreated?: boolean;
  /** Name of the GitHub secret the consumer key was stored in (the secret itself is never passed here). */
  secretStored?: string;
  /** Whether the package version is protected by an installation key; undefined = not known. */
  installationKeySet?: boolean;
  consumerKeySet: boolean;
  consumerSecretSet: boolean;
  /** Hosted MCP servers of the install target (`mcp-servers`), by what this run did. */
  mcpServers?: { activated: string[]; alreadyActive: string[] };
  /** true once the orgs accepted the consumer key (`wait-until-usable`). */
  usable?: boolean;
  /** the API version the app was deployed and read at (api-version.ts) */
  apiVersion?: string;
}

export interface SummaryInput {
  plan: AppPlan;
  dryRun: boolean;
  outputs: SummaryOutputs;
  devHub?: { username: string; instanceUrl: string; orgType?: OrgType };
}

// Official "Find Your Server URL" (docs/platform-notes.md §12): the server name keeps its `platform/` prefix.
export const MCP_URL = {
  production: 'https://api.salesforce.com/platform/mcp/v1/platform/<server>',
  sandbox: 'https://api.salesforce.com/platform/mcp/v1/sandbox/platform/<server>',
} as const;

// ===========================================================================================================
// Escaping

/**
 * Text safe in a GFM table cell and in running text: no line breaks, no cell separators, no markup, links,
 * HTML or entities. Markdown punctuation gets a backslash; `<`, `>` and `&` become entities.
 */
export function escapeMarkdown(text: string): string {
  return (
    text
      .replace(/\r\n|[\r\n\u2028\u2029]/g, ' ')
      .replace(/[\p{Cc}\p{Cf}]/gu, '')
      // Enough to stop emphasis, code, links/images and cell splits; ( ) # + only matter at a line start or after ].
      .replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`)
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
  );
}

/** An inline code span that survives any content, also inside a table cell. */
export function code(text: string): string {
  const oneLine = text.replace(/\r\n|[\r\n\u2028\u2029]/g, ' ').replace(/[\p{Cc}\p{Cf}]/gu, '');
  const longestRun = Math.max(0, ...(oneLine.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longestRun + 1);
  const pad = oneLine.startsWith('`') || oneLine.endsWith('`') || longestRun > 0 ? ' ' : '';
  // GFM splits table cells on `|` even inside code spans; `\|` is the documented escape there.
  return `${fence}${pad}${oneLine.replace(/\|/g, '\\|')}${pad}${fence}`;
}

/**
 * The CAUTION block a failed run ends with: the message stays inside the block (no line break of any kind, a bare
 * \r included) and cannot start a heading, emphasis, link or HTML there.
 */
export function failureNote(message: string): string {
  return `> [!CAUTION]\n> The run failed: ${escapeMarkdown(message).replace(/[#!]/g, (c) => `\\${c}`)}\n`;
}

const LEVEL_TEXT: Record<Level, string> = {
  baseline: 'baseline',
  hardened: '**hardened**',
  weaker: '⚠️ **weaker**',
};

// ===========================================================================================================
// The summary

export function buildSummary(input: SummaryInput): string {
  const { plan, dryRun, outputs, devHub } = input;
  const out: string[] = [];
  const add = (...lines: string[]): void => {
    out.push(...lines);
  };

  add(`## External Client App ${code(plan.appName)}: ${escapeMarkdown(plan.label)}`, '');
  if (dryRun) {
    add(
      `**Dry run:** nothing was sent to any org.${outputs.metadataDir ? ` The generated SFDX project is in ${code(outputs.metadataDir)}.` : ''}`,
      '',
    );
  } else if (devHub) {
    add(
      `Dev Hub: ${code(devHub.username)} at ${code(devHub.instanceUrl)}${devHub.orgType ? ` (${escapeMarkdown(devHub.orgType)})` : ''}.`,
      '',
    );
  }

  settingsSection(plan, add);
  controlsSection(plan, add);
  callbackSection(plan, outputs, add);
  if (plan.warnings.length > 0) {
    add('### Warnings', '', ...plan.warnings.map((w) => `- ${escapeMarkdown(w)}`), '');
  }
  keySection(plan, dryRun, outputs, add);
  packageSection(plan, dryRun, outputs, add);
  connectSection(plan, outputs, devHub?.orgType, add);
  caveatSection(plan, outputs, add);
  return `${out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}

type Add = (...lines: string[]) => void;

function settingsSection(plan: AppPlan, add: Add): void {
  add('### Settings', '', '| Setting | Value | Compared with the baseline | Note |', '|---|---|---|---|');
  for (const r of plan.report) {
    add(
      `| ${escapeMarkdown(r.setting)} | ${escapeMarkdown(r.value)} | ${LEVEL_TEXT[r.level]} | ${r.note ? escapeMarkdown(r.note) : ''} |`,
    );
  }
  add('');
  const weaker = plan.report.filter((r) => r.level === 'weaker');
  if (weaker.length > 0) {
    add(
      '> [!WARNING]',
      `> ${weaker.length === 1 ? 'This setting is' : 'These settings are'} weaker than the procedure's secure baseline: ${weaker.map((r) => escapeMarkdown(r.setting)).join(', ')}.`,
      '',
    );
  } else {
    add(
      "No setting is weaker than the procedure's secure baseline (scopes `mcp_api` + `refresh_token`, JWT-based access tokens, PKCE required, every other flow off).",
      '',
    );
  }
}

/** Salesforce's own controls, one row each: whether this app meets it, and where metadata cannot set it. */
function controlsSection(plan: AppPlan, add: Add): void {
  add("### Salesforce's security controls", '', '| Control | This app | How |', '|---|---|---|');
  for (const c of securityControls(plan)) {
    const status =
      c.status === 'met'
        ? '✅ met'
        : c.status === 'not met'
          ? '❌ not met'
          : c.status === 'set in Setup'
            ? 'set in Setup (no app metadata)'
            : 'not applicable';
    add(`| ${escapeMarkdown(c.control)} | ${status} | ${escapeMarkdown(c.how)} |`);
  }
  add('');
}

function callbackSection(plan: AppPlan, outputs: SummaryOutputs, add: Add): void {
  const urls = outputs.callbackUrls.length > 0 ? outputs.callbackUrls : plan.callbackUrls;
  add('### Callback URLs', '');
  for (const url of urls) {
    const owners = plan.clients.filter((c) => c.callbackUrls.includes(url)).map((c) => escapeMarkdown(c.label));
    add(`- ${code(url)}${owners.length > 0 ? ` (${owners.join(', ')})` : ' (callback-urls)'}`);
  }
  add('');
}

function keyRefs(plan: AppPlan, outputs: SummaryOutputs): ConnectContext {
  const stored = outputs.secretStored;
  const keyRef = `the ${code('consumer-key')} output of this step${stored ? ` (also stored as the secret ${code(stored)})` : ''}`;
  if (plan.global.isConsumerSecretOptional) return { keyRef };
  const companion =
    stored && SECRET_NAME.test(stored) ? ` (also stored as the secret ${code(`${stored}_SECRET`)})` : '';
  return { keyRef, secretRef: `the ${code('consumer-secret')} output${companion}` };
}

function keySection(plan: AppPlan, dryRun: boolean, outputs: SummaryOutputs, add: Add): void {
  add('### Consumer key', '');
  if (dryRun) {
    add(
      `A real run deploys the app to the Dev Hub, reads the consumer key (client id) and sets the masked ${code('consumer-key')} output.`,
      '',
    );
    return;
  }
  const refs = keyRefs(plan, outputs);
  if (outputs.apiVersion) add(`- Deployed and read at API version ${code(outputs.apiVersion)}.`);
  if (outputs.consumerKeySet) {
    add(`- The consumer key (client id) is in ${refs.keyRef}. It is masked and not shown here.`);
    // Salesforce's "Get Your Consumer Key" (headless identity guide); the retrieve returns consumerKey
    // (docs/platform-notes.md §6).
    add(
      `- To read it yourself: in the Dev Hub, Setup → Quick Find ${code('External')} → **External Client App Manager** → ${code(plan.appName)} → **Settings** tab → **OAuth Settings** → **Consumer Key and Secret** (Salesforce asks you to verify your identity). ` +
        `Or locally with the sf CLI, in an SFDX project such as this step's ${code('metadata-dir')}:`,
      '',
      '  ```sh',
      `  sf project retrieve start --metadata ExtlClntAppGlobalOauthSettings:${safeName(plan.appName)}_glbloauth --target-org <dev-hub>`,
      `  grep -o '<consumerKey>[^<]*' force-app/main/default/extlClntAppGlobalOauthSets/${safeName(plan.appName)}_glbloauth.ecaGlblOauth-meta.xml`,
      '  ```',
      '',
      '  The retrieved file holds the key: do not commit it.',
    );
  } else {
    add('- The consumer key was not read: the run stopped before that step.');
  }
  if (!plan.global.isConsumerSecretOptional) {
    add(
      outputs.consumerSecretSet
        ? `- The consumer secret is in ${refs.secretRef}. It is masked and not shown here.`
        : '- The consumer secret was not read: the run stopped before that step.',
    );
  }
  add('');
}

function packageSection(plan: AppPlan, dryRun: boolean, outputs: SummaryOutputs, add: Add): void {
  if (plan.distributionState !== 'Packaged') return;
  add('### Package', '');
  if (dryRun || (!outputs.packageId && !outputs.packageVersionId)) {
    add(
      dryRun
        ? 'A real run puts the app (and its OAuth settings, linked to the Dev Hub consumer) into a managed 2GP package version for scratch orgs.'
        : 'No package version was created: the run stopped before that step.',
      '',
    );
    return;
  }
  add('| | |', '|---|---|');
  if (outputs.packageId) add(`| Package id | ${code(outputs.packageId)} |`);
  if (outputs.packageVersionNumber) add(`| Version | ${code(outputs.packageVersionNumber)} (beta) |`);
  if (outputs.packageVersionId) add(`| Version id (install this) | ${code(outputs.packageVersionId)} |`);
  if (outputs.packageVersionCreated !== undefined) {
    add(
      `| Built by this run | ${outputs.packageVersionCreated ? 'yes' : `no: reused, built earlier from the same package content and settings (${code('new-version: when-changed')}); no version was created and none of the Dev Hub's daily version creations was used`} |`,
    );
  }
  if (outputs.installUrl) add(`| Install link (sandbox login) | ${code(outputs.installUrl)} |`);
  add('');
  if (outputs.packageVersionId) {
    const id = safeId(outputs.packageVersionId);
    add(
      'Install it into a scratch org:',
      '',
      '```sh',
      `sf package install --package ${id} --target-org <scratch-org> --wait 10`,
      '```',
      '',
      // Beta versions install only into scratch orgs and sandboxes (Salesforce DX Developer Guide, "Release a
      // Second-Generation Managed Package"); a production login would refuse the link.
      'The version is a **beta**: it installs only into scratch orgs and sandboxes, not into production or Developer Edition orgs. ' +
        'The install link therefore opens the sandbox login (test.salesforce.com). For a scratch org, open the same page in that org: ' +
        `${code(`sf org open --target-org <scratch-org> --path /packaging/installPackage.apexp?p0=${id}`)}.`,
      '',
    );
    add(
      outputs.installationKeySet === true
        ? `The version is protected by the ${code('installation-key')} input: add ${code('--installation-key "$KEY"')}, taking the key from the same secret.`
        : outputs.installationKeySet === false
          ? 'The version has no installation key: anyone who has its id can install it.'
          : `If the version was created with an ${code('installation-key')}, add ${code('--installation-key "$KEY"')}.`,
      'A new version may need a few minutes before orgs can install it.',
      "The installed app uses the Dev Hub's OAuth consumer: the same consumer key works in every org that installs this version.",
      '',
    );
  }
}

/** An API name as printed in a shell line; the parser allows only these characters, anything else is replaced. */
function safeName(name: string): string {
  return /^[A-Za-z][A-Za-z0-9_]{0,39}$/.test(name) ? name : '<app-name>';
}

/** A Salesforce id as printed in a shell line; anything unexpected is replaced rather than trusted. */
function safeId(id: string): string {
  return /^[A-Za-z0-9]{15,18}$/.test(id) ? id : '<package-version-id>';
}

function connectSection(plan: AppPlan, outputs: SummaryOutputs, orgType: OrgType | undefined, add: Add): void {
  add('### Connect your MCP clients', '');
  const here = (types: OrgType[]): string => (orgType && types.includes(orgType) ? ' ← this Dev Hub' : '');
  add(
    '| Org you connect to | MCP server URL |',
    '|---|---|',
    `| Production or Developer Edition${here(['production', 'developer'])} | ${code(MCP_URL.production)} |`,
    `| Sandbox or scratch org${here(['sandbox', 'scratch'])} | ${code(MCP_URL.sandbox)} |`,
    '',
    `Replace ${code('<server>')} with a server name such as ${code('sobject-all')}, ${code('sobject-reads')}, ${code('sobject-mutations')} or ${code('sobject-deletes')}. ` +
      `Servers are off by default: activate each one in Setup → MCP Servers of the org you connect to (in the install target, the ${code('mcp-servers')} input does it).`,
    '',
  );
  if (outputs.mcpServers) {
    const list = (names: string[]): string => (names.length ? names.map(code).join(', ') : 'none');
    add(
      `Hosted MCP servers in the install target: activated ${list(outputs.mcpServers.activated)}; already active ${list(outputs.mcpServers.alreadyActive)}.`,
      '',
    );
  }
  add(
    `Hosted MCP in a scratch org needs the scratch-org feature ${code('SalesforceHostedMCP')} in the org's definition file (e.g. ${code('config/project-scratch-def.json')}):`,
    '',
    '```json',
    '{ "edition": "Developer", "features": ["SalesforceHostedMCP"] }',
    '```',
    '',
  );
  const ctx = keyRefs(plan, outputs);
  for (const client of plan.clients) {
    add(`#### ${escapeMarkdown(client.label)}`, '', ...CLIENTS[client.id].connect(ctx), '');
  }
  add(
    `Clients ask for the scopes ${code('mcp_api')} and ${code('refresh_token')}; sign in with a user of the org you connect to.`,
    '',
  );
}

function caveatSection(plan: AppPlan, outputs: SummaryOutputs, add: Add): void {
  add(
    '### Before you connect',
    '',
    '- A new app can take **up to 30 minutes** to become usable. Until then, sign-in fails with `invalid_client_id` ("client identifier invalid"): wait rather than re-creating the app. ' +
      'The same error means a wrong consumer key, or an org where the app is not installed. ' +
      (outputs.usable
        ? '**This run waited until the orgs accepted the consumer key (output `usable: true`).**'
        : 'The input `wait-until-usable` makes the action wait for it.'),
  );
  add(
    plan.oauth.singleLogoutUrl
      ? `- Single logout is on because a logout URL is set (${code(plan.oauth.singleLogoutUrl)}): the platform has no single-logout on/off switch in metadata, the URL is the switch. The MCP client must accept that logout request.`
      : '- Single logout is off. The platform has no single-logout on/off switch in metadata: it is on exactly when a logout URL is set (input `single-logout-url`).',
    '- The generated metadata holds no consumer key, secret or org id, so it is safe to keep. The global OAuth settings (callback URLs, flows) are never packaged; a package links to the Dev Hub consumer instead.',
    '- OAuth policies (permitted users, refresh-token validity, IP relaxation) apply only in the org where they are set: an org that installs the package gets the platform defaults until its admin changes them.',
    '',
  );
}
