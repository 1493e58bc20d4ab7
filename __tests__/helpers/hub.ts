// A fake org with a live Dev Hub connection through the real @salesforce/core, for in-process fake-org tests.
// Callers set HOME and the SF_* variables before calling (the library reads them when it first loads).
import type { Connection } from '@salesforce/core';
import { startFakeOrg, type FakeOrg } from '../../fake-org/server.ts';
import { installLoopbackGuard } from './loopback.ts';

export async function startFakeHub(): Promise<{ fake: FakeOrg; conn: Connection }> {
  const { AuthInfo, Connection } = await import('@salesforce/core');
  const fake = await startFakeOrg();
  installLoopbackGuard({ ca: fake.caCertPem });
  const authInfo = await AuthInfo.create({
    username: fake.username,
    oauth2Options: { clientId: fake.clientId, privateKey: fake.privateKeyPath, loginUrl: fake.loginUrl },
  });
  return { fake, conn: await Connection.create({ authInfo }) };
}
