import { classify } from '../delivery/retry';
import { megabytes } from '../message/size';
import { describeProxy } from '../transport/proxy';
import type { ConnectionSettings } from '../transport/settings';

/** What went wrong, in the user's terms. One table serves the Test button and failed sends. */
export type FailureKind =
	| 'tlsModeMismatch'
	| 'greetingTimeout'
	| 'untrustedCertificate'
	| 'certificateNameMismatch'
	| 'tlsVersion'
	| 'starttlsNotOffered'
	| 'authRejected'
	| 'authNotOffered'
	| 'connectionRefused'
	| 'connectionTimeout'
	| 'hostNotFound'
	| 'proxyFailed'
	| 'tokenFailed'
	| 'recipientRejected'
	| 'messageTooLarge'
	| 'addressNotSupported'
	| 'temporary'
	| 'rejected'
	| 'connectionLost'
	| 'unknown';

export interface Diagnosis {
	kind: FailureKind;
	/** Why it failed and what to do, in one or two sentences. */
	hint: string;
	/** The server's reply or the raw error, for the record. */
	detail: string;
	smtpCode?: number;
	/** A 4xx reply or a dropped connection: the same message may go through later. */
	transient: boolean;
}

interface SmtpError {
	message?: string;
	/** Encoded size of the message, when the delivery layer measured it. */
	messageSize?: number;
	/** Set by the SMTPUTF8 check: a non-ASCII address for a server that does not offer SMTPUTF8. */
	smtpUtf8Missing?: boolean;
	code?: string;
	originalCode?: string;
	response?: string;
	responseCode?: number;
	command?: string;
}

type Context = Pick<ConnectionSettings, 'host' | 'port' | 'security' | 'provider' | 'tls' | 'proxy'>;

const CERT_UNTRUSTED =
	/self[- ]signed certificate|unable to verify the first certificate|unable to get (local )?issuer certificate|certificate has expired|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT|CERT_HAS_EXPIRED/i;
const TLS_VERSION =
	/unsupported protocol|no protocols available|protocol version|ERR_SSL_UNSUPPORTED_PROTOCOL|ERR_SSL_NO_PROTOCOLS_AVAILABLE|TLSV1_ALERT_PROTOCOL_VERSION|version too low|wrong ssl version/i;
const WRONG_TLS_MODE = /wrong version number|WRONG_VERSION_NUMBER|packet length too long|unknown protocol|http request/i;

function authHint(error: SmtpError, context: Context): string {
	const reply = error.response ?? '';
	if (/XOAUTH2|OAUTHBEARER/i.test(error.command ?? '')) {
		if (context.provider.id === 'microsoft365AppOnly') {
			return 'Microsoft 365 refused the app-only token: the app needs the SMTP.SendAsApp permission with admin consent, its service principal registered in Exchange Online (New-ServicePrincipal), and FullAccess to this mailbox (Add-MailboxPermission); SMTP AUTH must be enabled for the mailbox.';
		}
		if (context.provider.id === 'microsoft365') {
			return 'Microsoft 365 refused the token: the app needs the delegated SMTP.Send permission, the account you connected must be this mailbox (or have Send As), and SMTP AUTH must be enabled for the mailbox.';
		}
		if (context.provider.id === 'google') {
			return 'Google refused the token: the credential must be connected with the scope https://mail.google.com/ as this mailbox.';
		}
		return 'The server refused the OAuth2 token, even after getting a new one: check the scope and that the token is for this mailbox.';
	}
	if (error.responseCode === 504 || /unrecognized authentication|unsupported authentication|mechanism not supported/i.test(reply)) {
		const mechanism = /^AUTH\s+(\S+)/i.exec(error.command ?? '')?.[1];
		return `The server does not support the SASL mechanism${mechanism ? ` ${mechanism}` : ''}: set SASL Mechanism to Automatic or to one the server offers.`;
	}
	if (/5\.7\.139|SmtpClientAuthentication is disabled/i.test(reply)) {
		return 'Microsoft 365 has SMTP AUTH switched off for this mailbox or tenant: an admin must enable "Authenticated SMTP" for the mailbox — or use the OAuth2 credential.';
	}
	if (/5\.7\.30|Basic authentication is not supported/i.test(reply)) {
		return 'Microsoft 365 no longer accepts passwords (basic authentication) here: use the SMTP Connector OAuth2 credential.';
	}
	if (/5\.7\.9|application-specific password/i.test(reply)) {
		return 'Google requires an App Password: turn on 2-Step Verification and create one for this account.';
	}
	const byProvider: Record<string, string> = {
		gmail: 'Google refused the login: use an App Password (needs 2-Step Verification), not the account password.',
		microsoft365: 'Microsoft 365 refused the login: check the password and that SMTP AUTH is enabled for the mailbox; basic authentication is being switched off — use OAuth2.',
		sendgrid: 'SendGrid refused the login: the user must be literally "apikey" and the password an API key with Mail Send permission.',
		ses: 'Amazon SES refused the login: use the SES SMTP credentials (SES console → SMTP settings), not the IAM access key, and the same region as the host.',
		mailgun: "Mailgun refused the login: use the sending domain's SMTP credentials and the right region (US or EU).",
		postmark: 'Postmark refused the login: use the Server API token as both user and password.',
	};
	return (
		byProvider[context.provider.id] ??
		'The server refused the user name or password. Check both, and the SASL mechanism if the server wants a specific one.'
	);
}

function explain(error: SmtpError, context: Context): Omit<Diagnosis, 'detail' | 'smtpCode' | 'transient'> {
	const text = `${error.message ?? ''} ${error.originalCode ?? ''}`;
	const where = `${context.host}:${context.port}`;
	const code = error.responseCode;
	const sys = error.originalCode ?? error.code;

	if (error.code === 'EOAUTH2' || error.originalCode === 'EOAUTH2') {
		return { kind: 'tokenFailed', hint: 'Getting an OAuth2 access token failed, so nothing was sent.' };
	}
	if (context.proxy && (error.code === 'EPROXY' || /proxy|socks/i.test(text) || sys === 'ECONNREFUSED')) {
		return {
			kind: 'proxyFailed',
			hint: `The ${describeProxy(context.proxy)} did not open a tunnel to ${where}: check the proxy URL, its user and password, and that it allows connections to port ${context.port}.`,
		};
	}
	if (sys === 'ENOTFOUND' || sys === 'EAI_AGAIN' || error.code === 'EDNS') {
		return { kind: 'hostNotFound', hint: `Host "${context.host}" was not found: check the spelling, and that this machine can resolve it.` };
	}
	if (sys === 'ECONNREFUSED') {
		return { kind: 'connectionRefused', hint: `Nothing accepts connections on ${where}: check the host and port (587 for STARTTLS, 465 for implicit TLS).` };
	}
	if (WRONG_TLS_MODE.test(text)) {
		return {
			kind: 'tlsModeMismatch',
			hint: `The server on ${where} does not speak TLS from the first byte: it expects STARTTLS. Set Security to "STARTTLS" (usual on 587), or use port 465 for "SSL/TLS".`,
		};
	}
	if (/Greeting never received/i.test(text)) {
		return {
			kind: 'greetingTimeout',
			hint:
				context.security === 'tls'
					? `Connected to ${where} but the server never greeted: it may be overloaded or filtering this client.`
					: `Connected to ${where} but the server never greeted: this port probably expects implicit TLS. Set Security to "SSL/TLS" (usual on 465), or use port 587 for STARTTLS.`,
		};
	}
	if (/ERR_TLS_CERT_ALTNAME_INVALID|does not match certificate|Hostname\/IP does not match/i.test(text)) {
		return {
			kind: 'certificateNameMismatch',
			hint: `The certificate of ${where} is not issued for "${context.tls.servername ?? context.host}": connect by the name on the certificate, or set TLS Server Name.`,
		};
	}
	if (CERT_UNTRUSTED.test(text)) {
		return {
			kind: 'untrustedCertificate',
			hint: `The certificate of ${where} is not signed by a CA this machine trusts (self-signed or private CA). Paste the CA certificate (PEM) into "CA Certificate" rather than ignoring certificate errors.`,
		};
	}
	if (TLS_VERSION.test(text)) {
		return {
			kind: 'tlsVersion',
			hint: `The server on ${where} and this credential share no TLS version: allowed here ${context.tls.minVersion} to ${context.tls.maxVersion}. Widen Minimum / Maximum TLS Version only if you trust the network.`,
		};
	}
	if (/STARTTLS/i.test(error.command ?? '') || /upgrading connection with STARTTLS|does not support required STARTTLS/i.test(text)) {
		if (context.security === 'starttlsOptional') {
			return {
				kind: 'starttlsNotOffered',
				hint: `${where} does not offer STARTTLS, and this credential logs in: the credentials would cross the network unencrypted, so nothing was sent. Use port 465 with "SSL/TLS" if the server has it — or, for a relay on a network you trust, turn on "Allow Credentials Without TLS".`,
			};
		}
		return {
			kind: 'starttlsNotOffered',
			hint: `${where} does not offer STARTTLS, and Security is "STARTTLS (Required)", so nothing was sent in plain text. Use port 465 with "SSL/TLS" if the server has it; choose "STARTTLS if Offered" or "None" only for a trusted relay.`,
		};
	}
	if (/^AUTH/i.test(error.command ?? '') && (code === 500 || code === 502)) {
		return {
			kind: 'authNotOffered',
			hint: `The server on ${where} takes no login (it does not understand AUTH). If it relays mail for this machine without one, set Authentication to None; otherwise check Host and Port.`,
		};
	}
	if (error.code === 'EAUTH' || (code !== undefined && code >= 530 && code <= 535) || /^AUTH/i.test(error.command ?? '')) {
		return { kind: 'authRejected', hint: authHint(error, context) };
	}
	if (error.code === 'ETIMEDOUT' || sys === 'ETIMEDOUT' || /timeout/i.test(text)) {
		return {
			kind: 'connectionTimeout',
			hint: `No answer from ${where} in time: a firewall may block the port (outbound port 25 is blocked by most clouds and ISPs — use 587 or 465), or the host is wrong.`,
		};
	}
	const sizeLimit = /larger than allowed (\d+)/i.exec(text);
	if (sizeLimit) {
		const size = error.messageSize ? `The message is ${megabytes(error.messageSize)} MB once encoded; the` : 'The';
		return {
			kind: 'messageTooLarge',
			hint: `${size} server accepts at most ${megabytes(Number(sizeLimit[1]))} MB (its SIZE limit), so it was not sent: send smaller or fewer attachments, or a link to them.`,
		};
	}
	if (code === 552 || /message size|too large/i.test(text)) {
		return { kind: 'messageTooLarge', hint: 'The server refused the message as too large: send smaller attachments or a link.' };
	}
	if (error.smtpUtf8Missing) {
		return {
			kind: 'addressNotSupported',
			hint: 'The server does not offer SMTPUTF8, so it cannot take an address with non-ASCII characters before the @ (RFC 6531); nothing was sent. Use an ASCII address for this recipient.',
		};
	}
	if (error.code === 'EENVELOPE' && code !== undefined && code >= 500) {
		return { kind: 'recipientRejected', hint: 'The server refused the sender or every recipient: check the addresses and that this account may send as the From address.' };
	}
	if (code !== undefined && code >= 400 && code < 500) {
		return { kind: 'temporary', hint: 'The server asked to try again later (temporary failure).' };
	}
	if (code !== undefined && code >= 500) {
		return { kind: 'rejected', hint: 'The server refused the message permanently.' };
	}
	if (error.code === 'ECONNECTION' || error.code === 'ESOCKET' || sys === 'ECONNRESET' || sys === 'EPIPE') {
		return { kind: 'connectionLost', hint: `The connection to ${where} was closed unexpectedly.` };
	}
	return { kind: 'unknown', hint: 'The SMTP exchange failed.' };
}

export function diagnose(error: unknown, context: Context): Diagnosis {
	const e: SmtpError = error && typeof error === 'object' ? (error as SmtpError) : { message: String(error) };
	const { kind, hint } = explain(e, context);
	const transient = classify(error) !== 'permanent';
	return {
		kind,
		hint,
		// A token error raised mid-login carries the last SMTP reply too; the endpoint's words come first.
		detail: (kind === 'tokenFailed' ? e.message : e.response) ?? e.message ?? String(error),
		smtpCode: e.responseCode,
		transient,
	};
}

/** The sentence a user reads: the hint first, then the server's own words. */
export function explainToUser(diagnosis: Diagnosis): string {
	return `${diagnosis.hint} Server said: ${diagnosis.detail}`;
}
