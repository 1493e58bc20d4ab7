// Component names of one app. The renderer writes these files and the credential reader retrieves them, so
// they must agree; Salesforce's own templates give every file its own suffix on the app's name.
export function componentNames(appName: string): { app: string; global: string; oauth: string; policy: string } {
  return {
    app: appName,
    global: `${appName}_glbloauth`,
    oauth: `${appName}_oauth`,
    // The org auto-creates `<OAuthSettingsName>_defaultPolicy`; deploying that name updates it in place.
    policy: `${appName}_oauth_defaultPolicy`,
  };
}
