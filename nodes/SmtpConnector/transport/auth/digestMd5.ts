import { createHash, randomBytes } from 'node:crypto';
import type { SMTPConnectionCustomAuthContext } from 'nodemailer/lib/smtp-connection';

import { loginRefused } from './saslReply';

const md5 = (data: string | Buffer) => createHash('md5').update(data).digest();
const hex = (data: string | Buffer) => md5(data).toString('hex');

/** `key=value` and `key="quoted, value"` pairs of a DIGEST-MD5 challenge (RFC 2831 §2.1.1). */
export function parseChallenge(challenge: string): Record<string, string> {
	const fields: Record<string, string> = {};
	for (const match of challenge.matchAll(/([a-z-]+)=(?:"((?:[^"\\]|\\.)*)"|([^,]*))/gi)) {
		fields[match[1].toLowerCase()] ??= (match[2] ?? match[3] ?? '').replace(/\\(.)/g, '$1');
	}
	return fields;
}

const quote = (value: string) => `"${value.replace(/(["\\])/g, '\\$1')}"`;

/** The client's digest-response (RFC 2831 §2.1.2) and the rspauth the server must answer with. */
export function digestResponse(
	challenge: Record<string, string>,
	user: string,
	password: string,
	host: string,
	cnonce = randomBytes(16).toString('base64'),
	service = 'smtp',
) {
	const realm = challenge.realm ?? '';
	const nonce = challenge.nonce ?? '';
	const nc = '00000001';
	const digestUri = `${service}/${host}`;
	const utf8 = challenge.charset?.toLowerCase() === 'utf-8';
	const secret = Buffer.from(`${user}:${realm}:${password}`, utf8 ? 'utf8' : 'latin1');
	const a1 = Buffer.concat([md5(secret), Buffer.from(`:${nonce}:${cnonce}`)]);
	const expected = (a2: string) => hex(`${hex(a1)}:${nonce}:${nc}:${cnonce}:auth:${hex(a2)}`);
	const fields = [
		`username=${quote(user)}`,
		realm ? `realm=${quote(realm)}` : '',
		`nonce=${quote(nonce)}`,
		`cnonce=${quote(cnonce)}`,
		`nc=${nc}`,
		'qop=auth',
		`digest-uri=${quote(digestUri)}`,
		`response=${expected(`AUTHENTICATE:${digestUri}`)}`,
		utf8 ? 'charset=utf-8' : '',
	].filter(Boolean);
	return { response: fields.join(','), rspauth: expected(`:${digestUri}`) };
}

/**
 * SASL DIGEST-MD5 (RFC 2831) for nodemailer's custom-auth hook, as older relays still ask for it:
 * answers the challenge, and checks the server's rspauth so a server that does not know the password
 * cannot pass itself off as one that does.
 */
export function digestMd5Auth(host: string) {
	return async (ctx: SMTPConnectionCustomAuthContext) => {
		const { user, pass } = ctx.auth.credentials;
		const first = await ctx.sendCommand('AUTH DIGEST-MD5');
		if (first.status !== 334) return ctx.reject(`DIGEST-MD5 not accepted: ${first.response}`);
		const challenge = parseChallenge(Buffer.from(first.text, 'base64').toString('utf8'));
		if (challenge.qop && !challenge.qop.split(',').map((q) => q.trim()).includes('auth')) {
			return ctx.reject('DIGEST-MD5: the server does not offer qop=auth');
		}
		const { response, rspauth } = digestResponse(challenge, user, pass, host);
		const second = await ctx.sendCommand(Buffer.from(response).toString('base64'));
		if (second.status !== 334) return ctx.reject(loginRefused(second));
		const reply = parseChallenge(Buffer.from(second.text, 'base64').toString('utf8'));
		if (reply.rspauth !== rspauth) return ctx.reject('DIGEST-MD5: the server\'s rspauth does not match; it does not know this password');
		const last = await ctx.sendCommand('');
		if (last.status !== 235) return ctx.reject(loginRefused(last));
		ctx.resolve();
	};
}
