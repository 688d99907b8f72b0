import type { SecurityMode } from '../../../credentials/common/providers';

/**
 * What a failure is about, which decides what it stops:
 * configuration — the settings are wrong: every message would fail alike, so the batch stops at once;
 * connection — the server cannot be reached right now: one shared reconnect for the waiting messages;
 * message — this message (its content, size or sender) was refused or interrupted;
 * recipient — one recipient was refused or deferred; the others are not affected.
 */
export type Scope = 'configuration' | 'connection' | 'message' | 'recipient';

/**
 * never — the same attempt would fail the same way;
 * transient — safe to try again (nothing was delivered);
 * ambiguous — the server may have the message already: resent only with Retry Possible Duplicates.
 */
export type RetryRule = 'never' | 'transient' | 'ambiguous';

/** What a hint may say about the connection and the failed attempt. */
export interface HintContext {
	where: string;
	host: string;
	port: number;
	security: SecurityMode;
	minTlsVersion: string;
	maxTlsVersion: string;
	serverName: string;
	proxy?: string;
	/** The provider-specific sentence for a refused login, chosen by the recogniser. */
	loginHint?: string;
	/** The SASL mechanism of the refused AUTH command. */
	mechanism?: string;
	messageMb?: string;
	serverLimitMb?: string;
	/** The Redis of Shared Limits (no password), and how long the item waited for it. */
	sharedStore?: string;
	waitedSeconds?: number;
	/** An idempotency key another send holds: since when, and when a dead holder's claim lapses. */
	idempotencyKey?: string;
	heldSince?: string;
	freeAt?: string;
}

export interface FailureKindSpec {
	scope: Scope;
	retry: RetryRule;
	/** How the kind is recognised, in the README's words. */
	recognisedBy: string;
	/** The first sentence the user reads: why it failed and what to change. */
	hint: (c: HintContext) => string;
	/** For the README's troubleshooting table. */
	cause: string;
	fix: string;
}

const spec = (s: FailureKindSpec) => s;

/** Every failure the node tells apart. The retry policy, item errors, the Test button and the README's troubleshooting table all read this table. */
export const FAILURE_KINDS = {
	tokenFailed: spec({
		scope: 'configuration',
		retry: 'never',
		recognisedBy: 'nodemailer `EOAUTH2`',
		hint: () => 'Getting an OAuth2 access token failed, so nothing was sent.',
		cause: 'the token endpoint refused: wrong client secret, revoked refresh token, scope',
		fix: 'the text after *Server said* names the step; reconnect the credential if the refresh token was revoked',
	}),
	proxyFailed: spec({
		scope: 'configuration',
		retry: 'never',
		recognisedBy: 'nodemailer `EPROXY`, or any error while a proxy is set that names the proxy or is `ECONNREFUSED`',
		hint: (c) => `The ${c.proxy ?? 'proxy'} did not open a tunnel to ${c.where}: check the proxy URL, its user and password, and that it allows connections to port ${c.port}.`,
		cause: 'proxy URL, its credentials, or it forbids the SMTP port',
		fix: 'check the Proxy field',
	}),
	hostNotFound: spec({
		scope: 'configuration',
		retry: 'never',
		recognisedBy: '`ENOTFOUND` (nodemailer `EDNS`)',
		hint: (c) => `Host "${c.host}" was not found: check the spelling, and that this machine can resolve it.`,
		cause: 'the host name does not resolve',
		fix: 'check Host',
	}),
	tlsModeMismatch: spec({
		scope: 'configuration',
		retry: 'never',
		recognisedBy: 'OpenSSL `ERR_SSL_WRONG_VERSION_NUMBER` / `ERR_SSL_PACKET_LENGTH_TOO_LONG` (plain text where TLS was expected)',
		hint: (c) => `The server on ${c.where} does not speak TLS from the first byte: it expects STARTTLS. Set Security to "STARTTLS" (usual on 587), or use port 465 for "SSL/TLS".`,
		cause: 'Security is SSL/TLS on a STARTTLS port (587 / 25 / 2525)',
		fix: 'Security → STARTTLS, or port 465',
	}),
	implicitTlsExpected: spec({
		scope: 'configuration',
		retry: 'never',
		recognisedBy: 'no greeting (nodemailer `ETIMEDOUT`, greeting) and a TLS handshake on the same port succeeds',
		hint: (c) => `Connected to ${c.where} but the server never greeted: this port expects implicit TLS (a TLS handshake there works). Set Security to "SSL/TLS" (usual on 465), or use port 587 for STARTTLS.`,
		cause: 'Security STARTTLS / None on an implicit-TLS port (465)',
		fix: 'Security → SSL/TLS, or port 587',
	}),
	certificateNameMismatch: spec({
		scope: 'configuration',
		retry: 'never',
		recognisedBy: 'Node `ERR_TLS_CERT_ALTNAME_INVALID`',
		hint: (c) => `The certificate of ${c.where} is not issued for "${c.serverName}": connect by the name on the certificate, or set TLS Server Name.`,
		cause: 'the host name differs from the certificate',
		fix: "connect by the certificate's name or set *TLS Server Name*",
	}),
	untrustedCertificate: spec({
		scope: 'configuration',
		retry: 'never',
		recognisedBy: 'OpenSSL verify codes `UNABLE_TO_VERIFY_LEAF_SIGNATURE`, `DEPTH_ZERO_SELF_SIGNED_CERT`, `SELF_SIGNED_CERT_IN_CHAIN`, `UNABLE_TO_GET_ISSUER_CERT*`, `CERT_UNTRUSTED`',
		hint: (c) => `The certificate of ${c.where} is not signed by a CA this machine trusts (self-signed or private CA). Paste the CA certificate (PEM) into "CA Certificate" rather than ignoring certificate errors.`,
		cause: 'self-signed or private CA certificate',
		fix: "paste the CA's PEM into *CA Certificate*",
	}),
	certificateExpired: spec({
		scope: 'configuration',
		retry: 'never',
		recognisedBy: 'OpenSSL verify codes `CERT_HAS_EXPIRED`, `CERT_NOT_YET_VALID`',
		hint: (c) => `The certificate of ${c.where} has expired (or is not valid yet): the server's administrator must renew it; check this machine's clock too.`,
		cause: "the server's certificate is outside its validity dates",
		fix: 'renew the certificate on the server; check the clock',
	}),
	tlsNegotiation: spec({
		scope: 'configuration',
		retry: 'never',
		recognisedBy: 'OpenSSL `ERR_SSL_*` codes for protocol version, handshake failure, no protocols or ciphers, insufficient security (TLS alerts 40, 70, 71)',
		hint: (c) => `The server on ${c.where} and this credential share no TLS version or cipher: allowed here ${c.minTlsVersion} to ${c.maxTlsVersion}. Widen Minimum / Maximum TLS Version only if you trust the network.`,
		cause: "server's TLS version or ciphers outside Minimum / Maximum TLS Version",
		fix: 'widen the range only for a trusted network',
	}),
	tlsHandshakeDropped: spec({
		scope: 'configuration',
		retry: 'never',
		recognisedBy: 'the connection closed during the TLS handshake (`ECONNRESET`, Node: "disconnected before secure TLS connection was established")',
		hint: (c) => `The server on ${c.where} closed the connection during the TLS handshake: it accepts none of the TLS versions or ciphers allowed here (${c.minTlsVersion} to ${c.maxTlsVersion}), or does not speak TLS on this port.`,
		cause: 'the server drops handshakes it cannot serve instead of answering with an alert',
		fix: 'check Minimum / Maximum TLS Version and Security',
	}),
	starttlsNotOffered: spec({
		scope: 'configuration',
		retry: 'never',
		recognisedBy: 'nodemailer `ETLS` without a reply, or with 500 / 502 (the server does not know STARTTLS)',
		hint: (c) =>
			c.security === 'starttlsOptional'
				? `${c.where} does not offer STARTTLS, and this credential logs in: the credentials would cross the network unencrypted, so nothing was sent. Use port 465 with "SSL/TLS" if the server has it — or, for a relay on a network you trust, turn on "Allow Credentials Without TLS".`
				: `${c.where} does not offer STARTTLS, and Security is "STARTTLS (Required)", so nothing was sent in plain text. Use port 465 with "SSL/TLS" if the server has it; choose "STARTTLS if Offered" or "None" only for a trusted relay.`,
		cause: 'the server cannot encrypt; nothing was sent in plain text',
		fix: 'SSL/TLS on 465 if available; otherwise *STARTTLS if Offered* / *None* for a trusted relay',
	}),
	starttlsRefused: spec({
		scope: 'configuration',
		retry: 'never',
		recognisedBy: 'nodemailer `ETLS` with a reply to STARTTLS (454, 503 …)',
		hint: (c) => `${c.where} offers STARTTLS but refused it, so nothing was sent in plain text. Ask the server's administrator; use port 465 with "SSL/TLS" if the server has it.`,
		cause: 'the server advertises STARTTLS and then refuses it',
		fix: "the server's TLS setup; port 465 with SSL/TLS",
	}),
	authRequired: spec({
		scope: 'configuration',
		retry: 'never',
		recognisedBy: 'reply 530 (enhanced 5.7.0 / 5.7.1) — the server wants a login before it takes mail',
		hint: (c) => `${c.where} wants a login before it takes mail ("Authentication required"): set Authentication to User and Password (or use the OAuth2 credential), and check that the server offers AUTH on this port after STARTTLS.`,
		cause: 'Authentication None against a server that requires a login',
		fix: 'Authentication → User and Password; check Security (many servers offer AUTH only after STARTTLS)',
	}),
	authNotOffered: spec({
		scope: 'configuration',
		retry: 'never',
		recognisedBy: 'reply 500 / 502 to AUTH (the server does not know the command)',
		hint: (c) => `The server on ${c.where} takes no login (it does not understand AUTH). If it relays mail for this machine without one, set Authentication to None; otherwise check Host and Port.`,
		cause: 'the server offers no AUTH: an anonymous relay, or the wrong host/port',
		fix: 'Authentication → None for a relay that accepts this machine; otherwise check Host and Port',
	}),
	mechanismUnsupported: spec({
		scope: 'configuration',
		retry: 'never',
		recognisedBy: 'reply 504 to AUTH, or "unrecognized / unsupported authentication"',
		hint: (c) => `The server does not support the SASL mechanism${c.mechanism ? ` ${c.mechanism}` : ''}: set SASL Mechanism to Automatic or to one the server offers.`,
		cause: 'SASL Mechanism set to one the server lacks',
		fix: 'SASL Mechanism → Automatic, or one the server lists',
	}),
	authRejected: spec({
		scope: 'configuration',
		retry: 'never',
		recognisedBy: 'nodemailer `EAUTH`, or reply 534 / 535 / 538 to AUTH (enhanced 5.7.8, 5.7.3, 5.7.139, 5.7.30, 5.7.9 choose the provider hint)',
		hint: (c) => c.loginHint ?? 'The server refused the user name or password. Check both, and the SASL mechanism if the server wants a specific one.',
		cause: '535 and friends',
		fix: 'Gmail: App Password; SendGrid: user `apikey`; SES: SMTP credentials; M365 `5.7.139`: enable SMTP AUTH; `5.7.30`: use OAuth2',
	}),
	connectionRefused: spec({
		scope: 'connection',
		retry: 'transient',
		recognisedBy: '`ECONNREFUSED`',
		hint: (c) => `Nothing accepts connections on ${c.where}: check the host and port (587 for STARTTLS, 465 for implicit TLS), or the server is down.`,
		cause: 'wrong port or server down',
		fix: 'check host and port',
	}),
	connectionTimeout: spec({
		scope: 'connection',
		retry: 'transient',
		recognisedBy: 'nodemailer `ETIMEDOUT` while connecting',
		hint: (c) => `No answer from ${c.where} in time: a firewall may block the port (outbound port 25 is blocked by most clouds and ISPs — use 587 or 465), or the host is wrong.`,
		cause: 'firewall; outbound port 25 is blocked by most clouds',
		fix: 'use 587 or 465',
	}),
	greetingTimeout: spec({
		scope: 'connection',
		retry: 'transient',
		recognisedBy: 'nodemailer `ETIMEDOUT` waiting for the greeting, where a TLS handshake does not work either',
		hint: (c) =>
			c.security === 'tls'
				? `Connected to ${c.where} but the server never greeted: it may be overloaded or filtering this client.`
				: `Connected to ${c.where} but the server never greeted: it may be overloaded or filtering this client (a port that expects implicit TLS is ruled out: a TLS handshake there does not work either).`,
		cause: 'the server accepts connections but does not answer',
		fix: 'try later; ask the server administrator',
	}),
	serviceUnavailable: spec({
		scope: 'connection',
		retry: 'transient',
		recognisedBy: 'reply 421 (the server closes the session)',
		hint: (c) => `${c.where} is not taking mail right now (421): it will be tried again.`,
		cause: 'the server is busy or shutting down',
		fix: 'nothing: retried; lower the rate if it keeps happening',
	}),
	connectionReset: spec({
		scope: 'connection',
		retry: 'transient',
		recognisedBy: '`ECONNRESET` / `EPIPE` / nodemailer `ECONNECTION` before the greeting',
		hint: (c) => `${c.where} closed the connection before greeting.`,
		cause: 'the server or a firewall closed the connection at once',
		fix: 'check host and port; try later',
	}),
	messageTooLarge: spec({
		scope: 'message',
		retry: 'never',
		recognisedBy: 'the size checked against the server\'s SIZE before MAIL FROM, or reply 552 / enhanced 5.3.4',
		hint: (c) =>
			c.serverLimitMb
				? `${c.messageMb ? `The message is ${c.messageMb} MB once encoded; the` : 'The'} server accepts at most ${c.serverLimitMb} MB (its SIZE limit), so it was not sent: send smaller or fewer attachments, or a link to them.`
				: 'The server refused the message as too large: send smaller attachments or a link.',
		cause: "the message exceeds the server's SIZE limit",
		fix: 'smaller or fewer attachments, or a link',
	}),
	addressNotSupported: spec({
		scope: 'message',
		retry: 'never',
		recognisedBy: 'a non-ASCII local part for a server without SMTPUTF8 (checked before MAIL FROM)',
		hint: () => 'The server does not offer SMTPUTF8, so it cannot take an address with non-ASCII characters before the @ (RFC 6531); nothing was sent. Use an ASCII address for this recipient.',
		cause: 'an address like jöran@… and a server without SMTPUTF8',
		fix: 'an ASCII address',
	}),
	senderRefused: spec({
		scope: 'message',
		retry: 'never',
		recognisedBy: 'a 5xx reply to MAIL FROM',
		hint: () => 'The server refused the sender: check that this account may send as the From address.',
		cause: 'the account may not send as this From',
		fix: 'a From the account may use',
	}),
	recipientRefused: spec({
		scope: 'recipient',
		retry: 'never',
		recognisedBy: 'a 5xx reply to RCPT TO',
		hint: () => 'The server refused every recipient: check the addresses.',
		cause: 'no such mailbox, or relaying denied',
		fix: 'check the addresses; they are in `rejectedReplies` with each reply',
	}),
	recipientDeferred: spec({
		scope: 'recipient',
		retry: 'transient',
		recognisedBy: 'a 4xx reply to RCPT TO',
		hint: () => 'The server asked to try these recipients again later (temporary failure).',
		cause: 'mailbox busy or full, greylisting, rate limit',
		fix: 'nothing: retried alone, the other recipients are not asked again',
	}),
	messageDeferred: spec({
		scope: 'message',
		retry: 'transient',
		recognisedBy: 'a 4xx reply to MAIL FROM, DATA or the final dot; 503 (bad sequence of commands)',
		hint: () => 'The server asked to try this message again later (temporary failure).',
		cause: 'a temporary problem on the server',
		fix: 'nothing: retried',
	}),
	messageRefused: spec({
		scope: 'message',
		retry: 'never',
		recognisedBy: 'a 5xx reply to DATA or the final dot',
		hint: () => 'The server refused the message permanently.',
		cause: 'content or policy (spam filter, DMARC, …)',
		fix: "read the server's reply",
	}),
	connectionLost: spec({
		scope: 'message',
		retry: 'transient',
		recognisedBy: '`ECONNRESET` / `EPIPE` / nodemailer `ECONNECTION`, `ESOCKET`, `ETIMEDOUT` after the greeting, before the message was complete (or while writing it: a failed write means its end never arrived)',
		hint: (c) => `The connection to ${c.where} was lost before the message was complete; nothing was delivered.`,
		cause: 'the network or the server dropped the connection',
		fix: 'nothing: retried',
	}),
	connectionLostAfterData: spec({
		scope: 'message',
		retry: 'ambiguous',
		recognisedBy: 'the connection failed after the whole message went out, before the reply',
		hint: (c) => `The connection to ${c.where} was lost after the whole message went out, before the server answered: it may have been delivered.`,
		cause: 'the connection dropped at the worst moment',
		fix: 'check `unknown` recipients; *Retry Possible Duplicates* resends them',
	}),
	sharedStoreUnavailable: spec({
		scope: 'configuration',
		retry: 'never',
		recognisedBy: 'the Redis of *Shared Limits* stayed unreachable for 30 s, or refused the login or a command, while a message waited for its permit',
		hint: (c) =>
			`The Redis of Shared Limits (${c.sharedStore ?? 'Redis'}) could not be used${c.waitedSeconds ? ` for ${c.waitedSeconds} s` : ''}, so this message was not sent: no mail goes out unthrottled. Check that Redis runs and is reachable from every n8n process, and the Redis URL, password and TLS settings of the credential.`,
		cause: 'Redis is down or unreachable, or its password or TLS setting is wrong',
		fix: 'start Redis / fix *Redis URL*, *Redis Password*, *Redis TLS*; the Test button checks them',
	}),
	idempotencyKeyHeld: spec({
		scope: 'message',
		retry: 'never',
		recognisedBy: "the item's *Idempotency Key* is claimed by another send that has not finished",
		hint: (c) =>
			`Idempotency key "${c.idempotencyKey ?? ''}" is held by another send since ${c.heldSince ?? 'a moment ago'}, so this mail was not sent a second time. If that execution is still running, it sends the mail; if its process died mid-send, the mail may have gone out, and the key is free again at ${c.freeAt ?? 'the end of the hold'}.`,
		cause: 'the same key in two executions at once, or a retry right after a worker died mid-send',
		fix: "nothing if the other execution finishes; after a crash, check the recipient's mailbox before retrying once the key is free",
	}),
	cancelled: spec({
		scope: 'message',
		retry: 'never',
		recognisedBy: 'nodemailer `EABORT` (the execution was cancelled)',
		hint: () => 'The execution was cancelled before this message was sent.',
		cause: 'the execution was stopped',
		fix: '—',
	}),
	withdrawn: spec({
		scope: 'message',
		retry: 'never',
		recognisedBy: 'an earlier item failed without *Continue On Fail*, before a connection took this message',
		hint: () => 'An earlier item failed and the execution stops with its error, so this message was not sent (no connection had taken it).',
		cause: 'another item of the execution failed',
		fix: 'fix that item; a retry of the execution sends this one',
	}),
	unknown: spec({
		scope: 'message',
		retry: 'never',
		recognisedBy: 'anything else',
		hint: () => 'The SMTP exchange failed.',
		cause: 'unexpected',
		fix: "read *Server said*",
	}),
} as const;

export type FailureKind = keyof typeof FAILURE_KINDS;
