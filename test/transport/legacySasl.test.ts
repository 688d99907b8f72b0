import type { ICredentialTestFunctions, ICredentialsDecrypted } from 'n8n-workflow';

import { smtpConnectorTest } from '../../nodes/SmtpConnector/methods/credentialTest';
import { digestResponse, parseChallenge } from '../../nodes/SmtpConnector/transport/auth/digestMd5';
import { DOVECOT_PASSWORD, DOVECOT_USER, dovecotUnavailable, startDovecotSubmission, type DovecotServer } from '../support/dovecot';
import { outputOf } from '../support/engine';
import { startSmtpServer, type TestSmtpServer } from '../support/smtpServer';
import { runSendNode } from '../support/workflows';
import { serverSuite } from '../support/serverSuite';

test('DIGEST-MD5 reproduces the worked example of RFC 2831 §4', () => {
	const challenge = parseChallenge('realm="elwood.innosoft.com",nonce="OA6MG9tEQGm2hh",qop="auth",algorithm=md5-sess,charset=utf-8');
	expect(challenge).toMatchObject({ realm: 'elwood.innosoft.com', nonce: 'OA6MG9tEQGm2hh', qop: 'auth', charset: 'utf-8' });
	const { response, rspauth } = digestResponse(challenge, 'chris', 'secret', 'elwood.innosoft.com', 'OA6MHXh6VqTrRk', 'imap');
	expect(response).toContain('response=d388dad90d4bbd760a152321f2143af7');
	expect(rspauth).toBe('ea40f60335c427b5527b84dbabcdfffd');
});

serverSuite('dovecot submission', dovecotUnavailable())('DIGEST-MD5 against a real server (dovecot submission)', () => {
	let relay: TestSmtpServer;
	let dovecot: DovecotServer;
	beforeAll(async () => {
		relay = await startSmtpServer({ noAuth: true, noStartTls: true });
		dovecot = await startDovecotSubmission(relay.port);
	}, 20_000);
	afterAll(async () => {
		await dovecot?.close();
		await relay?.close();
	});

	const credential = (overrides: Record<string, unknown> = {}) => ({
		provider: 'custom',
		host: '127.0.0.1',
		port: dovecot.port,
		security: 'none',
		authType: 'password',
		user: DOVECOT_USER,
		password: DOVECOT_PASSWORD,
		authMethod: 'DIGEST-MD5',
		...overrides,
	});
	const pressTest = (data: Record<string, unknown>) =>
		smtpConnectorTest.call({} as ICredentialTestFunctions, { data } as unknown as ICredentialsDecrypted);

	test('the Test button logs in with DIGEST-MD5', async () => {
		expect(await pressTest(credential())).toEqual({ status: 'OK', message: `Connected to 127.0.0.1:${dovecot.port}: no TLS, AUTH DIGEST-MD5` });
	});

	test('a wrong password is refused by the server', async () => {
		const result = await pressTest(credential({ password: 'wrong-password' }));
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/refused the user name or password.*Server said: .*535/);
	});

	test('mail sent with DIGEST-MD5 arrives through the relay', async () => {
		const run = await runSendNode({
			parameters: { fromEmail: DOVECOT_USER, toEmail: 'someone@example.test', subject: 'Legacy SASL', html: '<p>Hi</p>' },
			items: [{ json: {} }],
			credential: credential(),
			credentialId: 'digest',
		});
		expect(outputOf(run, 'Send Email')[0].json.accepted).toEqual(['someone@example.test']);
		const [mail] = await relay.waitFor(1);
		expect(mail.parsed.subject).toBe('Legacy SASL');
	});
});
