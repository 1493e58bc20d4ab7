// What each known MCP client needs from the app: the OAuth callback (redirect) URLs it uses, whether it is a
// desktop app (and so cannot keep a client secret), and how a user connects it once the app exists.
// Pure data. Sources for the URLs: the Salesforce procedure ("Create an External Client App", Hosted MCP guide)
// and docs/platform-notes.md §12; each entry names its own.
// Adding a preset is one entry in PRESETS: the client id type, the `clients` input's choices and the checks derive
// from its keys; __tests__/clients.test.ts fails until action.yml and the README's table list it too.

/** What the connection instructions may refer to. Every string here is already Markdown-safe. */
export interface ConnectContext {
  /** e.g. "the `consumer-key` output of this step (or the repository secret `MCP_KEY`)" */
  keyRef: string;
  /** Set only when the app requires the client secret; where the user finds it. */
  secretRef?: string;
  /** The org's sign-in (My Domain) URL when the run knows it, e.g. `https://acme.my.salesforce.com`; checked by the caller. */
  myDomain?: string;
}

/** The OAuth endpoints of the org: the real ones when known, else a placeholder the user fills in. */
const endpoints = (ctx: ConnectContext): string => {
  const base = ctx.myDomain ?? 'https://<My Domain>';
  return `auth URL \`${base}/services/oauth2/authorize\`, token URL \`${base}/services/oauth2/token\`${ctx.myDomain ? ' (for another org, its own My Domain)' : ''}`;
};

export interface ClientPreset {
  label: string;
  /** Callback URLs this client always uses; empty when they are per-user and must come from `callback-urls`. */
  callbackUrls: readonly string[];
  /** A desktop app cannot keep a client secret: it can be read from the app or its config file. */
  desktop: boolean;
  /** Connects from its vendor's cloud (not the user's network): an IP allowlist applies to the vendor's addresses. */
  cloud: boolean;
  /** This client's callback URL is not fixed, so `callback-urls` is required. */
  needsCallbackUrls: boolean;
  /** Why `callback-urls` is needed and where to find the URL (for the input error). */
  callbackHint?: string;
  /** Caveats that belong in the plan's warnings whenever this client is chosen. */
  warnings: readonly string[];
  /** Markdown lines (list items or a code block) telling the user where the client id goes. */
  connect(ctx: ConnectContext): string[];
}

const secretLine = (ctx: ConnectContext, where: string): string[] =>
  ctx.secretRef ? [`- This app requires the client secret: put ${ctx.secretRef} into ${where}.`] : [];

const PRESETS = {
  claude: {
    label: 'Claude (claude.ai, Claude Desktop)',
    // Salesforce procedure: https://claude.ai/api/mcp/auth_callback. Anthropic's connector doc asks to allowlist
    // https://claude.com/api/mcp/auth_callback as well ("may change to claude.com"); docs/platform-notes.md §12.
    callbackUrls: ['https://claude.ai/api/mcp/auth_callback', 'https://claude.com/api/mcp/auth_callback'],
    // Custom connectors are brokered by Anthropic's servers, also from Claude Desktop: a web client, the
    // secret (if any) is kept server-side.
    desktop: false,
    cloud: true,
    needsCallbackUrls: false,
    warnings: [
      // anthropics/claude-code#91846: 2.1.229 and 2.1.230 sent http://127.0.0.1:<port>/callback (which Salesforce
      // cannot register); 2.1.231 and later send http://localhost:<port>/callback (docs/platform-notes.md §21).
      'The claude preset covers claude.ai and Claude Desktop connectors. For Claude Code (the CLI) add the claude-code preset: ' +
        'Claude Code 2.1.231 or later signs in on http://localhost:<port>/callback with a fixed port (--callback-port).',
    ],
    connect: (ctx) => [
      '- In Claude: Settings → Connectors → Add custom connector. Enter a name and the MCP server URL.',
      `- Open Advanced settings and paste ${ctx.keyRef} as **OAuth Client ID**.`,
      ...secretLine(ctx, '**OAuth Client Secret**'),
      '- Click Add, then Connect, and sign in to the Salesforce org.',
    ],
  },
  'claude-code': {
    label: 'Claude Code (the CLI)',
    // From 2.1.231 Claude Code's MCP OAuth redirect is http://localhost:<port>/callback (anthropics/claude-code#91846,
    // fixing #86233's 127.0.0.1); the port is random unless set with `claude mcp add --callback-port`,
    // `oauth.callbackPort` in .mcp.json or MCP_OAUTH_CALLBACK_PORT (anthropics/claude-code#66511, #55067). 3118 is
    // Claude Code's own default constant (anthropics/claude-code#91846's bundle excerpt); Salesforce matches
    // callbacks exactly, so the port is fixed.
    callbackUrls: ['http://localhost:3118/callback'],
    desktop: true,
    cloud: false,
    needsCallbackUrls: false,
    warnings: [
      'claude-code registers http://localhost:3118/callback: Claude Code 2.1.231 or later, with the callback port 3118 (claude mcp add --callback-port 3118, ' +
        'or "oauth": {"callbackPort": 3118} in .mcp.json). Versions 2.1.229 and 2.1.230 send 127.0.0.1, which Salesforce cannot register.',
    ],
    connect: (ctx) => [
      `- Claude Code 2.1.231 or later: \`claude mcp add --transport http --client-id <consumer key> --callback-port 3118 salesforce <MCP server URL>\`, with ${ctx.keyRef} as the client id.`,
      '- Or in `.mcp.json`: `{"mcpServers": {"salesforce": {"type": "http", "url": "<MCP server URL>", "oauth": {"clientId": "<consumer key>", "callbackPort": 3118}}}}`.',
      ...secretLine(ctx, 'the client secret Claude Code asks for'),
      '- Then `/mcp` in Claude Code → the server → Authenticate, and sign in to the org.',
    ],
  },
  chatgpt: {
    label: 'ChatGPT',
    // Per-connector URL https://chatgpt.com/connector/oauth/<callback_id>, shown while creating the connector
    // (Salesforce procedure: "Copy the callback URL from ChatGPT's Advanced settings"); docs/platform-notes.md §12.
    callbackUrls: [],
    desktop: false,
    cloud: true,
    needsCallbackUrls: true,
    callbackHint:
      "chatgpt has no fixed callback URL: copy it from the connector's Advanced settings in ChatGPT (https://chatgpt.com/connector/oauth/…) into callback-urls",
    warnings: [],
    connect: (ctx) => [
      '- In ChatGPT (developer mode on): Settings → Apps & Connectors → Create. Enter the MCP server URL, Authentication: OAuth.',
      `- In Advanced settings paste ${ctx.keyRef} as **OAuth Client ID**; the callback URL shown there must be one of this app's callback URLs.`,
      ...secretLine(ctx, '**OAuth Client Secret**'),
    ],
  },
  cursor: {
    label: 'Cursor',
    // The hosted-MCP guide lists the loopback callback first and the app-scheme one "also used by some
    // versions of Cursor" (docs/platform-notes.md §12); register both so either version signs in.
    callbackUrls: ['http://localhost:8787/callback', 'cursor://anysphere.cursor-mcp/oauth/callback'],
    desktop: true,
    cloud: false,
    needsCallbackUrls: false,
    warnings: [],
    connect: (ctx) => [
      `- Add the server to \`~/.cursor/mcp.json\` (or \`.cursor/mcp.json\` in a project) with ${ctx.keyRef} as \`CLIENT_ID\`:`,
      '',
      '  ```json',
      '  {',
      '    "mcpServers": {',
      '      "salesforce": {',
      '        "url": "<MCP server URL>",',
      ctx.secretRef
        ? '        "auth": { "CLIENT_ID": "<consumer key>", "CLIENT_SECRET": "<consumer secret>" }'
        : '        "auth": { "CLIENT_ID": "<consumer key>" }',
      '      }',
      '    }',
      '  }',
      '  ```',
      '',
      '- Then open Cursor Settings → MCP and click Connect (or Login) next to the server.',
    ],
  },
  postman: {
    label: 'Postman (desktop app)',
    // Salesforce procedure: "Postman: Enter https://oauth.pstmn.io/v1/callback".
    callbackUrls: ['https://oauth.pstmn.io/v1/callback'],
    // The user types the credentials into their own Postman workspace; no vendor-embedded secret is involved.
    desktop: false,
    cloud: false,
    needsCallbackUrls: false,
    warnings: [],
    connect: (ctx) => [
      '- New → MCP (HTTP), enter the MCP server URL.',
      '- Authorization tab: type **OAuth 2.0**, grant type **Authorization Code (With PKCE)**, tick *Authorize using browser*.',
      `- Paste ${ctx.keyRef} as **Client ID**; scope \`mcp_api refresh_token\`; ${endpoints(ctx)}.`,
      ...secretLine(ctx, '**Client Secret**'),
    ],
  },
  'postman-web': {
    label: 'Postman (web)',
    // Salesforce procedure: the browser version of Postman uses https://oauth.pstmn.io/v1/browser-callback.
    callbackUrls: ['https://oauth.pstmn.io/v1/browser-callback'],
    desktop: false,
    cloud: false,
    needsCallbackUrls: false,
    warnings: [],
    connect: (ctx) => [
      '- In Postman on the web: New → MCP (HTTP), enter the MCP server URL.',
      '- Authorization tab: type **OAuth 2.0**, grant type **Authorization Code (With PKCE)**, tick *Authorize using browser*.',
      `- Paste ${ctx.keyRef} as **Client ID**; scope \`mcp_api refresh_token\`; ${endpoints(ctx)}.`,
      ...secretLine(ctx, '**Client Secret**'),
    ],
  },
  vscode: {
    label: 'VS Code (GitHub Copilot)',
    // VS Code offers https://vscode.dev/redirect (and insiders.vscode.dev) next to its loopback
    // http://127.0.0.1:33418 (microsoft/vscode#278512, contextstream/mcp-server#57). Salesforce refuses http on an
    // IP address ("Cannot be an HTTP URL", anthropics/claude-code#86233) and VS Code does not offer localhost, so only
    // the https redirects can be registered (docs/platform-notes.md §21).
    callbackUrls: ['https://vscode.dev/redirect', 'https://insiders.vscode.dev/redirect'],
    desktop: true,
    cloud: false,
    needsCallbackUrls: false,
    warnings: [
      'VS Code signs in through its local server at http://127.0.0.1:33418 when it can; Salesforce cannot register an http callback on an IP address, ' +
        'so only https://vscode.dev/redirect is registered. If the browser shows a redirect_uri_mismatch error, the window used the local server: ' +
        'sign in from a VS Code window that uses the vscode.dev redirect (vscode.dev, a Codespace or a remote window), or check docs/platform-notes.md §21.',
    ],
    connect: (ctx) => [
      '- Command Palette → **MCP: Add Server…** → HTTP, enter the MCP server URL.',
      `- The server offers no dynamic client registration, so VS Code asks for a client ID: paste ${ctx.keyRef}.`,
      ctx.secretRef
        ? `- When it asks for a client secret, paste ${ctx.secretRef}.`
        : '- Leave the client secret empty (the app uses PKCE, no secret).',
      "- The app lists only `https://vscode.dev/redirect` (and the Insiders one): Salesforce cannot register VS Code's local callback `http://127.0.0.1:33418`. If the browser shows `redirect_uri_mismatch`, sign in from a window that uses the vscode.dev redirect (vscode.dev, a Codespace or a remote window).",
    ],
  },
  'mcp-inspector': {
    label: 'MCP Inspector',
    // modelcontextprotocol/inspector#930, #556: normal and guided ("debug") flow.
    callbackUrls: ['http://localhost:6274/oauth/callback', 'http://localhost:6274/oauth/callback/debug'],
    desktop: true,
    cloud: false,
    needsCallbackUrls: false,
    warnings: [],
    connect: (ctx) => [
      '- Run `npx @modelcontextprotocol/inspector`; transport **Streamable HTTP**, URL = the MCP server URL.',
      `- Under Authentication → OAuth 2.0 Flow paste ${ctx.keyRef} as **Client ID**; scope \`mcp_api refresh_token\`.`,
      ...secretLine(ctx, '**Client Secret**'),
    ],
  },
  custom: {
    label: 'Other MCP client',
    callbackUrls: [],
    desktop: false,
    cloud: false,
    needsCallbackUrls: true,
    callbackHint:
      "custom has no callback URL of its own: give the client's OAuth redirect URL(s) in callback-urls (see the client's documentation)",
    warnings: [],
    connect: (ctx) => [
      `- Configure the client for OAuth 2.0 authorization code with PKCE (S256): client ID = ${ctx.keyRef}, scopes \`mcp_api refresh_token\`.`,
      `- If it does not discover the endpoints from the MCP server, use the ${endpoints(ctx)}.`,
      ...secretLine(ctx, 'its client secret setting'),
    ],
  },
} satisfies Record<string, ClientPreset>;

/** A client preset's name as the `clients` input takes it. */
export type ClientId = keyof typeof PRESETS;

export const CLIENTS: Readonly<Record<ClientId, ClientPreset>> = PRESETS;

/** Every preset's id, in declaration order (the order the input's error message lists them). */
export const CLIENT_IDS = Object.keys(PRESETS) as ClientId[];

export function isClientId(value: string): value is ClientId {
  return Object.hasOwn(PRESETS, value);
}

/** Desktop-only clients among `ids`, in the order given. */
export function desktopClients(ids: readonly ClientId[]): ClientId[] {
  return ids.filter((id) => CLIENTS[id].desktop);
}

/** Clients among `ids` that connect from their vendor's cloud, in the order given. */
export function cloudClients(ids: readonly ClientId[]): ClientId[] {
  return ids.filter((id) => CLIENTS[id].cloud);
}
