// sf CLI logins made by an earlier workflow step, for the runs that reuse them: the same auth files and aliases
// that `sf org login jwt --alias <hub>` and `sf org login sfdx-url --alias <scratch>` leave in HOME.
import type { FakeOrg } from '../../fake-org/server.ts';
import { installLoopbackGuard } from './loopback.ts';

/** Points HOME (and @salesforce/core) at `home` and saves the logins to `org` there under the given aliases. */
export async function saveCliLogins(home: string, org: FakeOrg, aliases: { hub?: string; scratch: string }) {
  process.env.HOME = home;
  process.env.SF_DISABLE_LOG_FILE = 'true';
  process.env.SF_USE_GENERIC_UNIX_KEYCHAIN = 'true';
  installLoopbackGuard({ ca: org.caCertPem });
  const { AuthInfo, StateAggregator } = await import('@salesforce/core');
  if (aliases.hub) {
    const hub = await AuthInfo.create({
      username: org.username,
      oauth2Options: { clientId: org.clientId, privateKey: org.privateKeyPath, loginUrl: org.loginUrl },
    });
    await hub.save();
    await hub.setAlias(aliases.hub);
  }
  const scratch = await AuthInfo.create({ oauth2Options: AuthInfo.parseSfdxAuthUrl(org.scratchAuthUrl) });
  await scratch.save();
  await scratch.setAlias(aliases.scratch);
  // The aliases are cached in-process: the next reader must see the new ones.
  await StateAggregator.clearInstanceAsync();
}
