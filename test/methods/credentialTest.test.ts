import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { ICredentialTestFunctions, ICredentialsDecrypted } from 'n8n-workflow';

import { smtpConnectorTest } from '../../nodes/SmtpConnector/methods/credentialTest';
import { credentialFor, startSmtpServer, type TestServerOptions, type TestSmtpServer } from '../support/smtpServer';

const servers: TestSmtpServer[] = [];
afterAll(async () => Promise.all(servers.map((s) => s.close())));

async function server(options: TestServerOptions = {}) {
	const s = await startSmtpServer(options);
	servers.push(s);
	return s;
}

async function pressTest(data: Record<string, unknown>) {
	const credential = { id: '1', name: 'test', type: 'smtpConnectorApi', data } as unknown as ICredentialsDecrypted;
	return await smtpConnectorTest.call({} as ICredentialTestFunctions, credential);
}

describe('credential test: success names what was negotiated', () => {
	test('STARTTLS required, TLS 1.3, automatic mechanism', async () => {
		const s = await server();
		const result = await pressTest(await credentialFor(s));
		expect(result).toEqual({ status: 'OK', message: `Connected to 127.0.0.1:${s.port}: STARTTLS, TLSv1.3, AUTH PLAIN` });
		expect(s.logins).toEqual(['PLAIN']);
	});

	test('implicit TLS', async () => {
		const s = await server({ secure: true });
		const result = await pressTest(await credentialFor(s, { security: 'tls' }));
		expect(result.message).toBe(`Connected to 127.0.0.1:${s.port}: implicit TLS, TLSv1.3, AUTH PLAIN`);
	});

	test('plain text anonymous relay', async () => {
		const s = await server({ noStartTls: true, noAuth: true });
		const result = await pressTest(await credentialFor(s, { security: 'none', authType: 'none' }));
		expect(result).toEqual({ status: 'OK', message: `Connected to 127.0.0.1:${s.port}: no TLS, no AUTH` });
	});

	test('a preset whose Host is still filled in says so, even when the connection works', async () => {
		const s = await server({ noStartTls: true, noAuth: true });
		const result = await pressTest({ ...(await credentialFor(s, { security: 'none', authType: 'none' })), provider: 'gmail' });
		expect(result).toEqual({
			status: 'OK',
			message: `Connected to 127.0.0.1:${s.port}: no TLS, no AUTH. Note: Host is filled in, so this is not the Gmail / Google Workspace preset's server (smtp.gmail.com); clear Host to use it.`,
		});
	});

	test('a login to a server that takes none says so, not "wrong password"', async () => {
		const s = await server({ noStartTls: true, noAuth: true });
		const result = await pressTest(await credentialFor(s, { security: 'none' }));
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/^The server on 127\.0\.0\.1:\d+ takes no login \(it does not understand AUTH\)\. If it relays mail for this machine without one, set Authentication to None/);
		expect(result.message).not.toMatch(/user name or password/);
	});

	test('STARTTLS if offered stays plain when the server has none', async () => {
		const s = await server({ noStartTls: true });
		const result = await pressTest(await credentialFor(s, { security: 'starttlsOptional' }));
		expect(result.message).toBe(`Connected to 127.0.0.1:${s.port}: no TLS, AUTH PLAIN`);
	});

	test.each(['PLAIN', 'LOGIN', 'CRAM-MD5'])('AUTH %s', async (method) => {
		const s = await server();
		const result = await pressTest(await credentialFor(s, { authMethod: method }));
		expect(result.status).toBe('OK');
		expect(result.message).toContain(`AUTH ${method}`);
		expect(s.logins).toEqual([method]);
	});

	test('TLS 1.2 is reported when the server stops there', async () => {
		const s = await server({ maxVersion: 'TLSv1.2' });
		const result = await pressTest(await credentialFor(s));
		expect(result.message).toContain('STARTTLS, TLSv1.2, AUTH PLAIN');
	});
});

describe('credential test: failures say why and what to do', () => {
	test('wrong password', async () => {
		const s = await server();
		const result = await pressTest(await credentialFor(s, { password: 'wrong' }));
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/^The server refused the user name or password\./);
		expect(result.message).toContain('Server said: 535 5.7.8 Authentication credentials invalid');
		expect(result.message).not.toContain('wrong');
	});

	test('Microsoft 365: SMTP AUTH disabled for the mailbox', async () => {
		const s = await server({ authFailure: [535, '5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant'] });
		const result = await pressTest(await credentialFor(s, { provider: 'microsoft365', password: 'x' }));
		expect(result.message).toMatch(/SMTP AUTH switched off .* OAuth2 credential/);
		expect(result.message).toContain('535 5.7.139');
	});

	test('Microsoft 365: basic authentication not supported', async () => {
		const s = await server({ authFailure: [550, '5.7.30 Basic authentication is not supported for Client Submission'] });
		const result = await pressTest(await credentialFor(s, { provider: 'microsoft365', password: 'x' }));
		expect(result.message).toMatch(/no longer accepts passwords .* OAuth2/);
	});

	test('Gmail: wrong password points to App Passwords', async () => {
		const s = await server();
		const result = await pressTest(await credentialFor(s, { provider: 'gmail', password: 'x' }));
		expect(result.message).toMatch(/App Password/);
	});

	test('implicit TLS against a STARTTLS port', async () => {
		const s = await server();
		const result = await pressTest(await credentialFor(s, { security: 'tls' }));
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/does not speak TLS from the first byte: it expects STARTTLS/);
		expect(result.message).toMatch(/Server said: .*wrong version number/i);
	});

	test('plain connection against an implicit TLS port', async () => {
		const s = await server({ secure: true });
		const result = await pressTest(await credentialFor(s, { security: 'starttls', greetingTimeout: 1 }));
		expect(result.message).toMatch(/never greeted: this port expects implicit TLS/);
		expect(result.message).toContain('Greeting never received');
	});

	test('certificate from an untrusted CA is refused', async () => {
		const s = await server();
		const result = await pressTest(await credentialFor(s, { caCertificate: '' }));
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/not signed by a CA this machine trusts.*CA Certificate/);
		expect(s.logins).toEqual([]);
	});

	test('ignoring certificate errors connects to the same server', async () => {
		const s = await server();
		const result = await pressTest(await credentialFor(s, { caCertificate: '', allowUnauthorizedCerts: true }));
		expect(result.status).toBe('OK');
	});

	test('certificate issued for another name', async () => {
		const s = await server();
		const result = await pressTest(await credentialFor(s, { servername: 'smtp.other.test' }));
		expect(result.message).toMatch(/not issued for "smtp.other.test"/);
	});

	test('server TLS version below the allowed minimum', async () => {
		const s = await server({ maxVersion: 'TLSv1.2' });
		const result = await pressTest(await credentialFor(s, { minTlsVersion: 'TLSv1.3' }));
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/share no TLS version or cipher: allowed here TLSv1.3 to TLSv1.3/);
	});

	test('server TLS version above the allowed maximum', async () => {
		const s = await server({ minVersion: 'TLSv1.3' });
		const result = await pressTest(await credentialFor(s, { maxTlsVersion: 'TLSv1.2' }));
		expect(result.message).toMatch(/share no TLS version or cipher: allowed here TLSv1.2 to TLSv1.2/);
	});

	test('STARTTLS required but not offered: nothing sent in plain text', async () => {
		const s = await server({ noStartTls: true });
		const result = await pressTest(await credentialFor(s));
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/does not offer STARTTLS, and Security is "STARTTLS \(Required\)"/);
		expect(s.logins).toEqual([]);
	});

	test('connection refused', async () => {
		const probe = createServer();
		await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
		const port = (probe.address() as { port: number }).port;
		await new Promise((r) => probe.close(r));
		const result = await pressTest({ provider: 'custom', host: '127.0.0.1', port, security: 'starttls', authType: 'none' });
		expect(result.message).toMatch(/^Nothing accepts connections on 127.0.0.1:\d+/);
		expect(result.message).toContain('ECONNREFUSED');
	});

	describe('connection timeout', () => {
		let blackhole: ChildProcess;
		let port: number;
		beforeAll(async () => {
			// A listener that never accepts: once its queue is full the kernel drops further SYNs, as a firewall would.
			blackhole = spawn('python3', [
				'-c',
				'import socket,sys,time\ns=socket.socket();s.bind(("127.0.0.1",0));s.listen(0)\nprint(s.getsockname()[1],flush=True)\nk=[socket.create_connection(("127.0.0.1",s.getsockname()[1])) for _ in range(2)]\ntime.sleep(60)',
			]);
			port = await new Promise<number>((resolve) => blackhole.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
		});
		afterAll(() => blackhole.kill());

		test('names the blocked port', async () => {
			const result = await pressTest({ provider: 'custom', host: '127.0.0.1', port, security: 'starttls', authType: 'none', connectionTimeout: 1, greetingTimeout: 1 });
			expect(result.status).toBe('Error');
			expect(result.message).toMatch(/No answer from 127.0.0.1:\d+ in time: a firewall may block the port|never greeted/);
		});
	});

	test('a setting the connection cannot use is named', async () => {
		const result = await pressTest({ provider: 'custom', host: '', security: 'starttls', authType: 'none' });
		expect(result).toEqual({ status: 'Error', message: 'Host is empty: enter the SMTP server name' });
	});
});
