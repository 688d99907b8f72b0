import type { INodeProperties, Icon } from 'n8n-workflow';

import type { ProviderPreset, SecurityMode } from './providers';
import { SENDER_USER_PATTERN } from './sender';

/**
 * Connection fields shared by every SMTP Connector credential: server, security, TLS, EHLO name,
 * timeouts and default sender. Each credential adds its own provider and login fields.
 */

const SECURITY_OPTIONS: Array<{ name: string; value: SecurityMode; description: string }> = [
	{
		name: 'STARTTLS (Required)',
		value: 'starttls',
		description: 'Connect in plain text and upgrade with STARTTLS; fail if the server does not offer it. Usual on port 587.',
	},
	{
		name: 'SSL/TLS (Implicit TLS)',
		value: 'tls',
		description: 'TLS from the first byte (SMTPS). Usual on port 465.',
	},
	{
		name: 'STARTTLS if Offered',
		value: 'starttlsOptional',
		description: 'Upgrade with STARTTLS when the server offers it, otherwise continue unencrypted',
	},
	{
		name: 'None (Plain Text)',
		value: 'none',
		description: 'Never encrypt. Only for a relay on a trusted network.',
	},
];

const TLS_VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'].map((v) => ({ name: v, value: v }));

const encrypted = { hide: { security: ['none'] } };

export const securityField: INodeProperties = {
	displayName: 'Security',
	name: 'security',
	type: 'options',
	options: SECURITY_OPTIONS,
	default: 'starttls',
};

/**
 * Empty means "the usual port of the security mode". n8n's credential form fills every field with its
 * first declared default, so a per-mode default cannot follow the Security choice; a placeholder can.
 */
export const portField: INodeProperties = {
	displayName: 'Port',
	name: 'port',
	type: 'string',
	default: '',
	placeholder: 'Usual port of the security mode: 587 / 465 / 25',
	description: 'Leave empty for 587 (STARTTLS), 465 (SSL/TLS) or 25 (None); set it for 2525, 2587 and other ports',
};

/** Notices for the mismatch users hit most ("wrong version number", "greeting never received"). */
export const portSecurityNotices: INodeProperties[] = [
	{
		displayName: 'Port 587, 25 and 2525 expect STARTTLS: choose "STARTTLS (Required)" for them, or port 465 for SSL/TLS',
		name: 'noticeImplicitTlsOnStarttlsPort',
		type: 'notice',
		default: '',
		displayOptions: { show: { security: ['tls'], port: ['587', '25', '2525', '2587'] } },
	},
	{
		displayName: 'Port 465 expects SSL/TLS from the first byte: choose "SSL/TLS (Implicit TLS)" for it, or port 587 for STARTTLS',
		name: 'noticeStarttlsOnImplicitTlsPort',
		type: 'notice',
		default: '',
		displayOptions: { show: { security: ['starttls', 'starttlsOptional', 'none'], port: ['465', '2465'] } },
	},
];

export const tlsFields: INodeProperties[] = [
	{
		displayName: 'Minimum TLS Version',
		name: 'minTlsVersion',
		type: 'options',
		options: TLS_VERSIONS,
		default: 'TLSv1.2',
		displayOptions: encrypted,
	},
	{
		displayName: 'Maximum TLS Version',
		name: 'maxTlsVersion',
		type: 'options',
		options: TLS_VERSIONS,
		default: 'TLSv1.3',
		displayOptions: encrypted,
	},
	{
		displayName: 'CA Certificate',
		name: 'caCertificate',
		type: 'string',
		// A CA certificate is public: shown as text, so a pasted PEM can be checked.
		typeOptions: { rows: 4 },
		default: '',
		placeholder: '-----BEGIN CERTIFICATE-----',
		description:
			"PEM certificate(s) of a private CA to trust in addition to the public ones — the safe alternative to ignoring certificate errors",
		displayOptions: encrypted,
	},
	{
		displayName: 'Ignore Certificate Errors',
		name: 'allowUnauthorizedCerts',
		type: 'boolean',
		default: false,
		description:
			'Whether to accept a certificate that cannot be verified. Anyone on the network path can then read the mail and the password; prefer CA Certificate.',
		displayOptions: encrypted,
	},
	{
		displayName: 'TLS Server Name (SNI)',
		name: 'servername',
		type: 'string',
		default: '',
		description: 'Name to send in SNI and to check the certificate against, when it differs from the host (e.g. connecting by IP address)',
		displayOptions: encrypted,
	},
];

export const connectionTuningFields: INodeProperties[] = [
	{
		displayName: 'Proxy',
		name: 'proxy',
		type: 'string',
		typeOptions: { password: true },
		default: '',
		placeholder: 'http://user:password@proxy.example.com:3128',
		description: 'Connect through an HTTP CONNECT or SOCKS5 proxy (http://, https://, socks5://), with user and password in the URL if it needs them',
	},
	{
		displayName: 'Client Hostname (EHLO)',
		name: 'clientHostname',
		type: 'string',
		default: '',
		description: 'Name to announce in EHLO. Leave empty to use the machine hostname.',
	},
	{
		displayName: 'Connection Timeout (Seconds)',
		name: 'connectionTimeout',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 15,
		description: 'How long to wait for the TCP (and implicit TLS) connection',
	},
	{
		displayName: 'Greeting Timeout (Seconds)',
		name: 'greetingTimeout',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 10,
		description: "How long to wait for the server's greeting after connecting",
	},
	{
		displayName: 'Socket Timeout (Seconds)',
		name: 'socketTimeout',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 60,
		description: 'How long an established connection may stay silent before it is dropped',
	},
];

export const senderFields: INodeProperties[] = [
	{
		displayName: 'Default From Email',
		name: 'fromEmail',
		type: 'string',
		placeholder: 'name@email.com',
		default: '',
		description: 'Sender address used when the node leaves From Email empty. Empty: the User above, when it is one email address and not an NTLM login.',
	},
	{
		displayName: 'Default From Name',
		name: 'fromName',
		type: 'string',
		default: '',
		description: 'Sender name used when the node leaves From Name empty',
	},
];

const signing = { show: { dkim: [true] } };

/** Optional DKIM signature (RFC 6376) made here, for relays that do not sign. */
export const dkimFields: INodeProperties[] = [
	{
		displayName: 'DKIM Signing',
		name: 'dkim',
		type: 'boolean',
		default: false,
		description: 'Whether to sign every message with DKIM here. Not needed when the provider signs for you (Gmail, Microsoft 365, SES with Easy DKIM).',
	},
	{
		displayName: 'DKIM Domain',
		name: 'dkimDomain',
		type: 'string',
		default: '',
		placeholder: 'example.com',
		description: 'The signing domain (d=); usually the domain of the From address',
		displayOptions: signing,
	},
	{
		displayName: 'DKIM Selector',
		name: 'dkimSelector',
		type: 'string',
		default: '',
		placeholder: 'mail2026',
		description: 'The selector (s=): the public key is published at <selector>._domainkey.<domain>',
		displayOptions: signing,
	},
	{
		displayName: 'DKIM Private Key',
		name: 'dkimPrivateKey',
		type: 'string',
		typeOptions: { password: true, rows: 4 },
		default: '',
		placeholder: '-----BEGIN PRIVATE KEY-----',
		description: 'RSA private key in PEM (signatures are rsa-sha256, relaxed/relaxed)',
		displayOptions: signing,
	},
];

type Conditions = NonNullable<NonNullable<INodeProperties['displayOptions']>['hide']>;

const FILL_SENDER = 'Fill Default From Email at the end of this form, or From Email in every node.';

/** A User that may send (credentials/common/sender.ts), or one given as an expression, which is trusted. */
export const userMaySend: Conditions = { user: ['', { _cnd: { regex: SENDER_USER_PATTERN } }, { _cnd: { startsWith: '=' } }] };

/**
 * A notice under the login fields while no sender can be derived, so that a first run does not fail for
 * it: shown for `show` unless Default From Email is filled or `hide` holds. Conditions that must hide it
 * stand under `hide`, which n8n checks even where a field holds an expression (a `show` condition on an
 * expression always shows).
 */
export function noSenderNotice(name: string, why: string, show: Conditions | undefined, hide: Conditions = {}): INodeProperties {
	return {
		displayName: `No sender yet: ${why} ${FILL_SENDER}`,
		name,
		type: 'notice',
		default: '',
		displayOptions: { ...(show ? { show } : {}), hide: { fromEmail: [{ _cnd: { exists: true } }], ...hide } },
	};
}

export const USER_NOT_AN_ADDRESS = 'the node sends as User only when it is one email address.';

/** The Redis fields, shown once Shared Limits is Redis. */
const sharedInRedis = { show: { sharedLimits: ['redis'] } };

/** Empty means the provider's own limit (Microsoft 365: 30 per minute, SES sandbox: 1 per second). */
export const sendingLimitFields: INodeProperties[] = [
	{
		displayName: 'Max Messages per Second',
		name: 'rateLimitPerSecond',
		type: 'string',
		default: '',
		placeholder: "Provider's limit (0 = no limit)",
		description:
			"Messages this account may send per second, counted where Shared Limits says (this n8n process, or every process using the same Redis). Leave empty for the provider's limit.",
	},
	{
		displayName: 'Max Messages per Minute',
		name: 'rateLimitPerMinute',
		type: 'string',
		default: '',
		placeholder: "Provider's limit (0 = no limit)",
		description:
			"Messages this account may send per minute, counted where Shared Limits says (this n8n process, or every process using the same Redis). Leave empty for the provider's limit.",
	},
	{
		displayName: 'Burst',
		name: 'rateLimitBurst',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 1,
		description:
			'Messages that may go out back to back under Max Messages per Minute. Sending is spread evenly over the minute (60 per minute: about one a second); a burst of 5 lets 5 leave at once and paces the rest, so no 60-second span holds more than the limit. Per-second limits are always evenly spaced.',
	},
	{
		displayName: 'Shared Limits',
		name: 'sharedLimits',
		type: 'options',
		options: [
			{ name: 'This n8n Process Only', value: 'process', description: 'Each n8n process (each queue-mode worker) counts on its own' },
			{ name: 'Redis (All n8n Processes)', value: 'redis', description: 'Every process using this Redis shares one count per account: use this in queue mode' },
		],
		default: 'process',
		description: 'Where the sending limits are counted',
	},
	{
		displayName: 'Redis URL',
		name: 'redisUrl',
		type: 'string',
		default: '',
		placeholder: 'redis://127.0.0.1:6379/0',
		description: 'redis:// or rediss:// (TLS) URL of the Redis that all n8n processes reach; the one n8n queue mode uses will do',
		displayOptions: sharedInRedis,
	},
	{
		displayName: 'Redis Password',
		name: 'redisPassword',
		type: 'string',
		typeOptions: { password: true },
		default: '',
		description: 'Leave empty when Redis has no password or the URL carries it',
		displayOptions: sharedInRedis,
	},
	{
		displayName: 'Redis TLS',
		name: 'redisTls',
		type: 'boolean',
		default: false,
		description: 'Whether to connect to Redis over TLS (a rediss:// URL turns it on too)',
		displayOptions: sharedInRedis,
	},
	{
		displayName: 'Redis Key Prefix',
		name: 'redisKeyPrefix',
		type: 'string',
		default: 'n8n-smtp-connector:',
		description: 'Start of every key this node writes, so it shares a Redis with n8n and other apps without clashing',
		displayOptions: sharedInRedis,
	},
];

export const credentialIcon: Icon = {
	light: 'file:../nodes/SmtpConnector/smtpConnector.svg',
	dark: 'file:../nodes/SmtpConnector/smtpConnector.dark.svg',
};

export function providerField(providers: readonly ProviderPreset[], defaultId: string): INodeProperties {
	return {
		displayName: 'Provider',
		name: 'provider',
		type: 'options',
		options: providers.map((p) => ({ name: p.name, value: p.id })),
		default: defaultId,
		description: 'Supplies host, port and security for a known provider; you can still change them',
	};
}

/** Without it, a login is refused on a connection that may be unencrypted to a host that is not this machine. */
export const allowCredentialsWithoutTlsField: INodeProperties = {
	displayName: 'Allow Credentials Without TLS',
	name: 'allowCredentialsWithoutTls',
	type: 'boolean',
	default: false,
	description:
		'Whether to log in even when the connection is not encrypted, sending the password or token readable by anyone on the network. Only for a relay on a network you trust; not needed for localhost.',
	// Only fields every credential has: n8n 1.x cannot resolve a condition on a field a credential lacks.
	displayOptions: { show: { security: ['none', 'starttlsOptional'] } },
};

/**
 * Everything after the login fields, in the same order in every credential. `noLoginWhen` names the
 * values of that credential's own fields for which it sends no credentials at all.
 */
export const connectionFieldsAfterLogin = (noLoginWhen?: Record<string, string[]>): INodeProperties[] => [
	noLoginWhen ? { ...allowCredentialsWithoutTlsField, displayOptions: { ...allowCredentialsWithoutTlsField.displayOptions, hide: noLoginWhen } } : allowCredentialsWithoutTlsField,
	...tlsFields,
	...connectionTuningFields,
	...sendingLimitFields,
	...senderFields,
	...dkimFields,
];
