import { generateKeyPairSync } from 'node:crypto';
import type { ICredentialTestFunctions, ICredentialsDecrypted, INodeExecutionData, IRun } from 'n8n-workflow';

import { smtpConnectorOAuth2Test, smtpConnectorTest } from '../nodes/SmtpConnector/methods/credentialTest';
import { closeAllPools } from '../nodes/SmtpConnector/delivery/pool';
import { clearTokenCache } from '../nodes/SmtpConnector/transport/auth/tokens';
import { outputOf } from './support/engine';
import { PROXY_CREDENTIALS, startHttpProxy, type TestProxy } from './support/proxies';
import { credentialFor, startSmtpServer, TEST_USER, type TestSmtpServer } from './support/smtpServer';
import { startTokenServer, type TokenServer } from './support/tokenServer';
import { runSendNode } from './support/workflows';

/**
 * Canary secrets in every secret credential field (password, proxy password, DKIM key, service
 * account key, client secret, refresh and access tokens). Every path — success, refused login with a
 * server that quotes the password back, TLS failure, timeout, token endpoint errors that quote the
 * secret — runs through the engine (with and without continueOnFail) and the Test button; no canary
 * may appear in an output item, a thrown error (message, description, stack, properties) or a log line.
 */

const PASSWORD = 'CANARY-password-8e1f';
const WRONG_PASSWORD = 'CANARY-wrong-password-77aa';
const dkimKey = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey;
const pemLines = (pem: string) => pem.split('\n').filter((line) => line.length >= 16 && !line.startsWith('-----'));

let tokens: TokenServer;
let proxy: TestProxy;
const logs: string[] = [];
const canaries = () => [
	'CANARY',
	Buffer.from(PASSWORD).toString('base64'),
	Buffer.from(WRONG_PASSWORD).toString('base64'),
	...pemLines(dkimKey),
	...pemLines(tokens.serviceAccount.privateKey),
];

beforeAll(async () => {
	tokens = await startTokenServer();
	proxy = await startHttpProxy();
});
afterAll(async () => {
	await proxy.close();
	await tokens.close();
});
beforeEach(() => {
	clearTokenCache();
	closeAllPools(); // a warm, logged-in connection would skip the login these tests are about
	for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
		jest.spyOn(console, level).mockImplementation((...args: unknown[]) => void logs.push(args.map(String).join(' ')));
	}
	for (const stream of [process.stdout, process.stderr]) {
		const write = stream.write.bind(stream);
		jest.spyOn(stream, 'write').mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
			logs.push(String(chunk));
			return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
		}) as typeof stream.write);
	}
});
afterEach(() => jest.restoreAllMocks());

/** Everything an error carries, including the stack and non-enumerable message. */
const errorText = (error: unknown) =>
	error instanceof Error || (error && typeof error === 'object')
		? JSON.stringify({ ...(error as object), message: (error as Error).message, stack: (error as Error).stack, description: (error as { description?: unknown }).description })
		: String(error);

function expectNoCanary(label: string, ...values: unknown[]) {
	const text = values.map((v) => (typeof v === 'string' ? v : errorText(v))).join('\n');
	const found = canaries()
		.filter((c) => text.includes(c))
		.map((c) => {
			const at = text.indexOf(c);
			return `${c} in …${text.slice(Math.max(0, at - 120), at + 40)}…`;
		});
	expect({ label, found }).toEqual({ label, found: [] });
}

async function runBothWays(label: string, credential: Record<string, unknown>, oauth2 = false) {
	const run = (continueOnFail: boolean): Promise<IRun> =>
		runSendNode({
			parameters: { fromEmail: TEST_USER, toEmail: 'rcpt@example.test', subject: 'Canary', html: '<p>x</p>', deliveryOptions: { retries: 0 } },
			items: [{ json: {} }],
			credential,
			oauth2Store: oauth2 ? { smtpConnectorOAuth2Api: credential } : undefined,
			credentialId: label,
			continueOnFail,
		});
	const soft = await run(true);
	const out: INodeExecutionData[] = outputOf(soft, 'Send Email');
	const hard = await run(false);
	const test = await (oauth2 ? smtpConnectorOAuth2Test : smtpConnectorTest).call({} as ICredentialTestFunctions, {
		data: credential,
	} as unknown as ICredentialsDecrypted);
	expectNoCanary(label, JSON.stringify(out), hard.data.resultData.error, JSON.stringify(hard.data.resultData.runData), JSON.stringify(test), logs.join('\n'));
	return { out, hard: hard.data.resultData.error, test };
}

describe('password credential', () => {
	let server: TestSmtpServer;
	beforeAll(async () => {
		server = await startSmtpServer({
			users: { [TEST_USER]: PASSWORD },
			// a server that quotes the password it was given, in clear and in base64
			authFailure: (tried) => [535, `5.7.8 Password ${tried} (${Buffer.from(tried).toString('base64')}) is wrong`],
			slowGreeting: { count: 0, ms: 0 },
		});
	});
	afterAll(async () => server.close());
	const credential = async (overrides: Record<string, unknown> = {}) =>
		await credentialFor(server, {
			password: PASSWORD,
			proxy: proxy.url(PROXY_CREDENTIALS),
			dkim: true,
			dkimDomain: 'example.test',
			dkimSelector: 's1',
			dkimPrivateKey: dkimKey,
			...overrides,
		});

	test('success', async () => {
		const { out, test } = await runBothWays('success', await credential());
		expect(out[0].json.accepted).toEqual(['rcpt@example.test']);
		expect(test.status).toBe('OK');
	});

	test('refused login, with the server quoting the password back', async () => {
		const { out, test } = await runBothWays('auth', await credential({ password: WRONG_PASSWORD }));
		expect(out[0].json.error).toMatchObject({ kind: 'authRejected', response: expect.stringContaining('Password [redacted] ([redacted]) is wrong') });
		expect(test.message).toContain('[redacted]');
	});

	test('TLS failure', async () => {
		const { out } = await runBothWays('tls', await credential({ caCertificate: '' }));
		expect(out[0].json.error).toMatchObject({ kind: 'untrustedCertificate' });
	});

	test('timeout', async () => {
		const slow = await startSmtpServer({ users: { [TEST_USER]: PASSWORD }, slowGreeting: { count: 100, ms: 3000 } });
		try {
			const { out } = await runBothWays('timeout', await credentialFor(slow, { password: PASSWORD, proxy: proxy.url(PROXY_CREDENTIALS), greetingTimeout: 1 }));
			expect(out[0].json.error).toMatchObject({ kind: 'greetingTimeout' });
		} finally {
			await slow.close();
		}
	}, 30_000);
});

describe('OAuth2 and service-account credentials', () => {
	let server: TestSmtpServer;
	beforeAll(async () => {
		server = await startSmtpServer({ oauth2: (_user, token) => tokens.valid(token) });
	});
	afterAll(async () => server.close());
	const oauth2 = async (overrides: Record<string, unknown> = {}) =>
		await credentialFor(server, {
			provider: 'custom',
			customGrantType: 'authorizationCode',
			customAccessTokenUrl: tokens.url,
			grantType: 'authorizationCode',
			accessTokenUrl: tokens.url,
			scope: 'https://outlook.office365.com/.default',
			authentication: 'body',
			clientId: tokens.clientId,
			clientSecret: tokens.clientSecret,
			user: TEST_USER,
			oauthTokenData: { access_token: tokens.issue(), refresh_token: tokens.refreshToken },
			...overrides,
		});

	test('success with a stored token', async () => {
		const { out } = await runBothWays('oauth-success', await oauth2(), true);
		expect(out[0].json.accepted).toEqual(['rcpt@example.test']);
	});

	test('token endpoint refuses the client and quotes the secret back (client credentials)', async () => {
		const data = await oauth2({
			customGrantType: 'clientCredentials',
			grantType: 'clientCredentials',
			clientSecret: 'CANARY-wrong-client-secret',
			oauthTokenData: undefined,
		});
		const { out } = await runBothWays('oauth-client', data, true);
		expect(out[0].json.error).toMatchObject({ kind: 'tokenFailed', message: expect.stringContaining('Invalid client secret provided: [redacted]') });
	});

	test('refresh fails after the server refused the stored token', async () => {
		const data = await oauth2({ oauthTokenData: { access_token: 'CANARY-stale-token', refresh_token: 'CANARY-unknown-refresh-token' } });
		const { out } = await runBothWays('oauth-refresh', data, true);
		expect(out[0].json.error).toMatchObject({ kind: 'tokenFailed' });
	});

	test('service account: success, and a key the endpoint does not know', async () => {
		const account = (privateKey: string) =>
			credentialFor(server, {
				authType: 'googleServiceAccount',
				serviceAccountEmail: tokens.serviceAccount.email,
				privateKey,
				serviceAccountTokenUri: tokens.url,
				user: TEST_USER,
			});
		const ok = await runBothWays('sa-success', await account(tokens.serviceAccount.privateKey));
		expect(ok.out[0].json.accepted).toEqual(['rcpt@example.test']);
		const unknownKey = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey;
		closeAllPools();
		clearTokenCache();
		const bad = await runBothWays('sa-bad-key', await account(unknownKey));
		expect(bad.out[0].json.error).toMatchObject({ kind: 'tokenFailed' });
		const everything = JSON.stringify(bad) + logs.join('\n');
		expect(pemLines(unknownKey).filter((line) => everything.includes(line))).toEqual([]);
	});
});
