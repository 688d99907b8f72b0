import Mailer from 'nodemailer/lib/mailer';
import SMTPPool, { type SMTPPoolOptions } from 'nodemailer/lib/smtp-pool';

import { provisionFrom, type TokenSource } from '../transport/auth/tokens';
import { authOptions, connectionOptions } from '../transport/options';
import { useProxy } from '../transport/proxy';
import { quitBeforeClose } from '../transport/quit';
import type { ConnectionSettings } from '../transport/settings';
import { requireSmtpUtf8ForUnicodeAddresses } from '../transport/smtpUtf8';
import { watchAttempt, watchAttemptsOnConnections, type AttemptWatch } from './attemptOnConnection';
import type { PoolOptions, WireEnvelope } from './wire';

// The SMTPUTF8 check wraps the permit's wait: a message that check refuses takes no permit.
watchAttemptsOnConnections();
requireSmtpUtf8ForUnicodeAddresses();
quitBeforeClose();

/** What one attempt hears while its connection sends it, and what it waits for. */
export interface AttemptHooks extends AttemptWatch {
	/** The envelope object the connection records each RCPT TO answer on. */
	envelope(envelope: WireEnvelope): void;
}

/** A pooled nodemailer transport for these settings; each mail's `hooks` hear how its attempt goes. */
export function createMailer(settings: ConnectionSettings, options: PoolOptions, tokens: () => TokenSource | undefined): Mailer {
	const poolOptions: SMTPPoolOptions = {
		...connectionOptions(settings, tokens),
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
	mailer.set('oauth2_provision_cb', provisionFrom(tokens));
	mailer.use('stream', (mail, done) => {
		const hooks = (mail.data as { hooks?: AttemptHooks }).hooks;
		if (hooks) {
			const envelope = mail.message.getEnvelope() as WireEnvelope;
			hooks.envelope(envelope);
			watchAttempt(envelope, hooks);
		}
		done();
	});
	mailer.on('error', () => {});
	return mailer;
}

interface PoolInternals {
	options: SMTPPoolOptions;
	_connections: Array<{ available: boolean; messages: number; close(): void }>;
}

/**
 * The pool takes `options` from now on. Connections beyond a lowered count go: idle ones at once (with
 * QUIT), busy ones after their message, as when they reach their message limit.
 */
export function tuneMailer(mailer: Mailer, options: PoolOptions): void {
	const pool = mailer.transporter as unknown as PoolInternals;
	pool.options.maxConnections = options.maxConnections;
	pool.options.maxMessages = options.maxMessagesPerConnection;
	for (const connection of pool._connections.slice(options.maxConnections)) {
		if (connection.available) connection.close();
		else connection.messages = Infinity;
	}
}
