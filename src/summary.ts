// Step 13 of the procedure: what a person needs to know, as GitHub-flavoured Markdown for the job summary.
// Pure. It never receives the consumer key or secret, only whether they were set and where they went, so it
// cannot leak them. Every user-provided string passes through escapeMarkdown or code() before it lands here.
import { CLIENTS } from './clients.ts';
import type { ConnectContext } from './clients.ts';
import type { AppPlan, Level } from './model.ts';
import { securityControls } from './controls.ts';
import { SECRET_NAME } from './secret-name.ts';
import type { DriftReport } from './drift.ts';
import { driftSection } from './drift-summary.ts';
import { isLoopback } from './loopback.ts';
import { isActionError, problemLine } from './errors.ts';

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
  /** The log group the run was in when it stopped (main.ts sets it as each step begins). */
  step?: string;
  /** Whether the app was in the Dev Hub before this run; undefined = not read. */
  appExisted?: boolean;
  /** true once the deploy to the Dev Hub succeeded. */
  deployed?: boolean;
  /** The consumer key's last four characters (lastFour), so a person can tell keys apart; never the key. */
  consumerKeyLast4?: string;
  /** `NAME (repository owner/repo)` of the Actions variable that holds the consumer key. */
  variableStored?: string;
  /** The Dev Hub as logged in to (also known to a run that failed later). */
  devHub?: { username: string; instanceUrl: string; orgType?: OrgType };
  installTarget?: { username: string; instanceUrl: string };
  /** `installed` by this run, or `already` installed (a reused version the target had). */
  installed?: 'installed' | 'already';
  /** package-validation: a sentence on the version's validation, then the org's messages (validation-note.ts) */
  validation?: string[];
  /** install-method: deploy: the app was deployed into the install target, with its own key (last four shown) */
  targetDeployed?: boolean;
  targetKeyLast4?: string;
  /** the API version the app was deployed and read at (api-version.ts) */
  apiVersion?: string;
}

/** Why the run stopped, for a failed run's summary. */
export interface SummaryFailure {
  /** the error's message, already redacted */
  message: string;
  /** the error: a deploy's component failures and the checks' problems are read from it */
  error?: unknown;
}

export interface SummaryInput {
  plan: AppPlan;
  dryRun: boolean;
  outputs: SummaryOutputs;
  devHub?: { username: string; instanceUrl: string; orgType?: OrgType };
  /** `mode: verify`: the drift found, shown first; such a run reads no key and builds no package. */
  drift?: DriftReport;
  failure?: SummaryFailure;
}

/**
 * The last four characters of a consumer key, shown so that a person can tell which key they hold. Only for a key
 * long enough that four characters give nothing useful away (a Salesforce consumer key has 85); never registered as
 * a mask (four characters would blank out common text in every log line), and never shown next to any other part.
 */
export function lastFour(key: string | undefined): string | undefined {
  if (!key || key.length < 32 || !/^[A-Za-z0-9._]+$/.test(key)) return undefined;
  return key.slice(-4);
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
  const { plan, dryRun, outputs, failure } = input;
  const devHub = input.devHub ?? outputs.devHub;
  const out: string[] = [];
  const add = (...lines: string[]): void => {
    out.push(...lines);
  };

  // First the outcome, a sentence a line; then what a person does next; the reference tables last, folded.
  // A verify run opens with the drift: it is what the run is about.
  const drift = !dryRun && !failure ? input.drift : undefined;
  if (drift) driftSection(drift, add);
  add(`## External Client App ${code(plan.appName)}: ${escapeMarkdown(plan.label)}`, '');
  if (dryRun) dryRunOutcome(plan, outputs, add);
  else if (failure) failureOutcome(plan, outputs, devHub, failure, add);
  else if (!drift) successOutcome(plan, outputs, devHub, add);
  if (plan.warnings.length > 0) {
    add('### Warnings', '', ...plan.warnings.map((w) => `- ${escapeMarkdown(w)}`), '');
  }
  // Connect steps only for an app that exists in the Dev Hub.
  // A verify run reports drift only: it read no key and built no package.
  const appExists = !dryRun && (!failure || outputs.deployed === true || outputs.appExisted === true);
  if (appExists && !input.drift) {
    connectSection(plan, outputs, devHub, add);
    caveatSection(plan, outputs, add);
    keySection(plan, dryRun, outputs, add);
    packageSection(plan, dryRun, outputs, add);
  }
  add("<details><summary>Settings, Salesforce's security controls and callback URLs</summary>", '');
  settingsSection(plan, add);
  controlsSection(plan, add);
  callbackSection(plan, outputs, add);
  if (plan.notes?.length) add('### Notes', '', ...plan.notes.map((n) => `- ${escapeMarkdown(n)}`), '');
  if (!appExists) caveatSection(plan, outputs, add);
  add('</details>', '');
  return `${out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}

/** A run whose inputs were refused has no plan: the summary is the problems, each against its input. */
export function inputProblemsSummary(problems: { input: string; message: string }[]): string {
  return `${[
    '## External Client App: the inputs were refused',
    '',
    '> [!CAUTION]',
    `> **${problems.length === 1 ? 'An input is' : `${problems.length} inputs are`} not valid.** Nothing was sent to any org; nothing was created or changed.`,
    ...problems
      .slice(0, 20)
      .map((p) => `> - ${code(p.input)}: ${escapeMarkdown(p.message).replace(/[#!]/g, (c) => `\\${c}`)}`),
    '',
    "- **Next step:** fix each input above in the workflow's `with:`, then run again.",
  ].join('\n')}\n`;
}

type Org = { username: string; instanceUrl: string };

/**
 * `NAME[, NAME_SECRET] (repository o/r)` as main.ts records what it stored: the first name (the key's) as code, the
 * place as text.
 */
function storedText(stored: string): string {
  const { name, scope } = parseStored(stored);
  return `${code(name)}${scope ? ` (${escapeMarkdown(scope)})` : ''}`;
}

function parseStored(stored: string): { name: string; scope?: string } {
  const m = /^(.*?) \((.*)\)$/.exec(stored);
  const names = m ? m[1]! : stored;
  return { name: names.split(', ')[0]!, ...(m ? { scope: m[2]! } : {}) };
}

/** `user` at `https://host`: the instance URL only when it has the shape of one (org answers are untrusted). */
function orgText(org: Org): string {
  const url = orgUrl(org.instanceUrl);
  return `${code(org.username)}${url ? ` (${url})` : ''}`;
}

/** An org's instance (My Domain) URL as https origin, or http on loopback (the local fake); else undefined. */
export function orgUrl(instanceUrl: string | undefined): string | undefined {
  if (!instanceUrl) return undefined;
  try {
    const u = new URL(instanceUrl);
    const loopback = isLoopback(u.hostname);
    if (u.username || u.password) return undefined;
    if (u.protocol !== 'https:' && !(u.protocol === 'http:' && loopback)) return undefined;
    if (!/^[A-Za-z0-9.\-[\]:]+$/.test(u.host)) return undefined;
    return u.origin;
  } catch {
    return undefined;
  }
}

function dryRunOutcome(plan: AppPlan, outputs: SummaryOutputs, add: Add): void {
  add(
    '- 📝 **Dry run:** nothing was sent to any org; no app, package or secret was created or changed.',
    `- The generated SFDX project (what a real run deploys) is in ${outputs.metadataDir ? code(outputs.metadataDir) : `the ${code('metadata-dir')} output`}.`,
    `- Next step: review it, then run without ${code('dry-run')} and with the Dev Hub inputs to create ${code(plan.appName)}.`,
    '',
  );
}

function successOutcome(plan: AppPlan, outputs: SummaryOutputs, devHub: SummaryInput['devHub'], add: Add): void {
  const where = devHub ? ` in the Dev Hub ${orgText(devHub)}` : ' in the Dev Hub';
  const verb =
    outputs.appExisted === true ? 'Updated' : outputs.appExisted === false ? 'Created' : 'Created or updated';
  add(`- ✅ **${verb}** the app ${code(plan.appName)}${where}.`);
  if (outputs.packageVersionId) {
    const v = `${outputs.packageVersionNumber ? `${code(outputs.packageVersionNumber)} ` : ''}(${code(outputs.packageVersionId)})`;
    add(
      outputs.packageVersionCreated === false
        ? `- ✅ Package version ${v} **reused**: built earlier from the same content and settings; no daily version creation was used.`
        : `- ✅ Package version ${v} **built** by this run.`,
    );
  } else if (plan.distributionState === 'Packaged') {
    add('- Package version: none (the run did not get to it).');
  }
  const [validation, ...validationMessages] = outputs.validation ?? [];
  if (validation) add(`- ${validation}`, ...validationMessages.map((m) => `  ${m}`));
  const target = outputs.installTarget;
  if (outputs.targetDeployed && target) {
    const ending = outputs.targetKeyLast4 ? ` ending in ${code(`…${outputs.targetKeyLast4}`)}` : '';
    add(
      `- ✅ **Deployed** the app straight into the install target ${orgText(target)} (${code('install-method: deploy')}), with its own consumer key${ending} in the masked ${code('target-consumer-key')} output: MCP clients that sign in to that org use it.`,
    );
  } else if (outputs.installed && target) {
    add(
      outputs.installed === 'already'
        ? `- ✅ Already installed in the install target ${orgText(target)}: nothing to install.`
        : `- ✅ **Installed** into the install target ${orgText(target)}.`,
    );
  } else if (outputs.packageVersionId) {
    add(`- Not installed into any org: no ${code('install-target')} was given. To install it, see **Package** below.`);
  }
  add(keyLine(outputs));
  add(
    outputs.usable
      ? '- ✅ **Usable:** the orgs accepted the consumer key (output `usable: true`).'
      : `- ⏳ **Usable:** not checked. A new app can take up to 30 minutes before sign-in works (${code('wait-until-usable')} waits for it).`,
    '',
  );
}

/** Where the consumer key is, with its last four characters. */
function keyLine(outputs: SummaryOutputs): string {
  if (!outputs.consumerKeySet) return '- The consumer key was not read.';
  const ending = outputs.consumerKeyLast4 ? ` ending in ${code(`…${outputs.consumerKeyLast4}`)}` : '';
  const places = [`the masked ${code('consumer-key')} output`];
  if (outputs.secretStored) places.push(`the secret ${storedText(outputs.secretStored)}`);
  if (outputs.variableStored) places.push(`the variable ${storedText(outputs.variableStored)}`);
  return `- 🔑 Consumer key${ending}: in ${places.join(', ')}.`;
}

/** The steps as main.ts names its log groups, and what their failure means for a person. */
const STEP_KIND: Record<string, { what: string; next: string }> = {
  'Authenticate to the Dev Hub': {
    what: 'Logging in to the Dev Hub failed',
    next: 'fix the Dev Hub login input the cause names (`dev-hub-username`, `dev-hub-client-id`, `dev-hub-jwt-key`, `dev-hub-login-url`, `dev-hub-auth-url` or `dev-hub`), then run again.',
  },
  'Authenticate to the install target': {
    what: 'Logging in to the install target failed',
    next: 'fix `install-target` (an alias or username the sf CLI knows from an earlier step, or a current SFDX auth URL), then run again.',
  },
  'Read the existing app': {
    what: 'Reading the app as it is in the Dev Hub failed',
    next: 'fix the cause and run again.',
  },
  'Check before any change': {
    what: 'The checks before any change found a problem',
    next: 'fix each problem listed (each names its input or the Dev Hub setting), then run again.',
  },
  'Deploy the External Client App': {
    what: 'The deploy to the Dev Hub failed',
    next: 'fix the cause above (the component names the generated file in `metadata-dir`), then run again; the rerun deploys the app again.',
  },
  'Read the consumer key': {
    what: 'Reading the consumer key failed',
    next: 'run again: the app is deployed, and the rerun reads its key.',
  },
  'Store the consumer key as a GitHub secret': {
    what: 'Storing the consumer key as a GitHub secret failed',
    next: 'give `github-token` the permission the cause names, then run again (the app is unchanged by the rerun).',
  },
  'Store the consumer key as a repository variable': {
    what: 'Storing the consumer key as a repository variable failed',
    next: 'give `github-token` the permission "Variables: Read and write" on this repository, then run again.',
  },
  'Create or reuse the package': {
    what: 'Creating or finding the package failed',
    next: 'fix the cause (often `package-namespace`: the namespace must be linked to the Dev Hub), then run again.',
  },
  'Create the package version': {
    what: 'Building the package version failed',
    next: 'fix the cause and run again; an unchanged app reuses its version.',
  },
  'Install into the target org': {
    what: 'Installing the package version into the install target failed',
    next: 'fix the cause (the install target, or `installation-key`), then run again: the rerun reuses the version and installs it.',
  },
  'Activate hosted MCP servers in the install target': {
    what: 'Activating the hosted MCP servers in the install target failed',
    next: 'check `mcp-servers` and that the scratch org has the feature `SalesforceHostedMCP`, then run again.',
  },
  'Wait until the app is usable': {
    what: 'The app did not accept its consumer key in time',
    next: 'wait (a new app can take up to 30 minutes) and sign in then, or run again with a larger `wait-until-usable`.',
  },
};

/** What the thrower said to do next (errors.ts `next`), when it knows better than the failed step's general advice. */
function thrownNext(failure: SummaryFailure): string | undefined {
  const next = isActionError(failure.error) ? failure.error.next : undefined;
  return next?.length ? next.map(escapeMarkdown).join(' ') : undefined;
}

/** The causes a failure carries: a deploy's component errors, the checks' problems; else the message. */
function causesOf(failure: SummaryFailure): string[] {
  const e = failure.error as { failures?: unknown } | undefined;
  if (Array.isArray(e?.failures) && e.failures.length > 0) {
    // A component that fails because another one did ("no ExternalClientApplication named X found") is a
    // consequence: the cause comes first.
    type Failure = { type?: unknown; fullName?: unknown; problem?: unknown };
    const follows = (f: Failure): boolean => /\bno \w+ named .* found\b/i.test(String(f.problem));
    const own = (e.failures as Failure[]).filter((f) => !follows(f));
    const after = (e.failures as Failure[]).filter(follows);
    if (own.length > 0 && after.length > 0) {
      const line = (f: Failure): string =>
        `${code(`${String(f.type)} ${String(f.fullName)}`)}: ${escapeMarkdown(String(f.problem))}`;
      return [
        ...own.map(line),
        `${after.length === 1 ? 'one more component' : `${after.length} more components`} failed only because of that: ${after.map((f) => code(String(f.fullName))).join(', ')}`,
      ];
    }
    return (e.failures as Failure[]).map(
      (f: { type?: unknown; fullName?: unknown; problem?: unknown }) =>
        `${code(`${String(f.type)} ${String(f.fullName)}`)}: ${escapeMarkdown(String(f.problem))}`,
    );
  }
  if (isActionError(failure.error) && failure.error.problems?.length)
    return failure.error.problems.map((p) => escapeMarkdown(problemLine(p)));
  return [escapeMarkdown(failure.message)];
}

function failureOutcome(
  plan: AppPlan,
  outputs: SummaryOutputs,
  devHub: SummaryInput['devHub'],
  failure: SummaryFailure,
  add: Add,
): void {
  const kind = outputs.step ? STEP_KIND[outputs.step] : undefined;
  const what =
    kind?.what ??
    (outputs.step
      ? `The step “${escapeMarkdown(outputs.step)}” failed`
      : 'The run failed before any org was contacted');
  const causes = causesOf(failure).map((c) => c.replace(/[#!]/g, (ch) => `\\${ch}`));
  // The first causes in the block, so that what failed, why, what changed and the next step fit the first ten lines.
  add('> [!CAUTION]', `> **${what}.** Cause: ${causes[0]}`, ...causes.slice(1, 3).map((c) => `> - ${c}`));
  if (causes.length > 3) add(`> - and ${causes.length - 3} more, each in the run's annotations`);
  add('');
  const changed: string[] = [];
  const unchanged: string[] = [];
  const hub = devHub ? ` ${code(devHub.username)}` : '';
  if (outputs.deployed) {
    changed.push(`${outputs.appExisted ? 'updated' : 'created'} the app ${code(plan.appName)} in the Dev Hub${hub}`);
  } else if (outputs.step === 'Deploy the External Client App') {
    unchanged.push(
      `the app in the Dev Hub${hub}: a deploy is all or nothing, so ${outputs.appExisted ? 'the app is as it was before the run' : 'no app was created'}`,
    );
  } else {
    unchanged.push(
      `the Dev Hub${hub}: ${
        outputs.appExisted === true
          ? `the app ${code(plan.appName)} is as it was before the run`
          : outputs.appExisted === false
            ? `no app ${code(plan.appName)} was created`
            : `the app ${code(plan.appName)} was neither created nor changed`
      }`,
    );
  }
  if (outputs.secretStored) changed.push(`stored the consumer key in the secret ${storedText(outputs.secretStored)}`);
  if (outputs.variableStored)
    changed.push(`stored the consumer key in the variable ${storedText(outputs.variableStored)}`);
  if (outputs.packageVersionId) {
    changed.push(
      `${outputs.packageVersionCreated === false ? 'reused' : 'built'} the package version ${code(outputs.packageVersionId)}`,
    );
  }
  if (outputs.installed === 'installed' && outputs.installTarget) {
    changed.push(`installed it into ${code(outputs.installTarget.username)}`);
  } else if (outputs.installTarget) {
    unchanged.push(`the install target ${code(outputs.installTarget.username)}: nothing was installed`);
  }
  if (outputs.mcpServers?.activated.length)
    changed.push(`activated ${outputs.mcpServers.activated.map(code).join(', ')}`);
  add(
    `- **Changed:** ${changed.length ? `${changed.join('; ')}.` : 'nothing in any org or in GitHub.'}`,
    ...(unchanged.length ? [`- **Not changed:** ${unchanged.join('; ')}.`] : []),
    `- **Next step:** ${thrownNext(failure) ?? kind?.next ?? 'fix the cause above, then run again (a rerun converges: it changes only what differs).'}`,
  );
  if (outputs.consumerKeySet) add(keyLine(outputs));
  add('');
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
  const keyRef = `the ${code('consumer-key')} output of this step${stored ? ` (also in the secret ${code(parseStored(stored).name)})` : ''}`;
  if (plan.global.isConsumerSecretOptional) return { keyRef };
  const name = stored ? parseStored(stored).name : undefined;
  const companion = name && SECRET_NAME.test(name) ? ` (also in the secret ${code(`${name}_SECRET`)})` : '';
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
    const ending = outputs.consumerKeyLast4 ? `, ending in ${code(`…${outputs.consumerKeyLast4}`)}` : '';
    add(
      `- The consumer key (client id${ending}) is in ${refs.keyRef}. It is masked and not shown here: only its last four characters, to tell keys apart.`,
    );
    add(
      outputs.variableStored
        ? `- It is also in the repository variable ${storedText(outputs.variableStored)}, readable under Settings → Secrets and variables → Actions → Variables.`
        : `- To read it in the repository's settings, set ${code('consumer-key-variable')}: the key (never the secret) then goes into a repository variable.`,
    );
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
      outputs.installed ? 'Install it into another scratch org:' : 'Install it into a scratch org:',
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

function connectSection(plan: AppPlan, outputs: SummaryOutputs, devHub: SummaryInput['devHub'], add: Add): void {
  const orgType = devHub?.orgType;
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
  // The orgs this run knows, with their real sign-in (My Domain) URLs: what Postman and other clients ask for.
  const orgs: { label: string; url: string }[] = [];
  const hubUrl = orgUrl(devHub?.instanceUrl);
  if (hubUrl) orgs.push({ label: 'the Dev Hub', url: hubUrl });
  const targetUrl = orgUrl(outputs.installTarget?.instanceUrl);
  if (targetUrl && outputs.installed) orgs.push({ label: 'the install target', url: targetUrl });
  if (orgs.length > 0) {
    add(
      'Sign-in (My Domain) URLs of the orgs this run used, with the OAuth endpoints for clients that ask for them:',
      '',
      ...orgs.map(
        (o) =>
          `- ${o.label}: ${code(o.url)}; authorize ${code(`${o.url}/services/oauth2/authorize`)}, token ${code(`${o.url}/services/oauth2/token`)}`,
      ),
      '',
    );
  }
  const ctx: ConnectContext = { ...keyRefs(plan, outputs), ...(orgs[0] ? { myDomain: orgs[0].url } : {}) };
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
