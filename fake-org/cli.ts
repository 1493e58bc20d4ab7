// `npm run fake-org [-- --port N] [--timing realistic]`: start the fake org on 127.0.0.1, print one JSON line with everything a
// client needs (login URL, users, client id, key file, auth URLs, TLS certificate), serve until SIGINT/SIGTERM.
import { parseArgs } from 'node:util';
import { startFakeOrg } from './server.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    namespace: { type: 'string' },
    'latency-ms': { type: 'string' },
    /** 'realistic': jobs take server time (timing.ts) */
    timing: { type: 'string' },
  },
});
if (values.timing !== undefined && values.timing !== 'realistic' && values.timing !== 'none') {
  console.error(`--timing must be realistic or none, got '${values.timing}'`);
  process.exit(2);
}
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be a port number, got '${values.port}'`);
  process.exit(2);
}

const fake = await startFakeOrg({
  port,
  ...(values.namespace ? { namespace: values.namespace } : {}),
  ...(values['latency-ms'] ? { latencyMs: Number(values['latency-ms']) } : {}),
  ...(values.timing ? { timing: values.timing as 'realistic' | 'none' } : {}),
});
process.stdout.write(
  `${JSON.stringify({
    loginUrl: fake.loginUrl,
    username: fake.username,
    clientId: fake.clientId,
    privateKeyPath: fake.privateKeyPath,
    namespace: fake.namespace,
    devHubAuthUrl: fake.devHubAuthUrl,
    scratchUsername: fake.scratchUsername,
    scratchAuthUrl: fake.scratchAuthUrl,
    instanceUrl: fake.url,
    devHubOrgId: fake.ctx.devHub.orgId,
    scratchOrgId: fake.ctx.scratch.orgId,
    // https (auth URLs) needs this certificate trusted, e.g. NODE_EXTRA_CA_CERTS=<caCertPath>
    caCertPath: fake.caCertPath,
    pid: process.pid,
  })}\n`,
);

let stopping = false;
const stop = async (signal: string): Promise<void> => {
  if (stopping) return;
  stopping = true;
  await fake.close(); // removes the key directory
  process.exit(signal === 'SIGINT' ? 130 : 143);
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
