import type { IssuedToken } from './tokenEndpoint';

/** Gives connections an access token at login: the cached one, or — when it expired or was refused — a new one. */
export interface TokenSource {
	/**
	 * `renew` after the server refused a token; naming the refused token lets a login that lost the race
	 * take the token another connection has just renewed instead of renewing again.
	 */
	token(renew: boolean, refused?: string): Promise<string>;
}

// Refresh this long before the endpoint's expiry, so a token never expires during a login.
const EXPIRY_MARGIN_MS = 60_000;

const cache = new Map<string, IssuedToken>();
const refreshing = new Map<string, Promise<IssuedToken>>();

const fresh = (t: IssuedToken | undefined): t is IssuedToken =>
	!!t?.accessToken && (t.expiresAt === undefined || t.expiresAt - EXPIRY_MARGIN_MS > Date.now());

/**
 * Tokens are cached per credential in this process and shared by every pooled connection and
 * execution; concurrent renewals of one credential make one request.
 */
export function cachedTokenSource(key: string, stored: IssuedToken | undefined, renew: () => Promise<IssuedToken>): TokenSource {
	return {
		async token(mustRenew, refused) {
			const cached = cache.get(key);
			const current = [cached, stored].filter(fresh).sort((a, b) => (b.expiresAt ?? 0) - (a.expiresAt ?? 0))[0];
			if (current && (!mustRenew || (refused !== undefined && current.accessToken !== refused))) return current.accessToken;
			let pending = refreshing.get(key);
			if (!pending) {
				pending = renew().finally(() => refreshing.delete(key));
				refreshing.set(key, pending);
			}
			const issued = await pending;
			cache.set(key, issued);
			return issued.accessToken;
		},
	};
}

/** Every token this process holds, so they can be kept out of outputs and errors. */
export function knownTokens(): string[] {
	return [...cache.values()].flatMap((t) => [t.accessToken, t.refreshToken ?? '']).filter(Boolean);
}

/** Forgets cached tokens (tests). */
export function clearTokenCache() {
	cache.clear();
}

/** nodemailer calls it on the connection's own XOAuth2 object, which holds the token that connection logged in with. */
type ProvisionCallback = (this: { accessToken?: string } | undefined, user: string, renew: boolean, callback: (error: Error | null, token?: string) => void) => void;

/**
 * nodemailer's XOAUTH2 provision callback, answered from a token source (looked up at login time). A renewal
 * names the token the server refused, so connections refused together renew once.
 */
export function provisionFrom(source: () => TokenSource | undefined): ProvisionCallback {
	return function (this: { accessToken?: string } | undefined, _user, renew, callback) {
		const tokens = source();
		if (!tokens) return callback(new Error('No OAuth2 token source for this connection'));
		tokens.token(renew, renew ? this?.accessToken : undefined).then((token) => callback(null, token), callback);
	};
}
