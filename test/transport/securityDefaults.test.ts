import type { ICredentialTestFunctions, ICredentialsDecrypted } from 'n8n-workflow';

import { smtpConnectorTest } from '../../nodes/SmtpConnector/methods/credentialTest';
import { connectionOptions } from '../../nodes/SmtpConnector/transport/options';
import { readConnectionSettings } from '../../nodes/SmtpConnector/transport/settings';
import { outputOf } from '../support/engine';
import { PROXY_CREDENTIALS, REMOTE_LOOKING_HOST, startHttpProxy, type TestProxy } from '../support/proxies';
import { credentialFor, startSmtpServer, type TestSmtpServer } from '../support/smtpServer';
import { runSendNode } from '../support/workflows';

/**
 * The credential's security defaults, against real servers: no login over an unencrypted connection
 * to a host that is not this machine (unless allowed), certificates verified, TLS 1.2 at least.
 * A remote-looking host name reaches the loopback server through the test proxy, so the guard is
 * what stops the login — not an unreachable host.
 */

let proxy: TestProxy;
beforeAll(async () => {
	proxy = await startHttpProxy();
});
afterAll(async () => proxy.close());

const send = async (credential: Record<string, unknown>) => {
	const run = await runSendNode({
		parameters: { fromEmail: 'sender@example.test', toEmail: 'rcpt@example.test', subject: 'Guard', html: '<p>x</p>', deliveryOptions: { retries: 0 } },
		items: [{ json: {} }, { json: {} }],
		credential,
		continueOnFail: true,
	});
	return outputOf(run, 'Send Email');
};
const pressTest = (data: Record<string, unknown>) =>
	smtpConnectorTest.call({} as ICredentialTestFunctions, { data } as unknown as ICredentialsDecrypted);

describe('no credentials in plain text to a remote host', () => {
	let server: TestSmtpServer;
	beforeEach(async () => {
		server = await startSmtpServer({ noStartTls: true });
	});
	afterEach(async () => server.close());
	const remote = async (overrides: Record<string, unknown>) =>
		await credentialFor(server, { host: REMOTE_LOOKING_HOST, proxy: proxy.url(PROXY_CREDENTIALS), ...overrides });

	test('Security "None" with a password to a remote host fails every item before connecting', async () => {
		const out = await send(await remote({ security: 'none' }));
		expect(out.map((item) => (item.json.error as { message: string }).message)).toEqual([
			expect.stringMatching(/^Security is "None", so the password would cross the network to relay\.remote-looking\.test unencrypted/),
			expect.stringMatching(/^Security is "None"/),
		]);
		expect(server.connections).toBe(0);
		expect((await pressTest(await remote({ security: 'none' }))).message).toMatch(/^Security is "None"/);
	});

	test('"STARTTLS if Offered" with a password refuses to log in when the server offers no STARTTLS', async () => {
		const out = await send(await remote({ security: 'starttlsOptional' }));
		expect((out[0].json.error as { message: string }).message).toMatch(
			/does not offer STARTTLS, and this credential logs in: the credentials would cross the network unencrypted, so nothing was sent/,
		);
		expect(server.connections).toBeGreaterThan(0); // it did connect ...
		expect(server.logins).toEqual([]); // ... and never sent the (valid) password
		expect(server.received).toEqual([]);
	});

	test('"Allow Credentials Without TLS" lets a trusted relay take the login in plain text', async () => {
		const out = await send(await remote({ security: 'starttlsOptional', allowCredentialsWithoutTls: true }));
		expect(out.map((item) => item.json.accepted)).toEqual([['rcpt@example.test'], ['rcpt@example.test']]);
		expect(server.logins.length).toBeGreaterThan(0);
		const plain = await send(await remote({ security: 'none', allowCredentialsWithoutTls: true }));
		expect(plain.map((item) => item.json.accepted)).toEqual([['rcpt@example.test'], ['rcpt@example.test']]);
	});

	test('this machine (loopback) may take a login without TLS', async () => {
		const out = await send(await credentialFor(server, { security: 'none' }));
		expect(out.map((item) => item.json.accepted)).toEqual([['rcpt@example.test'], ['rcpt@example.test']]);
	});

	test('an anonymous relay needs no TLS', async () => {
		const open = await startSmtpServer({ noStartTls: true, noAuth: true });
		try {
			const out = await send(await credentialFor(open, { host: REMOTE_LOOKING_HOST, proxy: proxy.url(PROXY_CREDENTIALS), security: 'starttlsOptional', authType: 'none' }));
			expect(out.map((item) => item.json.accepted)).toEqual([['rcpt@example.test'], ['rcpt@example.test']]);
		} finally {
			await open.close();
		}
	});
});

describe('TLS defaults', () => {
	test('certificates are verified and TLS 1.2 is the minimum unless the credential says otherwise', () => {
		const options = connectionOptions(readConnectionSettings({ host: 'smtp.example.com', authType: 'password', user: 'u', password: 'p' }));
		expect(options.tls).toMatchObject({ rejectUnauthorized: true, minVersion: 'TLSv1.2', servername: 'smtp.example.com' });
	});

	test('a server certificate from an unknown CA is refused by default, and nothing is sent', async () => {
		const server = await startSmtpServer();
		try {
			const out = await send(await credentialFor(server, { caCertificate: '' }));
			expect(out[0].json.error).toMatchObject({ kind: 'untrustedCertificate' });
			expect(server.logins).toEqual([]);
			expect(server.received).toEqual([]);
		} finally {
			await server.close();
		}
	});

	test('a server that only speaks TLS 1.1 is refused by default', async () => {
		const server = await startSmtpServer({ minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1' });
		try {
			const credential = await credentialFor(server);
			delete (credential as Record<string, unknown>).minTlsVersion;
			const out = await send(credential);
			expect(out[0].json.error).toMatchObject({ kind: 'tlsNegotiation' });
			expect(server.logins).toEqual([]);
		} finally {
			await server.close();
		}
	});
});
