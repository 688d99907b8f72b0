import { createServer as createTcpServer, type Server } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';

import type { INodeExecutionData, IRun } from 'n8n-workflow';

import { testPki } from '../support/certs';
import { outputOf } from '../support/engine';
import { credentialFor, startSmtpServer, type TestSmtpServer } from '../support/smtpServer';
import { runSendNode } from '../support/workflows';

// Wrong settings fail the whole batch after one attempt at most per connection, not one timeout per item.
const N = 1000;
const items = (n = N): INodeExecutionData[] => Array.from({ length: n }, (_, i) => ({ json: { to: `user${i}@example.test` } }));
const parameters = { fromEmail: 'ops@example.test', toEmail: '={{ $json.to }}', subject: 'Hello', html: '<p>Hi</p>', deliveryOptions: { retries: 3, retryDelay: 0.01 } };

const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => Promise.all(closers.splice(0).map((c) => c())));

async function listen(server: Server): Promise<{ port: number; connections: () => number }> {
	let connections = 0;
	server.on('connection', () => connections++);
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
	closers.push(() => new Promise((r) => server.close(r)));
	return { port: (server.address() as { port: number }).port, connections: () => connections };
}

async function smtp(options: Parameters<typeof startSmtpServer>[0]): Promise<TestSmtpServer> {
	const s = await startSmtpServer(options);
	closers.push(() => s.close());
	return s;
}

function errorsOf(run: IRun) {
	const out = outputOf(run, 'Send Email');
	return out.map((item) => item.json.error as { kind: string; scope: string; message: string; itemIndex: number; attempts: number });
}

function expectAllFailed(run: IRun, kind: string, message: RegExp) {
	const errors = errorsOf(run);
	expect(errors).toHaveLength(N);
	expect(errors.every((e) => e && e.kind === kind && e.scope === 'configuration')).toBe(true);
	expect(errors.map((e) => e.itemIndex)).toEqual(items().map((_, i) => i));
	expect(errors[N - 1].message).toMatch(message);
	// At most one attempt per item, and most items were never sent at all: they failed with the diagnosis.
	expect(errors.every((e) => e.attempts <= 1)).toBe(true);
	expect(errors.filter((e) => e.attempts === 0).length).toBeGreaterThan(N - 10);
}

test('STARTTLS against an implicit-TLS port: one greeting timeout, then all 1,000 items fail with the implicit-TLS hint', async () => {
	const server = await smtp({ secure: true });
	const run = await runSendNode({ parameters, items: items(), credential: await credentialFor(server, { security: 'starttls', greetingTimeout: 1 }), continueOnFail: true });
	expectAllFailed(run, 'implicitTlsExpected', /this port expects implicit TLS/);
	// The pool's three connections and the TLS handshake that told the two cases apart.
	expect(server.connections).toBeLessThanOrEqual(4);
}, 30_000);

test('a TLS version the server refuses with alert 40: all items fail at once, as configuration', async () => {
	const { key, cert, caCert } = await testPki();
	const tls = await listen(createTlsServer({ key, cert, maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' }, (s) => s.end()));
	const credential = { provider: 'custom', host: '127.0.0.1', port: String(tls.port), security: 'tls', authType: 'none', caCertificate: caCert };
	const run = await runSendNode({ parameters, items: items(), credential, continueOnFail: true });
	expectAllFailed(run, 'tlsNegotiation', /share no TLS version or cipher/);
	expect(tls.connections()).toBeLessThanOrEqual(3);
}, 30_000);

test('a server that silently drops the TLS handshake: all items fail at once, as configuration', async () => {
	const drop = await listen(createTcpServer((socket) => socket.once('data', () => socket.destroy())));
	const credential = { provider: 'custom', host: '127.0.0.1', port: String(drop.port), security: 'tls', authType: 'none', minTlsVersion: 'TLSv1.3' };
	const run = await runSendNode({ parameters, items: items(), credential, continueOnFail: true });
	expectAllFailed(run, 'tlsHandshakeDropped', /closed the connection during the TLS handshake/);
	expect(drop.connections()).toBeLessThanOrEqual(3);
}, 30_000);

test('a wrong password: one refused login per connection, then every item fails with it', async () => {
	const server = await smtp({});
	const run = await runSendNode({ parameters, items: items(), credential: await credentialFor(server, { password: 'wrong' }), continueOnFail: true });
	expectAllFailed(run, 'authRejected', /refused the user name or password/);
	expect(server.authAttempts).toBeLessThanOrEqual(3);
}, 30_000);

test('without continue-on-fail the execution fails with the diagnosis of the first item', async () => {
	const server = await smtp({});
	const run = await runSendNode({ parameters, items: items(50), credential: await credentialFor(server, { password: 'wrong' }) });
	expect(run.status).toBe('error');
	expect(run.data.resultData.error?.message).toMatch(/refused the user name or password/);
	expect(server.authAttempts).toBeLessThanOrEqual(3);
});

test('a STARTTLS answered with 503 is configuration, not retried', async () => {
	const starttls503 = await listen(
		createTcpServer((s) => {
			s.write('220 relay ESMTP\r\n');
			s.on('data', (d) => {
				const line = d.toString();
				if (/^EHLO/i.test(line)) s.write('250-relay\r\n250 STARTTLS\r\n');
				else if (/^STARTTLS/i.test(line)) s.write('503 5.5.1 Bad sequence of commands\r\n');
				else if (/^QUIT/i.test(line)) s.end('221 bye\r\n');
			});
		}),
	);
	const credential = { provider: 'custom', host: '127.0.0.1', port: String(starttls503.port), security: 'starttls', authType: 'none' };
	const run = await runSendNode({ parameters, items: items(20), credential, continueOnFail: true });
	const errors = errorsOf(run);
	expect(errors.every((e) => e.kind === 'starttlsRefused' && e.attempts <= 1)).toBe(true);
	expect(starttls503.connections()).toBeLessThanOrEqual(3);
});

test('530 Authentication required (no login configured) is configuration and names the fix', async () => {
	const server = await smtp({ noStartTls: true });
	const run = await runSendNode({ parameters, items: items(20), credential: await credentialFor(server, { security: 'none', authType: 'none' }), continueOnFail: true });
	const errors = errorsOf(run);
	expect(errors.every((e) => e.kind === 'authRequired')).toBe(true);
	expect(errors[0].message).toMatch(/wants a login before it takes mail/);
	expect(server.received).toHaveLength(0);
});

test('a server that resets every connection: one shared reconnect per round, then the rest fail at once', async () => {
	const reset = await listen(createTcpServer((socket) => socket.resetAndDestroy()));
	const credential = { provider: 'custom', host: '127.0.0.1', port: String(reset.port), security: 'none', authType: 'none' };
	const run = await runSendNode({ parameters: { ...parameters, deliveryOptions: { retries: 2, retryDelay: 0.01, maxConnections: 3 } }, items: items(200), credential, continueOnFail: true });
	const errors = errorsOf(run);
	expect(errors.every((e) => e.kind === 'connectionReset' && e.scope === 'connection')).toBe(true);
	// Three rounds (the first try and two reconnects) of at most a pool's worth of connections — not 200 × 3.
	expect(reset.connections()).toBeLessThanOrEqual(3 * 6);
	expect(errors.filter((e) => e.attempts === 0).length).toBeGreaterThan(150);
});
