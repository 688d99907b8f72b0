/**
 * Bounces in a real, running n8n (scripts/real-n8n-check.sh): the README's example workflow
 * Email Trigger (IMAP) → SMTP Connector "Read Delivery Report" → IF hard bounce → SMTP Connector (notify).
 *   serve <dir>: a postfix mail host on loopback (delivers, bounces, writes its reports into sender@mail.test's
 *     Maildir) and dovecot's IMAP over those Maildirs; their ports go to <dir>/ports.json. Runs until SIGTERM.
 *   fixtures <dir> <out dir>: the IMAP and postfix credentials, with those ports (the workflows name them by id).
 *   verify <sink dir> <n8n URL>: an invoice sent through n8n (webhook → SMTP Connector, DSN requested) to postfix; its bounce
 *     came back through IMAP as exactly one "Hard bounce" notice naming the recipient, the status, the
 *     envelope id and the original Message-ID; the success report of the other recipient sent no notice.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { testPki } from '../../test/support/certs';
import { startDovecotImap } from '../../test/support/dovecot';
import { postfixUnavailable } from '../../test/support/postfix';
import { MAIL_DOMAIN, startPostfixMailHost } from '../../test/support/postfixMailHost';

const IMAP_PASSWORD = 'Imap-Pa55word';
const ENVELOPE_ID = 'invoice-1042';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function serve(dir: string) {
	const unavailable = postfixUnavailable();
	if (unavailable) throw new Error(unavailable);
	mkdirSync(dir, { recursive: true });
	const host = await startPostfixMailHost(await testPki());
	const imap = await startDovecotImap(path.join(host.root, 'mail'), { sender: IMAP_PASSWORD }, 65534);
	writeFileSync(path.join(dir, 'ports.json'), JSON.stringify({ smtp: host.port, imap: imap.port, root: host.root }));
	const stop = async () => {
		await imap.close();
		await host.close();
		process.exit(0);
	};
	process.on('SIGTERM', () => void stop());
	process.on('SIGINT', () => void stop());
	await new Promise(() => {});
}

function fixtures(dir: string, outDir: string) {
	const ports = JSON.parse(readFileSync(path.join(dir, 'ports.json'), 'utf8'));
	const credentials = [
		{ id: 'smtpConnectorCred5', name: 'Postfix mail host', type: 'smtpConnectorApi', data: { provider: 'custom', host: '127.0.0.1', port: ports.smtp, security: 'none', authType: 'none' } },
		{ id: 'smtpConnectorImap1', name: 'Sender mailbox (IMAP)', type: 'imap', data: { user: 'sender', password: IMAP_PASSWORD, host: '127.0.0.1', port: ports.imap, secure: false, allowUnauthorizedCerts: false } },
	];
	writeFileSync(path.join(outDir, 'credentials-bounce.json'), JSON.stringify(credentials));
}

async function verify(sinkDir: string, n8nUrl: string) {
	// The Email Trigger (IMAP) fetches what arrives while it is connected: the invoice goes out now, through
	// the published workflow's webhook, and its reports arrive after.
	const response = await fetch(`${n8nUrl}/webhook/smtp-connector-bounce-send`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
	const sent = (await response.json()) as Record<string, unknown>;
	console.log(`  sent ${String(sent.messageId)} to ${JSON.stringify(sent.accepted)}; deliveryNotifications ${JSON.stringify(sent.deliveryNotifications)}`);
	const dsn = sent.deliveryNotifications as Record<string, unknown> | undefined;
	if (dsn?.requested !== true || dsn.envelopeId !== ENVELOPE_ID) throw new Error('the send did not ask for delivery reports');
	const notices = () => {
		const mailDir = path.join(sinkDir, 'mail');
		return readdirSync(mailDir)
			.filter((f: string) => f.endsWith('.eml'))
			.map((f: string) => readFileSync(path.join(mailDir, f), 'utf8'))
			.filter((eml: string) => /^Subject: Hard bounce:/m.test(eml));
	};
	for (let i = 0; i < 600 && !notices().length; i++) await sleep(100);
	await sleep(5000); // the success report is read too: it must not add a notice
	const found = notices();
	const text = found.map((eml: string) => eml.replace(/=\r?\n/g, '')).join('\n');
	console.log(`  hard-bounce notices: ${found.length}`);
	const expected = [`nobody@${MAIL_DOMAIN}`, 'status 5.1.1', `envelope ${ENVELOPE_ID}`, `message ${String(sent.messageId)}`];
	const missing = expected.filter((part) => !text.includes(part));
	if (found.length !== 1 || missing.length) throw new Error(`expected one notice with ${expected.join(', ')}; missing ${missing.join(', ') || '-'}:\n${text.slice(0, 2000)}`);
	console.log('REAL N8N BOUNCE CHECK PASSED');
}

const [command, ...args] = process.argv.slice(2);
const commands: Record<string, () => unknown> = {
	serve: () => serve(args[0]),
	fixtures: () => fixtures(args[0], args[1]),
	verify: () => verify(args[0], args[1]),
};
Promise.resolve()
	.then(() => (command in commands ? commands[command]() : Promise.reject(new Error(`unknown command ${command}`))))
	.catch((error: unknown) => {
	console.error(error instanceof Error ? error.message : error);
	console.log('REAL N8N BOUNCE CHECK FAILED');
	process.exit(1);
});
