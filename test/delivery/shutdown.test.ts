import { openPoolCount } from '../../nodes/SmtpConnector/delivery/pool';
import { outputOf } from '../support/engine';
import { credentialFor, startSmtpServer, type TestSmtpServer } from '../support/smtpServer';
import { runSendNode } from '../support/workflows';

// The pools install their SIGTERM handler only where the host handles the signal (n8n does); this listener
// stands for n8n's, and keeps an emitted SIGTERM from ending jest.
const hostHandlesSignal = () => {};
let servers: TestSmtpServer[] = [];
beforeAll(() => process.on('SIGTERM', hostHandlesSignal));
afterAll(() => process.off('SIGTERM', hostHandlesSignal));
afterEach(async () => {
	await Promise.all(servers.map((s) => s.close()));
	servers = [];
});

const parameters = { fromEmail: 'ops@example.test', toEmail: '={{ $json.to }}', subject: 'Hi', html: '<p>Hi</p>' };
const recipients = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}@example.test`);

const until = async (check: () => boolean) => {
	const end = Date.now() + 3000;
	while (!check()) {
		if (Date.now() > end) throw new Error('condition not reached');
		await new Promise((r) => setTimeout(r, 20));
	}
};

test('SIGTERM in the middle of a batch: idle pools close, the batch is delivered once, then its pool closes with QUIT', async () => {
	const idleServer = await startSmtpServer();
	const batchServer = await startSmtpServer();
	servers = [idleServer, batchServer];
	await runSendNode({ parameters, items: [{ json: { to: 'idle@example.test' } }], credential: await credentialFor(idleServer), credentialId: 'idle' });
	expect(idleServer.openConnections()).toBe(1);

	const batch = recipients('batch', 40);
	const running = runSendNode({
		parameters: { ...parameters, deliveryOptions: { maxConnections: 2 } },
		items: batch.map((to) => ({ json: { to } })),
		credential: await credentialFor(batchServer, { rateLimitPerSecond: '20' }),
		credentialId: 'batch',
	});
	await batchServer.waitFor(5);
	process.emit('SIGTERM');
	const deliveredAtSignal = batchServer.received.length;

	await until(() => idleServer.openConnections() === 0);
	expect({ quits: idleServer.quits, withoutQuit: idleServer.closedWithoutQuit }).toEqual({ quits: 1, withoutQuit: 0 });

	const run = await running;
	expect(deliveredAtSignal).toBeLessThan(batch.length);
	expect(outputOf(run, 'Send Email').map((item) => item.json.accepted)).toEqual(batch.map((to) => [to]));
	expect(batchServer.received.map((mail) => mail.envelope.to[0]).sort()).toEqual([...batch].sort());

	await until(() => batchServer.openConnections() === 0);
	expect({ quits: batchServer.quits, withoutQuit: batchServer.closedWithoutQuit }).toEqual({ quits: batchServer.connections, withoutQuit: 0 });
	expect(openPoolCount()).toBe(0);
});
