import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { atLeast } from '../support/arrivals';
import { emailTriggerItem } from '../support/emailTriggerItem';
import { outputOf } from '../support/engine';
import { eximUnavailable, startExim, type EximServer } from '../support/exim';
import { serverSuite } from '../support/serverSuite';
import { runSendNode } from '../support/workflows';

/**
 * A second implementation's reports: the node sends through a real Exim 4 with delivery reports requested,
 * Exim bounces an unknown user and delivers to a known one, and Read Delivery Report reads the reports Exim
 * itself wrote into the sender's Maildir — the standard part, and Exim's own text when only that is kept.
 */

const DOMAIN = 'mail.test';

const asEml = (raw: Buffer, n: number): INodeExecutionData => ({ json: { n }, binary: { data: { data: raw.toString('base64'), mimeType: 'message/rfc822', fileName: `report-${n}.eml` } } });

serverSuite('exim', eximUnavailable())('delivery reports from a real Exim', () => {
	let exim: EximServer;
	beforeAll(async () => {
		exim = await startExim(DOMAIN, ['sender', 'rcpt']);
	}, 30_000);
	afterAll(async () => exim?.close());

	test('a bounce and a success report, each joined to the send by envelope id and Message-ID', async () => {
		const credential = { provider: 'custom', host: '127.0.0.1', port: exim.port, security: 'none', authType: 'none', connectionTimeout: 5, greetingTimeout: 3, socketTimeout: 10 };
		const send = await runSendNode({
			parameters: {
				fromEmail: `sender@${DOMAIN}`,
				toEmail: '={{ $json.to }}',
				subject: '=Invoice {{ $json.n }}',
				html: '<p>Your invoice</p>',
				deliveryNotifications: { notify: ['failure', 'success'], envelopeId: '=invoice-{{ $json.n }}' },
				deliveryOptions: { retries: 0 },
			},
			items: [`nobody@${DOMAIN}`, `rcpt@${DOMAIN}`].map((to, n) => ({ json: { to, n } })),
			credential,
		});
		expect(send.data.resultData.error).toBeUndefined();
		const sent = outputOf(send, 'Send Email').map((item) => item.json);
		expect(sent.map((s) => (s.deliveryNotifications as IDataObject).serverOffersDsn)).toEqual([true, true]);
		const reports = await atLeast(() => exim.mailbox('sender'), 2, 'reports in the sender’s mailbox');
		const run = await runSendNode({ parameters: { operation: 'readReport' }, items: reports.map(asEml), credential: {} });
		expect(run.data.resultData.error).toBeUndefined();
		const out = outputOf(run, 'Send Email').map((item) => item.json);
		const about = (to: string) => out.find((r) => r.finalRecipient === to);
		expect(about(`nobody@${DOMAIN}`)).toMatchObject({
			kind: 'hardBounce',
			form: 'rfc3464',
			action: 'failed',
			status: expect.stringMatching(/^5\.\d+\.\d+$/),
			envelopeId: 'invoice-0',
			reportingMta: 'exim.example.test',
			originalMessageId: sent[0].messageId,
			originalSubject: 'Invoice 0',
		});
		expect(about(`rcpt@${DOMAIN}`)).toMatchObject({ kind: 'delivered', action: 'delivered', status: expect.stringMatching(/^2\./), envelopeId: 'invoice-1', originalMessageId: sent[1].messageId });

		// Exim's human-readable part alone, as an Email Trigger (IMAP) item in Simple format keeps it: its text form.
		const bounce = reports.find((raw) => raw.toString().includes('X-Failed-Recipients'))!;
		const simple = await runSendNode({ parameters: { operation: 'readReport' }, items: [await emailTriggerItem(bounce, 'simple')], credential: {} });
		expect(simple.data.resultData.error).toBeUndefined();
		expect(outputOf(simple, 'Send Email').map((item) => item.json)).toEqual([
			expect.objectContaining({ kind: 'hardBounce', form: 'eximText', finalRecipient: `nobody@${DOMAIN}`, diagnosticCode: 'Unknown user' }),
		]);
	});
});
