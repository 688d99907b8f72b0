import type { SendMailOptions } from 'nodemailer';
import Mailer from 'nodemailer/lib/mailer';
import SMTPPool, { type SMTPPoolOptions } from 'nodemailer/lib/smtp-pool';

import { authOptions, connectionOptions } from '../transport/options';
import { provisionFrom, type TokenSource } from '../transport/auth/tokens';
import { useProxy } from '../transport/proxy';
import { quitBeforeClose } from '../transport/quit';
import { requireSmtpUtf8ForUnicodeAddresses } from '../transport/smtpUtf8';
import type { ConnectionSettings } from '../transport/settings';
import { fingerprint } from './fingerprint';
import { awaitPermitAtHandover, takePermitsAtHandover } from './handover';

// The SMTPUTF8 check wraps the permit's wait: a message that check refuses takes no permit.
takePermitsAtHandover();
requireSmtpUtf8ForUnicodeAddresses();
quitBeforeClose();

export interface PoolOptions {
	maxConnections: number;
	maxMessagesPerConnection: number;
}

/** What the delivery layer learns about one message while the pool sends it. */
export interface SendProgress {
	/** The first byte of the message was read for DATA: stopping it now could leave the server with part of it. */
	dataStarted?: boolean;
	/** The whole message body was handed to the connection: the server may have it even without a reply. */
	bodySent: boolean;
	/** The envelope object the connection was given; it records the server's answer to each RCPT TO. */
	envelope?: EnvelopeState;
	/** Waited for when a connection is about to send the message (a rate limit's permit). */
	permit?: () => Promise<void>;
}

/** The server's answer to each RCPT TO of one attempt, also when the message failed later (at DATA or the final dot). */
export interface RcptResults {
	accepted: string[];
	rejected: Array<{ recipient: string; response: string; responseCode?: number }>;
}

/** nodemailer's SMTPConnection keeps its RCPT results on the envelope object it was handed (accepted, rejectedErrors). */
interface EnvelopeState {
	accepted?: string[];
	rejectedErrors?: Array<{ recipient?: string; response?: string; responseCode?: number }>;
}

/** nodemailer's per-recipient errors, as the delivery layer reads them. */
export const rcptRefusals = (errors: EnvelopeState['rejectedErrors']): RcptResults['rejected'] =>
	(errors ?? []).map((e) => ({ recipient: e.recipient ?? '', response: e.response ?? '', responseCode: e.responseCode }));

export function rcptResultsOf(progress: SendProgress): RcptResults | undefined {
	const envelope = progress.envelope;
	if (!envelope?.accepted) return undefined;
	return { accepted: [...envelope.accepted], rejected: rcptRefusals(envelope.rejectedErrors) };
}

type TrackedMail = SendMailOptions & { progress?: SendProgress };

interface PoolEntry {
	key: string;
	mailer: Mailer;
	/** Access tokens for XOAUTH2 logins, from the execution that leased the pool last. */
	tokens?: TokenSource;
	users: number;
	idleTimer?: NodeJS.Timeout;
	retired: boolean;
}

/** How long a pool nobody uses stays open for the next execution. */
export const poolTuning = { idleMs: 30_000 };

const pools = new Map<string, PoolEntry>();
/** The pool each credential used last, so a changed credential retires the pool of its old settings. */
const poolOfCredential = new Map<string, string>();

function createMailer(settings: ConnectionSettings, options: PoolOptions, entry: Pick<PoolEntry, 'tokens'>): Mailer {
	const poolOptions: SMTPPoolOptions = {
		...connectionOptions(settings, () => entry.tokens),
		auth: authOptions(settings),
		pool: true,
		maxConnections: options.maxConnections,
		maxMessages: options.maxMessagesPerConnection,
		// The delivery layer decides what is resent; the pool must never resend a message on its own.
		maxRequeues: 0,
		disableFileAccess: true,
		disableUrlAccess: true,
	};
	// Built from its parts rather than nodemailer.createTransport, so the bundle leaves out the
	// sendmail transport and its child_process.
	const mailer = new Mailer(new SMTPPool(poolOptions), poolOptions);
	useProxy(mailer, settings.proxy);
	// Every XOAUTH2 login of the pool asks for a token here; `renew` is set after the server refused one.
	mailer.set('oauth2_provision_cb', provisionFrom(() => entry.tokens));
	mailer.use('stream', (mail, done) => {
		const progress = (mail.data as TrackedMail).progress;
		if (progress) {
			progress.envelope = mail.message.getEnvelope() as EnvelopeState;
			if (progress.permit) awaitPermitAtHandover(progress.envelope, progress.permit);
			// Watched, not piped through another stream: the connection starts the body flowing (resume)
			// once the server has said 354, and the body has gone to the connection when it ends.
			mail.message.processFunc((input) => {
				input.once('resume', () => (progress.dataStarted = true));
				input.once('end', () => (progress.bodySent = true));
				return input;
			});
		}
		done();
	});
	mailer.on('error', () => {});
	return mailer;
}

/**
 * n8n gives nodes no shutdown hook. Where the host process handles SIGTERM / SIGINT itself (n8n does,
 * and waits for running executions), the pools close with it, saying QUIT; where nothing handles the
 * signals, none is added, so the default (exit at once) stays as it is.
 */
let closeOnShutdown = () => {
	closeOnShutdown = () => {};
	for (const signal of ['SIGTERM', 'SIGINT'] as const) {
		if (process.listenerCount(signal) > 0) process.once(signal, () => closeAllPools());
	}
};

function close(entry: PoolEntry) {
	clearTimeout(entry.idleTimer);
	if (pools.get(entry.key) === entry) pools.delete(entry.key);
	entry.mailer.close();
}

/** A hold on a warm pool for the length of one execution. */
export interface PoolLease {
	readonly key: string;
	/**
	 * Sends this attempt of a message; `progress` is attached to `mail` itself, so pass an object made for
	 * the attempt. `permit` is waited for once a connection is ready to send it.
	 */
	send(mail: SendMailOptions, progress: SendProgress, permit?: () => Promise<void>): ReturnType<Mailer['sendMail']>;
	/** Ends the hold; with `closeIfUnused` (a cancelled execution) an otherwise idle pool closes at once. */
	release(options?: { closeIfUnused?: boolean }): void;
}

/**
 * Leases the process-wide pool for these settings, creating it on first use. Pools are keyed by a
 * fingerprint of the connection settings (secret included, hashed) and pool options, so one
 * credential's connections never carry another's mail; idle pools close after poolTuning.idleMs.
 */
export function leasePool(
	settings: ConnectionSettings,
	options: PoolOptions,
	credentialId?: string,
	tokens?: TokenSource,
): PoolLease {
	const { host, port, security, tls, auth, clientHostname, timeoutsMs, proxy } = settings;
	const key = fingerprint({ host, port, security, tls, auth, clientHostname, timeoutsMs, proxy, options });
	let entry = pools.get(key);
	closeOnShutdown();
	if (!entry) {
		const created: PoolEntry = { key, mailer: undefined as unknown as Mailer, users: 0, retired: false };
		created.mailer = createMailer(settings, options, created);
		entry = created;
		pools.set(key, entry);
	}
	if (tokens) entry.tokens = tokens;
	if (credentialId) {
		const previous = poolOfCredential.get(credentialId);
		if (previous && previous !== key) retire(previous);
		poolOfCredential.set(credentialId, key);
	}
	const held = entry;
	clearTimeout(held.idleTimer);
	held.users++;
	let released = false;
	return {
		key,
		// `mail` is the caller's object for this attempt: the progress rides on it rather than on a copy.
		send: (mail, progress, permit) => held.mailer.sendMail(Object.assign(mail, { progress: permit ? Object.assign(progress, { permit }) : progress }) as TrackedMail),
		release({ closeIfUnused = false } = {}) {
			if (released) return;
			released = true;
			held.users--;
			if (held.users > 0) return;
			if (held.retired || closeIfUnused) close(held);
			else held.idleTimer = setTimeout(() => close(held), poolTuning.idleMs).unref();
		},
	};
}

/** The credential changed: its old pool takes no new work and closes once its last user is done. */
function retire(key: string) {
	const entry = pools.get(key);
	if (!entry) return;
	entry.retired = true;
	pools.delete(key);
	if (entry.users === 0) close(entry);
}

/** Closes every pool at once (tests, shutdown). */
export function closeAllPools() {
	for (const entry of [...pools.values()]) close(entry);
	poolOfCredential.clear();
}

export function openPoolCount(): number {
	return pools.size;
}
