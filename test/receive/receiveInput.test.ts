import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';

import { testPki } from '../support/certs';
import { freePort } from '../support/ports';
import { serverSuite } from '../support/serverSuite';
import { clientToolsUnavailable, run, SmtpTalk, smtplib } from '../support/smtpTalk';
import { activateTrigger, type ActiveTrigger } from '../support/trigger';

/**
 * What clients get wrong, and who may not send at all: swaks, Python's smtplib and raw SMTP against the
 * trigger activated through n8n-core's engine. Each refusal has its standard reply, nothing is emitted
 * for it, and the listener goes on serving.
 */

let active: ActiveTrigger | undefined;
afterEach(async () => {
	await active?.close();
	active = undefined;
});

async function start(credential: Record<string, unknown> = {}, options: Record<string, unknown> = {}) {
	const port = await freePort();
	active = await activateTrigger({
		parameters: { options } as never,
		credential: { listenAddress: '127.0.0.1', port, tls: 'none', allowedNetworks: '127.0.0.1', ...credential } as never,
	});
	return { port, trigger: active };
}

const swaks = (port: number, ...args: string[]) => run('swaks', ['--server', '127.0.0.1', '--port', String(port), '--timeout', '20', '--hide-informational', ...args]);
const spoolDirs = () => readdirSync(tmpdir()).filter((d) => d.startsWith('n8n-smtp-trigger-'));

const withClientTools = serverSuite('swaks and python3', clientToolsUnavailable());

withClientTools('never an open relay', () => {
	test('a client that neither logs in nor comes from an allowed network cannot relay to an outside domain (swaks)', async () => {
		const pki = await testPki();
		const { port, trigger } = await start({ allowedNetworks: '10.0.0.0/8, 192.168.0.0/16', tls: 'starttls', certificate: pki.cert, privateKey: pki.key, user: 'dev', password: 'pw-1' });
		const relay = await swaks(port, '--from', 'spam@outside.example', '--to', 'victim@elsewhere.example');
		expect(relay.out).toMatch(/<\*\* 530 5\.7\.0 Authentication required/);
		expect(relay.code).not.toBe(0);
		// Over TLS with the login, the same mail is taken.
		const ok = await swaks(port, '--from', 'dev@office.example', '--to', 'victim@elsewhere.example', '--tls', '--tls-verify', '--tls-ca-path', await caFile(pki.caCert), '--auth', 'LOGIN', '--auth-user', 'dev', '--auth-password', 'pw-1');
		expect(ok.out).toMatch(/<~  250 2\.0\.0 Accepted/);
		expect(trigger.items.map((i) => i.json.envelope)).toEqual([{ mailFrom: 'dev@office.example', rcptTo: ['victim@elsewhere.example'] }]);
	});

	test('a login over plain text is refused unless allowed; allowed networks send without one', async () => {
		const { port, trigger } = await start({ allowedNetworks: '', user: 'dev', password: 'pw-1', allowLoginWithoutTls: false, tls: 'starttls', ...(await keyPair()) });
		const plain = await swaks(port, '--from', 'dev@office.example', '--to', 'a@example.com', '--auth', 'PLAIN', '--auth-user', 'dev', '--auth-password', 'pw-1');
		expect(plain.out).toMatch(/<\*\* 538 .*STARTTLS/);
		await active!.close();
		const open = await start({ allowedNetworks: '127.0.0.0/8' });
		const fromNetwork = await swaks(open.port, '--from', 'printer@office.example', '--to', 'a@example.com');
		expect(fromNetwork.out).toMatch(/<-  250 /);
		expect(trigger.items).toHaveLength(0);
		expect(open.trigger.items).toHaveLength(1);
	});

	test('Allowed Recipient / Sender Domains: 550 for a recipient outside, 553 for a sender outside (smtplib)', async () => {
		const { port, trigger } = await start({}, { allowedRecipientDomains: 'example.com', allowedSenderDomains: '@office.example' });
		const send = (from: string, to: string) => smtplib(port, `s.sendmail('${from}', ['${to}'], b'Subject: x\\r\\n\\r\\nbody\\r\\n')`);
		expect((await send('app@office.example', 'victim@outside.example')).out).toMatch(/^550 5\.7\.1 Relaying to <victim@outside\.example> is not allowed/);
		expect((await send('app@spoofed.example', 'ops@example.com')).out).toMatch(/^553 5\.7\.1 Sender <app@spoofed\.example> is not allowed/);
		expect((await send('app@eu.office.example', 'ops@sub.example.com')).out).toMatch(/^OK/);
		// The null sender (a bounce) is in no domain.
		expect((await send('', 'ops@example.com')).out).toMatch(/^553 5\.7\.1 Sender <> is not allowed/);
		expect(trigger.items).toHaveLength(1);
	});
});

withClientTools('bad input gets the right reply and never stops the listener', () => {
	test('bare LF line ends: the message is taken and read', async () => {
		const { port, trigger } = await start();
		const talk = await SmtpTalk.open(port);
		expect(await talk.reply()).toMatch(/^220 /);
		expect(await talk.say('EHLO device')).toMatch(/^250/);
		expect(await talk.say('MAIL FROM:<dev@office.example>')).toMatch(/^250/);
		expect(await talk.say('RCPT TO:<ops@example.com>')).toMatch(/^250/);
		expect(await talk.say('DATA')).toMatch(/^354/);
		// A lone "\n.\n" does not end the message (that would be SMTP smuggling); CRLF.CRLF does.
		talk.write('Subject: LF only\nFrom: dev@office.example\n\nline one\n.\nline two');
		talk.write('\r\n.\r\n');
		expect(await talk.reply()).toMatch(/^250 /);
		talk.end();
		expect(trigger.items[0].json).toMatchObject({ subject: 'LF only', text: 'line one\n.\nline two\n' });
	});

	test('a malformed MAIL FROM gets 501 and the session goes on', async () => {
		const { port } = await start();
		const talk = await SmtpTalk.open(port);
		await talk.reply();
		await talk.say('EHLO device');
		expect(await talk.say('MAIL FROM:<not an address')).toMatch(/^501 /);
		expect(await talk.say('MAIL FROM:<dev@office.example> SIZE=abc')).toMatch(/^5\d\d /);
		expect(await talk.say('MAIL FROM:<dev@office.example>')).toMatch(/^250/);
		talk.end();
	});

	test('8BITMIME and SMTPUTF8: a UTF-8 address, subject and body arrive as written (smtplib)', async () => {
		const { port, trigger } = await start();
		const script = `
msg = EmailMessage()
msg['From'] = 'Jürgen <jürgen@office.example>'
msg['To'] = 'pré@example.com'
msg['Subject'] = 'Größe 8bit ✓'
msg.set_content('Grüße aus dem Büro ✓', cte='8bit')
s.send_message(msg)  # adds SMTPUTF8 and BODY=8BITMIME itself`;
		expect((await smtplib(port, script)).out).toMatch(/^OK/);
		expect(trigger.items[0].json).toMatchObject({
			envelope: { mailFrom: 'jürgen@office.example', rcptTo: ['pré@example.com'] },
			subject: 'Größe 8bit ✓',
			text: 'Grüße aus dem Büro ✓\n',
		});
	});

	test('over Max Message Size: 552 when SIZE says so at MAIL FROM, and 552 after DATA when it did not; nothing emitted, no spool left', async () => {
		const { port, trigger } = await start({}, { maxSizeMb: 0.05 });
		const big = 'x'.repeat(100) + '\\r\\n';
		const declared = await smtplib(port, `s.ehlo()\ns.sendmail('a@office.example', ['b@example.com'], b'Subject: big\\r\\n\\r\\n' + b'${big}' * 1000)`);
		expect(declared.out).toMatch(/^552 /);
		const talk = await SmtpTalk.open(port);
		await talk.reply();
		expect(await talk.say('EHLO device')).toMatch(/SIZE 52429/);
		await talk.say('MAIL FROM:<a@office.example>');
		await talk.say('RCPT TO:<b@example.com>');
		await talk.say('DATA');
		talk.write(`Subject: big\r\n\r\n${'y'.repeat(100_000)}\r\n.\r\n`);
		expect(await talk.reply()).toMatch(/^552 /);
		expect(await talk.say('NOOP')).toMatch(/^250/);
		talk.end();
		expect(trigger.items).toHaveLength(0);
		expect(spoolDirs()).toEqual([]);
	});

	test('more recipients than allowed get 452 each; the first ones are kept', async () => {
		const { port, trigger } = await start({}, { maxRecipients: 2 });
		const out = await swaks(port, '--from', 'a@office.example', '--to', 'r1@example.com,r2@example.com,r3@example.com');
		expect(out.out).toMatch(/<\*\* 452 /);
		expect(trigger.items.map((i) => i.json.envelope)).toEqual([{ mailFrom: 'a@office.example', rcptTo: ['r1@example.com', 'r2@example.com'] }]);
	});

	test('200 connections at once: those over Max Connections per Client get 421, the listener serves on', async () => {
		const { port, trigger } = await start({}, { maxConnectionsPerClient: 10 });
		const talks = await Promise.all(Array.from({ length: 200 }, () => SmtpTalk.open(port)));
		const greetings = await Promise.all(talks.map((t) => t.reply()));
		expect(greetings.filter((g) => g.startsWith('220 ')).length).toBe(10);
		expect(greetings.filter((g) => g.startsWith('421 4.7.0 Too many connections')).length).toBe(190);
		for (const t of talks) t.end();
		await Promise.all(talks.map((t) => t.closed));
		await new Promise((r) => setTimeout(r, 100));
		expect((await swaks(port, '--from', 'a@office.example', '--to', 'b@example.com')).out).toMatch(/<-  250 /);
		expect(trigger.items).toHaveLength(1);
	});

	test('over Max Messages per Minute per Client: 421 at MAIL FROM, and the connection is closed', async () => {
		const { port, trigger } = await start({}, { maxMessagesPerMinute: 2 });
		for (let i = 0; i < 2; i++) expect((await swaks(port, '--from', 'a@office.example', '--to', 'b@example.com')).out).toMatch(/<-  250 /);
		const third = await swaks(port, '--from', 'a@office.example', '--to', 'b@example.com');
		expect(third.out).toMatch(/<\*\* 421 4\.7\.0 Too many messages/);
		expect(trigger.items).toHaveLength(2);
	});

	test('a client that stalls mid-DATA and goes away leaves nothing behind; the next client is served', async () => {
		const { port, trigger } = await start();
		const talk = await SmtpTalk.open(port);
		await talk.reply();
		await talk.say('EHLO device');
		await talk.say('MAIL FROM:<a@office.example>');
		await talk.say('RCPT TO:<b@example.com>');
		await talk.say('DATA');
		talk.write('Subject: half\r\n\r\nthe first half of a sca');
		await new Promise((r) => setTimeout(r, 500));
		talk.end();
		await talk.closed;
		await new Promise((r) => setTimeout(r, 200));
		expect(trigger.items).toHaveLength(0);
		expect(spoolDirs()).toEqual([]);
		expect((await swaks(port, '--from', 'a@office.example', '--to', 'b@example.com')).out).toMatch(/<-  250 /);
	});
});

async function keyPair() {
	const pki = await testPki();
	return { certificate: pki.cert, privateKey: pki.key };
}

async function caFile(pem: string): Promise<string> {
	const { mkdtempSync, writeFileSync } = await import('node:fs');
	const path = await import('node:path');
	const dir = mkdtempSync(path.join(tmpdir(), 'ca-'));
	writeFileSync(path.join(dir, 'ca.pem'), pem);
	return path.join(dir, 'ca.pem');
}
