import { createPrivateKey } from 'node:crypto';

import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import {
	DEFAULT_PORTS,
	findProvider,
	presetHost,
	type ProviderPreset,
	type SecurityMode,
} from '../../../credentials/common/providers';
import { userIsSender } from '../../../credentials/common/sender';
import { proxyUrlProblem } from './proxy';

const TLS_VERSION_ORDER = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
export type TlsVersion = (typeof TLS_VERSION_ORDER)[number];

export interface PasswordAuth {
	kind: 'password';
	user: string;
	pass: string;
	method?: 'PLAIN' | 'LOGIN' | 'CRAM-MD5' | 'DIGEST-MD5' | 'NTLM';
}

/** A token login as `user`; the access token comes from a token source at login time, never from here. */
export interface OAuth2Auth {
	kind: 'oauth2';
	user: string;
	mechanism: 'XOAUTH2' | 'OAUTHBEARER';
	/** Who issues the tokens (OAuth2 client or service account), so pools of two token issuers never mix. */
	issuer: string;
}

/** A credential, read and checked once: everything needed to reach and log in to the server. */
export interface ConnectionSettings {
	provider: ProviderPreset;
	host: string;
	port: number;
	security: SecurityMode;
	tls: {
		minVersion: TlsVersion;
		maxVersion: TlsVersion;
		rejectUnauthorized: boolean;
		ca?: string;
		servername?: string;
	};
	auth?: PasswordAuth | OAuth2Auth;
	/**
	 * STARTTLS must succeed before the login: set when "STARTTLS if Offered" would otherwise send the
	 * credentials unencrypted to a host that is not this machine.
	 */
	tlsRequiredForLogin: boolean;
	/** DKIM key to sign every message with, in nodemailer's terms. */
	dkim?: { domainName: string; keySelector: string; privateKey: string };
	clientHostname?: string;
	timeoutsMs: { connection: number; greeting: number; socket: number };
	/** The credential's Default From, and its login user when that may send (an address: Gmail, Microsoft 365). */
	sender: { email?: string; name?: string; user?: string };
	/** http(s):// or socks5:// URL of the proxy to connect through. */
	proxy?: string;
	/** Messages per second / minute for this account (undefined: no limit), and how many may leave back to back. */
	rateLimit: { perSecond?: number; perMinute?: number; burst: number };
	/** Where the limits are counted when not in this process alone. */
	sharedStore?: RedisSettings;
}

/** A Redis all n8n processes reach, for the limits they share. */
export interface RedisSettings {
	url: string;
	password?: string;
	tls: boolean;
	keyPrefix: string;
}

/** A credential field holds a value the connection cannot use. */
export class CredentialSettingError extends Error {
	constructor(
		readonly field: string,
		message: string,
	) {
		super(message);
		this.name = 'CredentialSettingError';
	}
}

const SECURITY_MODES = Object.keys(DEFAULT_PORTS) as SecurityMode[];

function text(value: unknown): string {
	return typeof value === 'string' ? value.trim() : value == null ? '' : String(value).trim();
}

function seconds(value: unknown, fallback: number, field: string): number {
	if (value === undefined || value === null || value === '') return fallback * 1000;
	const n = Number(value);
	if (!Number.isFinite(n) || n <= 0) throw new CredentialSettingError(field, `${field} must be a positive number of seconds`);
	return Math.round(n * 1000);
}

function limit(value: unknown, presetValue: number | undefined, field: string): number | undefined {
	const raw = text(value);
	if (raw === '') return presetValue;
	const n = Number(raw);
	if (!Number.isInteger(n) || n < 0) throw new CredentialSettingError(field, `${field} must be a whole number of messages (0 for no limit)`);
	return n === 0 ? undefined : n;
}

function burst(value: unknown): number {
	if (value === undefined || value === null || value === '') return 1;
	const n = Number(value);
	if (!Number.isInteger(n) || n < 1) throw new CredentialSettingError('rateLimitBurst', 'Burst must be a whole number of messages, 1 or more');
	return n;
}

function sharedStore(credential: ICredentialDataDecryptedObject): RedisSettings | undefined {
	if (text(credential.sharedLimits) !== 'redis') return undefined;
	const url = text(credential.redisUrl);
	let parsed: URL | undefined;
	try {
		parsed = new URL(url);
	} catch {
		parsed = undefined;
	}
	if (!parsed || !['redis:', 'rediss:'].includes(parsed.protocol) || !parsed.hostname) {
		throw new CredentialSettingError('redisUrl', `Redis URL must look like redis://host:6379 (or rediss:// for TLS), got "${url.replace(/\/\/[^@/]*@/, '//…@')}"`);
	}
	const password = typeof credential.redisPassword === 'string' && credential.redisPassword ? credential.redisPassword : undefined;
	return { url, password, tls: credential.redisTls === true || parsed.protocol === 'rediss:', keyPrefix: text(credential.redisKeyPrefix) || 'n8n-smtp-connector:' };
}

function tlsVersion(value: unknown, fallback: TlsVersion, field: string): TlsVersion {
	const v = text(value) || fallback;
	if (!(TLS_VERSION_ORDER as readonly string[]).includes(v)) {
		throw new CredentialSettingError(field, `${field} must be one of ${TLS_VERSION_ORDER.join(', ')}`);
	}
	return v as TlsVersion;
}

export function readConnectionSettings(
	credential: ICredentialDataDecryptedObject,
	credentialType: 'smtpConnectorApi' | 'smtpConnectorOAuth2Api' = 'smtpConnectorApi',
): ConnectionSettings {
	const provider = findProvider(credential.provider);
	const security = (text(credential.security) || provider.security) as SecurityMode;
	if (!SECURITY_MODES.includes(security)) {
		throw new CredentialSettingError('security', `Unknown security mode "${security}"`);
	}
	const host = text(credential.host) || presetHost(provider, credential) || '';
	if (!host) throw new CredentialSettingError('host', 'Host is empty: enter the SMTP server name');

	const rawPort = text(credential.port);
	const port = rawPort === '' || rawPort === '0' ? DEFAULT_PORTS[security] : Number(rawPort);
	if (!Number.isInteger(port) || port < 1 || port > 65535) {
		throw new CredentialSettingError('port', `Port must be a whole number from 1 to 65535, got "${String(credential.port)}"`);
	}

	const minVersion = tlsVersion(credential.minTlsVersion, 'TLSv1.2', 'minTlsVersion');
	const maxVersion = tlsVersion(credential.maxTlsVersion, 'TLSv1.3', 'maxTlsVersion');
	if (TLS_VERSION_ORDER.indexOf(minVersion) > TLS_VERSION_ORDER.indexOf(maxVersion)) {
		throw new CredentialSettingError('minTlsVersion', `Minimum TLS version ${minVersion} is above the maximum ${maxVersion}`);
	}

	let auth: ConnectionSettings['auth'];
	const authType = text(credential.authType) || 'password';
	if (credentialType === 'smtpConnectorOAuth2Api' || authType === 'googleServiceAccount') {
		const user = text(credential.user);
		if (!user) throw new CredentialSettingError('user', 'Mailbox (User) is empty: enter the address to send as');
		if (authType === 'googleServiceAccount' && !text(credential.serviceAccountEmail)) {
			throw new CredentialSettingError('serviceAccountEmail', 'Service Account Email is empty');
		}
		const issuer =
			authType === 'googleServiceAccount'
				? `service-account:${text(credential.serviceAccountEmail)}`
				: `oauth2-client:${text(credential.clientId)}:${text(credential.provider)}:${text(credential.tenantId)}`;
		const mechanism = text(credential.provider) === 'custom' && text(credential.saslMechanism) === 'OAUTHBEARER' ? 'OAUTHBEARER' : 'XOAUTH2';
		auth = { kind: 'oauth2', user, issuer, mechanism };
	} else if (authType === 'password') {
		const user = text(credential.user);
		const pass = typeof credential.password === 'string' ? credential.password : '';
		if (!user) throw new CredentialSettingError('user', 'User is empty: enter the SMTP user, or set Authentication to None');
		const method = text(credential.authMethod);
		auth = { kind: 'password', user, pass, method: method && method !== 'auto' ? (method as 'PLAIN') : undefined };
	}

	const exposed = auth !== undefined && !isLoopback(host) && credential.allowCredentialsWithoutTls !== true;
	if (exposed && security === 'none') {
		throw new CredentialSettingError(
			'security',
			`Security is "None", so the ${auth?.kind === 'oauth2' ? 'access token' : 'password'} would cross the network to ${host} unencrypted. Choose STARTTLS or SSL/TLS — or, for a relay on a network you trust, turn on "Allow Credentials Without TLS".`,
		);
	}

	const dkim = credential.dkim === true ? dkimSettings(credential) : undefined;

	const proxy = text(credential.proxy) || undefined;
	const proxyProblem = proxy && proxyUrlProblem(proxy);
	if (proxyProblem) throw new CredentialSettingError('proxy', proxyProblem);

	return {
		provider,
		host,
		proxy,
		port,
		security,
		tls: {
			minVersion,
			maxVersion,
			rejectUnauthorized: credential.allowUnauthorizedCerts !== true,
			ca: text(credential.caCertificate) || undefined,
			servername: text(credential.servername) || undefined,
		},
		auth,
		tlsRequiredForLogin: exposed && security === 'starttlsOptional',
		dkim,
		clientHostname: text(credential.clientHostname) || undefined,
		timeoutsMs: {
			connection: seconds(credential.connectionTimeout, 15, 'connectionTimeout'),
			greeting: seconds(credential.greetingTimeout, 10, 'greetingTimeout'),
			socket: seconds(credential.socketTimeout, 60, 'socketTimeout'),
		},
		sender: {
			email: text(credential.fromEmail) || undefined,
			name: text(credential.fromName) || undefined,
			user: auth && userIsSender(auth.user, auth.kind === 'password' ? auth.method : undefined) ? auth.user : undefined,
		},
		rateLimit: {
			perSecond: limit(credential.rateLimitPerSecond, provider.rateLimit?.perSecond, 'rateLimitPerSecond'),
			perMinute: limit(credential.rateLimitPerMinute, provider.rateLimit?.perMinute, 'rateLimitPerMinute'),
			burst: burst(credential.rateLimitBurst),
		},
		sharedStore: sharedStore(credential),
	};
}

/** This machine: credentials sent to it never cross a network. */
export function isLoopback(host: string): boolean {
	const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
	return bare === 'localhost' || bare.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(bare) || bare === '::1' || bare === '0:0:0:0:0:0:0:1';
}

function dkimSettings(credential: ICredentialDataDecryptedObject): NonNullable<ConnectionSettings['dkim']> {
	const domainName = text(credential.dkimDomain).toLowerCase();
	const keySelector = text(credential.dkimSelector);
	const privateKey = typeof credential.dkimPrivateKey === 'string' ? credential.dkimPrivateKey.trim().replace(/\\n/g, '\n') : '';
	if (!/^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/.test(domainName)) {
		throw new CredentialSettingError('dkimDomain', `DKIM Domain "${domainName}" is not a domain name`);
	}
	if (!/^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/i.test(keySelector)) throw new CredentialSettingError('dkimSelector', 'DKIM Selector is empty or not a DNS label');
	try {
		if (createPrivateKey(privateKey).asymmetricKeyType !== 'rsa') throw new Error('not RSA');
	} catch {
		throw new CredentialSettingError('dkimPrivateKey', 'DKIM Private Key is not an RSA private key in PEM (rsa-sha256)');
	}
	return { domainName, keySelector, privateKey };
}
