import type { ICredentialDataDecryptedObject, IExecuteFunctions } from 'n8n-workflow';

import { oauth2Endpoints } from './endpoints';
import { serviceAccountTokenSource } from './serviceAccount';
import { OAuth2TokenError, requestToken, type IssuedToken } from './tokenEndpoint';
import { cachedTokenSource, type TokenSource } from './tokens';

interface StoredTokenData {
	access_token?: string;
	refresh_token?: string;
	expires_in?: number | string;
	n8n_expires_at?: number | string;
}

/** The token n8n stored for the credential (after Connect, or after its last refresh). */
export function storedToken(credential: ICredentialDataDecryptedObject): IssuedToken | undefined {
	const data = credential.oauthTokenData as StoredTokenData | undefined;
	if (!data?.access_token) return undefined;
	const expiresAt = Number(data.n8n_expires_at);
	return { accessToken: data.access_token, expiresAt: Number.isFinite(expiresAt) && expiresAt > 0 ? expiresAt : undefined, refreshToken: data.refresh_token };
}

async function clientCredentialsToken(credential: ICredentialDataDecryptedObject): Promise<IssuedToken> {
	const { tokenUrl, scope } = oauth2Endpoints(credential);
	return await requestToken(tokenUrl, {
		grant_type: 'client_credentials',
		client_id: String(credential.clientId ?? ''),
		client_secret: String(credential.clientSecret ?? ''),
		...(scope ? { scope } : {}),
	});
}

/**
 * Tokens for an execution. Authorization-code credentials are refreshed through n8n
 * (helpers.refreshOAuth2Token), which stores the new token in the credential; client-credentials
 * tokens are requested from the token endpoint, and live only in the cache.
 */
export function executionTokenSource(
	ctx: IExecuteFunctions,
	credentialType: string,
	credential: ICredentialDataDecryptedObject,
	credentialId: string,
): TokenSource {
	const key = `${credentialId}:${String(credential.user ?? '')}`;
	return cachedTokenSource(key, storedToken(credential), async () => {
		if (oauth2Endpoints(credential).grantType === 'clientCredentials') return await clientCredentialsToken(credential);
		const refresh = (ctx.helpers as { refreshOAuth2Token?: IExecuteFunctions['helpers']['refreshOAuth2Token'] }).refreshOAuth2Token;
		if (typeof refresh !== 'function') {
			throw new OAuth2TokenError(
				'This n8n version cannot refresh OAuth2 tokens for community nodes (helpers.refreshOAuth2Token is missing): update n8n, or reconnect the credential for a fresh token.',
			);
		}
		let data: StoredTokenData;
		try {
			data = (await refresh.call(ctx, credentialType)) as StoredTokenData;
		} catch (error) {
			const message = ((error as Error).message ?? String(error)).replace(/\.+$/, '');
			throw new OAuth2TokenError(`Refreshing the OAuth2 token failed: ${message}. If the refresh token was revoked or expired, reconnect the credential.`);
		}
		const token = storedToken({ oauthTokenData: data as ICredentialDataDecryptedObject });
		if (!token) throw new OAuth2TokenError('The token endpoint returned no access token');
		return token;
	});
}

/**
 * Tokens for the Test button, which has no n8n OAuth2 helpers: the stored token while it is fresh,
 * otherwise a refresh (authorization code) or a new token (client credentials) from the endpoint.
 */
export function testTokenSource(credential: ICredentialDataDecryptedObject): TokenSource {
	const endpoints = oauth2Endpoints(credential);
	const stored = storedToken(credential);
	return cachedTokenSource(`test:${Math.random()}`, stored, async () => {
		if (endpoints.grantType === 'clientCredentials') return await clientCredentialsToken(credential);
		if (!stored?.refreshToken) {
			throw new OAuth2TokenError('The credential is not connected (no OAuth2 token yet): press "Connect my account" and sign in as the mailbox');
		}
		return await requestToken(endpoints.tokenUrl, {
			grant_type: 'refresh_token',
			refresh_token: stored.refreshToken,
			client_id: String(credential.clientId ?? ''),
			client_secret: String(credential.clientSecret ?? ''),
		});
	});
}

/** Where an XOAUTH2 login gets its tokens: the OAuth2 credential, or a Google service account. */
export function tokenSourceFor(
	credential: ICredentialDataDecryptedObject,
	credentialType: string,
	execution?: { ctx: IExecuteFunctions; credentialId: string },
): TokenSource {
	if (credential.authType === 'googleServiceAccount') return serviceAccountTokenSource(credential);
	return execution ? executionTokenSource(execution.ctx, credentialType, credential, execution.credentialId) : testTokenSource(credential);
}
