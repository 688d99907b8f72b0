import { IdempotencyKeyHeld } from '../coordination/idempotency';
import { SharedStoreUnavailable } from '../coordination/redis';
import { megabytes } from '../message/size';
import { describeProxy } from '../transport/proxy';
import type { ConnectionSettings } from '../transport/settings';
import { SmtpUtf8Missing } from '../transport/smtpUtf8';
import { WithdrawnAfterFailure } from '../delivery/withdrawn';
import { answersTls } from '../transport/tlsProbe';
import { FAILURE_KINDS, type FailureKind, type HintContext } from './kinds';
import { loginHint } from './loginHints';
import { SmtpFailure } from './failure';

/** What the attempt knew besides the error: how far the message got, what a TLS probe found. */
export interface AttemptFacts {
	/** The whole message went out to the server (the final dot included). */
	bodySent?: boolean;
	/** A TLS handshake on the same port succeeded after the plain connection got no greeting. */
	implicitTlsAnswered?: boolean;
	/** Encoded size of the message, in bytes. */
	messageSize?: number;
}

export type FailureContext = Pick<ConnectionSettings, 'host' | 'port' | 'security' | 'provider' | 'tls' | 'proxy'> & AttemptFacts;

/** An error as nodemailer, Node and OpenSSL describe it, read once. */
interface Facts {
	code?: string;
	/** The system or OpenSSL code underneath: ECONNREFUSED, ERR_SSL_…, CERT_HAS_EXPIRED … */
	systemCode?: string;
	command: string;
	reply?: number;
	enhanced?: string;
	response?: string;
	text: string;
	timeoutType?: string;
	/** The server's SIZE limit, when nodemailer refused the message against it. */
	serverSizeLimit?: number;
	/** A write to the socket failed: what followed it, the end of the message included, never reached the server (TCP delivers in order). */
	writeFailed: boolean;
}

interface RawError {
	message?: string;
	code?: string;
	originalCode?: string;
	response?: string;
	responseCode?: number;
	command?: string;
	timeoutType?: string;
	syscall?: string;
}

// nodemailer's own codes; any other code on an error is the system's or OpenSSL's.
const NODEMAILER_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ETLS', 'EREQUIRETLS', 'EPROTOCOL', 'EENVELOPE', 'EMESSAGE', 'ESTREAM', 'EABORT', 'EAUTH', 'ENOAUTH', 'EOAUTH2', 'EPROXY', 'ECONFIG', 'EMAXLIMIT']);

function factsOf(error: unknown): Facts {
	const e: RawError = error && typeof error === 'object' ? (error as RawError) : { message: String(error) };
	const response = e.response;
	return {
		code: e.code,
		systemCode: e.originalCode ?? (e.code && !NODEMAILER_CODES.has(e.code) ? e.code : undefined),
		command: e.command ?? '',
		reply: e.responseCode,
		enhanced: /^\d{3}[ -]([245]\.\d{1,3}\.\d{1,3})\b/.exec(response ?? '')?.[1],
		response,
		text: e.message ?? String(error),
		timeoutType: e.timeoutType,
		serverSizeLimit: Number(/larger than allowed (\d+)/i.exec(e.message ?? '')?.[1]) || undefined,
		writeFailed: e.syscall === 'write',
	};
}

const UNTRUSTED = new Set([
	'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
	'DEPTH_ZERO_SELF_SIGNED_CERT',
	'SELF_SIGNED_CERT_IN_CHAIN',
	'UNABLE_TO_GET_ISSUER_CERT',
	'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
	'CERT_UNTRUSTED',
	'CERT_SIGNATURE_FAILURE',
]);
const EXPIRED = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);
const PLAIN_WHERE_TLS = new Set(['ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_PACKET_LENGTH_TOO_LONG', 'ERR_SSL_HTTP_REQUEST']);
/** TLS versions or ciphers that do not meet: alerts 40 (handshake failure), 70 (protocol version), 71 (insufficient security), and the client's own refusals. */
const NO_SHARED_TLS =
	/^ERR_SSL_(SSLV3_ALERT_HANDSHAKE_FAILURE|TLSV1_ALERT_PROTOCOL_VERSION|TLSV1_ALERT_INSUFFICIENT_SECURITY|UNSUPPORTED_PROTOCOL|NO_PROTOCOLS_AVAILABLE|NO_SHARED_CIPHER|NO_CIPHERS_AVAILABLE|VERSION_TOO_LOW|WRONG_SSL_VERSION|NO_SUITABLE_SIGNATURE_ALGORITHM)$/;
const CONNECTION_DROPPED = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);
const CONNECTION_CODES = new Set(['ECONNECTION', 'ESOCKET', 'ETIMEDOUT']);

/** The kind of a failure, from the most specific signal down: nodemailer's code, the system or OpenSSL code, the reply, then text. */
function kindOf(f: Facts, c: FailureContext): FailureKind {
	const sys = f.systemCode ?? '';
	const atAuth = /^AUTH\b/i.test(f.command);
	if (f.code === 'EOAUTH2' || sys === 'EOAUTH2') return 'tokenFailed';
	if (f.code === 'EABORT') return 'cancelled';
	if (c.proxy && (f.code === 'EPROXY' || sys === 'ECONNREFUSED' || /proxy|socks/i.test(f.text))) return 'proxyFailed';
	if (sys === 'ENOTFOUND' || (f.code === 'EDNS' && sys !== 'EAI_AGAIN')) return 'hostNotFound';
	if (sys === 'EAI_AGAIN') return 'connectionTimeout';
	if (sys === 'ECONNREFUSED') return 'connectionRefused';
	if (PLAIN_WHERE_TLS.has(sys) || /wrong version number|packet length too long/i.test(f.text)) return 'tlsModeMismatch';
	if (f.code === 'ETIMEDOUT' && (f.timeoutType === 'greeting' || /Greeting never received/i.test(f.text))) {
		return c.implicitTlsAnswered ? 'implicitTlsExpected' : 'greetingTimeout';
	}
	if (sys === 'ERR_TLS_CERT_ALTNAME_INVALID') return 'certificateNameMismatch';
	if (UNTRUSTED.has(sys)) return 'untrustedCertificate';
	if (EXPIRED.has(sys)) return 'certificateExpired';
	if (NO_SHARED_TLS.test(sys) || /SSL alert number (40|70|71)\b/.test(f.text)) return 'tlsNegotiation';
	// Node gives a handshake the server simply drops no code of its own beyond ECONNRESET: its message is the signal.
	if (/before secure TLS connection was established/i.test(f.text)) return 'tlsHandshakeDropped';
	// 500 / 502: the server does not know the command, i.e. does not offer STARTTLS.
	if (f.code === 'ETLS' || /^STARTTLS/i.test(f.command)) return !f.reply || f.reply === 500 || f.reply === 502 ? 'starttlsNotOffered' : 'starttlsRefused';
	if (f.reply === 530 || (f.reply !== undefined && !atAuth && /^5\.7\.0$/.test(f.enhanced ?? '') && /auth/i.test(f.response ?? ''))) return 'authRequired';
	if (atAuth && (f.reply === 500 || f.reply === 502)) return 'authNotOffered';
	if ((atAuth && f.reply === 504) || /unrecognized authentication|unsupported authentication|mechanism not supported/i.test(f.response ?? '')) return 'mechanismUnsupported';
	if (f.code === 'EAUTH' || (atAuth && f.reply !== undefined && f.reply >= 500) || f.reply === 535 || f.reply === 534 || f.reply === 538) return 'authRejected';
	if (f.serverSizeLimit || f.reply === 552 || f.enhanced === '5.3.4') return 'messageTooLarge';
	if (f.reply === 421) return 'serviceUnavailable';
	if (f.reply !== undefined) {
		const temporary = (f.reply >= 400 && f.reply < 500) || f.reply === 503;
		if (/^MAIL FROM/i.test(f.command)) return temporary ? 'messageDeferred' : 'senderRefused';
		if (/^RCPT TO/i.test(f.command)) return temporary ? 'recipientDeferred' : 'recipientRefused';
		if (temporary) return 'messageDeferred';
		if (f.reply >= 500) return 'messageRefused';
	}
	if (CONNECTION_CODES.has(f.code ?? '') || CONNECTION_DROPPED.has(sys)) {
		// The body went to a connection that was already gone: its writes failed, so the server lacks the end of it.
		if (c.bodySent && !f.writeFailed) return 'connectionLostAfterData';
		if (f.command === 'CONN') return f.code === 'ETIMEDOUT' ? 'connectionTimeout' : 'connectionReset';
		return 'connectionLost';
	}
	return 'unknown';
}

function hintContext(f: Facts, c: FailureContext, kind: FailureKind, error: unknown): HintContext {
	return {
		where: `${c.host}:${c.port}`,
		host: c.host,
		port: c.port,
		security: c.security,
		minTlsVersion: c.tls.minVersion,
		maxTlsVersion: c.tls.maxVersion,
		serverName: c.tls.servername ?? c.host,
		proxy: c.proxy ? describeProxy(c.proxy) : undefined,
		loginHint: kind === 'authRejected' ? loginHint(f.response ?? '', f.command, c.provider) : undefined,
		mechanism: /^AUTH\s+(\S+)/i.exec(f.command)?.[1],
		messageMb: c.messageSize ? megabytes(c.messageSize) : undefined,
		serverLimitMb: f.serverSizeLimit ? megabytes(f.serverSizeLimit) : undefined,
		...(error instanceof SharedStoreUnavailable ? { sharedStore: error.where, waitedSeconds: Math.round(error.waitedMs / 1000) } : {}),
		...(error instanceof IdempotencyKeyHeld ? { idempotencyKey: error.key, heldSince: error.since, freeAt: error.freeAt } : {}),
	};
}

/** This package's own errors: a message refused before SMTP was asked. */
function ownKind(error: unknown): FailureKind | undefined {
	if (error instanceof SharedStoreUnavailable) return 'sharedStoreUnavailable';
	if (error instanceof IdempotencyKeyHeld) return 'idempotencyKeyHeld';
	if (error instanceof WithdrawnAfterFailure) return 'withdrawn';
	return undefined;
}

/** Recognises a failure once; every caller (retry, item errors, the Test button) reads the result. */
export function recognise(error: unknown, context: FailureContext): SmtpFailure {
	if (error instanceof SmtpFailure) return error;
	const f = factsOf(error);
	const kind = error instanceof SmtpUtf8Missing ? 'addressNotSupported' : ownKind(error) ?? kindOf(f, context);
	return new SmtpFailure({
		kind,
		hint: FAILURE_KINDS[kind].hint(hintContext(f, context, kind, error)),
		// A token error raised mid-login carries the last SMTP reply too; the endpoint's words come first.
		detail: (kind === 'tokenFailed' ? f.text : f.response) ?? f.text,
		smtpCode: f.reply,
		enhancedCode: f.enhanced,
		messageSize: context.messageSize,
		serverSizeLimit: f.serverSizeLimit,
	});
}

/**
 * As recognise, and a silent server is asked for a TLS handshake once: if it answers, the port expects
 * implicit TLS — a setting to change, not a server to wait for.
 */
export async function recogniseProbing(
	error: unknown,
	settings: ConnectionSettings & AttemptFacts,
	probe: () => Promise<boolean> = () => answersTls(settings),
): Promise<SmtpFailure> {
	const failure = recognise(error, settings);
	if (failure.kind !== 'greetingTimeout' || settings.security === 'tls' || !(await probe())) return failure;
	return recognise(error, { ...settings, implicitTlsAnswered: true });
}
