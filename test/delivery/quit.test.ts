import { closeAllPools, poolTuning } from '../../nodes/SmtpConnector/delivery/pool';
import { credentialFor, startSmtpServer, type TestSmtpServer } from '../support/smtpServer';
import { runSendNode } from '../support/workflows';

// Every way a connection ends, seen from the server: each session ends with QUIT.
let server: TestSmtpServer;
beforeEach(async () => {
	server = await startSmtpServer();
});
afterEach(async () => {
	closeAllPools();
	poolTuning.idleMs = 30_000;
	await server.close();
});

const parameters = { fromEmail: 'ops@example.test', toEmail: '={{ $json.to }}', subject: 'Hello', html: '<p>Hi</p>', deliveryOptions: { retries: 0 } };
const items = (n: number) => Array.from({ length: n }, (_, i) => ({ json: { to: `user${i}@example.test` } }));

/** Until `predicate` holds: no deadline of its own for a busy machine to miss (the test's timeout still ends a hang). */
async function settled(predicate: () => boolean) {
	while (!predicate()) await new Promise((r) => setTimeout(r, 20));
}

test('a pool that was idle too long closes its connections with QUIT', async () => {
	poolTuning.idleMs = 100;
	await runSendNode({ parameters: { ...parameters, deliveryOptions: { maxConnections: 3 } }, items: items(9), credential: await credentialFor(server), credentialId: 'idle' });
	await settled(() => server.openConnections() === 0);
	expect(server.connections).toBeGreaterThan(0);
	expect({ quits: server.quits, withoutQuit: server.closedWithoutQuit }).toEqual({ quits: server.connections, withoutQuit: 0 });
});

test('a refused login ends its session with QUIT', async () => {
	await runSendNode({ parameters, items: items(1), credential: await credentialFor(server, { password: 'wrong' }), continueOnFail: true, credentialId: 'refused' });
	await settled(() => server.openConnections() === 0);
	expect(server.authAttempts).toBe(1);
	expect({ quits: server.quits, withoutQuit: server.closedWithoutQuit }).toEqual({ quits: 1, withoutQuit: 0 });
});

test('an edited credential retires its pool with QUIT', async () => {
	const credential = await credentialFor(server);
	await runSendNode({ parameters, items: items(1), credential, credentialId: 'edited' });
	await runSendNode({ parameters, items: items(1), credential: { ...credential, clientHostname: 'renamed.example.test' }, credentialId: 'edited' });
	await settled(() => server.quits + server.closedWithoutQuit >= 1);
	expect(server.quits).toBe(1);
	expect(server.closedWithoutQuit).toBe(0);
});

test('closing every pool (the n8n process shutting down) says QUIT on each connection', async () => {
	await runSendNode({ parameters: { ...parameters, deliveryOptions: { maxConnections: 2 } }, items: items(4), credential: await credentialFor(server), credentialId: 'shutdown' });
	closeAllPools();
	await settled(() => server.openConnections() === 0);
	expect({ quits: server.quits, withoutQuit: server.closedWithoutQuit }).toEqual({ quits: server.connections, withoutQuit: 0 });
});
