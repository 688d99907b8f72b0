import { createVerify, generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';

/**
 * An OAuth2 token endpoint on 127.0.0.1 for the OAuth2 tests: issues access tokens for the
 * refresh-token and client-credentials grants (RFC 6749), checks the client, and can expire or revoke.
 */
export interface TokenServer {
	url: string;
	clientId: string;
	clientSecret: string;
	refreshToken: string;
	/** grant_type of every request, in order. */
	requests: string[];
	/** A Google-style service account: its e-mail and private key; assertions must be signed with it. */
	serviceAccount: { email: string; privateKey: string };
	/** Claims of every JWT assertion whose signature verified. */
	assertions: Array<Record<string, unknown>>;
	/** Dovecot's `tokeninfo_url`: GET it with the token appended; it names the token's owner. */
	tokenInfoUrl: string;
	/** The mailbox tokens are issued for, as token info reports it. */
	owner: string;
	valid(token: string): boolean;
	issue(): string;
	expireAll(): void;
	revokeRefreshToken(): void;
	close(): Promise<void>;
}

export async function startTokenServer(): Promise<TokenServer> {
	const live = new Set<string>();
	const keys = generateKeyPairSync('rsa', {
		modulusLength: 2048,
		publicKeyEncoding: { type: 'spki', format: 'pem' },
		privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
	});
	let counter = 0;
	let refreshRevoked = false;
	const state = {
		url: '',
		tokenInfoUrl: '',
		owner: 'mailer@example.test',
		clientId: 'client-id-123',
		clientSecret: 'CANARY-client-secret-7f3a',
		refreshToken: 'CANARY-refresh-token-91b2',
		requests: [] as string[],
		serviceAccount: { email: 'mailer@project.iam.gserviceaccount.test', privateKey: keys.privateKey },
		assertions: [] as Array<Record<string, unknown>>,
		valid: (token: string) => live.has(token),
		issue() {
			const token = `CANARY-access-token-${++counter}`;
			live.add(token);
			return token;
		},
		expireAll: () => live.clear(),
		revokeRefreshToken: () => (refreshRevoked = true),
		close: async () => {},
	};
	const server = createServer((req, res) => {
		const tokenInfo = /^\/tokeninfo\?access_token=(.*)$/.exec(req.url ?? '');
		if (tokenInfo) {
			const valid = state.valid(decodeURIComponent(tokenInfo[1]));
			res.writeHead(valid ? 200 : 401, { 'content-type': 'application/json' });
			return void res.end(JSON.stringify(valid ? { email: state.owner, active: true } : { error: 'invalid_token' }));
		}
		let body = '';
		req.on('data', (c) => (body += c));
		req.on('end', () => {
			const form = new URLSearchParams(body);
			const grant = form.get('grant_type') ?? '';
			state.requests.push(grant);
			const reply = (status: number, json: object): void => {
				res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
			};
			const basic = req.headers.authorization?.startsWith('Basic ')
				? Buffer.from(req.headers.authorization.slice(6), 'base64').toString().split(':').map(decodeURIComponent)
				: [];
			if (grant === 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
				const [header, claims, signature] = String(form.get('assertion')).split('.');
				const verified = createVerify('RSA-SHA256').update(`${header}.${claims}`).verify(keys.publicKey, signature ?? '', 'base64url');
				const c = verified ? (JSON.parse(Buffer.from(claims, 'base64url').toString()) as Record<string, number | string>) : {};
				const now = Date.now() / 1000;
				const ok =
					verified &&
					JSON.parse(Buffer.from(header, 'base64url').toString()).alg === 'RS256' &&
					c.iss === state.serviceAccount.email &&
					c.aud === state.url &&
					c.scope === 'https://mail.google.com/' &&
					typeof c.sub === 'string' &&
					Number(c.iat) <= now + 5 &&
					Number(c.exp) > now &&
					Number(c.exp) - Number(c.iat) <= 3600;
				if (!ok) return reply(400, { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' });
				state.assertions.push(c);
				return reply(200, { access_token: state.issue(), token_type: 'Bearer', expires_in: 3599 });
			}
			const [clientId, clientSecret] = form.get('client_id') ? [form.get('client_id'), form.get('client_secret')] : basic;
			if (clientId !== state.clientId || clientSecret !== state.clientSecret) {
				// Like some real endpoints, it quotes what it was sent: the node must not pass that on.
				return reply(401, { error: 'invalid_client', error_description: `AADSTS7000215: Invalid client secret provided: ${clientSecret}` });
			}
			if (grant === 'refresh_token') {
				if (refreshRevoked || form.get('refresh_token') !== state.refreshToken) {
					return reply(400, { error: 'invalid_grant', error_description: 'AADSTS70000: The refresh token was revoked.' });
				}
				return reply(200, { access_token: state.issue(), token_type: 'Bearer', expires_in: 3600, refresh_token: state.refreshToken });
			}
			if (grant === 'client_credentials') {
				if (form.get('scope') !== 'https://outlook.office365.com/.default') return reply(400, { error: 'invalid_scope' });
				return reply(200, { access_token: state.issue(), token_type: 'Bearer', expires_in: 3600 });
			}
			reply(400, { error: 'unsupported_grant_type' });
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
	const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
	state.url = `${origin}/tenant/oauth2/v2.0/token`;
	state.tokenInfoUrl = `${origin}/tokeninfo?access_token=`;
	state.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
	return state;
}
