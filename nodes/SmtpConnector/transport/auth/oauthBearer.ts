import type { SMTPConnectionCustomAuthContext } from 'nodemailer/lib/smtp-connection';

import { loginRefused } from './saslReply';
import type { TokenSource } from './tokens';

const saslName = (user: string) => user.replace(/=/g, '=3D').replace(/,/g, '=2C');

/** The client's initial response of RFC 7628 §3.1, base64-encoded. */
export function oauthBearerResponse(user: string, host: string, port: number, token: string): string {
	const kv = ['', `host=${host}`, `port=${port}`, `auth=Bearer ${token}`, '', ''].join('\x01');
	return Buffer.from(`n,a=${saslName(user)},${kv}`).toString('base64');
}

/**
 * SASL OAUTHBEARER (RFC 7628) for nodemailer's custom-auth hook, with the token source the pool
 * holds at login time. A refused token is renewed once and the login retried, as for XOAUTH2.
 */
export function oauthBearerAuth(host: string, port: number, tokens: () => TokenSource | undefined) {
	return async (ctx: SMTPConnectionCustomAuthContext) => {
		const source = tokens();
		if (!source) return ctx.reject('No OAuth2 token source for this connection');
		let refused: string | undefined;
		for (const renew of [false, true]) {
			let token: string;
			try {
				token = await source.token(renew, refused);
			} catch (error) {
				return ctx.reject(error as Error);
			}
			let reply = await ctx.sendCommand(`AUTH OAUTHBEARER ${oauthBearerResponse(ctx.auth.credentials.user, host, port, token)}`);
			if (reply.status === 235) return ctx.resolve();
			// The server explains a refused token in a 334 challenge; the client must answer it with ^A (§3.2.3).
			if (reply.status === 334) reply = await ctx.sendCommand(Buffer.from('\x01').toString('base64'));
			if (renew || reply.status !== 535) return ctx.reject(loginRefused(reply));
			refused = token;
		}
	};
}
