import { timingSafeEqual, createHash } from 'node:crypto';

import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';

import { ClientCounters, domainAllowed, type ReceivePolicy } from './policy';
import { isAllowedClient, type ReceiverSettings } from './settings';
import { removeStaleSpools, spool, type SpooledMessage } from './spool';
import { receivedHeader } from './trace';

/** What the trigger knows about a message when the client has sent it. */
export interface ReceivedMessage {
	spooled: SpooledMessage;
	mailFrom: string;
	rcptTo: string[];
	client: { address: string; port: number; hostname: string; helo: string; tls: string | null; user: string | null };
	sessionId: string;
	receivedAt: Date;
	/** False once the trigger is closing (deactivated, shutting down): no run may start after that. */
	listening(): boolean;
}

/** An SMTP reply for the client: a 4xx tells it to keep the message and try again. */
export class Reply extends Error {
	constructor(
		readonly responseCode: number,
		message: string,
	) {
		super(message);
	}
}

/** Takes a received message; resolves when the client may be told 250, rejects with a Reply otherwise. */
export type Intake = (message: ReceivedMessage) => Promise<string | void>;

export interface Listener {
	port: number;
	/** Stops listening at once; transactions under way get until `drainMs` to finish, then 421. */
	close(): Promise<void>;
}

export interface ListenerOptions {
	name: string;
	drainMs: number;
	onError?: (error: Error) => void;
}

const sameSecret = (given: string, expected: string) => {
	const digest = (value: string) => createHash('sha256').update(value).digest();
	return timingSafeEqual(digest(given), digest(expected));
};

export async function listen(settings: ReceiverSettings, policy: ReceivePolicy, intake: Intake, options: ListenerOptions): Promise<Listener> {
	const counters = new ClientCounters(policy);
	const pruning = setInterval(() => counters.prune(), 60_000).unref();
	let closing = false;
	const tlsOptions: SMTPServerOptions =
		settings.tls === 'none'
			? { hideSTARTTLS: true, disabledCommands: settings.logins.size ? [] : ['AUTH'] }
			: { key: settings.privateKey, cert: settings.certificate, secure: settings.tls === 'implicit', minVersion: 'TLSv1.2', disabledCommands: settings.logins.size ? [] : ['AUTH'] };
	const server = new SMTPServer({
		...tlsOptions,
		name: options.name,
		banner: 'n8n SMTP Connector Trigger',
		size: policy.maxBytes,
		rejectOversized: true,
		maxRecipients: policy.maxRecipients,
		authOptional: true,
		authMethods: ['PLAIN', 'LOGIN'],
		allowInsecureAuth: settings.plainLogin,
		// The trigger does not promise delivery reports or TLS further on: it does not offer what it cannot keep.
		hideDSN: true,
		hideREQUIRETLS: true,
		disableReverseLookup: true,
		closeTimeout: options.drainMs,
		logger: false,
		onConnect(session, done) {
			if (closing) return done(new Reply(421, 'Server shutting down, try again later'));
			if (!counters.connect(session.remoteAddress)) return done(new Reply(421, '4.7.0 Too many connections from your address, try again later'));
			(session as SessionState).counted = true;
			done();
		},
		onClose(session) {
			if ((session as SessionState).counted) counters.disconnect(session.remoteAddress);
		},
		onAuth(auth, _session, done) {
			const expected = auth.username === undefined ? undefined : settings.logins.get(auth.username);
			// Compared in constant time, and against something even for an unknown user.
			const ok = sameSecret(auth.password ?? '', expected ?? '\u0000unknown') && expected !== undefined;
			if (!ok) return done(new Reply(535, '5.7.8 Authentication credentials invalid'));
			done(null, { user: auth.username });
		},
		onMailFrom(address, session, done) {
			if (settings.tls === 'starttlsRequired' && !session.secure) return done(new Reply(530, '5.7.0 Must issue a STARTTLS command first'));
			if (!session.user && !isAllowedClient(settings, session.remoteAddress)) return done(new Reply(530, '5.7.0 Authentication required'));
			// The null sender (bounces) is in no domain: with Allowed Sender Domains set, it is refused too.
			if (policy.senderDomains.length && !domainAllowed(policy.senderDomains, address.address)) return done(new Reply(553, `5.7.1 Sender <${address.address}> is not allowed here`));
			if (!counters.startMessage(session.remoteAddress)) return done(new Reply(421, '4.7.0 Too many messages from your address, try again in a minute'));
			done();
		},
		onRcptTo(address, _session, done) {
			if (!domainAllowed(policy.recipientDomains, address.address)) return done(new Reply(550, `5.7.1 Relaying to <${address.address}> is not allowed`));
			done();
		},
		onData(stream, session, done) {
			receive(stream, session).then(
				(reply) => done(null, reply || undefined),
				(error: Error) => done(error instanceof Reply ? error : new Reply(451, '4.3.0 The message could not be taken in, try again later')),
			);
		},
	});

	async function receive(stream: NodeJS.ReadableStream, session: SMTPServerSession): Promise<string | void> {
		const receivedAt = new Date();
		const rcptTo = session.envelope.rcptTo.map((r) => r.address);
		const tls = session.secure && session.tlsOptions ? (session.tlsOptions as { version?: string }).version ?? 'TLS' : null;
		const spooled = await spool(stream as never, receivedHeader({ session, serverName: options.name, tls, date: receivedAt }), policy.maxBytes);
		try {
			if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) return; // smtp-server answers 552 itself
			if (closing) throw new Reply(421, '4.3.2 Server shutting down, try again later');
			const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
			const client = {
				address: session.remoteAddress,
				port: session.remotePort,
				hostname: session.clientHostname,
				helo: session.hostNameAppearsAs,
				tls,
				user: typeof session.user === 'string' ? session.user : null,
			};
			return await intake({ spooled, mailFrom, rcptTo, client, sessionId: session.id, receivedAt, listening: () => !closing });
		} finally {
			await spooled.remove();
		}
	}

	server.on('error', (error) => options.onError?.(error));
	void removeStaleSpools();
	await new Promise<void>((resolve, reject) => {
		const failed = (error: Error) => {
			clearInterval(pruning);
			reject(error);
		};
		server.server.once('error', failed);
		server.listen(settings.port, settings.host, () => {
			server.server.off('error', failed);
			resolve();
		});
	});
	const address = server.server.address();
	return {
		port: typeof address === 'object' && address ? address.port : settings.port,
		close: async () => {
			closing = true;
			clearInterval(pruning);
			// net.Server.close frees the port at once; open transactions drain until drainMs, then get 421.
			server.close(() => undefined);
		},
	};
}

type SessionState = SMTPServerSession & { counted?: boolean };
