import { execFile, spawnSync } from 'node:child_process';
import { connect, type Socket } from 'node:net';

/** A plain SMTP conversation on a socket: send a line, read the (possibly multi-line) reply. */
export class SmtpTalk {
	private buffer = '';
	private waiting: Array<(reply: string) => void> = [];
	readonly closed: Promise<void>;

	private constructor(readonly socket: Socket) {
		socket.setEncoding('latin1');
		socket.on('data', (chunk: string) => {
			this.buffer += chunk;
			this.flush();
		});
		this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
		socket.on('error', () => {});
	}

	static async open(port: number): Promise<SmtpTalk> {
		const socket = connect(port, '127.0.0.1');
		await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
		return new SmtpTalk(socket);
	}

	private flush() {
		for (;;) {
			const match = /^(?:\d{3}-[^\n]*\n)*\d{3}(?: [^\n]*)?\n/.exec(this.buffer);
			if (!match || !this.waiting.length) return;
			this.buffer = this.buffer.slice(match[0].length);
			this.waiting.shift()!(match[0].replace(/\r?\n$/, ''));
		}
	}

	/** The next reply; '' when the connection closes first. */
	reply(): Promise<string> {
		return new Promise((resolve) => {
			this.waiting.push(resolve);
			void this.closed.then(() => {
				const i = this.waiting.indexOf(resolve);
				if (i >= 0) this.waiting.splice(i, 1), resolve('');
			});
			this.flush();
		});
	}

	async say(line: string): Promise<string> {
		this.socket.write(`${line}\r\n`);
		return this.reply();
	}

	write(data: string | Buffer) {
		this.socket.write(data);
	}

	end() {
		this.socket.destroy();
	}
}

/** Runs a command; resolves with its exit code and output whatever the code. */
export function run(command: string, args: string[], input?: string): Promise<{ code: number; out: string }> {
	return new Promise((resolve) => {
		const child = execFile(command, args, { timeout: 30_000 }, (error, stdout, stderr) =>
			resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` }),
		);
		if (input !== undefined) child.stdin!.end(input);
	});
}

/** Sends with Python's smtplib; prints "OK" or "<code> <reply>" of the refusal. */
export function smtplib(port: number, script: string): Promise<{ code: number; out: string }> {
	const program = `
import smtplib, sys
from email.message import EmailMessage
try:
    s = smtplib.SMTP('127.0.0.1', ${port}, timeout=20)
${script
	.split('\n')
	.map((line) => `    ${line}`)
	.join('\n')}
    s.quit()
    print('OK')
except smtplib.SMTPResponseException as e:
    print(e.smtp_code, e.smtp_error.decode('utf-8', 'replace'))
except smtplib.SMTPRecipientsRefused as e:
    for r, (code, msg) in e.recipients.items(): print(code, msg.decode())
except smtplib.SMTPSenderRefused as e:
    print(e.smtp_code, e.smtp_error.decode())
`;
	return run('python3', ['-c', program]);
}

/** Why swaks (with TLS) or Python 3 cannot run here, if they cannot (apt-get install swaks libnet-ssleay-perl python3). */
export function clientToolsUnavailable(): string | undefined {
	const install = 'apt-get install swaks libnet-ssleay-perl python3';
	if (spawnSync('swaks', ['--version']).error) return `swaks is not installed (${install})`;
	if (spawnSync('perl', ['-MNet::SSLeay', '-e1']).status !== 0) return `swaks cannot do TLS without Net::SSLeay (${install})`;
	if (spawnSync('python3', ['--version']).error) return `python3 is not installed (${install})`;
	return undefined;
}
