import { createSign } from 'node:crypto';
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { OAuth2TokenError, requestToken } from './tokenEndpoint';
import { cachedTokenSource, type TokenSource } from './tokens';

export const GOOGLE_TOKEN_URI = 'https://oauth2.googleapis.com/token';
const GMAIL_SCOPE = 'https://mail.google.com/';

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/**
 * RFC 7523 JWT-bearer assertion for a Google service account with domain-wide delegation: signed RS256
 * with the account's key, asking for the Gmail scope on behalf of (`sub`) the mailbox. Written with
 * node:crypto — a JWT of four claims does not justify bundling a JWT library.
 */
export function serviceAccountAssertion(credential: ICredentialDataDecryptedObject, nowSeconds = Math.floor(Date.now() / 1000)): string {
	const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
	const claims = base64url(
		JSON.stringify({
			iss: String(credential.serviceAccountEmail ?? '').trim(),
			sub: String(credential.user ?? '').trim(),
			scope: GMAIL_SCOPE,
			aud: tokenUri(credential),
			iat: nowSeconds,
			exp: nowSeconds + 3600,
		}),
	);
	const key = String(credential.privateKey ?? '').replace(/\\n/g, '\n');
	let signature: string;
	try {
		signature = createSign('RSA-SHA256').update(`${header}.${claims}`).sign(key, 'base64url');
	} catch {
		throw new OAuth2TokenError('Private Key is not a valid PEM private key: paste the "private_key" value of the service account JSON key');
	}
	return `${header}.${claims}.${signature}`;
}

const tokenUri = (credential: ICredentialDataDecryptedObject) => String(credential.serviceAccountTokenUri || GOOGLE_TOKEN_URI);

/** Tokens for the service account acting as the mailbox, cached until shortly before they expire. */
export function serviceAccountTokenSource(credential: ICredentialDataDecryptedObject): TokenSource {
	const key = `sa:${String(credential.serviceAccountEmail)}:${String(credential.user)}`;
	return cachedTokenSource(key, undefined, async () =>
		await requestToken(tokenUri(credential), {
			grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
			assertion: serviceAccountAssertion(credential),
		}),
	);
}
