import { createSecureContext, rootCertificates, type ConnectionOptions, type SecureContext } from 'node:tls';
import type { SMTPConnectionOptions } from 'nodemailer';

import { digestMd5Auth } from './auth/digestMd5';
import { ntlmAuth } from './auth/ntlm';
import { oauthBearerAuth } from './auth/oauthBearer';
import type { TokenSource } from './auth/tokens';
import type { ConnectionSettings } from './settings';

/**
 * nodemailer options for a connection, derived from the settings (and, for token logins, the source of
 * tokens at login time); the one place security modes are decided.
 */
export function connectionOptions(settings: ConnectionSettings, tokens?: () => TokenSource | undefined): SMTPConnectionOptions {
	const { security } = settings;
	return {
		host: settings.host,
		port: settings.port,
		secure: security === 'tls',
		requireTLS: security === 'starttls' || settings.tlsRequiredForLogin,
		ignoreTLS: security === 'none',
		name: settings.clientHostname,
		tls: security === 'none' ? undefined : tlsOptions(settings),
		connectionTimeout: settings.timeoutsMs.connection,
		greetingTimeout: settings.timeoutsMs.greeting,
		socketTimeout: settings.timeoutsMs.socket,
		logger: false,
		debug: false,
		customAuth: customAuth(settings, tokens),
	};
}

/** The SASL mechanisms nodemailer does not have, for the credential that asks for one. */
function customAuth({ auth, host, port }: ConnectionSettings, tokens?: () => TokenSource | undefined): SMTPConnectionOptions['customAuth'] {
	if (auth?.kind === 'oauth2' && auth.mechanism === 'OAUTHBEARER') return { OAUTHBEARER: oauthBearerAuth(host, port, tokens ?? (() => undefined)) };
	if (auth?.kind !== 'password') return undefined;
	if (auth.method === 'DIGEST-MD5') return { 'DIGEST-MD5': digestMd5Auth(host) };
	if (auth.method === 'NTLM') return { NTLM: ntlmAuth() };
	return undefined;
}

function tlsOptions({ host, tls }: ConnectionSettings): ConnectionOptions {
	const options: ConnectionOptions = {
		minVersion: tls.minVersion,
		maxVersion: tls.maxVersion,
		rejectUnauthorized: tls.rejectUnauthorized,
		servername: tls.servername ?? (isIpAddress(host) ? undefined : host),
	};
	// OpenSSL 3 refuses TLS 1.0/1.1 at its default security level even when the version is allowed.
	if (tls.minVersion === 'TLSv1' || tls.minVersion === 'TLSv1.1') options.ciphers = 'DEFAULT:@SECLEVEL=0';
	if (tls.ca) options.secureContext = secureContextWithCa(tls.ca, options);
	return options;
}

const contexts = new Map<string, SecureContext>();

/**
 * A private CA is trusted in addition to the public roots, so a relay and a public provider both
 * verify. Loading ~150 roots into a context takes milliseconds, so each context is built once and
 * shared by every connection that uses it.
 */
function secureContextWithCa(ca: string, { minVersion, maxVersion, ciphers }: ConnectionOptions): SecureContext {
	const key = JSON.stringify([ca, minVersion, maxVersion, ciphers]);
	let context = contexts.get(key);
	if (!context) {
		context = createSecureContext({ ca: [...rootCertificates, ca], minVersion, maxVersion, ciphers });
		contexts.set(key, context);
	}
	return context;
}

function isIpAddress(host: string): boolean {
	return /^[\d.]+$/.test(host) || host.includes(':');
}

/** The login nodemailer should perform, or undefined for an anonymous relay. */
export function authOptions(settings: ConnectionSettings) {
	const { auth } = settings;
	if (!auth) return undefined;
	if (auth.kind === 'oauth2' && auth.mechanism === 'OAUTHBEARER') return { user: auth.user, method: 'OAUTHBEARER' };
	if (auth.kind === 'oauth2') return { type: 'OAuth2' as const, user: auth.user };
	return { user: auth.user, pass: auth.pass, method: auth.method };
}
