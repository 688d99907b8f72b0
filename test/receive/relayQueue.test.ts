import { randomBytes } from 'node:crypto';

import { Container } from '@n8n/di';
import { BinaryDataService } from 'n8n-core';
import nodemailer from 'nodemailer';

import { testPki } from '../support/certs';
import { freePort } from '../support/ports';
import { postfixUnavailable, startPostfix, type PostfixServer } from '../support/postfix';
import { serverSuite } from '../support/serverSuite';
import { activateTrigger, type ActiveTrigger } from '../support/trigger';

/**
 * Postfix as the device's queue (relayhost = the trigger), as a site puts its printers and apps behind
 * a local MTA: while the workflow fails ("the provider is down") the trigger answers 451, the message
 * stays in postfix's queue, and postfix's own retry delivers it once the workflow succeeds again.
 */

const RETRY_FAST = ['mynetworks = 127.0.0.0/8', 'smtpd_relay_restrictions = permit_mynetworks, reject', 'smtpd_recipient_restrictions = permit_mynetworks, reject', 'minimal_backoff_time = 1s', 'maximal_backoff_time = 2s', 'queue_run_delay = 1s', ''].join('\n');

async function waitUntil(condition: () => boolean, what: () => string, timeoutMs = 30_000) {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error(`timed out waiting: ${what()}`);
		await new Promise((r) => setTimeout(r, 100));
	}
}

serverSuite('postfix', postfixUnavailable())('postfix queues what the trigger refuses with 451', () => {
	let postfix: PostfixServer | undefined;
	let trigger: ActiveTrigger | undefined;
	afterEach(async () => {
		await postfix?.close();
		await trigger?.close();
	});

	test('provider down → 451 → the message waits in postfix → provider back → delivered once, byte for byte', async () => {
		let providerUp = false;
		const port = await freePort();
		trigger = await activateTrigger({
			credential: { listenAddress: '127.0.0.1', port, tls: 'none', allowedNetworks: '127.0.0.1' },
			step: () => {
				if (!providerUp) throw new Error('provider down');
			},
		});
		postfix = await startPostfix(port, await testPki(), 'PLAIN LOGIN', RETRY_FAST);
		const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(200_000)]);
		await nodemailer
			.createTransport({ host: '127.0.0.1', port: postfix.port, ignoreTLS: true })
			.sendMail({ from: 'scanner@office.example', to: 'ops@example.com', subject: 'Scan', text: 'Scan attached', attachments: [{ filename: 'scan.pdf', content: pdf }] });
		const log = () => postfix!.log();
		await waitUntil(() => /status=deferred \(host 127\.0\.0\.1\[127\.0\.0\.1\] said: 451 4\.3\.0 The workflow did not finish successfully/.test(log()), log);
		expect(postfix.queued()).toBe(1);
		const refusedRuns = trigger.items.length;
		expect(refusedRuns).toBeGreaterThanOrEqual(1);

		providerUp = true;
		await waitUntil(() => /status=sent \(250 2\.0\.0 Accepted: the workflow has finished\)/.test(log()), log);
		await waitUntil(() => postfix!.queued() === 0, log);
		const runs = await Promise.all(trigger.runs);
		expect(runs.filter((r) => r.status === 'success')).toHaveLength(1);
		expect(runs.filter((r) => r.status === 'error')).toHaveLength(trigger.items.length - 1);
		// Every attempt was the same message from postfix's queue.
		expect(new Set(trigger.items.map((i) => i.json.messageKey)).size).toBe(1);
		const last = trigger.items[trigger.items.length - 1];
		expect(last.json).toMatchObject({ subject: 'Scan', envelope: { mailFrom: 'scanner@office.example', rcptTo: ['ops@example.com'] }, client: { helo: 'relay.example.test' } });
		expect((await Container.get(BinaryDataService).getAsBuffer(last.binary!.attachment_0)).equals(pdf)).toBe(true);
		expect(log().match(/status=sent/g)).toHaveLength(1);
	});
});
