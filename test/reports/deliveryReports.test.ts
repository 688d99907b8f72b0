import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { atLeast } from '../support/arrivals';
import { testPki } from '../support/certs';
import { outputOf } from '../support/engine';
import { postfixUnavailable } from '../support/postfix';
import { MAIL_DOMAIN, startPostfixMailHost, type PostfixMailHost } from '../support/postfixMailHost';
import { serverSuite } from '../support/serverSuite';
import { emailTriggerItem } from '../support/emailTriggerItem';
import { credentialFor, startSmtpServer } from '../support/smtpServer';
import { runSendNode } from '../support/workflows';

/**
 * Delivery reports through a real postfix: the node sends with DSN requested, postfix delivers, bounces
 * and delays for real and writes its reports into the sender's mailbox, and Read Delivery Report turns
 * each into workflow data that joins the item that sent the mail (envelope id, Message-ID).
 */

const SENDER = `sender@${MAIL_DOMAIN}`;

const asEml = (raw: Buffer, n: number): INodeExecutionData => ({ json: { n }, binary: { data: { data: raw.toString('base64'), mimeType: 'message/rfc822', fileName: `report-${n}.eml` } } });

async function readReports(items: INodeExecutionData[], parameters: Record<string, unknown> = {}, continueOnFail = false) {
	const run = await runSendNode({ parameters: { operation: 'readReport', ...parameters }, items, credential: {}, continueOnFail });
	return { run, out: outputOf(run, 'Send Email').map((item) => item.json) };
}

serverSuite('postfix', postfixUnavailable())('delivery reports from a real postfix', () => {
	let host: PostfixMailHost;
	let credential: Record<string, unknown>;
	beforeAll(async () => {
		const pki = await testPki();
		host = await startPostfixMailHost(pki);
		credential = { ...(await credentialFor({ host: '127.0.0.1', port: host.port } as never)), authType: 'none', user: '', password: '' };
	}, 30_000);
	afterAll(async () => host?.close());
	/** The reports in the sender's mailbox about these recipients, one each, once all have come. */
	const reportsFor = async (recipients: string[]) =>
		await atLeast(
			() => {
				const about = recipients.map((to) => host.mailbox('sender').find((raw) => raw.toString().includes(`Final-Recipient: rfc822; ${to}`)));
				return about.every(Boolean) ? (about as Buffer[]) : [];
			},
			1,
			`reports about ${recipients.join(', ')}`,
		);

	test('a hard bounce, a delivery and a delay, each read back and joined to the item that sent it', async () => {
		const items = [`nobody@${MAIL_DOMAIN}`, `rcpt@${MAIL_DOMAIN}`, 'someone@slow.test'].map((to, n) => ({ json: { to, n, key: `order-104${n}` } }));
		const send = await runSendNode({
			parameters: {
				fromEmail: SENDER,
				toEmail: '={{ $json.to }}',
				subject: '=Order {{ $json.n }}',
				html: '<p>Your order</p>',
				deliveryNotifications: { notify: ['failure', 'delay', 'success'], report: 'headers', envelopeId: '={{ $json.key }}' },
				deliveryOptions: { retries: 0 },
			},
			items,
			credential,
		});
		expect(send.data.resultData.error).toBeUndefined();
		const sent = outputOf(send, 'Send Email').map((item) => item.json);
		expect(sent.map((s) => s.deliveryNotifications)).toEqual(
			items.map((item) => ({ requested: true, serverOffersDsn: true, notify: ['failure', 'delay', 'success'], report: 'headers', envelopeId: item.json.key })),
		);
		const reports = await reportsFor(items.map((item) => String(item.json.to)));
		const { out } = await readReports(reports.map(asEml));
		const byRecipient = (to: string) => out.find((r) => r.finalRecipient === to) as IDataObject;

		const bounce = byRecipient(`nobody@${MAIL_DOMAIN}`);
		expect(bounce).toMatchObject({
			kind: 'hardBounce',
			form: 'rfc3464',
			action: 'failed',
			status: '5.1.1',
			statusMeaning: 'Permanent failure: Bad destination mailbox address (no such user)',
			diagnosticCode: `unknown user: "nobody@${MAIL_DOMAIN}"`,
			originalRecipient: `nobody@${MAIL_DOMAIN}`,
			envelopeId: 'order-1040',
			reportingMta: 'relay.example.test',
			originalMessageId: sent[0].messageId,
			originalSubject: 'Order 0',
		});
		expect(byRecipient(`rcpt@${MAIL_DOMAIN}`)).toMatchObject({ kind: 'delivered', action: 'delivered', status: '2.0.0', envelopeId: 'order-1041', originalMessageId: sent[1].messageId });
		expect(byRecipient('someone@slow.test')).toMatchObject({
			kind: 'delay',
			action: 'delayed',
			status: '4.4.1',
			envelopeId: 'order-1042',
			originalMessageId: sent[2].messageId,
			willRetryUntil: expect.stringMatching(/\d{4}/),
		});
		expect(host.mailbox('rcpt')).toHaveLength(1);

		// The same reports as n8n's Email Trigger (IMAP) gives them: Resolved and RAW read as the .eml does;
		// Simple keeps only postfix's text (no envelope id, no status detail it does not write).
		const asItems = async (format: 'resolved' | 'raw' | 'simple') => {
			const { run, out: rows } = await readReports(await Promise.all(reports.map(async (raw) => await emailTriggerItem(raw, format))));
			expect(run.data.resultData.error?.message).toBeUndefined();
			return rows;
		};
		const essentials = (rows: IDataObject[]) => rows.map((r) => [r.kind, r.finalRecipient, r.status, r.envelopeId, r.originalMessageId]);
		expect(essentials(await asItems('resolved'))).toEqual(essentials(out));
		expect(essentials(await asItems('raw'))).toEqual(essentials(out));
		expect((await asItems('simple')).map((r) => [r.kind, r.form, r.finalRecipient, r.status])).toEqual([
			['hardBounce', 'postfixText', `nobody@${MAIL_DOMAIN}`, '5.0.0'],
			['delivered', 'postfixText', `rcpt@${MAIL_DOMAIN}`, '2.0.0'],
			['delay', 'postfixText', 'someone@slow.test', '4.0.0'],
		]);
	});

	test('a relay that cannot deliver (postfix’s error transport) bounces with its status; Envelope ID defaults to the Message-ID', async () => {
		const send = await runSendNode({
			parameters: { fromEmail: SENDER, toEmail: 'ops@broken.test', subject: 'Alert', html: '<p>Disk full</p>', deliveryNotifications: { notify: ['failure'] }, deliveryOptions: { retries: 0 } },
			items: [{ json: {} }],
			credential,
		});
		const [sent] = outputOf(send, 'Send Email').map((item) => item.json);
		const envelopeId = String(sent.messageId).replace(/^<|>$/g, '');
		expect(sent.deliveryNotifications).toMatchObject({ requested: true, envelopeId, notify: ['failure'] });
		const reports = await reportsFor(['ops@broken.test']);
		const { out } = await readReports([asEml(reports[0], 0)]);
		expect(out).toEqual([
			expect.objectContaining({ kind: 'hardBounce', status: '5.1.2', finalRecipient: 'ops@broken.test', envelopeId, originalMessageId: sent.messageId, originalSubject: 'Alert', diagnosticCode: 'Host or domain name not found (test)' }),
		]);
	});
});

test('a server without DSN: the mail goes out, and the output says no notifications were asked for', async () => {
	const server = await startSmtpServer();
	try {
		const send = await runSendNode({
			parameters: { fromEmail: 'ops@example.test', toEmail: 'a@example.test', subject: 'Hi', html: '<p>Hi</p>', deliveryNotifications: { notify: ['failure'], envelopeId: 'job-7' } },
			items: [{ json: {} }],
			credential: await credentialFor(server),
		});
		const [sent] = outputOf(send, 'Send Email').map((item) => item.json);
		expect(sent.accepted).toEqual(['a@example.test']);
		expect(sent.deliveryNotifications).toEqual({
			requested: false,
			serverOffersDsn: false,
			notify: ['failure'],
			report: 'headers',
			envelopeId: 'job-7',
			note: expect.stringMatching(/did not offer DSN/),
		});
	} finally {
		await server.close();
	}
});

test('an Envelope ID that is not RFC 3461 xchar fails the item, naming the field', async () => {
	const server = await startSmtpServer();
	try {
		const send = await runSendNode({
			parameters: { fromEmail: 'ops@example.test', toEmail: 'a@example.test', subject: 'Hi', html: '<p>Hi</p>', deliveryNotifications: { envelopeId: 'has space' } },
			items: [{ json: {} }],
			credential: await credentialFor(server),
			continueOnFail: true,
		});
		const [item] = outputOf(send, 'Send Email').map((i) => i.json);
		expect((item.error as { message: string }).message).toMatch(/^Envelope ID must be 1 to 100 printable ASCII characters without spaces/);
		expect(server.received).toHaveLength(0);
	} finally {
		await server.close();
	}
});
