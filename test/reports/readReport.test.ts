import type { INodeExecutionData } from 'n8n-workflow';

import { outputOf } from '../support/engine';
import { runSendNode } from '../support/workflows';
import * as fixtures from './fixtures';

/** Read Delivery Report through n8n's engine, on bounce texts, auto-replies, ordinary mail and malformed reports. */

const eml = (text: string, n = 0): INodeExecutionData => ({ json: { n }, binary: { data: { data: Buffer.from(text).toString('base64'), mimeType: 'message/rfc822', fileName: 'mail.eml' } } });

async function read(items: INodeExecutionData[], continueOnFail = false) {
	const run = await runSendNode({ parameters: { operation: 'readReport' }, items, credential: {}, continueOnFail });
	return { error: run.data.resultData.error, out: run.data.resultData.error ? [] : outputOf(run, 'Send Email') };
}
const readOne = async (text: string) => (await read([eml(text)])).out.map((item) => item.json);

test('qmail: each address of the bounce, with the status the remote host gave, and the original from the quoted copy', async () => {
	expect(await readOne(fixtures.qmailBounce)).toEqual([
		expect.objectContaining({ kind: 'hardBounce', form: 'qmail', action: 'failed', status: '5.1.1', finalRecipient: 'nobody@example.org', remoteMta: '192.0.2.25', reportingMta: 'mail.example.net', originalMessageId: '<orig-7@mail.test>', originalSubject: 'Invoice 7' }),
		expect.objectContaining({ kind: 'hardBounce', form: 'qmail', status: '5.1.1', finalRecipient: 'gone@example.org', diagnosticCode: 'Sorry, no mailbox here by that name. (#5.1.1)', originalMessageId: '<orig-7@mail.test>' }),
	]);
});

test('Exim: a failure and a delay warning', async () => {
	expect(await readOne(fixtures.eximBounce)).toEqual([
		expect.objectContaining({
			kind: 'hardBounce',
			form: 'eximText',
			status: '5.1.1',
			finalRecipient: 'nobody@example.org',
			remoteMta: 'mx.example.org',
			diagnosticCode: expect.stringContaining('550 5.1.1 <nobody@example.org>: Recipient address rejected'),
			originalMessageId: '<orig-8@mail.test>',
			originalSubject: 'Invoice 8',
		}),
	]);
	expect(await readOne(fixtures.eximDelay)).toEqual([
		expect.objectContaining({ kind: 'delay', form: 'eximText', action: 'delayed', status: '4.7.1', finalRecipient: 'slow@example.org', originalSubject: 'Invoice 9', diagnosticCode: expect.stringMatching(/^host mx\.example\.org \[192\.0\.2\.26\] SMTP error .* 451 4\.7\.1 Greylisted/) }),
	]);
});

test('Exchange and Microsoft 365 NDR text: the diagnostic for administrators, and the original headers', async () => {
	expect(await readOne(fixtures.exchangeNdr)).toEqual([
		expect.objectContaining({ kind: 'hardBounce', form: 'exchangeText', status: '5.1.1', finalRecipient: 'nobody@contoso.com', reportingMta: 'EX01.contoso.com', diagnosticCode: '550 5.1.1 RESOLVER.ADR.RecipNotFound; not found', originalMessageId: '<orig-10@mail.test>', originalSubject: 'Invoice 10' }),
	]);
	expect(await readOne(fixtures.microsoft365Ndr)).toEqual([
		expect.objectContaining({ kind: 'hardBounce', form: 'exchangeText', status: '5.1.10', statusMeaning: 'Permanent failure: Recipient address has null MX', finalRecipient: 'nobody@contoso.com', originalMessageId: '<orig-12@mail.test>' }),
	]);
	expect(await readOne(fixtures.legacyExchangeNdr)).toEqual([
		expect.objectContaining({ kind: 'hardBounce', form: 'exchangeText', status: '5.1.1', finalRecipient: 'nobody@contoso.com', remoteMta: 'ex01.contoso.com', originalSubject: 'Invoice 11', originalMessageId: null }),
	]);
});

test('an out-of-office reply (RFC 3834) and an Exchange automatic reply read as auto-replies, joined by In-Reply-To; an ordinary mail is not a report', async () => {
	expect(await readOne(fixtures.outOfOffice)).toEqual([
		expect.objectContaining({ kind: 'autoReply', form: 'rfc3834', autoReplyBy: 'Auto-Submitted: auto-replied', action: null, status: null, originalMessageId: '<orig-13@mail.test>', originalSubject: 'Invoice 13' }),
	]);
	expect(await readOne(fixtures.exchangeAutomaticReply)).toEqual([
		expect.objectContaining({ kind: 'autoReply', form: 'autoReplyHeuristic', autoReplyBy: 'Subject: Automatic reply', originalMessageId: '<orig-14@mail.test>', originalSubject: 'Invoice 14' }),
	]);
	expect(await readOne(fixtures.ordinaryMail)).toEqual([
		expect.objectContaining({ kind: 'notReport', form: 'none', action: null, status: null, finalRecipient: null, report: expect.objectContaining({ subject: 'Re: Invoice 15', messageId: '<reply-15@example.org>' }) }),
	]);
});

test('a malformed report gives a clear error naming the part; with Continue On Fail the other items are still read', async () => {
	const cases: Array<[string, RegExp]> = [
		[fixtures.reportWithoutStatusPart, /^multipart\/report: the report \(report-type=delivery-status\) has no message\/delivery-status part$/],
		[fixtures.reportWithoutRecipients, /^message\/delivery-status: it has no recipient block \(Final-Recipient, Action, Status\)$/],
		[fixtures.reportWithoutAction, /^message\/delivery-status, recipient block 1: it has no Action field \(for nobody@example\.org\)$/],
		[fixtures.reportWithBadStatus, /^message\/delivery-status, recipient block 1: Status "bounced" is not a status code like 5\.1\.1/],
	];
	for (const [text, message] of cases) {
		const { error } = await read([eml(text)]);
		expect(error?.message).toMatch(message);
	}
	const { out } = await read([eml(fixtures.reportWithoutAction, 0), eml(fixtures.qmailBounce, 1), { json: { note: 'no mail here' } }], true);
	expect(out.map((item) => [item.pairedItem, (item.json.error as { message?: string } | undefined)?.message ?? item.json.kind])).toEqual([
		[{ item: 0 }, expect.stringMatching(/recipient block 1: it has no Action field/)],
		[{ item: 1 }, 'hardBounce'],
		[{ item: 1 }, 'hardBounce'],
		[{ item: 2 }, expect.stringMatching(/^Item 2 holds no mail: give a binary \.eml/)],
	]);
});
