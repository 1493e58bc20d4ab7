// A fake org with a live Dev Hub connection through the real @salesforce/core, for in-process fake-org tests.
// The first import sets HOME and the SF_* variables before the library loads (it reads them then).
import './sf-env.ts';
import { after, before } from 'node:test';
import type { Connection } from '@salesforce/core';
import { startFakeOrg, type FakeOrg } from '../../fake-org/server.ts';
import { installLoopbackGuard } from './loopback.ts';

export type FakeHub = { fake: FakeOrg; conn: Connection };

export async function startFakeHub(): Promise<FakeHub> {
  const { AuthInfo, Connection } = await import('@salesforce/core');
  const fake = await startFakeOrg();
  installLoopbackGuard({ ca: fake.caCertPem });
  const authInfo = await AuthInfo.create({
    username: fake.username,
    oauth2Options: { clientId: fake.clientId, privateKey: fake.privateKeyPath, loginUrl: fake.loginUrl },
  });
  return { fake, conn: await Connection.create({ authInfo }) };
}

/** One fake hub for the whole test file: started before its tests (handed to `use`), closed after them. */
export function useFakeHub(use: (hub: FakeHub) => void): void {
  let fake: FakeOrg | undefined;
  before(async () => {
    const hub = await startFakeHub();
    fake = hub.fake;
    use(hub);
  });
  after(() => fake?.close());
}
