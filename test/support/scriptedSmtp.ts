import { createServer, type Server, type Socket } from 'node:net';

/** Where in an SMTP session a fault strikes: before the greeting, at a command, inside the body, after the final dot. */
export type FaultStage = 'greeting' | 'mail' | 'rcpt' | 'data' | 'body' | 'dot';

/**
 * What the server does there: drop the connection, stall (never answer), refuse with 421 and close,
 * hold the session while `onStrike` runs (the test ends the client's delivery thread) and then drop it,
 * or — after the final dot only — keep the message and answer 250 late.
 */
export type FaultAction = 'drop' | 'stall' | 'refuse' | 'kill' | 'slow';

/** How late a `slow` reply comes. */
const SLOW_REPLY_MS = 1000;

export interface Fault {
	stage: FaultStage;
	action: FaultAction;
}

export interface ScriptedSmtpServer {
	port: number;
	/** Subjects of the messages the server kept (it had the final dot and did not refuse it), in order. */
	kept: string[];
	/** Whether the fault has struck. */
	struck(): boolean;
	close(): Promise<void>;
}

const subjectOf = (raw: string) => /^Subject: ([^\r\n]*)/im.exec(raw)?.[1] ?? '';

/**
 * A plain SMTP server on 127.0.0.1 written out step by step (no TLS, no AUTH, no PIPELINING), so a
 * fault can strike at an exact point of the session, once: the first session to reach that point gets
 * it, every later one is served normally. A body fault strikes once the first 64 KB of a body arrived.
 */
export async function startScriptedSmtp(fault: Fault, onStrike: () => Promise<void> = async () => {}): Promise<ScriptedSmtpServer> {
	const kept: string[] = [];
	const sockets = new Set<Socket>();
	let struck = false;

	/** True when the fault strikes here; it then has acted on the socket. */
	const strike = (socket: Socket, stage: FaultStage): boolean => {
		if (struck || fault.stage !== stage) return false;
		struck = true;
		socket.pause();
		const told = onStrike();
		if (fault.action === 'drop') socket.destroy();
		else if (fault.action === 'refuse') socket.end('421 4.3.2 Service shutting down\r\n');
		else if (fault.action === 'kill') void told.finally(() => socket.destroy());
		else if (fault.action === 'slow') setTimeout(() => socket.resume().write('250 2.0.0 Ok: queued\r\n'), SLOW_REPLY_MS);
		// stall: nothing more is read or answered; the client times out.
		return true;
	};

	const server: Server = createServer((socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
		socket.on('error', () => {});
		if (strike(socket, 'greeting')) return;
		socket.write('220 scripted.test ESMTP\r\n');
		let buffer = '';
		let inData = false;
		let bodyBytes = 0;
		socket.setEncoding('latin1');
		socket.on('data', (chunk: string) => {
			buffer += chunk;
			for (;;) {
				if (socket.isPaused() || socket.destroyed) return;
				if (inData) {
					bodyBytes += chunk.length;
					chunk = '';
					const end = buffer.indexOf('\r\n.\r\n');
					if (end < 0) {
						if (bodyBytes > 64 * 1024 && strike(socket, 'body')) return;
						return;
					}
					const raw = buffer.slice(0, end);
					buffer = buffer.slice(end + 5);
					inData = false;
					if (strike(socket, 'dot')) {
						// Dropped, stalled or killed after the dot: the server has the message, the client no reply.
						if (fault.action !== 'refuse') kept.push(subjectOf(raw));
						return;
					}
					kept.push(subjectOf(raw));
					socket.write('250 2.0.0 Ok: queued\r\n');
					continue;
				}
				const newline = buffer.indexOf('\r\n');
				if (newline < 0) return;
				const line = buffer.slice(0, newline);
				buffer = buffer.slice(newline + 2);
				const verb = line.slice(0, 4).toUpperCase();
				if (verb === 'EHLO') socket.write('250-scripted.test\r\n250-8BITMIME\r\n250 SIZE 52428800\r\n');
				else if (verb === 'HELO' || verb === 'RSET' || verb === 'NOOP') socket.write('250 2.0.0 Ok\r\n');
				else if (verb === 'MAIL') {
					if (!strike(socket, 'mail')) socket.write('250 2.1.0 Ok\r\n');
				} else if (verb === 'RCPT') {
					if (!strike(socket, 'rcpt')) socket.write('250 2.1.5 Ok\r\n');
				} else if (verb === 'DATA') {
					if (strike(socket, 'data')) return;
					socket.write('354 End data with <CR><LF>.<CR><LF>\r\n');
					inData = true;
					bodyBytes = buffer.length;
				} else if (verb === 'QUIT') socket.end('221 2.0.0 Bye\r\n');
				else socket.write('502 5.5.2 Command not recognized\r\n');
			}
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		port: (server.address() as { port: number }).port,
		kept,
		struck: () => struck,
		close: async () => {
			for (const socket of sockets) socket.destroy();
			await new Promise((resolve) => server.close(resolve));
		},
	};
}
