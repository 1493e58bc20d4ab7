// Connect REST routes under /services/data/vNN.0/apps/oauth: the OAuth usage list and the OAuth credentials
// resources of External Client Apps, as the action reads an app's consumer key.
import type { FakeOrgContext, FakeRequest, FakeResponse, OrgState, Route } from './types.ts';
import { normalizedNodes, textOf } from './store.ts';
import { sameId } from './rules.ts';

/**
 * Connect REST "OAuth credentials" (docs/platform-notes.md §6): /apps/oauth/usage (59.0+),
 * /apps/oauth/credentials/{appId} and /apps/oauth/credentials/{appId}/{consumerId}?part=key|secret|keyandsecret
 * (60.0+). The org setting enableClientSecretInRestApiAccess gates the credentials resources as a whole — Salesforce
 * documents it for secrets; sfdx-hardis and the Help page treat it as the prerequisite of the resources, and the
 * strict reading is the safe one for the action.
 */
export function connectRoutes(ctx: FakeOrgContext): Route[] {
  const notFound = (): FakeResponse => ctx.restError(404, 'NOT_FOUND', 'The requested resource does not exist');
  const since = (req: FakeRequest, version: number): boolean => Number(req.apiVersion) >= version;
  const disabled = (): FakeResponse =>
    ctx.restError(
      403,
      'FUNCTIONALITY_NOT_ENABLED',
      'This feature is not currently enabled for this user type or org: [ClientSecretInRestApiAccess]',
    );
  const appById = (org: OrgState, appId: string) => [...org.consumers.values()].find((c) => sameId(c.appId, appId));
  const label = (org: OrgState, app: string): string => {
    const xml = org.metadata.get('ExternalClientApplication')?.get(app);
    return (xml && textOf(normalizedNodes('ExternalClientApplication', xml), 'label')) || app;
  };
  const credentials = (req: FakeRequest, consumer: NonNullable<ReturnType<typeof appById>>, part: string) => ({
    id: consumer.consumerId,
    key: part === 'key' || part === 'keyandsecret' ? consumer.consumerKey : null,
    name: consumer.appName,
    secret: part === 'secret' || part === 'keyandsecret' ? consumer.consumerSecret : null,
    url: `/services/data/v${req.apiVersion}/apps/oauth/credentials/${consumer.appId}/${consumer.consumerId}`,
    ...(since(req, 65)
      ? {
          stagedCredentialsUrl: `/services/data/v${req.apiVersion}/apps/oauth/credentials/${consumer.appId}/${consumer.consumerId}/staged`,
        }
      : {}),
  });

  return [
    {
      name: 'connect.oauthUsage',
      method: 'GET',
      pattern: /^\/apps\/oauth\/usage$/,
      handler: (req) => {
        if (!since(req, 59)) return notFound();
        // Our choice, no evidence (fake-org/RULES.md): the usage collection needs the same org setting as the
        // credentials resources. The strict reading; the action falls back to SOQL when it is refused.
        if (!req.org.settings.enableClientSecretInRestApiAccess) return disabled();
        const pageSize = Number(req.query.get('pageSize') ?? 100);
        const page = Number(req.query.get('page') ?? 0);
        // Apps with an OAuth consumer; a real org lists only apps with usage data (issued tokens), which a fresh
        // app may not have yet — the SOQL look-up of ExternalClientApplication is the reliable way to the id.
        const apps = [...req.org.consumers.values()]
          .sort((a, b) => a.appName.localeCompare(b.appName))
          .map((c) => ({ developerName: c.appName, identifier: c.appId, label: label(req.org, c.appName) }));
        const slice = apps.slice(page * pageSize, (page + 1) * pageSize);
        const base = `/services/data/v${req.apiVersion}/apps/oauth/usage`;
        return ctx.json(200, {
          apps: slice,
          currentPageUrl: `${base}?page=${page}&pageSize=${pageSize}`,
          nextPageUrl: (page + 1) * pageSize < apps.length ? `${base}?page=${page + 1}&pageSize=${pageSize}` : null,
        });
      },
    },
    {
      name: 'connect.oauthCredentials.app',
      method: 'GET',
      pattern: /^\/apps\/oauth\/credentials\/([0-9A-Za-z]{15,18})$/,
      handler: (req, match) => {
        if (!since(req, 60)) return notFound();
        if (!req.org.settings.enableClientSecretInRestApiAccess) return disabled();
        const consumer = appById(req.org, match[1]!);
        if (!consumer) return notFound();
        return ctx.json(200, { consumers: [credentials(req, consumer, 'key')] });
      },
    },
    {
      name: 'connect.oauthCredentials.consumer',
      method: 'GET',
      pattern: /^\/apps\/oauth\/credentials\/([0-9A-Za-z]{15,18})\/([0-9A-Za-z]{15,18})$/,
      handler: (req, match) => {
        if (!since(req, 60)) return notFound();
        if (!req.org.settings.enableClientSecretInRestApiAccess) return disabled();
        const part = req.query.get('part') ?? 'key';
        if (!['key', 'secret', 'keyandsecret'].includes(part)) {
          return ctx.restError(
            400,
            'ILLEGAL_QUERY_PARAMETER_VALUE',
            `Invalid value for parameter 'part': ${part}. Valid values are key, secret, keyandsecret.`,
          );
        }
        const consumer = appById(req.org, match[1]!);
        if (!consumer || !sameId(consumer.consumerId, match[2]!)) return notFound();
        return ctx.json(200, credentials(req, consumer, part));
      },
    },
  ];
}
