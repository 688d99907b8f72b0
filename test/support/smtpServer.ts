import { simpleParser, type ParsedMail } from 'mailparser';
import type { Socket } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

import './greetAtOnce';
import { testPki } from './certs';

export interface ReceivedMail {
	envelope: { from: string; to: string[] };
	raw: Buffer;
	parsed: ParsedMail;
	connectionId: string;
	/** The user the connection logged in as. */
	user?: string;
	/** When the server had the whole message (the final dot), in ms since the epoch. */
	receivedAt: number;
	/** The client's port of the connection that carried it. */
	clientPort: number;
	/** What MAIL FROM and RCPT TO asked of DSN (RFC 3461), when the server offers it (`dsn: true`). */
	dsn?: { ret?: string; envid?: string; notify: Record<string, string[] | undefined> };
}

export interface TestServerOptions {
	/** Implicit TLS from the first byte. */
	secure?: boolean;
	/** Offer DSN (RFC 3461) and record what each message asked. */
	dsn?: boolean;
	/** Do not offer STARTTLS. */
	noStartTls?: boolean;
	/** Anonymous relay: no AUTH offered. */
	noAuth?: boolean;
	authMethods?: string[];
	users?: Record<string, string>;
	minVersion?: string;
	maxVersion?: string;
	/** RCPT TO replies: address → [code, text]. */
	rejectRecipients?: Record<string, [number, string]>;
	/** Custom AUTH failure reply, e.g. Microsoft's 535 5.7.139; a function sees the password that was tried. */
	authFailure?: [number, string] | ((password: string) => [number, string]);
	/** Fault injection: replies each RCPT TO of an address takes in turn before it is accepted. */
	recipientReplies?: Record<string, Array<[number, string]>>;
	/** Fault injection: the first N connections are refused with 421. */
	refuseConnections?: number;
	/** Fault injection: the first N connections wait this long before the greeting. */
	slowGreeting?: { count: number; ms: number };
	/** Fault injection: the first N messages lose their connection in the middle of DATA. */
	dropMidData?: number;
	/** Fault injection: the first N messages lose their connection after the final dot, before the reply. */
	dropAfterDot?: number;
	/** Fault injection: the messages this picks lose their connection after the final dot, before the reply. */
	dropAfterDotIf?: (mail: ReceivedMail) => boolean;
	/** Fault injection: a reply to a message's final dot instead of 250 (the server then keeps nothing). */
	afterDotReply?: (mail: ReceivedMail) => [number, string] | undefined;
	/** Delay before the reply to each message's final dot. */
	replyDelayMs?: () => number;
	/** The reply to each message's final dot waits for this: a test looks at what the send left while the server holds the message. */
	holdReply?: (mail: ReceivedMail) => Promise<void>;
	/** Answer RCPT TO for this address once the promise settles. */
	holdRcpt?: (address: string) => Promise<void>;
	/** SIZE limit to advertise (RFC 1870), in bytes. */
	size?: number;
	/** Do not offer SMTPUTF8 (RFC 6531). */
	noSmtpUtf8?: boolean;
	/** Accept XOAUTH2 logins whose token this function accepts for the user. */
	oauth2?: (user: string, token: string) => boolean;
}

export interface TestSmtpServer {
	port: number;
	host: string;
	received: ReceivedMail[];
	/** TCP connections the server accepted. */
	connections: number;
	/** SASL mechanism of each successful login. */
	logins: string[];
	/** XOAUTH2 tokens the server refused. */
	rejectedTokens: string[];
	/** Sessions the client ended with QUIT, and sessions that ended without one (the socket just closed). */
	quits: number;
	closedWithoutQuit: number;
	/** AUTH attempts, successful or not. */
	authAttempts: number;
	/** Every RCPT TO address, in the order the server saw them. */
	rcptLog: string[];
	/** Messages whose connection was cut after the final dot: the server has them, the client got no reply. */
	droppedAfterDot: ReceivedMail[];
	/** Client-side ports of the connections, in order. */
	clientPorts: number[];
	/** Connections open right now. */
	openConnections(): number;
	close(): Promise<void>;
	waitFor(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
}

export const TEST_USER = 'mailer@example.test';
export const TEST_PASSWORD = 's3cret-Pa55word';

interface QuitWatched {
	_socket: Socket;
	handler_QUIT: (command: unknown, callback: () => void) => void;
}

/** A real SMTP server on 127.0.0.1, with a certificate made for this run; it keeps what it receives. */
export async function startSmtpServer(options: TestServerOptions = {}): Promise<TestSmtpServer> {
	const { key, cert } = await testPki();
	const users = options.users ?? { [TEST_USER]: TEST_PASSWORD };
	const state: TestSmtpServer = {
		port: 0,
		host: '127.0.0.1',
		received: [],
		connections: 0,
		logins: [],
		authAttempts: 0,
		quits: 0,
		closedWithoutQuit: 0,
		rcptLog: [],
		rejectedTokens: [],
		droppedAfterDot: [],
		clientPorts: [],
		openConnections: () => 0,
		close: async () => {},
		waitFor: async () => [],
	};
	const serverOptions: SMTPServerOptions = {
		secure: options.secure ?? false,
		key,
		cert,
		authOptional: options.noAuth ?? false,
		size: options.size,
		hideSMTPUTF8: options.noSmtpUtf8 ?? false,
		hideDSN: !options.dsn,
		disabledCommands: [...(options.noAuth ? ['AUTH'] : []), ...(options.noStartTls ? ['STARTTLS'] : [])],
		authMethods: options.authMethods ?? (options.oauth2 ? ['XOAUTH2'] : ['PLAIN', 'LOGIN', 'CRAM-MD5']),
		allowInsecureAuth: true,
		logger: false,
		// No reverse DNS of the client: nothing may leave this machine, and it slows every connection.
		disableReverseLookup: true,
		onConnect(session, callback) {
			watchQuit(session.id);
			const n = ++state.connections;
			state.clientPorts.push(session.remotePort);
			if (n <= (options.refuseConnections ?? 0)) {
				return callback(Object.assign(new Error('4.3.2 Service not available, try again later'), { responseCode: 421 }));
			}
			const slow = options.slowGreeting;
			if (slow && n <= slow.count) return void setTimeout(() => callback(), slow.ms);
			callback();
		},
		onAuth(auth, _session, callback) {
			state.authAttempts++;
			if (auth.method === 'XOAUTH2') {
				if (!options.oauth2?.(auth.username ?? '', auth.accessToken ?? '')) {
					state.rejectedTokens.push(auth.accessToken ?? '');
					// RFC 7628 / Google: a 334 challenge with the error, then 535 after the client's empty reply.
					return callback(null, { data: { status: '401', schemes: 'bearer', scope: 'https://mail.google.com/' } });
				}
				state.logins.push('XOAUTH2');
				return callback(null, { user: auth.username });
			}
			const expected = auth.username ? users[auth.username] : undefined;
			const ok =
				expected !== undefined &&
				(auth.method === 'CRAM-MD5' ? auth.validatePassword(expected) : auth.password === expected);
			if (!ok) {
				const failure = typeof options.authFailure === 'function' ? options.authFailure(auth.password ?? '') : options.authFailure;
				const [code, text] = failure ?? [535, '5.7.8 Authentication credentials invalid'];
				return callback(Object.assign(new Error(text), { responseCode: code }));
			}
			state.logins.push(auth.method);
			callback(null, { user: auth.username });
		},
		onRcptTo(address, _session, callback) {
			state.rcptLog.push(address.address);
			const reject = options.rejectRecipients?.[address.address] ?? options.recipientReplies?.[address.address]?.shift();
			const answer = () => (reject ? callback(Object.assign(new Error(reject[1]), { responseCode: reject[0] })) : callback());
			if (options.holdRcpt) return void options.holdRcpt(address.address).then(answer, answer);
			answer();
		},
		onData(stream, session, callback) {
			const messageNumber = ++messages;
			const socketOf = () => [...server.connections].find((c) => c.id === session.id)?._socket;
			const chunks: Buffer[] = [];
			stream.on('data', (c: Buffer) => {
				chunks.push(c);
				if (messageNumber <= (options.dropMidData ?? 0)) socketOf()?.destroy();
			});
			stream.on('end', () => {
				const receivedAt = Date.now();
				const raw = Buffer.concat(chunks);
				simpleParser(raw)
					.then((parsed) => {
						const mail: ReceivedMail = {
							envelope: {
								from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
								to: session.envelope.rcptTo.map((r) => r.address),
							},
							raw,
							parsed,
							...(options.dsn ? { dsn: dsnOf(session.envelope as unknown as DsnEnvelope) } : {}),
							connectionId: session.id,
							user: session.user as string | undefined,
							receivedAt,
							clientPort: session.remotePort,
						};
						if (messageNumber <= (options.dropAfterDot ?? 0) || options.dropAfterDotIf?.(mail)) {
							state.droppedAfterDot.push(mail);
							const drop = () => socketOf()?.destroy();
							if (options.holdReply) return void options.holdReply(mail).then(drop, drop);
							drop();
							return;
						}
						const refusal = options.afterDotReply?.(mail);
						if (refusal) return callback(Object.assign(new Error(refusal[1]), { responseCode: refusal[0] }));
						state.received.push(mail);
						const reply = () => setTimeout(() => callback(), options.replyDelayMs?.() ?? 0);
						if (options.holdReply) return void options.holdReply(mail).then(reply, reply);
						reply();
					})
					.catch(callback);
			});
		},
	};
	if (options.minVersion) Object.assign(serverOptions, { minVersion: options.minVersion });
	if (options.maxVersion) Object.assign(serverOptions, { maxVersion: options.maxVersion });
	let messages = 0;
	const server = new SMTPServer(serverOptions) as SMTPServer & { connections: Set<{ id: string; _socket: Socket }> };
	server.on('error', () => {});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
	state.port = (server.server.address() as { port: number }).port;
	state.openConnections = () => server.connections.size;
	// Whether each session ends with QUIT, from the server's side of it.
	function watchQuit(id: string) {
		const connection = [...server.connections].find((c) => c.id === id) as unknown as QuitWatched | undefined;
		if (!connection) return;
		let quit = false;
		const handleQuit = connection.handler_QUIT;
		connection.handler_QUIT = (command, callback) => {
			quit = true;
			state.quits++;
			handleQuit.call(connection, command, callback);
		};
		connection._socket.once('close', () => {
			if (!quit) state.closedWithoutQuit++;
		});
	}
	// Warm pools keep client connections open: cut them, as a server going away would.
	state.close = () =>
		new Promise<void>((resolve) => {
			server.close(() => resolve());
			for (const connection of server.connections) connection._socket.destroy();
		});
	state.waitFor = async (count, timeoutMs = 5000) => {
		const until = Date.now() + timeoutMs;
		while (state.received.length < count) {
			if (Date.now() > until) throw new Error(`expected ${count} messages, got ${state.received.length}`);
			await new Promise((r) => setTimeout(r, 20));
		}
		return state.received;
	};
	return state;
}

interface DsnEnvelope {
	dsn?: { ret?: string; envid?: string };
	rcptTo: Array<{ address: string; dsn?: { notify?: string[] } }>;
}
const dsnOf = (envelope: DsnEnvelope) => ({
	ret: envelope.dsn?.ret,
	envid: envelope.dsn?.envid,
	notify: Object.fromEntries(envelope.rcptTo.map((r) => [r.address, r.dsn?.notify])),
});

/** Credential data for the test server, in the shape n8n stores for smtpConnectorApi. */
export async function credentialFor(server: TestSmtpServer, overrides: Record<string, unknown> = {}) {
	const { caCert } = await testPki();
	return {
		provider: 'custom',
		host: server.host,
		port: server.port,
		security: 'starttls',
		authType: 'password',
		user: TEST_USER,
		password: TEST_PASSWORD,
		authMethod: 'auto',
		minTlsVersion: 'TLSv1.2',
		maxTlsVersion: 'TLSv1.3',
		caCertificate: caCert,
		allowUnauthorizedCerts: false,
		connectionTimeout: 5,
		greetingTimeout: 3,
		socketTimeout: 10,
		...overrides,
	};
}
