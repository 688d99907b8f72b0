import type { ICredentialTestFunctions, ICredentialsDecrypted } from 'n8n-workflow';

import { smtpConnectorOAuth2Test } from '../../nodes/SmtpConnector/methods/credentialTest';
import { oauthBearerResponse } from '../../nodes/SmtpConnector/transport/auth/oauthBearer';
import { closeAllPools } from '../../nodes/SmtpConnector/delivery/pool';
import { clearTokenCache } from '../../nodes/SmtpConnector/transport/auth/tokens';
import { DOVECOT_USER, dovecotUnavailable, startDovecotSubmission, type DovecotServer } from '../support/dovecot';
import { outputOf } from '../support/engine';
import { startSmtpServer, type TestSmtpServer } from '../support/smtpServer';
import { startTokenServer, type TokenServer } from '../support/tokenServer';
import { runSendNode } from '../support/workflows';
import { serverSuite } from '../support/serverSuite';

test('the OAUTHBEARER initial response follows RFC 7628 §3.1, escaping the user name', () => {
	const decoded = Buffer.from(oauthBearerResponse('a,b=c@example.test', 'mail.example.test', 587, 'tok'), 'base64').toString();
	expect(decoded).toBe('n,a=a=2Cb=3Dc@example.test,\x01host=mail.example.test\x01port=587\x01auth=Bearer tok\x01\x01');
});

serverSuite('dovecot submission', dovecotUnavailable())('OAuth2 token logins against a real server (dovecot with an oauth2 passdb)', () => {
	let tokens: TokenServer;
	let relay: TestSmtpServer;
	let dovecot: DovecotServer;
	beforeAll(async () => {
		tokens = await startTokenServer();
		tokens.owner = DOVECOT_USER;
		relay = await startSmtpServer({ noAuth: true, noStartTls: true });
		dovecot = await startDovecotSubmission(relay.port, { tokenInfoUrl: tokens.tokenInfoUrl });
	}, 20_000);
	afterAll(async () => {
		await dovecot?.close();
		await relay?.close();
		await tokens?.close();
	});
	beforeEach(() => {
		closeAllPools(); // a warm connection stays logged in; each test starts with new logins
		clearTokenCache();
		tokens.requests.length = 0;
		tokens.owner = DOVECOT_USER;
	});

	const credential = (overrides: Record<string, unknown> = {}) => ({
		provider: 'custom',
		saslMechanism: 'OAUTHBEARER',
		host: '127.0.0.1',
		port: dovecot.port,
		security: 'none',
		customGrantType: 'authorizationCode',
		grantType: 'authorizationCode',
		customAccessTokenUrl: tokens.url,
		accessTokenUrl: tokens.url,
		scope: 'smtp',
		authentication: 'body',
		clientId: tokens.clientId,
		clientSecret: tokens.clientSecret,
		user: DOVECOT_USER,
		oauthTokenData: { access_token: tokens.issue(), refresh_token: tokens.refreshToken, token_type: 'Bearer' },
		...overrides,
	});
	const pressTest = (data: Record<string, unknown>) =>
		smtpConnectorOAuth2Test.call({} as ICredentialTestFunctions, { data } as unknown as ICredentialsDecrypted);
	const send = async (data: Record<string, unknown>, credentialId: string) => {
		const run = await runSendNode({
			parameters: { fromEmail: DOVECOT_USER, toEmail: '={{ $json.to }}', subject: 'Bearer', html: '<p>Hi</p>', deliveryOptions: { retries: 0 } },
			items: [{ json: { to: 'a@example.test' } }, { json: { to: 'b@example.test' } }],
			credential: data,
			oauth2Store: { smtpConnectorOAuth2Api: data },
			credentialId,
			continueOnFail: true,
		});
		return outputOf(run, 'Send Email');
	};

	test('the Test button logs in with OAUTHBEARER', async () => {
		expect(await pressTest(credential())).toEqual({
			status: 'OK',
			message: `Connected to 127.0.0.1:${dovecot.port}: no TLS, AUTH OAUTHBEARER as ${DOVECOT_USER}`,
		});
	});

	test('mail sent with OAUTHBEARER arrives through the relay', async () => {
		const out = await send(credential(), 'bearer');
		expect(out.map((item) => item.json.accepted)).toEqual([['a@example.test'], ['b@example.test']]);
		expect((await relay.waitFor(2)).map((mail) => mail.parsed.subject)).toEqual(['Bearer', 'Bearer']);
		expect(tokens.requests).toEqual([]);
	}, 20_000);

	test('a token the server refuses is renewed once through n8n and the login retried', async () => {
		const data = credential();
		tokens.expireAll();
		const out = await send(data, 'bearer-renew');
		expect(out.map((item) => item.json.accepted)).toEqual([['a@example.test'], ['b@example.test']]);
		// Both connections were refused the stale token; the second took the token the first had renewed.
		expect(tokens.requests).toEqual(['refresh_token']);
	}, 20_000);

	test('a token for another mailbox is refused with a hint, after one renewal', async () => {
		tokens.owner = 'someone-else@example.test';
		const result = await pressTest(credential());
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/^The server refused the OAuth2 token, even after getting a new one: .* Server said: 535/);
		expect(result.message).not.toMatch(/CANARY/);
		expect(tokens.requests).toEqual(['refresh_token']);
	});

	test('XOAUTH2 logs in to the same server too', async () => {
		expect(await pressTest(credential({ saslMechanism: 'XOAUTH2' }))).toEqual({
			status: 'OK',
			message: `Connected to 127.0.0.1:${dovecot.port}: no TLS, AUTH XOAUTH2 as ${DOVECOT_USER}`,
		});
	});

	test('a refresh that fails after the server refused the token names the token endpoint', async () => {
		const data = credential();
		tokens.expireAll();
		tokens.revokeRefreshToken();
		const result = await pressTest(data);
		expect(result.message).toMatch(/^Getting an OAuth2 access token failed, so nothing was sent\. Server said: .*refresh token was revoked/);
		expect(result.message).not.toMatch(/CANARY/);
	}); // revokes the refresh token: last
});
