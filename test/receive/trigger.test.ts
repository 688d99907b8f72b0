import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { BinaryDataService } from 'n8n-core';
import { Container } from '@n8n/di';
import nodemailer from 'nodemailer';
import type { IBinaryData, IRun } from 'n8n-workflow';

import { smtpConnectorReceiverTest } from '../../nodes/SmtpConnector/methods/receiverTest';
import { testPki } from '../support/certs';
import { freePort } from '../support/ports';
import { activateTrigger, type ActiveTrigger, type Step } from '../support/trigger';

/**
 * The SMTP Connector Trigger through n8n-core's engine, with real SMTP clients: nodemailer here, swaks and
 * Python's smtplib in receiveInput.test.ts, postfix in relayQueue.test.ts.
 */

let active: ActiveTrigger | undefined;
afterEach(async () => {
	await active?.close();
	active = undefined;
});

async function start(opts: { parameters?: Record<string, unknown>; credential?: Record<string, unknown>; step?: Step } = {}) {
	const port = await freePort();
	active = await activateTrigger({
		parameters: opts.parameters as never,
		credential: { listenAddress: '127.0.0.1', port, tls: 'none', allowedNetworks: '127.0.0.1', ...opts.credential } as never,
		step: opts.step,
	});
	return { port, trigger: active };
}

const client = (port: number, extra: Record<string, unknown> = {}) =>
	nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, ...extra } as never);

const binaryBytes = async (data: IBinaryData) => Container.get(BinaryDataService).getAsBuffer(data);

const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(300_000), Buffer.from('\n%%EOF\n')]);

test('a scanner-style mail becomes one item: envelope, client, headers, text, the PDF byte for byte, and the raw .eml', async () => {
	const { port, trigger } = await start();
	const info = await client(port).sendMail({
		envelope: { from: 'scanner@office.example', to: ['ops@example.com', 'archive@example.com'] },
		from: 'Scanner <scanner@office.example>',
		to: 'ops@example.com',
		cc: 'archive@example.com',
		subject: 'Scan 2026-12-04 — Grüße',
		text: 'Scanned document attached.',
		attachments: [{ filename: 'scan 0001.pdf', content: pdf, contentType: 'application/pdf' }],
	});
	expect(info.response).toMatch(/^250 2\.0\.0 Accepted: the workflow has finished/);
	expect(trigger.items).toHaveLength(1);
	const [item] = trigger.items;
	expect(item.json).toMatchObject({
		subject: 'Scan 2026-12-04 — Grüße',
		text: 'Scanned document attached.',
		envelope: { mailFrom: 'scanner@office.example', rcptTo: ['ops@example.com', 'archive@example.com'] },
		client: { address: '127.0.0.1', tls: null, user: null },
		from: { value: [{ address: 'scanner@office.example', name: 'Scanner' }] },
		to: { value: [{ address: 'ops@example.com', name: '' }] },
		cc: { value: [{ address: 'archive@example.com', name: '' }] },
		messageId: info.messageId,
		attachments: [{ binaryProperty: 'attachment_0', fileName: 'scan 0001.pdf', contentType: 'application/pdf', size: pdf.length, inline: false }],
	});
	expect(item.json.headers).toMatchObject({ subject: expect.stringMatching(/^Subject: /), 'message-id': `Message-ID: ${info.messageId}` });
	expect((item.json.headers as Record<string, string>).received).toMatch(/^Received: from \S+ \(\[127\.0\.0\.1\]\)\r?\n\tby \S+ \(n8n SMTP Connector Trigger\) with ESMTP/);
	expect(item.json.messageKey).toMatch(/^[0-9a-f]{64}$/);
	expect(Date.parse(item.json.receivedAt as string)).not.toBeNaN();

	expect(item.binary!.attachment_0).toMatchObject({ fileName: 'scan 0001.pdf', mimeType: 'application/pdf' });
	expect((await binaryBytes(item.binary!.attachment_0)).equals(pdf)).toBe(true);
	const raw = await binaryBytes(item.binary!.message);
	expect(item.binary!.message).toMatchObject({ fileName: 'message.eml', mimeType: 'message/rfc822' });
	expect(raw.toString('latin1')).toMatch(/^Received: from /);
	expect(raw.length - (item.json.size as number)).toBe(raw.indexOf('\r\n', raw.indexOf('; ')) + 2); // our header, then the client's bytes as sent
});

test('the client hears 250 only after the run has finished; a failed run gets 451 and the resent message a new run', async () => {
	const order: string[] = [];
	let fail = true;
	const { port, trigger } = await start({
		step: async () => {
			await new Promise((r) => setTimeout(r, 300));
			order.push('run finished');
			if (fail) throw new Error('provider down');
		},
	});
	const mail = { from: 'printer@office.example', to: 'ops@example.com', subject: 'Toner low', text: 'Toner at 5 %' };
	await expect(client(port).sendMail(mail)).rejects.toMatchObject({ responseCode: 451, response: expect.stringMatching(/^451 4\.3\.0 The workflow did not finish successfully \((Step: )?provider down\), try again later/) });
	order.push('client answered');
	expect(order).toEqual(['run finished', 'client answered']);
	fail = false;
	const info = await client(port).sendMail(mail);
	expect(info.response).toMatch(/^250 /);
	expect(trigger.items).toHaveLength(2);
	const runs = await Promise.all(trigger.runs);
	expect(runs.map((r: IRun) => r.status)).toEqual(['error', 'success']);
});

test('a run that outlasts the time limit gets 451; the same message resent gets 250 from that run, with no second run', async () => {
	let release!: () => void;
	const released = new Promise<void>((r) => (release = r));
	const { port, trigger } = await start({ parameters: { options: { waitSeconds: 1 } }, step: () => released });
	const raw = 'From: app@office.example\r\nTo: ops@example.com\r\nSubject: Nightly report\r\nMessage-ID: <nightly-1@office.example>\r\n\r\nAll fine.\r\n';
	const send = () => client(port).sendMail({ envelope: { from: 'app@office.example', to: ['ops@example.com'] }, raw });
	await expect(send()).rejects.toMatchObject({ responseCode: 451, response: expect.stringMatching(/^451 4\.4\.7 /) });
	const resent = send();
	await new Promise((r) => setTimeout(r, 200));
	release();
	expect((await resent).response).toMatch(/^250 2\.0\.0 Accepted before/);
	expect(trigger.items).toHaveLength(1);
	// A message with other bytes is a new message.
	await client(port).sendMail({ envelope: { from: 'app@office.example', to: ['ops@example.com'] }, raw: raw.replace('fine', 'good') });
	expect(trigger.items).toHaveLength(2);
});

test('Accept "When the Message Is Received": 250 before the run has finished', async () => {
	let release!: () => void;
	const released = new Promise<void>((r) => (release = r));
	const { port, trigger } = await start({ parameters: { respondWhen: 'received' }, step: () => released });
	const info = await client(port).sendMail({ from: 'app@office.example', to: 'ops@example.com', subject: 'x', text: 'y' });
	expect(info.response).toMatch(/^250 2\.0\.0 Accepted$/);
	expect(trigger.items).toHaveLength(1);
	let finished = false;
	void trigger.runs[0].then(() => (finished = true));
	await new Promise((r) => setTimeout(r, 50));
	expect(finished).toBe(false);
	release();
	expect((await trigger.runs[0]).status).toBe('success');
});

test('with STARTTLS required and a login: TLS 1.2+ and the user reach the item; AUTH before TLS and a wrong password are refused', async () => {
	const pki = await testPki();
	const credential = { tls: 'starttlsRequired', certificate: pki.cert, privateKey: pki.key, user: 'scanner', password: 's3cret!', allowedNetworks: '' };
	const { port, trigger } = await start({ credential });
	const tls = { ca: pki.caCert, servername: 'localhost' };
	const info = await client(port, { ignoreTLS: false, requireTLS: true, tls, auth: { user: 'scanner', pass: 's3cret!' } }).sendMail({ from: 'scanner@office.example', to: 'ops@example.com', subject: 'x', text: 'y' });
	expect(info.response).toMatch(/^250 /);
	expect(trigger.items[0].json.client).toMatchObject({ tls: expect.stringMatching(/^TLSv1\.[23]$/), user: 'scanner' });
	await expect(client(port, { ignoreTLS: false, requireTLS: true, tls, auth: { user: 'scanner', pass: 'wrong' } }).sendMail({ from: 'a@b.example', to: 'ops@example.com', text: 'y' })).rejects.toMatchObject({ responseCode: 535 });
	// No TLS: the login is refused before the password is sent (nodemailer sends AUTH PLAIN with the password inline).
	await expect(client(port, { auth: { user: 'scanner', pass: 's3cret!' } }).sendMail({ from: 'a@b.example', to: 'ops@example.com', text: 'y' })).rejects.toMatchObject({ responseCode: 538 });
	// No TLS, no login: MAIL FROM is refused.
	await expect(client(port).sendMail({ from: 'a@b.example', to: 'ops@example.com', text: 'y' })).rejects.toMatchObject({ responseCode: 530, response: expect.stringMatching(/STARTTLS/) });
	expect(trigger.items).toHaveLength(1);
});

test('closing the trigger (deactivation, shutdown) while a run goes: the port is free at once, the waiting device hears 250 when the run ends', async () => {
	let release!: () => void;
	const released = new Promise<void>((r) => (release = r));
	const { port, trigger } = await start({ step: () => released });
	const waiting = client(port).sendMail({ from: 'app@office.example', to: 'ops@example.com', subject: 'late', text: 'x' });
	while (!trigger.items.length) await new Promise((r) => setTimeout(r, 10));
	await trigger.close();
	active = undefined;
	// The port is free: a new trigger (the workflow activated again) can listen there at once.
	const again = await activateTrigger({ credential: { listenAddress: '127.0.0.1', port, tls: 'none', allowedNetworks: '127.0.0.1' } });
	await again.close();
	release();
	expect((await waiting).response).toMatch(/^250 2\.0\.0 Accepted: the workflow has finished/);
	await expect(client(port).sendMail({ from: 'app@office.example', to: 'ops@example.com', text: 'x' })).rejects.toMatchObject({ code: 'ESOCKET' });
});

test('spool folders a dead process left are removed when a trigger starts; a fresh one is left alone', async () => {
	const stale = mkdtempSync(path.join(tmpdir(), 'n8n-smtp-trigger-'));
	const fresh = mkdtempSync(path.join(tmpdir(), 'n8n-smtp-trigger-'));
	const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
	utimesSync(stale, twoHoursAgo, twoHoursAgo);
	await start();
	for (let i = 0; i < 50 && existsSync(stale); i++) await new Promise((r) => setTimeout(r, 20));
	expect(existsSync(stale)).toBe(false);
	expect(existsSync(fresh)).toBe(true);
	rmSync(fresh, { recursive: true });
});

test('More Users: each line a login of its own; a malformed line stops activation without showing it; the Test button says who may send', async () => {
	const pki = await testPki();
	const credential = { tls: 'starttls', certificate: pki.cert, privateKey: pki.key, user: 'scanner', password: 's3cret!', moreUserPasswords: 'erp:erp:pa:ss\n\nprinter-2:p2', allowedNetworks: '' };
	const { port, trigger } = await start({ credential });
	const tls = { ca: pki.caCert, servername: 'localhost' };
	const as = (user: string, pass: string) =>
		client(port, { ignoreTLS: false, requireTLS: true, tls, auth: { user, pass } }).sendMail({ from: `${user}@office.example`, to: 'ops@example.com', subject: user, text: 'y' });
	await as('erp', 'erp:pa:ss');
	await as('printer-2', 'p2');
	await expect(as('printer-2', 's3cret!')).rejects.toMatchObject({ responseCode: 535 });
	await expect(as('nobody', 'x')).rejects.toMatchObject({ responseCode: 535 });
	expect(trigger.items.map((i) => (i.json.client as { user: string }).user)).toEqual(['erp', 'printer-2']);

	const full = { listenAddress: '127.0.0.1', port: await freePort(), ...credential };
	const test = (data: Record<string, unknown>) => smtpConnectorReceiverTest.call({} as never, { id: '1', name: 'r', type: 'smtpConnectorReceiverApi', data } as never);
	expect(await test(full)).toEqual({ status: 'OK', message: `n8n can listen on 127.0.0.1:${full.port} (STARTTLS offered); clients that log in as "scanner", "erp", "printer-2" may send` });
	expect(await test({ ...full, port })).toMatchObject({ status: 'Error', message: expect.stringMatching(/^Port 127\.0\.0\.1:\d+ is in use/) });
	const broken = await test({ ...full, moreUserPasswords: 'erp:ok\nsecret-without-user' });
	expect(broken).toEqual({ status: 'Error', message: 'More Users, line 2: write it as user:password' });
	const refused = await activateTrigger({ credential: { ...full, moreUserPasswords: 'only-a-secret' } as never }).catch((error: Error) => error);
	expect((refused as Error).message).toBe('More Users, line 1: write it as user:password');
});
