// The three metadata files of a minimal packageable External Client App (header, global OAuth settings, OAuth
// settings) as the packaging tests deploy and package them: MCP + RefreshToken, PKCE, no secret required.

const head = '<?xml version="1.0" encoding="UTF-8"?>';
const NS = 'xmlns="http://soap.sforce.com/2006/04/metadata"';

export const ecaXml = (name: string, opts: { state?: string; description?: string } = {}) => `${head}
<ExternalClientApplication ${NS}>
    <contactEmail>admin@example.com</contactEmail>${opts.description ? `\n    <description>${opts.description}</description>` : ''}
    <distributionState>${opts.state ?? 'Packaged'}</distributionState>
    <isProtected>false</isProtected>
    <label>${name}</label>
</ExternalClientApplication>
`;

export const globalXml = (app: string) => `${head}
<ExtlClntAppGlobalOauthSettings ${NS}>
    <callbackUrl>https://claude.ai/api/mcp/auth_callback</callbackUrl>
    <externalClientApplication>${app}</externalClientApplication>
    <isConsumerSecretOptional>true</isConsumerSecretOptional>
    <isPkceRequired>true</isPkceRequired>
    <label>${app} Global OAuth</label>
</ExtlClntAppGlobalOauthSettings>
`;

export const oauthXml = (app: string, link?: string) => `${head}
<ExtlClntAppOauthSettings ${NS}>
    <commaSeparatedOauthScopes>MCP, RefreshToken</commaSeparatedOauthScopes>
    <externalClientApplication>${app}</externalClientApplication>
    <label>${app} OAuth</label>${link ? `\n    <oauthLink>${link}</oauthLink>` : ''}
</ExtlClntAppOauthSettings>
`;
