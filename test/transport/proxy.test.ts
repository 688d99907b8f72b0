import type { ICredentialTestFunctions, ICredentialsDecrypted } from 'n8n-workflow';

import { smtpConnectorTest } from '../../nodes/SmtpConnector/methods/credentialTest';
import { outputOf } from '../support/engine';
import { PROXY_CREDENTIALS, startHttpProxy, startSocks5Proxy, type TestProxy } from '../support/proxies';
import { credentialFor, startSmtpServer, type TestSmtpServer } from '../support/smtpServer';
import { runSendNode } from '../support/workflows';

let server: TestSmtpServer;
let proxy: TestProxy;
afterEach(async () => {
	await proxy?.close();
	await server?.close();
});

const pressTest = (data: Record<string, unknown>) =>
	smtpConnectorTest.call({} as ICredentialTestFunctions, { data } as unknown as ICredentialsDecrypted);

const parameters = { fromEmail: 'ops@example.test', toEmail: '={{ $json.to }}', subject: 'Via proxy', html: '<p>Hi</p>', deliveryOptions: { retries: 0 } };

describe.each([
	['HTTP CONNECT', startHttpProxy, {}, {}],
	['SOCKS5', startSocks5Proxy, { secure: true }, { security: 'tls' }],
])('through a %s proxy with authentication', (label, startProxy, serverOptions, credentialOverrides) => {
	test('mail is delivered through the tunnel', async () => {
		server = await startSmtpServer(serverOptions);
		proxy = await startProxy();
		const run = await runSendNode({
			parameters,
			items: [{ json: { to: 'a@example.test' } }, { json: { to: 'b@example.test' } }],
			credential: await credentialFor(server, { ...credentialOverrides, proxy: proxy.url(PROXY_CREDENTIALS) }),
			credentialId: `proxy-${label}`,
		});
		expect(outputOf(run, 'Send Email').map((i) => i.json.accepted)).toEqual([['a@example.test'], ['b@example.test']]);
		expect((await server.waitFor(2)).length).toBe(2);
		expect(proxy.tunnels.length).toBeGreaterThanOrEqual(1);
		expect(proxy.tunnels.every((t) => t === `127.0.0.1:${server.port}`)).toBe(true);
		expect(proxy.tunnels).toHaveLength(server.connections);
	});

	test('the Test button connects through it and says so', async () => {
		server = await startSmtpServer(serverOptions);
		proxy = await startProxy();
		const result = await pressTest(await credentialFor(server, { ...credentialOverrides, proxy: proxy.url(PROXY_CREDENTIALS) }));
		expect(result.status).toBe('OK');
		expect(result.message).toMatch(new RegExp(`via (HTTP|SOCKS5) proxy 127.0.0.1:${proxy.port}: (STARTTLS|implicit TLS), TLSv1.3, AUTH PLAIN`));
		expect(proxy.tunnels).toEqual([`127.0.0.1:${server.port}`]);
	});

	test('a wrong proxy password is explained, and the password is not shown', async () => {
		server = await startSmtpServer(serverOptions);
		proxy = await startProxy();
		const result = await pressTest(await credentialFor(server, { ...credentialOverrides, proxy: proxy.url('proxy-user:Wr0ng-proxy-pass') }));
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/proxy 127.0.0.1:\d+ did not open a tunnel to 127.0.0.1:\d+: check the proxy URL, its user and password/);
		expect(result.message).not.toContain('Wr0ng-proxy-pass');
		expect(server.connections).toBe(0);
	});
});

test('a proxy URL that cannot work is named', async () => {
	const result = await pressTest({ provider: 'custom', host: 'h', authType: 'none', proxy: 'ftp://proxy:21' });
	expect(result).toEqual({ status: 'Error', message: 'Proxy protocol "ftp" is not supported: use http, https or socks5' });
});
