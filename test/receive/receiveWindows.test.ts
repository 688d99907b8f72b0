import { randomBytes } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import nodemailer from 'nodemailer';

import { relayMessage } from '../../nodes/SmtpConnector/message/raw';
import { freePort } from '../support/ports';
import { SmtpTalk } from '../support/smtpTalk';
import { activateTrigger, type ActiveTrigger, type Step } from '../support/trigger';

/**
 * The windows between the trigger's happy and fault paths (found by an adversarial review): the same
 * message on two connections, a resend while its run still goes, DATA far over the limit, a script's
 * identical alerts, a message no parser can read; and the relay's header edits.
 */

let active: ActiveTrigger | undefined;
afterEach(async () => {
	await active?.close();
	active = undefined;
});

async function start(opts: { parameters?: Record<string, unknown>; step?: Step } = {}) {
	const port = await freePort();
	active = await activateTrigger({
		parameters: opts.parameters as never,
		credential: { listenAddress: '127.0.0.1', port, tls: 'none', allowedNetworks: '127.0.0.1' },
		step: opts.step,
	});
	return { port, trigger: active };
}

const client = (port: number) => nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const spoolDirs = () => readdirSync(tmpdir()).filter((d) => d.startsWith('n8n-smtp-trigger-'));

test('the same message on two connections at once starts one run, not two', async () => {
	const { port, trigger } = await start({ step: () => sleep(300) });
	const attachment = randomBytes(2_000_000).toString('base64').replace(/.{76}/g, '$&\r\n');
	const raw =
		'From: app@office.example\r\nTo: ops@example.com\r\nSubject: twice\r\nMessage-ID: <twice-1@office.example>\r\nDate: Fri, 04 Dec 2026 10:00:00 +0000\r\n' +
		'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nscan\r\n--b\r\nContent-Type: application/pdf; name="s.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n' +
		`${attachment}\r\n--b--\r\n`;
	const envelope = { from: 'app@office.example', to: ['ops@example.com'] };
	const replies = await Promise.all([client(port).sendMail({ envelope, raw }), client(port).sendMail({ envelope, raw })]);
	expect(replies.map((r) => r.response)).toEqual([expect.stringMatching(/^250 /), expect.stringMatching(/^250 /)]);
	expect(trigger.items).toHaveLength(1);
});

test('a resend while the first run still goes past the time limit waits for it and does not start a second run', async () => {
	let release!: () => void;
	const released = new Promise<void>((r) => (release = r));
	const { port, trigger } = await start({ parameters: { options: { waitSeconds: 1 } }, step: () => released });
	const raw = 'From: app@office.example\r\nTo: ops@example.com\r\nSubject: slow\r\nMessage-ID: <slow-1@office.example>\r\n\r\nbody\r\n';
	const send = () => client(port).sendMail({ envelope: { from: 'app@office.example', to: ['ops@example.com'] }, raw });
	await expect(send()).rejects.toMatchObject({ responseCode: 451, response: expect.stringMatching(/^451 4\.4\.7 /) });
	// The device's retry comes while the first run still goes (and goes on for longer than Wait Seconds).
	await expect(send()).rejects.toMatchObject({ responseCode: 451 });
	release();
	await Promise.all(trigger.runs);
	expect(trigger.items).toHaveLength(1);
});

test('DATA far over Max Message Size is not written to disk past the limit (it is refused with 552 anyway)', async () => {
	const { port } = await start({ parameters: { options: { maxSizeMb: 0.05 } } });
	const before = new Set(spoolDirs());
	const talk = await SmtpTalk.open(port);
	await talk.reply();
	await talk.say('EHLO device');
	await talk.say('MAIL FROM:<a@office.example>');
	await talk.say('RCPT TO:<b@example.com>');
	expect(await talk.say('DATA')).toMatch(/^354/);
	talk.write('Subject: big\r\n\r\n');
	const line = `${'y'.repeat(998)}\r\n`;
	for (let i = 0; i < 4000; i++) talk.write(line); // 4 MB, the limit is 52 kB
	await sleep(1500);
	const spooled = spoolDirs()
		.filter((d) => !before.has(d))
		.map((d) => statSync(path.join(tmpdir(), d, 'message.eml')).size);
	talk.write('\r\n.\r\n');
	expect(await talk.reply()).toMatch(/^552 /);
	talk.end();
	expect(spooled).toHaveLength(1);
	expect(spooled[0]).toBeLessThan(200_000);
});

test('the same alert sent again later (curl-style: no Date, no Message-ID) is a new message, not swallowed as "Accepted before"', async () => {
	const { port, trigger } = await start();
	// e.g. `curl smtp://n8n:2525 --mail-from … --mail-rcpt … --upload-file disk-full.txt` from cron: identical bytes each time.
	const raw = 'From: nas@office.example\r\nTo: ops@example.com\r\nSubject: Disk almost full\r\n\r\nVolume 1 is 95 % full.\r\n';
	const send = () => client(port).sendMail({ envelope: { from: 'nas@office.example', to: ['ops@example.com'] }, raw });
	expect((await send()).response).toMatch(/^250 2\.0\.0 Accepted: the workflow has finished/);
	// The first 250 reached the client (it went on with QUIT): this is a new alert an hour later, not a resend.
	const second = await send();
	expect(second.response).toMatch(/^250 2\.0\.0 Accepted: the workflow has finished/);
	expect(trigger.items).toHaveLength(2);
});

test('a message the parser can never read (MIME nested too deep) is refused for good (5xx), not 451 for the device to retry for days', async () => {
	const { port, trigger } = await start();
	let raw = 'From: app@office.example\r\nTo: ops@example.com\r\nSubject: nested\r\nContent-Type: multipart/mixed; boundary="b0"\r\n\r\n';
	for (let i = 1; i < 3000; i++) raw += `--b${i - 1}\r\nContent-Type: multipart/mixed; boundary="b${i}"\r\n\r\n`;
	const send = () => client(port).sendMail({ envelope: { from: 'app@office.example', to: ['ops@example.com'] }, raw });
	await expect(send()).rejects.toMatchObject({ responseCode: expect.any(Number) });
	const error = await send().catch((e: { responseCode: number; response: string }) => e);
	expect(trigger.items).toHaveLength(0);
	expect((error as { responseCode: number }).responseCode).toBeGreaterThanOrEqual(500);
});

describe('relay header edits (message/raw.ts)', () => {
	test('Reply-To copied from a UTF-8 From header keeps its bytes (no Latin-1 mojibake, no control characters)', async () => {
		const source = Buffer.from('From: Jürgen ✓ <j@office.example>\r\nSubject: x\r\nMessage-ID: <a@office.example>\r\n\r\nbody\r\n');
		const out = await relayMessage(source, { maxReceived: 30, from: { name: '', address: 'account@example.com' }, messageIdDomain: 'example.com' });
		const replyTo = /^Reply-To: .*$/m.exec(out.raw.toString('utf8'))?.[0];
		expect(replyTo).toBe('Reply-To: Jürgen ✓ <j@office.example>');
		expect(out.raw.toString('latin1')).not.toMatch(/[\x00-\x08\x0b\x0c\x0e-\x1f]/);
	});

	test('a Message-ID header without angle brackets is not joined by a second Message-ID', async () => {
		const source = Buffer.from('From: printer@office.example\r\nSubject: x\r\nMessage-ID: 1234.printer@office.example\r\n\r\nbody\r\n');
		const out = await relayMessage(source, { maxReceived: 30, messageIdDomain: 'example.com' });
		expect(out.raw.toString().match(/^Message-ID:/gim)).toHaveLength(1);
	});

	test('a From Name with non-ASCII characters is encoded (RFC 2047), not put in the header as raw 8-bit', async () => {
		const source = Buffer.from('From: printer@office.example\r\nSubject: x\r\nMessage-ID: <a@office.example>\r\n\r\nbody\r\n');
		const out = await relayMessage(source, { maxReceived: 30, from: { name: 'Büro Scanner', address: 'account@example.com' }, messageIdDomain: 'example.com' });
		expect(out.raw.toString('latin1')).not.toMatch(/[\x80-\xff]/);
	});
});
