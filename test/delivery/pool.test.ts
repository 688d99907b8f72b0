import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';

import { generate } from 'selfsigned';

import { fingerprint } from '../../nodes/SmtpConnector/delivery/fingerprint';
import { leasePool, openPoolCount, poolTuning, type SendProgress } from '../../nodes/SmtpConnector/delivery/pool';
import { Stage } from '../../nodes/SmtpConnector/delivery/stage';
import { readConnectionSettings } from '../../nodes/SmtpConnector/transport/settings';
import { outputOf } from '../support/engine';
import { credentialFor, startSmtpServer, TEST_PASSWORD, TEST_USER, type TestServerOptions, type TestSmtpServer } from '../support/smtpServer';
import { runSendNode } from '../support/workflows';

let server: TestSmtpServer;
afterEach(async () => {
	poolTuning.idleMs = 30_000;
	await server?.close();
});

const parameters = { fromEmail: 'ops@example.test', toEmail: '={{ $json.to }}', subject: 'Hi', html: '<p>Hi</p>' };
const one = (n = 0) => [{ json: { to: `user${n}@example.test` } }];

async function sendOnce(credential: Record<string, unknown>, n = 0, credentialId = '1') {
	const run = await runSendNode({ parameters, items: one(n), credential, credentialId });
	return outputOf(run, 'Send Email')[0];
}

/** Until `check` holds: no deadline of its own for a busy machine to miss (the test's timeout ends a hang). */
const until = async (check: () => boolean) => {
	while (!check()) await new Promise((r) => setTimeout(r, 20));
};

test('1,000 one-item executions with the same credential reuse warm connections', async () => {
	server = await startSmtpServer();
	// A preset whose provider publishes no per-connection limit (its Host overridden to reach this server).
	const credential = await credentialFor(server, { provider: 'gmail' });
	for (let n = 0; n < 1000; n++) {
		const item = await sendOnce(credential, n);
		if (!item.json.accepted) throw new Error(JSON.stringify(item.json));
	}
	await server.waitFor(1000);
	// One connection at a time, replaced after 100 messages, as such providers take.
	expect(server.connections).toBe(10);
	expect(server.logins).toHaveLength(10);
}, 120_000);

test('a custom server carries 1,000 messages per connection; Max Messages per Connection overrides it', async () => {
	server = await startSmtpServer();
	const credential = await credentialFor(server);
	const items = Array.from({ length: 1001 }, (_, n) => ({ json: { to: `user${n}@example.test` } }));
	await runSendNode({ parameters: { ...parameters, deliveryOptions: { maxConnections: 1 } }, items, credential, credentialId: 'custom-default' });
	await server.waitFor(1001);
	expect(server.logins).toHaveLength(2);
	await runSendNode({ parameters: { ...parameters, deliveryOptions: { maxConnections: 1, maxMessagesPerConnection: 10 } }, items: items.slice(0, 30), credential, credentialId: 'custom-own' });
	await server.waitFor(1031);
	expect(server.logins).toHaveLength(2 + 3);
}, 120_000);

test('a different credential never uses the pool of another', async () => {
	server = await startSmtpServer({ users: { [TEST_USER]: TEST_PASSWORD, 'second@example.test': 'other-pass' } });
	await sendOnce(await credentialFor(server), 1);
	await sendOnce(await credentialFor(server, { user: 'second@example.test', password: 'other-pass' }), 2, 'another-credential');
	await sendOnce(await credentialFor(server), 3);
	await server.waitFor(3);
	expect(server.received.map((m) => [m.envelope.to[0], m.user])).toEqual([
		['user1@example.test', TEST_USER],
		['user2@example.test', 'second@example.test'],
		['user3@example.test', TEST_USER],
	]);
	expect(server.connections).toBe(2);
});

test('a pool nobody uses is closed after the idle timeout', async () => {
	poolTuning.idleMs = 200;
	server = await startSmtpServer();
	const poolsBefore = openPoolCount();
	await sendOnce(await credentialFor(server), 0, 'idle-test');
	expect(server.openConnections()).toBe(1);
	expect(openPoolCount()).toBe(poolsBefore + 1);
	await until(() => server.openConnections() === 0);
	expect(openPoolCount()).toBe(poolsBefore);
});

test('a changed credential retires the pool of its old settings at once', async () => {
	server = await startSmtpServer({ users: { [TEST_USER]: TEST_PASSWORD, 'second@example.test': 'other-pass' } });
	await sendOnce(await credentialFor(server));
	expect(server.openConnections()).toBe(1);
	// Same credential (id 1), edited: now another account.
	await sendOnce(await credentialFor(server, { user: 'second@example.test', password: 'other-pass' }));
	await until(() => server.logins.length === 2 && server.openConnections() === 1);
	expect(server.received.map((m) => m.user)).toEqual([TEST_USER, 'second@example.test']);
});

describe('TCP_NODELAY is set on the socket of every security mode', () => {
	const kernelNoDelay = async (port: number) => {
		const script = path.join(__dirname, '../support/tcp_nodelay.py');
		const { stdout } = await promisify(execFile)('python3', [script, String(process.pid), String(port)]);
		return stdout.trim();
	};
	test.each<[string, TestServerOptions, Record<string, unknown>]>([
		['plain text', { noStartTls: true }, { security: 'none' }],
		['STARTTLS', {}, { security: 'starttls' }],
		['implicit TLS', { secure: true }, { security: 'tls' }],
	])('%s', async (_label, serverOptions, credentialOverrides) => {
		server = await startSmtpServer(serverOptions);
		expect((await sendOnce(await credentialFor(server, credentialOverrides))).json.accepted).toEqual(['user0@example.test']);
		// The pooled connection is still open: read the option from the kernel, on the client's side of it.
		expect(server.clientPorts).toHaveLength(1);
		expect(await kernelNoDelay(server.clientPorts[0])).toBe('1');
	});
});

test('pools are told apart by every connection setting, the CA certificate included', async () => {
	expect(fingerprint({ a: 1, b: { c: 'x' } })).toBe(fingerprint({ b: { c: 'x' }, a: 1 }));
	const otherCa = (await generate([{ name: 'commonName', value: 'Other CA' }], { keySize: 2048 })).cert;
	server = await startSmtpServer();
	const credential = await credentialFor(server);
	const options = { maxConnections: 1, maxMessagesPerConnection: 100 };
	const keyOf = (overrides: Record<string, unknown>) => {
		const lease = leasePool(readConnectionSettings({ ...credential, ...overrides }), options);
		lease.release();
		return lease.key;
	};
	const base = keyOf({});
	expect(keyOf({ caCertificate: `  ${String(credential.caCertificate)}\n` })).toBe(base);
	for (const change of [{ caCertificate: otherCa }, { allowUnauthorizedCerts: true }, { password: 'other' }, { user: 'other@example.test' }, { port: 2525 }, { minTlsVersion: 'TLSv1.3' }]) {
		expect(keyOf(change)).not.toBe(base);
	}
});

test('concurrent executions with one credential share its pool safely', async () => {
	server = await startSmtpServer({ replyDelayMs: () => 5 });
	const credential = await credentialFor(server);
	const runs = await Promise.all(
		Array.from({ length: 4 }, (_, r) =>
			runSendNode({
				parameters: { ...parameters, deliveryOptions: { maxConnections: 2 } },
				items: Array.from({ length: 10 }, (_, n) => ({ json: { to: `run${r}-${n}@example.test` } })),
				credential,
				credentialId: 'shared',
			}),
		),
	);
	runs.forEach((run, r) =>
		expect(outputOf(run, 'Send Email').map((i) => i.json.accepted)).toEqual(Array.from({ length: 10 }, (_, n) => [`run${r}-${n}@example.test`])),
	);
	expect((await server.waitFor(40)).length).toBe(40);
	expect(server.connections).toBeLessThanOrEqual(2);
});

test('an OAuth2 client and a service account for the same mailbox get separate pools', () => {
	const base = { provider: 'gmail', user: 'orders@contoso.test', host: '127.0.0.1', port: 2525 };
	const options = { maxConnections: 1, maxMessagesPerConnection: 100 };
	const keyOf = (settings: ReturnType<typeof readConnectionSettings>) => {
		const lease = leasePool(settings, options);
		lease.release();
		return lease.key;
	};
	const client = keyOf(readConnectionSettings({ ...base, clientId: 'app-1' }, 'smtpConnectorOAuth2Api'));
	const otherClient = keyOf(readConnectionSettings({ ...base, clientId: 'app-2' }, 'smtpConnectorOAuth2Api'));
	const serviceAccount = keyOf(readConnectionSettings({ ...base, authType: 'googleServiceAccount', serviceAccountEmail: 'sa@p.test' }));
	expect(new Set([client, otherClient, serviceAccount]).size).toBe(3);
});

const dkimKey = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } }).privateKey;

test.each([
	['without DKIM', {}],
	// The signer reads the whole message before MAIL FROM: no stream event of the message may stand for a stage.
	['with DKIM', { dkim: { domainName: 'example.test', keySelector: 'mail2026', privateKey: dkimKey } }],
])('an attempt refused at RCPT ends before DATA; a sent one after the final dot (%s)', async (_, signing) => {
	server = await startSmtpServer({ rejectRecipients: { 'refused@example.test': [550, '5.1.1 No such user'] } });
	const lease = leasePool(readConnectionSettings(await credentialFor(server)), { maxConnections: 1, maxMessagesPerConnection: 100 });
	try {
		const mail = (to: string) => ({ from: 'ops@example.test', to, subject: 'Hi', text: 'Hi', envelope: { from: 'ops@example.test', to: [to] }, ...signing });
		const refused: SendProgress = { stage: Stage.queued };
		await expect(lease.send(mail('refused@example.test'), refused)).rejects.toThrow(/No such user/);
		expect(refused.stage).toBe(Stage.envelope);
		const sent: SendProgress = { stage: Stage.queued };
		await lease.send(mail('user0@example.test'), sent);
		expect(sent.stage).toBe(Stage.dot);
	} finally {
		lease.release({ closeIfUnused: true });
	}
});
