import { randomBytes } from 'node:crypto';

import { Container } from '@n8n/di';
import { BinaryDataService, DataDeduplicationService } from 'n8n-core';
import nodemailer from 'nodemailer';
import type { INodeParameters, IRun } from 'n8n-workflow';

import { SmtpConnector } from '../../nodes/SmtpConnector/SmtpConnector.node';
import { EntriesStore } from '../support/dedupStore';
import { freePort } from '../support/ports';
import { credentialFor, startSmtpServer, TEST_USER, type TestSmtpServer } from '../support/smtpServer';
import { activateTrigger, type ActiveTrigger } from '../support/trigger';
import { NODE_TYPE } from '../support/workflows';

/**
 * The two-node relay: SMTP Connector Trigger → SMTP Connector (Message Source "Raw Message From Binary"),
 * through n8n-core's engine; a device (nodemailer) sends to the trigger, a loopback smtp-server stands in
 * for the provider.
 */

// n8n's database, where the relay's Idempotency Key (the trigger's messageKey) is kept.
beforeAll(async () => await DataDeduplicationService.init(new EntriesStore()));

let trigger: ActiveTrigger | undefined;
let provider: TestSmtpServer | undefined;
afterEach(async () => {
	await trigger?.close();
	await provider?.close();
	trigger = provider = undefined;
});

async function relay(opts: { relay?: INodeParameters; providerOptions?: Parameters<typeof startSmtpServer>[0]; port?: number } = {}) {
	provider ??= await startSmtpServer(opts.providerOptions);
	const port = opts.port ?? (await freePort());
	trigger = await activateTrigger({
		credential: { listenAddress: '127.0.0.1', port, tls: 'none', allowedNetworks: '127.0.0.1' },
		next: {
			name: 'Relay',
			type: NODE_TYPE,
			nodeType: new SmtpConnector(),
			parameters: { operation: 'send', messageSource: 'rawBinary', deliveryOptions: { retries: 0 }, ...opts.relay },
			credentials: { smtpConnectorApi: { id: '1', name: 'Provider' } },
			credentialData: { smtpConnectorApi: await credentialFor(provider) },
		},
	});
	const device = nodemailer.createTransport({ host: '127.0.0.1', port, ignoreTLS: true });
	return { device, provider, trigger, port };
}

const relayOutput = (run: IRun) => run.data.resultData.runData.Relay?.[0]?.data?.main?.[0]?.[0]?.json;
const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(250_000), Buffer.from('\n%%EOF\n')]);
const scan = { from: 'Scanner <scanner@office.example>', to: 'ops@example.com', subject: 'Scan', text: 'Scan attached', attachments: [{ filename: 'scan.pdf', content: pdf }] };

test('device → trigger → relay: the provider gets the received message byte for byte, sent as the account, to the device’s recipients', async () => {
	const { device, provider, trigger } = await relay();
	const info = await device.sendMail({ ...scan, envelope: { from: 'scanner@office.example', to: ['ops@example.com', 'boss@example.com'] } });
	expect(info.response).toMatch(/^250 2\.0\.0 Accepted: the workflow has finished/);
	const [arrived] = await provider.waitFor(1);
	const eml = await Container.get(BinaryDataService).getAsBuffer(trigger.items[0].binary!.message);
	expect(arrived.raw.equals(eml)).toBe(true);
	expect(arrived.envelope).toEqual({ from: TEST_USER, to: ['ops@example.com', 'boss@example.com'] });
	expect(arrived.parsed.attachments[0].content.equals(pdf)).toBe(true);
	expect(arrived.parsed.from?.value).toEqual([{ address: 'scanner@office.example', name: 'Scanner' }]);
	const out = relayOutput(await trigger.runs[0]);
	expect(out).toMatchObject({ messageId: info.messageId, accepted: ['ops@example.com', 'boss@example.com'], idempotencyKey: trigger.items[0].json.messageKey });
});

test('From Header "Replace With the Sender": From becomes the account, the original From the Reply-To; the rest is unchanged', async () => {
	const { device, provider } = await relay({ relay: { fromName: 'Office Scanner', relayOptions: { fromHeader: 'sender' } } });
	await device.sendMail(scan);
	const [arrived] = await provider.waitFor(1);
	expect(arrived.parsed.from?.value).toEqual([{ address: TEST_USER, name: 'Office Scanner' }]);
	expect(arrived.parsed.replyTo?.value).toEqual([{ address: 'scanner@office.example', name: 'Scanner' }]);
	expect(arrived.parsed.subject).toBe('Scan');
	expect(arrived.parsed.attachments[0].content.equals(pdf)).toBe(true);
});

test('provider down (451 after the dot): the device hears 451 and keeps the message; its retry is delivered once', async () => {
	let providerUp = false;
	const { device, provider, trigger } = await relay({ providerOptions: { afterDotReply: () => (providerUp ? undefined : [451, '4.7.0 Temporary server error, please try again later']) } });
	await expect(device.sendMail(scan)).rejects.toMatchObject({ responseCode: 451, response: expect.stringMatching(/^451 4\.3\.0 /) });
	providerUp = true;
	expect((await device.sendMail(scan)).response).toMatch(/^250 /);
	await new Promise((r) => setTimeout(r, 200));
	expect(provider.received).toHaveLength(1);
	expect(trigger.items).toHaveLength(2);
});

test('a recipient the provider refuses for good: the device hears the 5xx (it bounces rather than retrying for days)', async () => {
	const { device, provider } = await relay({ providerOptions: { rejectRecipients: { 'gone@example.com': [550, '5.1.1 <gone@example.com>: Recipient address rejected: User unknown'] } } });
	await expect(device.sendMail({ ...scan, to: 'gone@example.com' })).rejects.toMatchObject({ responseCode: 550, response: expect.stringMatching(/^550 5\.1\.1 .*User unknown/) });
	expect(provider.received).toHaveLength(0);
});

test('a message that has passed too many servers is not sent on: 554 5.4.6 to the device, nothing to the provider', async () => {
	const { device, provider, trigger } = await relay({ relay: { relayOptions: { maxReceivedHeaders: 5 } } });
	const hops = Array.from({ length: 5 }, (_, i) => `Received: from hop${i}.example by hop${i + 1}.example; Fri, 4 Dec 2026 10:00:0${i} +0000\r\n`).join('');
	const raw = `${hops}From: app@office.example\r\nTo: ops@example.com\r\nSubject: loop\r\n\r\nround and round\r\n`;
	// Five from the message, one the trigger adds: six.
	await expect(device.sendMail({ envelope: { from: 'app@office.example', to: ['ops@example.com'] }, raw })).rejects.toMatchObject({ responseCode: 554, response: expect.stringMatching(/^554 5\.4\.6 Too many hops/) });
	expect(provider.received).toHaveLength(0);
	expect((await trigger.runs[0]).data.resultData.error?.message).toMatch(/6 Received headers \(more than 5\).*mail loop/);
});

test('a message without Message-ID gets one (as a submission server adds it), reported in the output', async () => {
	const { device, provider, trigger } = await relay();
	await device.sendMail({ envelope: { from: 'app@office.example', to: ['ops@example.com'] }, raw: 'From: app@office.example\r\nTo: ops@example.com\r\nSubject: no id\r\n\r\nbody\r\n' });
	const [arrived] = await provider.waitFor(1);
	const out = relayOutput(await trigger.runs[0]);
	expect(out?.messageId).toMatch(/^<[\w-]+@example\.test>$/);
	expect(arrived.parsed.messageId).toBe(out?.messageId);
	expect(arrived.parsed.text).toBe('body\n');
});

test('after a restart (the trigger has forgotten the message), the device’s resend is not relayed twice: the relay’s Idempotency Key', async () => {
	const first = await relay();
	const raw = 'From: app@office.example\r\nTo: ops@example.com\r\nSubject: once\r\nMessage-ID: <once-1@office.example>\r\nDate: Fri, 04 Dec 2026 10:00:00 +0000\r\n\r\nonly once\r\n';
	const envelope = { from: 'app@office.example', to: ['ops@example.com'] };
	await first.device.sendMail({ envelope, raw });
	await first.trigger.close();
	// n8n restarted: the same workflow activated again, a new trigger with no memory of the message.
	const second = await relay({ port: first.port });
	expect((await second.device.sendMail({ envelope, raw })).response).toMatch(/^250 /);
	expect(first.provider.received).toHaveLength(1);
	expect(relayOutput(await second.trigger.runs[0])).toMatchObject({ skipped: true, reason: 'alreadySent', idempotencyKey: second.trigger.items[0].json.messageKey });
});
