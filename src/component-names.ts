// Component names of one app. The renderer writes these files and the credential reader retrieves them, so
// they must agree. A new app gets the names Setup gives an app made there (`<App>_glbloauth`, `<App>_oauth`,
// `<App>_oauthPlcy`; docs/platform-notes.md §3); an existing app keeps the names it has, whoever made it
// (credentials.ts finds them), because the org allows one OAuth policy per app.
export interface ComponentNames {
  app: string;
  global: string;
  oauth: string;
  policy: string;
}

/** The longest suffix added to the app's name; every DeveloperName must stay within 40 characters. */
export const COMPONENT_SUFFIX_MAX = '_oauthPlcy'.length;

export function componentNames(appName: string): ComponentNames {
  return {
    app: appName,
    global: `${appName}_glbloauth`,
    oauth: `${appName}_oauth`,
    policy: `${appName}_oauthPlcy`,
  };
}
