// `npm run demo`: the whole job end to end on this machine. Starts the fake org (a strict loopback Salesforce),
// runs the committed bundle against it the way the runner does, and prints the outputs and the job summary.
import { readFileSync } from 'node:fs';
import { startFakeOrg } from '../fake-org/server.ts';
import { runAction } from '../__tests__/helpers/run-action.ts';

const org = await startFakeOrg();
try {
  console.log(`fake org: ${org.loginUrl} (Dev Hub ${org.username}, namespace ${org.namespace})\n`);
  const run = await runAction({
    inputs: {
      clients: 'claude, cursor, postman',
      'contact-email': 'platform-team@example.com',
      'app-name': 'MCP_Client_App',
      description: 'MCP clients of the platform team',
      hardening: 'recommended',
      'ip-ranges': '',
      'dev-hub-username': org.username,
      'dev-hub-client-id': org.clientId,
      'dev-hub-jwt-key': readFileSync(org.privateKeyPath, 'utf8'),
      'dev-hub-login-url': org.loginUrl,
      package: 'true',
      'package-namespace': org.namespace,
      'install-target': org.scratchAuthUrl,
      'wait-minutes': '5',
    },
    // SFDX auth URLs always mean https; the fake answers https too, with a certificate of its own.
    env: { NODE_EXTRA_CA_CERTS: org.caCertPath },
    post: true,
  });
  const log = run.stdout
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::') && !l.startsWith('::save-state::'))
    .join('\n');
  console.log(`--- action log ---\n${log}`);
  if (run.stderr.trim()) console.log(`--- stderr ---\n${run.stderr}`);
  console.log('--- outputs (masked ones shown as ***, as the runner does) ---');
  for (const [name, value] of Object.entries(run.outputs)) {
    const shown = name === 'consumer-key' || name === 'consumer-secret' ? '***' : value.replace(/\n/g, '\\n');
    console.log(`${name}: ${shown}`);
  }
  console.log(`\n--- job summary (GITHUB_STEP_SUMMARY) ---\n${run.summary}`);
  console.log(`exit code ${run.code} in ${run.ms} ms; requests to the fake org: ${org.log.length}`);
  process.exitCode = run.code ?? 1;
} finally {
  await org.close();
}
