/**
 * The benchmarks' SMTP server: STARTTLS + AUTH PLAIN on 127.0.0.1, counting what it receives, in a child
 * process of its own so it does not share the event loop it is measured against. On request it injects
 * transient faults. The child runs the same bundle with the argument "server".
 */
import { fork, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';

import '../test/support/greetAtOnce';

export const USER = 'bench@example.test';
export const PASSWORD = 'bench-password';
export const FAULT_RATE = 0.05;

/** The HTML mail every benchmark sends (bench/n8n.ts builds the same inside n8n). */
export const html = (n: number) =>
	`<div style="font-family:Arial"><h2>Order ${n} approved</h2><p>Hello, your order <b>#${n}</b> was approved.</p>` +
	`<table><tr><td>Amount</td><td>${(n * 13.37).toFixed(2)} EUR</td></tr></table><p><a href="https://example.test/o/${n}">Open</a></p></div>`;

export function serve() {
	let messages = 0;
	let connections = 0;
	let faults = 0;
	let faultRate = 0;
	/** Faults are dropped connections (at RCPT, and on the first chunk of DATA) rather than 4xx replies. */
	let drops = false;
	const subjects = new Map<string, number>();
	const fault = (rate: number) => faultRate > 0 && Math.random() < rate && ++faults > 0;
	process.once('message', ({ key, cert }: { key: string; cert: string }) => {
		const server = new SMTPServer({
			key,
			cert,
			authMethods: ['PLAIN', 'LOGIN'],
			logger: false,
			disableReverseLookup: true,
			size: 50 * 1024 * 1024,
			onConnect: (_s, cb) => {
				connections++;
				if (fault(faultRate)) return cb(Object.assign(new Error('4.3.2 Too busy, try again later'), { responseCode: 421 }));
				cb();
			},
			onAuth: (auth, _s, cb) => (auth.username === USER && auth.password === PASSWORD ? cb(null, { user: USER }) : cb(new Error('bad'))),
			// Half of the attempts' faults at RCPT, half after DATA.
			onRcptTo: (_address, session, cb) => {
				if (!fault(faultRate / 2)) return cb();
				if (drops) return socketOf(session.id)?.destroy();
				cb(Object.assign(new Error('4.2.1 Mailbox busy, try again'), { responseCode: 451 }));
			},
			onData: (stream, session, cb) => {
				let head = '';
				let first = true;
				stream.on('data', (chunk: Buffer) => {
					if (first && drops && fault(faultRate / 2)) socketOf(session.id)?.destroy();
					first = false;
					if (head.length < 4096) head += chunk.toString('latin1');
				});
				stream.on('end', () => {
					if (!drops && fault(faultRate / 2)) return cb(Object.assign(new Error('4.3.0 Queue busy, try again'), { responseCode: 451 }));
					messages++;
					const subject = /^Subject: ([^\r\n]*)/im.exec(head)?.[1] ?? '';
					subjects.set(subject, (subjects.get(subject) ?? 0) + 1);
					cb();
				});
			},
		});
		const socketOf = (id: string) => [...(server as unknown as { connections: Set<{ id: string; _socket: { destroy(): void } }> }).connections].find((c) => c.id === id)?._socket;
		server.listen(0, '127.0.0.1', () => {
			process.send?.({ port: (server.server.address() as { port: number }).port });
			process.on('message', (m: string) => {
				if (m === 'stats') process.send?.({ messages, connections, faults, twice: [...subjects.values()].filter((c) => c > 1).length, distinct: subjects.size });
				if (m === 'reset' || m === 'faults' || m === 'drops') {
					messages = 0;
					connections = 0;
					faults = 0;
					subjects.clear();
					faultRate = m === 'reset' ? 0 : FAULT_RATE;
					drops = m === 'drops';
					process.send?.({ reset: true });
				}
			});
		});
	});
}

export class ServerProcess {
	private constructor(
		private readonly child: ChildProcess,
		readonly port: number,
	) {}

	static async start(key: string, cert: string): Promise<ServerProcess> {
		const child = fork(__filename, ['server'], { stdio: 'inherit' });
		child.send({ key, cert });
		const { port } = await new Promise<{ port: number }>((resolve) => child.once('message', resolve as never));
		return new ServerProcess(child, port);
	}

	private ask<T>(message: string): Promise<T> {
		return new Promise((resolve) => {
			this.child.once('message', resolve as never);
			this.child.send(message);
		});
	}

	reset = () => this.ask('reset');
	/** Resets, and injects faults until the next reset. */
	withFaults = () => this.ask('faults');
	/** Resets, and drops connections (at RCPT and inside DATA) until the next reset. */
	withDrops = () => this.ask('drops');
	stats = () => this.ask<{ messages: number; connections: number; faults: number; twice: number; distinct: number }>('stats');
	stop = () => this.child.kill();
}


/** The reference sender: a raw nodemailer pool with `connections` connections, sending `n` of the benchmarks' mails to the sink. */
export async function rawPool(port: number, caCert: string, n: number, connections: number, library: typeof nodemailer = nodemailer): Promise<void> {
	const transport = library.createTransport({
		host: '127.0.0.1',
		port,
		secure: false,
		requireTLS: true,
		auth: { user: USER, pass: PASSWORD },
		tls: { ca: [caCert], minVersion: 'TLSv1.2' },
		pool: true,
		maxConnections: connections,
	});
	await Promise.all(
		Array.from({ length: n }, (_, i) => transport.sendMail({ from: 'ops@example.test', to: `user${i}@example.test`, subject: `Order ${i}`, html: html(i), text: `Order ${i}` })),
	);
	transport.close();
}

/** A benchmark's entry: the same bundle runs the sink (argument "server"), a command of its own, or the benchmark. */
export function benchMain(main: () => Promise<void>, commands: Record<string, (args: string[]) => void> = {}): void {
	const [command, ...args] = process.argv.slice(2);
	if (command === 'server') return serve();
	if (command && commands[command]) return commands[command](args);
	main().catch((error: unknown) => {
		console.error(error);
		process.exit(1);
	});
}

/** n8n's own nodemailer, 8.0.10 (the package ships it to n8n-nodes-base's Send Email). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const n8nNodemailer = () => require('nodemailer-n8n-builtin') as typeof nodemailer;

/** 8.0.10 sets no TCP_NODELAY (10.6 does): a reference run gets it on every socket this thread opens. */
export function withNoDelay<T>(send: () => Promise<T>): () => Promise<T> {
	return async () => {
		const connect = net.Socket.prototype.connect;
		net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
			this.setNoDelay(true);
			return (connect as (...a: unknown[]) => net.Socket).apply(this, args);
		} as typeof connect;
		try {
			return await send();
		} finally {
			net.Socket.prototype.connect = connect;
		}
	};
}
