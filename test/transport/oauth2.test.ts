import type { ICredentialTestFunctions, ICredentialsDecrypted } from 'n8n-workflow';

import { smtpConnectorOAuth2Test, smtpConnectorTest } from '../../nodes/SmtpConnector/methods/credentialTest';
import { clearTokenCache } from '../../nodes/SmtpConnector/transport/auth/tokens';
import { outputOf } from '../support/engine';
import { credentialFor, startSmtpServer, type TestSmtpServer } from '../support/smtpServer';
import { startTokenServer, type TokenServer } from '../support/tokenServer';
import { runSendNode } from '../support/workflows';

const MAILBOX = 'orders@contoso.test';
let tokens: TokenServer;
let server: TestSmtpServer;
const logs: string[] = [];

beforeEach(async () => {
	clearTokenCache();
	tokens = await startTokenServer();
	server = await startSmtpServer({ oauth2: (user, token) => user === MAILBOX && tokens.valid(token) });
	for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
		jest.spyOn(console, level).mockImplementation((...args: unknown[]) => void logs.push(args.map(String).join(' ')));
	}
});
afterEach(async () => {
	jest.restoreAllMocks();
	await server.close();
	await tokens.close();
});

/** Credential data as n8n hands it to the node: hidden fields resolved, token stored after Connect. */
async function credential(overrides: Record<string, unknown> = {}) {
	return await credentialFor(server, {
		provider: 'custom',
		customGrantType: 'authorizationCode',
		customAccessTokenUrl: tokens.url,
		customScope: 'https://mail.test/smtp',
		grantType: 'authorizationCode',
		accessTokenUrl: tokens.url,
		scope: 'https://mail.test/smtp',
		authentication: 'body',
		clientId: tokens.clientId,
		clientSecret: tokens.clientSecret,
		user: MAILBOX,
		oauthTokenData: { access_token: tokens.issue(), refresh_token: tokens.refreshToken, token_type: 'Bearer' },
		...overrides,
	});
}

async function send(data: Record<string, unknown>, credentialId = 'oauth') {
	const store = { smtpConnectorOAuth2Api: data };
	const run = await runSendNode({
		parameters: { fromEmail: MAILBOX, toEmail: '={{ $json.to }}', subject: 'Token test', html: '<p>Hi</p>', deliveryOptions: { retries: 0 } },
		items: [{ json: { to: 'a@example.test' } }, { json: { to: 'b@example.test' } }],
		credential: data,
		oauth2Store: store,
		credentialId,
		continueOnFail: true,
	});
	return { out: outputOf(run, 'Send Email'), store, run };
}

const pressTest = (data: Record<string, unknown>) =>
	smtpConnectorOAuth2Test.call({} as ICredentialTestFunctions, { data } as unknown as ICredentialsDecrypted);

const noCanaries = (value: unknown) => expect(JSON.stringify(value)).not.toMatch(/CANARY/);

test('sends with the stored access token over XOAUTH2', async () => {
	const { out } = await send(await credential());
	expect(out.map((i) => i.json.accepted)).toEqual([['a@example.test'], ['b@example.test']]);
	expect(server.logins.every((m) => m === 'XOAUTH2')).toBe(true);
	expect(tokens.requests).toEqual([]);
	expect((await server.waitFor(2)).map((m) => m.user)).toEqual([MAILBOX, MAILBOX]);
	noCanaries(out);
});

test('an expired stored token is refreshed through n8n, stored in the credential, and used', async () => {
	const expired = await credential({
		oauthTokenData: { access_token: 'CANARY-old-token', refresh_token: tokens.refreshToken, n8n_expires_at: Date.now() - 1000 },
	});
	const { out, store } = await send(expired, 'expired');
	expect(out.map((i) => i.json.accepted)).toEqual([['a@example.test'], ['b@example.test']]);
	expect(tokens.requests).toEqual(['refresh_token']);
	const saved = (store.smtpConnectorOAuth2Api as { oauthTokenData: { access_token: string } }).oauthTokenData;
	expect(tokens.valid(saved.access_token)).toBe(true);
	expect(server.rejectedTokens).toEqual([]);
});

test('a token the server rejects at AUTH is refreshed once and the login retried', async () => {
	const data = await credential();
	tokens.expireAll(); // the stored token looks fresh but the server no longer accepts it
	const { out } = await send(data, 'rejected');
	expect(out.map((i) => i.json.accepted)).toEqual([['a@example.test'], ['b@example.test']]);
	// Each connection that tried the stale token was refused once; their renewals made one request.
	expect(new Set(server.rejectedTokens).size).toBe(1);
	expect(server.rejectedTokens.length).toBe(server.logins.length);
	expect(tokens.requests).toEqual(['refresh_token']);
});

test('a warm pool never logs in with an expired token: new connections renew it, refused ones renew once', async () => {
	const store: Record<string, Record<string, unknown>> = {
		smtpConnectorOAuth2Api: await credential({
			// fresh for 1.5 s more: the cache renews a minute before expiry
			oauthTokenData: { access_token: tokens.issue(), refresh_token: tokens.refreshToken, n8n_expires_at: Date.now() + 61_500 },
		}),
	};
	const run = async () => {
		const result = await runSendNode({
			parameters: {
				fromEmail: MAILBOX,
				toEmail: 'a@example.test',
				subject: 'Warm pool',
				html: '<p>Hi</p>',
				// every message on a new connection, so every message is a new login on the same pool
				deliveryOptions: { retries: 0, maxConnections: 1, maxMessagesPerConnection: 1 },
			},
			items: [{ json: {} }, { json: {} }],
			credential: store.smtpConnectorOAuth2Api,
			oauth2Store: store,
			credentialId: 'warm',
			continueOnFail: true,
		});
		return outputOf(result, 'Send Email').map((item) => item.json.accepted);
	};
	const sent = [['a@example.test'], ['a@example.test']];

	expect(await run()).toEqual(sent);
	expect(tokens.requests).toEqual([]);

	await new Promise((resolve) => setTimeout(resolve, 1600)); // the stored token is now inside the expiry margin
	expect(await run()).toEqual(sent);
	expect(tokens.requests).toEqual(['refresh_token']); // renewed before logging in ...
	expect(server.rejectedTokens).toEqual([]); // ... so no login ever offered the old token

	const renewed = (store.smtpConnectorOAuth2Api.oauthTokenData as { access_token: string }).access_token;
	tokens.expireAll(); // the server stops accepting it while the pool is warm
	expect(await run()).toEqual(sent);
	expect(server.rejectedTokens).toEqual([renewed]);
	expect(tokens.requests).toEqual(['refresh_token', 'refresh_token']);
	expect(server.logins).toHaveLength(6); // one successful login per message
});

test('a refresh that fails gives a clear error on every item, and no secret', async () => {
	tokens.revokeRefreshToken();
	const { out, run } = await send(
		await credential({ oauthTokenData: { access_token: 'CANARY-old-token', refresh_token: tokens.refreshToken, n8n_expires_at: 1 } }),
		'revoked',
	);
	expect(out).toHaveLength(2);
	for (const item of out) {
		expect(item.json.error).toMatchObject({ kind: 'tokenFailed', transient: false, attempts: 1 });
		expect((item.json.error as { message: string }).message).toMatch(/^Getting an OAuth2 access token failed, so nothing was sent\. Server said: .*Refreshing the OAuth2 token failed: .*reconnect the credential/);
	}
	expect(server.received).toHaveLength(0);
	noCanaries(out);
	noCanaries(run.data);
	noCanaries(logs);
});

test('client credentials (app-only): a token is requested from the endpoint, not from n8n', async () => {
	const { out } = await send(
		await credential({
			customGrantType: 'clientCredentials',
			grantType: 'clientCredentials',
			customScope: 'https://outlook.office365.com/.default',
			oauthTokenData: undefined,
		}),
		'app-only',
	);
	expect(out.map((i) => i.json.accepted)).toEqual([['a@example.test'], ['b@example.test']]);
	expect(tokens.requests).toEqual(['client_credentials']);
});

describe('the Test button of the OAuth2 credential', () => {
	test('names the mechanism and the mailbox', async () => {
		const result = await pressTest(await credential());
		expect(result).toEqual({ status: 'OK', message: `Connected to 127.0.0.1:${server.port}: STARTTLS, TLSv1.3, AUTH XOAUTH2 as ${MAILBOX}` });
	});

	test('refreshes an expired token itself', async () => {
		const result = await pressTest(await credential({ oauthTokenData: { access_token: 'x', refresh_token: tokens.refreshToken, n8n_expires_at: 1 } }));
		expect(result.status).toBe('OK');
		expect(tokens.requests).toEqual(['refresh_token']);
	});

	test('says the token endpoint refused the client, without the secret', async () => {
		const result = await pressTest(await credential({ customGrantType: 'clientCredentials', clientSecret: 'CANARY-wrong-secret', oauthTokenData: undefined }));
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/Getting an OAuth2 access token failed.*refused the client_credentials request \(HTTP 401, invalid_client\) — AADSTS7000215/);
		noCanaries(result);
	});

	test('says the credential is not connected yet', async () => {
		const result = await pressTest(await credential({ oauthTokenData: undefined }));
		expect(result.message).toMatch(/not connected .*Connect my account/);
	});
});

test('an n8n without helpers.refreshOAuth2Token is named in the error', async () => {
	const { executionTokenSource } = await import('../../nodes/SmtpConnector/transport/auth/oauth2');
	const ctx = { helpers: {} } as unknown as Parameters<typeof executionTokenSource>[0];
	const source = executionTokenSource(ctx, 'smtpConnectorOAuth2Api', await credential({ oauthTokenData: undefined }), 'old-n8n');
	await expect(source.token(false)).rejects.toThrow(/helpers.refreshOAuth2Token is missing\): update n8n/);
});

describe('Google service account with domain-wide delegation', () => {
	const serviceAccountCredential = async (overrides: Record<string, unknown> = {}) =>
		await credentialFor(server, {
			provider: 'gmail',
			authType: 'googleServiceAccount',
			user: MAILBOX,
			serviceAccountEmail: tokens.serviceAccount.email,
			privateKey: tokens.serviceAccount.privateKey,
			serviceAccountTokenUri: tokens.url,
			...overrides,
		});

	test('a signed JWT is exchanged for a token, cached, and used to send as the mailbox', async () => {
		const data = await serviceAccountCredential();
		const run = await runSendNode({
			parameters: { fromEmail: MAILBOX, toEmail: '={{ $json.to }}', subject: 'SA', html: '<p>Hi</p>' },
			items: [{ json: { to: 'a@example.test' } }, { json: { to: 'b@example.test' } }, { json: { to: 'c@example.test' } }],
			credential: data,
			credentialId: 'service-account',
		});
		expect(outputOf(run, 'Send Email').map((i) => i.json.accepted)).toEqual([['a@example.test'], ['b@example.test'], ['c@example.test']]);
		expect(tokens.requests).toEqual(['urn:ietf:params:oauth:grant-type:jwt-bearer']);
		expect(tokens.assertions[0]).toMatchObject({ iss: tokens.serviceAccount.email, sub: MAILBOX, aud: tokens.url, scope: 'https://mail.google.com/' });
		expect(server.logins.every((m) => m === 'XOAUTH2')).toBe(true);
		expect(JSON.stringify(run.data)).not.toContain('PRIVATE KEY');
	});

	test('the Test button exchanges the JWT too', async () => {
		const result = await smtpConnectorTest.call({} as ICredentialTestFunctions, { data: await serviceAccountCredential() } as unknown as ICredentialsDecrypted);
		expect(result).toEqual({ status: 'OK', message: `Connected to 127.0.0.1:${server.port}: STARTTLS, TLSv1.3, AUTH XOAUTH2 as ${MAILBOX}. Note: Host is filled in, so this is not the Gmail / Google Workspace preset's server (smtp.gmail.com); clear Host to use it.` });
	});

	test('a key that does not match is refused by the token endpoint, and named', async () => {
		const { privateKey } = await import('node:crypto').then((c) =>
			c.generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }),
		);
		const result = await smtpConnectorTest.call({} as ICredentialTestFunctions, {
			data: await serviceAccountCredential({ privateKey }),
		} as unknown as ICredentialsDecrypted);
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/refused the urn:ietf:params:oauth:grant-type:jwt-bearer request \(HTTP 400, invalid_grant\) — Invalid JWT Signature/);
		expect(result.message).not.toContain('PRIVATE KEY');
	});

	test('a private key that is not a key is named', async () => {
		const result = await smtpConnectorTest.call({} as ICredentialTestFunctions, {
			data: await serviceAccountCredential({ privateKey: 'not a key' }),
		} as unknown as ICredentialsDecrypted);
		expect(result.message).toMatch(/Private Key is not a valid PEM private key/);
	});
});
