import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { knownTokens } from './auth/tokens';

const REDACTED = '[redacted]';
// Shorter values are not searched for: replacing every "abc" in a message would garble it, not protect it.
const MIN_LENGTH = 4;

const b64 = (value: string) => Buffer.from(value).toString('base64');
const str = (value: unknown) => (typeof value === 'string' ? value : '');

/** Long lines of a PEM body, so a key is hidden even when only part of it is quoted. */
const pemLines = (pem: string) => pem.split(/\r?\n/).filter((line) => line.length >= 16 && !line.startsWith('-----'));

function urlPassword(url: string): string[] {
	try {
		const password = new URL(url).password;
		return password ? [password, decodeURIComponent(password)] : [];
	} catch {
		return [];
	}
}

/**
 * Every secret of a credential, with the forms it takes on the wire (base64 AUTH PLAIN / LOGIN
 * strings). Tokens renewed during the run are added when redaction happens.
 */
export function secretsOf(credential: ICredentialDataDecryptedObject): string[] {
	const user = str(credential.user);
	const password = str(credential.password);
	const token = (credential.oauthTokenData ?? {}) as Record<string, unknown>;
	const secrets = [
		password,
		password && b64(password),
		password && b64(`\0${user}\0${password}`),
		password && b64(`${user}\0${user}\0${password}`),
		str(credential.clientSecret),
		str(token.access_token),
		str(token.refresh_token),
		str(token.id_token),
		...[credential.privateKey, credential.dkimPrivateKey].flatMap((key) => (str(key) ? [str(key), ...pemLines(str(key))] : [])),
		...urlPassword(str(credential.proxy)),
		str(credential.redisPassword),
		...urlPassword(str(credential.redisUrl)),
	];
	return secrets.filter((s): s is string => typeof s === 'string' && s.length >= MIN_LENGTH);
}

/**
 * A function that replaces the credential's secrets in any value — strings, and the strings inside
 * arrays and objects — with "[redacted]". Applied where data leaves the node: output items, errors,
 * the credential test's message. What holds no secret is returned as it is, not copied.
 */
export function redactorFor(credential: ICredentialDataDecryptedObject) {
	const fixed = secretsOf(credential);
	return <T>(value: T): T => {
		const secrets = [...fixed, ...knownTokens().filter((t) => t.length >= MIN_LENGTH)].sort((a, b) => b.length - a.length);
		if (!secrets.length) return value;
		const walk = (v: unknown): unknown => {
			if (typeof v === 'string') return secrets.reduce((text, secret) => (text.includes(secret) ? text.split(secret).join(REDACTED) : text), v);
			if (Array.isArray(v)) {
				let copy: unknown[] | undefined;
				v.forEach((x, i) => {
					const y = walk(x);
					if (y !== x) (copy ??= [...v])[i] = y;
				});
				return copy ?? v;
			}
			if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
				let copy: Record<string, unknown> | undefined;
				for (const k of Object.keys(v)) {
					const x = (v as Record<string, unknown>)[k];
					const y = walk(x);
					if (y !== x) (copy ??= { ...v })[k] = y;
				}
				return copy ?? v;
			}
			return v;
		};
		return walk(value) as T;
	};
}

export type Redact = ReturnType<typeof redactorFor>;
