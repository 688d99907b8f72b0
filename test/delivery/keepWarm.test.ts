import { createServer, type Server, type Socket } from 'node:net';

import SMTPConnection from 'nodemailer/lib/smtp-connection';

import { keepWarmTuning, watchAttempt, watchAttemptsOnConnections } from '../../nodes/SmtpConnector/delivery/attemptOnConnection';
import { Stage, type StageValue } from '../../nodes/SmtpConnector/delivery/stage';

/**
 * A connection waiting for its rate-limit permit keeps its session warm with RSET. When the permit comes
 * while an RSET's reply is still on its way, MAIL FROM must wait for that reply: sent before it, the
 * RSET's reply clears the envelope nodemailer reads MAIL's reply into, and the delivery thread throws.
 * The server here holds its RSET reply until it has seen MAIL FROM or half a second has passed, so a
 * client that does not wait is caught every time.
 */

interface Session {
	server: Server;
	port: number;
	/** What the server saw and did, in order. */
	log: string[];
	rsetReceived: Promise<void>;
}

async function startServer(): Promise<Session> {
	const log: string[] = [];
	let onRset!: () => void;
	const rsetReceived = new Promise<void>((resolve) => (onRset = resolve));
	const server = createServer((socket: Socket) => {
		let buffer = '';
		let inData = false;
		let heldRset: (() => void) | undefined;
		const reply = (line: string) => socket.write(`${line}\r\n`);
		socket.on('error', () => {});
		reply('220 scripted ESMTP');
		socket.on('data', (chunk: Buffer) => {
			buffer += chunk.toString('latin1');
			for (;;) {
				if (inData) {
					const end = buffer.indexOf('\r\n.\r\n');
					if (end < 0) return;
					buffer = buffer.slice(end + 5);
					inData = false;
					log.push('dot');
					reply('250 queued');
					continue;
				}
				const eol = buffer.indexOf('\r\n');
				if (eol < 0) return;
				const line = buffer.slice(0, eol);
				buffer = buffer.slice(eol + 2);
				const verb = line.split(/[\s:]/)[0]!.toUpperCase();
				log.push(verb);
				if (verb === 'RSET') {
					const timer = setTimeout(() => heldRset?.(), 500);
					heldRset = () => {
						clearTimeout(timer);
						heldRset = undefined;
						log.push('RSET replied');
						reply('250 reset');
					};
					onRset();
					continue;
				}
				heldRset?.();
				if (verb === 'EHLO') reply('250-scripted\r\n250 8BITMIME');
				else if (verb === 'DATA') {
					inData = true;
					reply('354 go ahead');
				} else if (verb === 'QUIT') {
					reply('221 bye');
					socket.end();
				} else reply('250 ok');
			}
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return { server, port: (server.address() as { port: number }).port, log, rsetReceived };
}

let session: Session;
let connection: SMTPConnection;
beforeEach(async () => {
	session = await startServer();
	watchAttemptsOnConnections();
	keepWarmTuning.ms = 50;
});
afterEach(async () => {
	keepWarmTuning.ms = 20_000;
	connection?.close();
	await new Promise((resolve) => session.server.close(resolve));
});

test('a permit that comes while a keep-warm RSET is unanswered sends MAIL FROM after its reply', async () => {
	connection = new SMTPConnection({ host: '127.0.0.1', port: session.port, ignoreTLS: true });
	await new Promise<void>((resolve, reject) => {
		connection.once('error', reject);
		connection.connect(() => resolve());
	});
	const stages: StageValue[] = [];
	const envelope = { from: 'ops@example.test', to: ['user@example.test'] };
	// The permit arrives as soon as the server has the RSET, before it answers.
	watchAttempt(envelope, { permit: () => session.rsetReceived, reached: (stage) => stages.push(stage) });
	const info = await new Promise<SMTPConnection.SentMessageInfo>((resolve, reject) =>
		connection.send(envelope, 'Subject: Hello\r\n\r\nHi\r\n', (error, sent) => (error ? reject(error) : resolve(sent))),
	);

	expect(info.accepted).toEqual(['user@example.test']);
	const afterFirstRset = session.log.slice(session.log.indexOf('RSET'));
	expect(afterFirstRset.filter((entry) => entry !== 'RSET')).toEqual(['RSET replied', 'MAIL', 'RCPT', 'DATA', 'dot']);
	expect(stages).toEqual([Stage.envelope, Stage.body, Stage.dot]);
});
