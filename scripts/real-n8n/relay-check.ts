/**
 * The relay in a real, running n8n (scripts/real-n8n-check.sh): the published workflow SMTP Connector
 * Trigger → SMTP Connector (raw message, XOAUTH2 to the sink's stand-in for Microsoft 365).
 *   1. A device sends a scanner mail with a PDF: it hears 250 once the workflow has finished, and the
 *      provider gets the message exactly as sent, after the trigger's Received header.
 *   2. The provider is down (it answers 451): the device is postfix (relayhost = the trigger); postfix hears
 *      451, keeps the message, and its retry after the provider is back delivers it, once.
 * Usage: node out/relay-check.js <sink dir> <trigger port>
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { simpleParser } from 'mailparser';
import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';

import { testPki } from '../../test/support/certs';
import { postfixUnavailable, startPostfix } from '../../test/support/postfix';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(condition: () => boolean, what: string, seconds = 60) {
	for (let i = 0; i < seconds * 10; i++) {
		if (condition()) return;
		await sleep(100);
	}
	throw new Error(`timed out: ${what}`);
}

/** Messages the provider stand-in received, by Message-ID. */
function providerMail(sinkDir: string, messageId: string): Array<{ raw: Buffer; envelope: { from: string; to: string[] } }> {
	const dir = path.join(sinkDir, 'oauth-mail');
	return readdirSync(dir)
		.filter((f) => f.endsWith('.eml'))
		.map((f) => ({ raw: readFileSync(path.join(dir, f)), envelope: JSON.parse(readFileSync(path.join(dir, f.replace(/\.eml$/, '.json')), 'utf8')).envelope }))
		.filter((m) => m.raw.toString('latin1').includes(`Message-ID: ${messageId}`));
}

async function scannerMail(n: number) {
	const pdf = Buffer.alloc(400_000);
	for (let i = 0; i < pdf.length; i++) pdf[i] = (i * 7919 + n) % 251;
	pdf.write('%PDF-1.7\n', 0);
	const messageId = `<scan-${n}-${Date.now()}@mfp.office.example>`;
	const raw = await new MailComposer({
		from: 'MFP Scanner <scanner@office.example>',
		to: 'ops@contoso.test',
		subject: `Scan ${n} from MFP-2nd-floor`,
		text: 'Scanned document attached.',
		messageId,
		attachments: [{ filename: `scan-${n}.pdf`, content: pdf, contentType: 'application/pdf' }],
	})
		.compile()
		.build();
	return { raw, messageId, pdf };
}

async function main() {
	const [sinkDir, triggerPort] = process.argv.slice(2);
	const oauthUser = JSON.parse(readFileSync(path.join(sinkDir, 'oauth.json'), 'utf8')).user;

	// 1. Straight from the device.
	const first = await scannerMail(1);
	const device = nodemailer.createTransport({ host: '127.0.0.1', port: Number(triggerPort), ignoreTLS: true });
	const info = await device.sendMail({ envelope: { from: 'scanner@office.example', to: ['ops@contoso.test'] }, raw: first.raw });
	await until(() => providerMail(sinkDir, first.messageId).length > 0, 'the relayed scan at the provider', 10);
	const [arrived] = providerMail(sinkDir, first.messageId);
	const parsed = await simpleParser(arrived.raw);
	const bodyIdentical = arrived.raw.subarray(arrived.raw.length - first.raw.length).equals(first.raw) && /^Received: from /.test(arrived.raw.toString('latin1'));
	const pdfIdentical = parsed.attachments[0]?.content.equals(first.pdf) ?? false;
	console.log(`Relay: device heard "${info.response}"; the provider got it from ${arrived.envelope.from} for ${arrived.envelope.to.join(', ')}; message as sent after one Received header: ${bodyIdentical}; PDF byte-identical: ${pdfIdentical}`);
	if (!/^250 2\.0\.0 Accepted: the workflow has finished/.test(info.response) || !bodyIdentical || !pdfIdentical || arrived.envelope.from !== oauthUser) throw new Error('the relayed message differs');

	// 2. Provider down, postfix as the device's queue.
	const unavailable = postfixUnavailable();
	if (unavailable) throw new Error(`postfix is needed for the queue check: ${unavailable}`);
	const down = path.join(sinkDir, 'oauth-down');
	writeFileSync(down, '');
	const retryFast = ['mynetworks = 127.0.0.0/8', 'smtpd_relay_restrictions = permit_mynetworks, reject', 'smtpd_recipient_restrictions = permit_mynetworks, reject', 'minimal_backoff_time = 2s', 'maximal_backoff_time = 3s', 'queue_run_delay = 1s', ''].join('\n');
	const postfix = await startPostfix(Number(triggerPort), await testPki(), 'PLAIN LOGIN', retryFast);
	try {
		const second = await scannerMail(2);
		await nodemailer.createTransport({ host: '127.0.0.1', port: postfix.port, ignoreTLS: true }).sendMail({ envelope: { from: 'scanner@office.example', to: ['ops@contoso.test'] }, raw: second.raw });
		await until(() => /status=deferred \(host 127\.0\.0\.1\[127\.0\.0\.1\] said: 451 /.test(postfix.log()), 'postfix deferring on 451');
		const deferral = /said: (451 [^\n]*)/.exec(postfix.log())![1];
		const queuedWhileDown = postfix.queued();
		rmSync(down);
		await until(() => /status=sent \(250 /.test(postfix.log()) && postfix.queued() === 0, 'postfix delivering after the provider is back');
		await sleep(1000);
		const copies = providerMail(sinkDir, second.messageId);
		const pdfOk = copies.length === 1 && ((await simpleParser(copies[0].raw)).attachments[0]?.content.equals(second.pdf) ?? false);
		const attempts = (postfix.log().match(/status=deferred/g) ?? []).length;
		console.log(`Relay, provider down: postfix heard "${deferral.trim()}" ${attempts} time(s), kept ${queuedWhileDown} message in its queue; after the provider came back: delivered, ${copies.length} copy at the provider, PDF byte-identical: ${pdfOk}`);
		if (!pdfOk || queuedWhileDown !== 1) throw new Error('the queued message was not delivered exactly once');
	} finally {
		if (existsSync(down)) rmSync(down);
		await postfix.close();
	}
	console.log('REAL N8N RELAY CHECK PASSED');
}

main().catch((error) => {
	console.error(error);
	console.log('REAL N8N RELAY CHECK FAILED');
	process.exit(1);
});
