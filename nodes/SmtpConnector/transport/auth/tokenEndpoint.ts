/** A token endpoint refused or failed: says which step, never the secrets that were sent. */
export class OAuth2TokenError extends Error {
	readonly code = 'EOAUTH2';

	constructor(
		message: string,
		readonly status?: number,
		readonly oauthError?: string,
	) {
		super(message);
		this.name = 'OAuth2TokenError';
	}
}

export interface IssuedToken {
	accessToken: string;
	/** Epoch milliseconds, when the endpoint said. */
	expiresAt?: number;
	refreshToken?: string;
}

/**
 * One OAuth2 token request (RFC 6749 §4.4 client credentials, §6 refresh, RFC 7523 JWT bearer). Used
 * where n8n's own OAuth2 helpers are not available: the credential test and app-only tokens.
 */
export async function requestToken(tokenUrl: string, params: Record<string, string>, timeoutMs = 15_000): Promise<IssuedToken> {
	if (!/^https?:\/\//i.test(tokenUrl)) throw new OAuth2TokenError(`Access Token URL "${tokenUrl}" is not an http(s) URL`);
	let response: Response;
	try {
		response = await fetch(tokenUrl, {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
			body: new URLSearchParams(params).toString(),
			signal: AbortSignal.timeout(timeoutMs),
		});
	} catch (error) {
		const cause = (error as { cause?: { code?: string; message?: string } }).cause;
		throw new OAuth2TokenError(`Token endpoint ${new URL(tokenUrl).host} could not be reached: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
	}
	const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
	if (!response.ok || typeof body.access_token !== 'string') {
		const oauthError = typeof body.error === 'string' ? body.error : undefined;
		const description = typeof body.error_description === 'string' ? ` — ${body.error_description.split('\n')[0]}` : '';
		throw new OAuth2TokenError(
			`Token endpoint ${new URL(tokenUrl).host} refused the ${params.grant_type} request (HTTP ${response.status}${oauthError ? `, ${oauthError}` : ''})${description}`,
			response.status,
			oauthError,
		);
	}
	const expiresIn = Number(body.expires_in);
	return {
		accessToken: body.access_token,
		expiresAt: Number.isFinite(expiresIn) && expiresIn > 0 ? Date.now() + expiresIn * 1000 : undefined,
		refreshToken: typeof body.refresh_token === 'string' ? body.refresh_token : undefined,
	};
}
