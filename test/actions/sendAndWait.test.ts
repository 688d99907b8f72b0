import type { IDataObject, IExecuteFunctions, INode, INodeType, IRun } from 'n8n-workflow';

import { createHash } from 'node:crypto';

import Redis from 'ioredis';

import { decisionTuning } from '../../nodes/SmtpConnector/approval/decisions';
import { closeRedisClients } from '../../nodes/SmtpConnector/coordination/redis';
import { linkBase, localLinksWarning } from '../../nodes/SmtpConnector/approval/linkBase';
import { SmtpConnector } from '../../nodes/SmtpConnector/SmtpConnector.node';
import { freePort } from '../support/ports';
import { redisUnavailable, startRedis, type RedisServer } from '../support/redis';
import { serverSuite } from '../support/serverSuite';
import { resumeAfterWait, startExecution, type Execution, type RunOptions } from '../support/engine';
import { credentialFor, startSmtpServer, type ReceivedMail, type TestSmtpServer } from '../support/smtpServer';
import { startWaitingWebhookServer, type WaitingWebhookServer } from '../support/waitingWebhooks';
import { agentVariant, NODE_TYPE } from '../support/workflows';

/**
 * Send and Wait for Approval through n8n's engine: the execution waits after the approval mails went
 * out (one per approver, received by the loopback SMTP server); the links are served by an emulation of
 * n8n's waiting-webhook endpoint that checks n8n-core's URL signatures and runs the node's webhook.
 */

const after: INodeType = {
	description: {
		displayName: 'After',
		name: 'after',
		group: ['transform'],
		version: 1,
		description: '',
		defaults: { name: 'After' },
		inputs: ['main'],
		outputs: ['main'],
		properties: [],
	},
	async execute(this: IExecuteFunctions) {
		return [this.getInputData()];
	},
} as unknown as INodeType;

/** An IF on `approved`: approvals leave on output 0, anything else on output 1 (which a loop leads back). */
const route: INodeType = {
	description: {
		displayName: 'Route',
		name: 'route',
		group: ['transform'],
		version: 1,
		description: '',
		defaults: { name: 'Route' },
		inputs: ['main'],
		outputs: ['main', 'main'],
		properties: [],
	},
	async execute(this: IExecuteFunctions) {
		const items = this.getInputData();
		return [items.filter((i) => i.json.approved === true), items.filter((i) => i.json.approved !== true)];
	},
} as unknown as INodeType;

let smtp: TestSmtpServer;
let waiting: WaitingWebhookServer;
beforeAll(async () => {
	smtp = await startSmtpServer({ dsn: true });
	waiting = await startWaitingWebhookServer();
});
afterAll(async () => {
	await waiting.close();
	await smtp.close();
});

const APPROVERS = ['anna@example.test', 'Ben Miller <ben@example.test>'];

async function requestApproval(
	parameters: Record<string, unknown> = {},
	credential: Record<string, unknown> = {},
	shape: 'straight' | 'loop' = 'straight',
	/** As n8n's review gate for an agent's tools: the node variant, and the call it is handed. */
	gate?: { tool: string; toolParameters: IDataObject },
) {
	const variant = gate ? agentVariant('HitlTool') : undefined;
	const node: INode = {
		id: 'approval-node-1',
		name: 'Request Approval',
		type: variant?.type ?? NODE_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: {
			authentication: 'smtpConnectorApi',
			operation: 'sendAndWait',
			fromEmail: 'Procurement <procurement@example.test>',
			approvers: APPROVERS.join(', '),
			subject: 'Approve purchase request #123',
			message: '<p>Laptop for Jane Doe, <strong>1,240 EUR</strong>.</p>',
			...parameters,
		},
		credentials: { smtpConnectorApi: { id: 'approval', name: 'SMTP' } },
	};
	const options: RunOptions = {
		nodeTypes: { [NODE_TYPE]: new SmtpConnector(), ...(variant ? { [variant.type]: variant.nodeType } : {}), after, route },
		workflow:
			shape === 'straight'
				? {
						nodes: [node, { id: 'after', name: 'After', type: 'after', typeVersion: 1, position: [200, 0], parameters: {} }],
						connections: { 'Request Approval': { main: [[{ node: 'After', type: 'main', index: 0 }]] } },
					}
				: {
						// declined → ask again: the same execution waits at the same node a second time
						nodes: [
							node,
							{ id: 'route', name: 'Route', type: 'route', typeVersion: 1, position: [200, 0], parameters: {} },
							{ id: 'after', name: 'After', type: 'after', typeVersion: 1, position: [400, 0], parameters: {} },
						],
						connections: {
							'Request Approval': { main: [[{ node: 'Route', type: 'main', index: 0 }]] },
							Route: { main: [[{ node: 'After', type: 'main', index: 0 }], [{ node: 'Request Approval', type: 'main', index: 0 }]] },
						},
					},
		credentials: { smtpConnectorApi: await credentialFor(smtp, credential) },
		input: [{ json: gate ? { ...gate } : { requestId: 123 } }],
		startNode: 'Request Approval',
		webhookWaitingBaseUrl: waiting.baseUrl,
	};
	const before = smtp.received.length;
	const execution = await startExecution(options);
	waiting.register(execution, options);
	const count = new Set(String(node.parameters.approvers).split(',').map((a) => a.trim().toLowerCase())).size;
	const mails = execution.status === 'waiting' ? (await smtp.waitFor(before + count)).slice(before) : [];
	return { execution, options, mails };
}

/** The approve / decline links of one approver's mail, read from its HTML. */
function linksOf(mail: ReceivedMail): Record<'approve' | 'decline', string> {
	const hrefs = [...String(mail.parsed.html).matchAll(/href="([^"]+)"/g)].map((m) => m[1].replace(/&amp;/g, '&'));
	const find = (decision: string) => hrefs.find((h) => new URL(h).searchParams.get('decision') === decision)!;
	return { approve: find('approve'), decline: find('decline') };
}

const mailTo = (mails: ReceivedMail[], address: string) => mails.find((m) => m.envelope.to.includes(address))!;
const lastRun = (execution: Execution): IRun => execution.runs[execution.runs.length - 1];
const outputAfter = (execution: Execution) => lastRun(execution).data.resultData.runData.After?.[0]?.data?.main?.[0] ?? [];

test('the execution waits after one mail per approver, each with its own signed links', async () => {
	const { execution, mails } = await requestApproval();
	expect(execution.status).toBe('waiting');
	expect(mails.map((m) => m.envelope.to[0]).sort()).toEqual(['anna@example.test', 'ben@example.test']);
	const anna = linksOf(mailTo(mails, 'anna@example.test'));
	const ben = linksOf(mailTo(mails, 'ben@example.test'));
	for (const [links, approver] of [[anna, 'anna@example.test'], [ben, 'ben@example.test']] as const) {
		for (const decision of ['approve', 'decline'] as const) {
			const url = new URL(links[decision]);
			expect(url.pathname).toBe(`/webhook-waiting/${execution.id}/approval-node-1`);
			expect(Object.fromEntries(url.searchParams)).toEqual({
				approver,
				decision,
				title: 'Approve purchase request #123',
				label: decision === 'approve' ? 'Approve' : 'Decline',
				need: '1',
				declines: 'decides',
				reason: 'none',
				approvalId: expect.stringMatching(/^[\w-]{16}$/),
				signature: expect.stringMatching(/^[0-9a-f]{64}$/),
			});
		}
	}
	expect(anna.approve).not.toBe(ben.approve);
	expect(mailTo(mails, 'anna@example.test').parsed.text).toContain(`Approve: ${anna.approve}`);
	expect(outputAfter(execution)).toEqual([]); // nothing after the node ran yet

	// The links lead to 127.0.0.1 (as n8n's are without WEBHOOK_URL): the run says so where the editor shows it.
	const [run] = lastRun(execution).data.resultData.runData['Request Approval'];
	const base = `${new URL(anna.approve).origin}/webhook-waiting/`;
	const warning = `Approval links point at ${base}…, which only this machine can open: approvers elsewhere get dead links. Set n8n's WEBHOOK_URL to an address they can reach (e.g. https://n8n.example.com/) and restart n8n.`;
	expect(run.hints).toEqual([{ message: warning, type: 'warning', location: 'outputPane' }]);
	expect(run.data?.main[0]?.[0].json).toMatchObject({ linksPointAt: base, warning });
});

test.each([
	['http://localhost:5678/webhook-waiting/17/node-1?approver=a&signature=x', 'http://localhost:5678/webhook-waiting/', true],
	['http://127.0.0.1:5678/webhook-waiting/17?signature=x', 'http://127.0.0.1:5678/webhook-waiting/', true],
	['http://[::1]:5678/webhook-waiting/17/node-1', 'http://[::1]:5678/webhook-waiting/', true],
	['https://n8n.example.com/17/webhook-waiting/17/node-17?signature=x', 'https://n8n.example.com/17/webhook-waiting/', false],
	['https://n8n.example.com/webhook-waiting/17/17ab-node?signature=x', 'https://n8n.example.com/webhook-waiting/', false],
	['http://0.0.0.0:5678/webhook-waiting/17/node-1', 'http://0.0.0.0:5678/webhook-waiting/', true],
	['http://[::]:5678/webhook-waiting/17/node-1', 'http://[::]:5678/webhook-waiting/', true],
])('approval links of execution 17 from %s lead to %s; local only: %s', (link, base, local) => {
	expect(linkBase(link, '17')).toBe(base);
	expect(localLinksWarning(base) !== undefined).toBe(local);
});

test('Delivery Notifications: each approval request asks for a report under its own Message-ID, and the waiting item says so per approver', async () => {
	const { execution, mails } = await requestApproval({ deliveryNotifications: { notify: ['failure', 'delay'], report: 'headers' } });
	expect(execution.status).toBe('waiting');
	for (const mail of mails) {
		const [to] = mail.envelope.to;
		expect(mail.dsn).toEqual({ ret: 'HDRS', envid: mail.parsed.messageId!.slice(1, -1), notify: { [to]: ['FAILURE', 'DELAY'] } });
	}
	const waitingItem = lastRun(execution).data.resultData.runData['Request Approval'][0].data!.main[0]![0].json;
	expect(waitingItem.deliveryNotifications).toEqual(
		mails
			.map((mail) => ({ approver: mail.envelope.to[0], requested: true, serverOffersDsn: true, notify: ['failure', 'delay'], report: 'headers', envelopeId: mail.parsed.messageId!.slice(1, -1) }))
			.sort((a, b) => APPROVERS.findIndex((x) => x.includes(a.approver)) - APPROVERS.findIndex((x) => x.includes(b.approver))),
	);
});

test('opening a link (GET) shows a confirmation page and decides nothing; its POST resumes with the decision', async () => {
	const { execution, options, mails } = await requestApproval();
	const link = linksOf(mailTo(mails, 'ben@example.test')).decline;

	for (let i = 0; i < 3; i++) {
		// link scanners, previews, the approver's own click
		const page = await fetch(link);
		expect(page.status).toBe(200);
		expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'.*frame-ancestors 'none'/);
		const html = await page.text();
		expect(html).toContain('Decline “Approve purchase request #123”?');
		expect(html).toContain('<form method="post" action="');
		expect(html).toContain('ben@example.test');
	}
	expect(execution.status).toBe('waiting');
	expect(execution.runs).toHaveLength(1);

	const action = new URL(link).pathname + new URL(link).search;
	const confirm = await (await fetch(link)).text();
	expect(confirm).toContain(`action="${action.replace(/&/g, '&amp;')}"`);
	const response = await fetch(link, { method: 'POST' });
	expect(response.status).toBe(200);
	expect(await response.text()).toContain('Thank you');
	await waiting.settled(execution.id);

	expect(execution.status).toBe('success');
	const [decision] = outputAfter(execution);
	expect(decision.json).toEqual({
		approved: false,
		decision: 'decline',
		decidedBy: 'ben@example.test',
		decidedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
		comment: null,
		timedOut: false,
		subject: 'Approve purchase request #123',
		approvalId: new URL(link).searchParams.get('approvalId'),
		approvers: [
			{ approver: 'anna@example.test', decision: null, comment: null, at: null },
			{ approver: 'ben@example.test', decision: 'decline', comment: null, at: decision.json.decidedAt },
		],
		approvals: 0,
		declines: 1,
		data: { approved: false, respondedAt: decision.json.decidedAt },
	});
	void options;
});

test('the first of several approvers decides; a simultaneous second answer is told it was already decided', async () => {
	const { execution, mails } = await requestApproval();
	const anna = linksOf(mailTo(mails, 'anna@example.test')).approve;
	const ben = linksOf(mailTo(mails, 'ben@example.test')).decline;
	waiting.simultaneous(2);
	const responses = await Promise.all([fetch(anna, { method: 'POST' }), fetch(ben, { method: 'POST' })]);
	await waiting.settled(execution.id);
	expect(execution.runs).toHaveLength(2); // resumed once
	const [decision] = outputAfter(execution);
	const annaWon = decision.json.decidedBy === 'anna@example.test';
	expect([decision.json.approved, decision.json.decidedBy]).toEqual(annaWon ? [true, 'anna@example.test'] : [false, 'ben@example.test']);
	const [winner, loser] = annaWon ? responses : [responses[1], responses[0]];
	expect(winner.status).toBe(200);
	expect(loser.status).toBe(409);
	const what = annaWon ? 'approved by <strong>anna@example\\.test' : 'declined by <strong>ben@example\\.test';
	expect(await loser.text()).toMatch(new RegExp(`Already decided.*was already ${what}</strong> at \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC\\. Your answer changed nothing\\.`, 's'));

	// Later answers reach an execution that has finished: n8n itself answers those ("no action required").
	const late = await fetch(ben, { method: 'POST' });
	expect(await late.text()).toContain('No action required');
	expect(execution.runs).toHaveLength(2);
});

test('a tampered or foreign link is refused and decides nothing', async () => {
	const { execution, mails } = await requestApproval();
	const { approve } = linksOf(mailTo(mails, 'anna@example.test'));
	const tamper = (change: (url: URL) => void) => {
		const url = new URL(approve);
		change(url);
		return url.toString();
	};
	const forged = [
		tamper((u) => u.searchParams.set('approver', 'mallory@example.test')),
		tamper((u) => u.searchParams.set('decision', 'decline')),
		tamper((u) => u.searchParams.set('title', 'Something else')),
		tamper((u) => u.searchParams.set('signature', '0'.repeat(64))),
		tamper((u) => u.searchParams.delete('signature')),
		tamper((u) => (u.pathname = u.pathname.replace(`/${execution.id}/`, '/999/'))),
	];
	// a forged signature gets n8n's 401; a link to an execution that does not exist, its 404
	expect(await Promise.all(forged.map(async (url) => (await fetch(url, { method: 'POST' })).status))).toEqual([401, 401, 401, 401, 401, 404]);
	// a link of another execution's request does not fit this one
	const other = await requestApproval();
	const foreign = new URL(linksOf(mailTo(other.mails, 'anna@example.test')).approve);
	foreign.pathname = foreign.pathname.replace(`/${other.execution.id}/`, `/${execution.id}/`);
	expect((await fetch(foreign, { method: 'POST' })).status).toBe(401);
	expect(execution.status).toBe('waiting');
	expect(execution.runs).toHaveLength(1);
});

test('when the wait limit passes, the workflow resumes with approved = null and timedOut = true', async () => {
	const before = Date.now();
	const { execution, options } = await requestApproval({
		approvalType: 'approveOnly',
		approvalOptions: { limitWaitTime: { values: { limitType: 'afterTimeInterval', resumeAmount: 2, resumeUnit: 'hours' } } },
	});
	const after = Date.now();
	// Two hours from when the node ran, which was between these two moments (however long it took).
	const waitTill = lastRun(execution).waitTill!.getTime();
	expect(waitTill).toBeGreaterThanOrEqual(before + 2 * 3_600_000);
	expect(waitTill).toBeLessThanOrEqual(after + 2 * 3_600_000);
	await resumeAfterWait(execution, options); // what n8n's wait tracker does at waitTill
	expect(execution.status).toBe('success');
	expect(outputAfter(execution).map((i) => i.json)).toEqual([
		{
			approved: null,
			decision: null,
			decidedBy: null,
			decidedAt: null,
			comment: null,
			timedOut: true,
			subject: 'Approve purchase request #123',
			approvalId: expect.stringMatching(/^[\w-]{16}$/),
			approvers: [
				{ approver: 'anna@example.test', decision: null, comment: null, at: null },
				{ approver: 'ben@example.test', decision: null, comment: null, at: null },
			],
			approvals: 0,
			declines: 0,
		},
	]);
});

test('a loop asks again: the second request is decided by its own links, and the first request\'s links are told it was replaced', async () => {
	const { execution, mails: round1 } = await requestApproval({}, {}, 'loop');
	const first = { anna: linksOf(mailTo(round1, 'anna@example.test')), ben: linksOf(mailTo(round1, 'ben@example.test')) };
	const before = smtp.received.length;
	expect((await fetch(first.ben.decline, { method: 'POST' })).status).toBe(200);
	await waiting.settled(execution.id);
	// declined → Route → the same node again: a second request, waiting in the same execution
	expect(execution.status).toBe('waiting');
	const round2 = (await smtp.waitFor(before + 2)).slice(before);
	const second = { anna: linksOf(mailTo(round2, 'anna@example.test')), ben: linksOf(mailTo(round2, 'ben@example.test')) };
	const id1 = new URL(first.anna.approve).searchParams.get('approvalId');
	const id2 = new URL(second.anna.approve).searchParams.get('approvalId');
	expect(id2).not.toBe(id1);

	// The first request's links, opened or answered, decide nothing now.
	for (const method of ['GET', 'POST']) {
		const stale = await fetch(first.anna.approve, { method });
		expect(stale.status).toBe(410);
		expect(await stale.text()).toContain('This request was replaced');
	}
	expect(execution.status).toBe('waiting');
	expect(execution.runs).toHaveLength(2);

	const confirm = await fetch(second.anna.approve);
	expect(await confirm.text()).toContain('Nothing has been decided yet.');
	const answer = await fetch(second.anna.approve, { method: 'POST' });
	expect(answer.status).toBe(200);
	await waiting.settled(execution.id);
	expect(execution.status).toBe('success');
	expect(outputAfter(execution).map((i) => i.json)).toEqual([
		expect.objectContaining({ approved: true, decision: 'approve', decidedBy: 'anna@example.test', approvalId: id2 }),
	]);
	// Ben's answer to the second request comes after the execution finished: n8n answers it, as in any request.
	expect(await (await fetch(second.ben.decline, { method: 'POST' })).text()).toContain('No action required');
	expect(execution.runs).toHaveLength(3);
});

describe('a reason with the decision', () => {
	const post = (link: string, comment?: string) =>
		fetch(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: comment === undefined ? '' : new URLSearchParams({ comment }).toString() });

	test('asked on decline and required: the decline page has the field, an empty or blank reason is refused with the page shown again, the reason given is the output\'s comment', async () => {
		const { execution, mails } = await requestApproval({ approvalOptions: { askForReason: 'onDecline', reasonRequired: true } });
		const { approve, decline } = linksOf(mailTo(mails, 'ben@example.test'));
		expect(await (await fetch(approve)).text()).not.toContain('<textarea');
		const page = await (await fetch(decline)).text();
		expect(page).toMatch(/<label for="comment"[^>]*>Reason<\/label>\s*<textarea id="comment" name="comment" rows="4" maxlength="2000" required/);

		for (const comment of [undefined, '', '  \n  ']) {
			const refused = await post(decline, comment);
			expect(refused.status).toBe(422);
			const html = await refused.text();
			expect(html).toContain('Please give a reason: it is required for this answer.');
			expect(html).toContain('<form method="post"');
		}
		const tooLong = await post(decline, `<b>${'x'.repeat(2_001)}`);
		expect(tooLong.status).toBe(422);
		const again = await tooLong.text();
		expect(again).toContain('at most 2000 are kept');
		expect(again).toContain(`>&lt;b&gt;${'x'.repeat(2_001)}</textarea>`); // what was typed comes back, escaped
		expect(execution.status).toBe('waiting');
		expect(execution.runs).toHaveLength(1);

		const reason = 'Over budget <by 240 EUR>;\r\nask again in Q1 & "soon"';
		const decided = await post(decline, reason);
		expect(decided.status).toBe(200);
		await waiting.settled(execution.id);
		expect(outputAfter(execution)[0].json).toMatchObject({ approved: false, decidedBy: 'ben@example.test', comment: 'Over budget <by 240 EUR>;\nask again in Q1 & "soon"' });
	});

	test('asked always and optional: every page has the field, and an answer without a reason has comment null', async () => {
		const { execution, mails } = await requestApproval({ approvalOptions: { askForReason: 'always' } });
		const { approve, decline } = linksOf(mailTo(mails, 'anna@example.test'));
		for (const link of [approve, decline]) expect(await (await fetch(link)).text()).toMatch(/Reason <span[^>]*>\(optional\)<\/span><\/label>\s*<textarea id="comment" name="comment" rows="4" maxlength="2000" style/);
		expect((await post(approve, '   ')).status).toBe(200);
		await waiting.settled(execution.id);
		expect(outputAfter(execution)[0].json).toMatchObject({ approved: true, comment: null, data: { approved: true } });
	});
});

describe('Free Text and Custom Form responses', () => {
	/** What the form page's browser sends: multipart/form-data. */
	const form = (fields: Record<string, string | string[]>) => {
		const body = new FormData();
		for (const [name, value] of Object.entries(fields)) for (const v of [value].flat()) body.append(name, v);
		return { method: 'POST', body };
	};
	const respondLink = (mail: ReceivedMail) => {
		const hrefs = [...String(mail.parsed.html).matchAll(/href="([^"]+)"/g)].map((m) => m[1].replace(/&amp;/g, '&'));
		expect(hrefs).toHaveLength(1);
		return hrefs[0];
	};

	test('Free Text: one Respond button; the page is a required text box; an empty answer is refused and nothing resumed; the answer arrives as typed', async () => {
		const { execution, mails } = await requestApproval({ responseType: 'freeText', formOptions: { messageButtonLabel: 'Answer' } });
		const mail = mailTo(mails, 'anna@example.test');
		expect(String(mail.parsed.html)).toContain('>Answer</a>');
		expect(mail.parsed.text).toContain('The link opens a page with the form');
		const link = respondLink(mail);
		expect(new URL(link).searchParams.get('decision')).toBe('respond');

		const page = await fetch(link);
		expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
		const html = await page.text();
		expect(html).toContain('<h1 style="margin:0 0 12px;font-size:20px;line-height:28px;font-weight:600;">Approve purchase request #123</h1>');
		expect(html).toContain('<p>Laptop for Jane Doe, <strong>1,240 EUR</strong>.</p>');
		expect(html).toMatch(/<label for="f0"[^>]*>Response<\/label><textarea id="f0" name="field-0" rows="5" maxlength="10000" required/);
		expect(html).not.toMatch(/<script/i);
		expect(execution.runs).toHaveLength(1); // opening the page answers nothing
		const forged = new URL(link);
		forged.searchParams.set('approver', 'mallory@example.test');
		expect((await fetch(forged, form({ 'field-0': 'forged' }))).status).toBe(401);

		const empty = await fetch(link, form({ 'field-0': '  ' }));
		expect(empty.status).toBe(422);
		expect(await empty.text()).toContain('This field is required.');
		expect(execution.runs).toHaveLength(1);

		const typed = 'Yes, but only 1,100 EUR <not more> & "by Friday"\r\nThanks';
		expect((await fetch(link, form({ 'field-0': typed }))).status).toBe(200);
		await waiting.settled(execution.id);
		const [answer] = outputAfter(execution);
		expect(answer.json).toEqual({
			respondedBy: 'anna@example.test',
			respondedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
			timedOut: false,
			subject: 'Approve purchase request #123',
			approvalId: new URL(link).searchParams.get('approvalId'),
			data: { text: 'Yes, but only 1,100 EUR <not more> & "by Friday"\nThanks', respondedAt: answer.json.respondedAt },
		});
	});

	const purchaseForm = {
		values: [
			{ fieldLabel: 'Approved Amount', fieldType: 'number', requiredField: true, placeholder: '1240' },
			{ fieldLabel: 'Cost Centre', fieldType: 'dropdown', requiredField: true, fieldOptions: { values: [{ option: 'CC-100' }, { option: 'CC-200 <R&D>' }] } },
			{ fieldLabel: 'Also Approve', fieldType: 'checkbox', fieldOptions: { values: [{ option: 'Finance' }, { option: 'Legal' }] } },
			{ fieldLabel: 'Notes', fieldType: 'textarea' },
			{ fieldLabel: 'Start', fieldName: 'startDate', fieldType: 'date' },
			{ fieldType: 'html', html: '<p><em>Budget 2027</em></p>' },
			{ fieldName: 'source', fieldType: 'hiddenField', fieldValue: 'n8n' },
		],
	};

	test('Custom Form: every field checked on the server; a bad form is shown again with what was typed and each problem, nothing resumed; a good one arrives as typed under data', async () => {
		const css = 'h1 { color: teal; } </style><script>alert(1)</script>';
		const { execution, mails } = await requestApproval({ responseType: 'customForm', formFields: purchaseForm, formOptions: { responseFormTitle: 'Purchase details', responseFormButtonLabel: 'Send', responseFormCustomCss: css } });
		const link = respondLink(mailTo(mails, 'ben@example.test'));
		const html = await (await fetch(link)).text();
		expect(html).toContain('<title>Purchase details</title><style>h1 { color: teal; } \\3c /style>\\3c script>alert(1)\\3c /script></style>');
		expect(html).not.toMatch(/<script/i);
		expect(html).toContain('<input type="number" step="any" id="f0" name="field-0" value="" required placeholder="1240"');
		expect(html).toContain('<option value="CC-200 &lt;R&amp;D&gt;">CC-200 &lt;R&amp;D&gt;</option>');
		expect(html).toContain('<input type="checkbox" id="f2-1" name="field-2" value="Legal">');
		expect(html).toContain('<p><em>Budget 2027</em></p>');
		expect(html).not.toContain('n8n"'); // the hidden field's value stays on the server
		expect(html).toContain('>Send</button>');
		// n8n 2.x refuses (415) any other body for a send-and-wait node whose responseType is customForm.
		expect(html).toContain('enctype="multipart/form-data"');

		const bad = await fetch(link, form({ 'field-0': '12o0', 'field-1': 'CC-999', 'field-2': ['Finance', 'Board'], 'field-3': '<b>keep me</b>', 'field-4': '2027-02-30' }));
		expect(bad.status).toBe(422);
		const again = await bad.text();
		expect(again).toContain('Some answers need another look');
		expect(again).toContain('Enter a number, e.g. 1240.50');
		expect(again).toContain('Choose one of the options shown.');
		expect(again).toContain('Choose among the options shown.');
		expect(again).toContain('Enter a date as YYYY-MM-DD.');
		expect(again).toContain('value="12o0"');
		expect(again).toContain('>&lt;b&gt;keep me&lt;/b&gt;</textarea>');
		const missing = await (await fetch(link, form({ 'field-2': 'Legal' }))).text();
		expect(missing.match(/This field is required\./g)).toHaveLength(2);
		expect(execution.runs).toHaveLength(1);

		const good = await fetch(link, form({ 'field-0': ' 1240.50 ', 'field-1': 'CC-200 <R&D>', 'field-2': ['Legal', 'Finance'], 'field-3': '', 'field-4': '2027-01-15' }));
		expect(good.status).toBe(200);
		await waiting.settled(execution.id);
		const [answer] = outputAfter(execution);
		expect(answer.json).toMatchObject({ respondedBy: 'ben@example.test', timedOut: false });
		expect(answer.json.data).toEqual({
			'Approved Amount': 1240.5,
			'Cost Centre': 'CC-200 <R&D>',
			'Also Approve': ['Finance', 'Legal'],
			Notes: '',
			startDate: '2027-01-15',
			source: 'n8n',
			respondedAt: answer.json.respondedAt,
		});
	});

	test('Custom Form defined as JSON; a definition that cannot make a form fails the node before any mail goes out', async () => {
		const fields = JSON.stringify([{ fieldLabel: 'Cost Centre', requiredField: true }]);
		const { execution, mails } = await requestApproval({ responseType: 'customForm', defineForm: 'json', jsonOutput: fields });
		const link = respondLink(mailTo(mails, 'anna@example.test'));
		expect(await (await fetch(link)).text()).toContain('<input type="text" id="f0" name="field-0" value="" maxlength="1000" required');
		expect((await fetch(link, form({ 'field-0': 'CC-100' }))).status).toBe(200);
		await waiting.settled(execution.id);
		expect(outputAfter(execution)[0].json.data).toMatchObject({ 'Cost Centre': 'CC-100' });

		const before = smtp.received.length;
		for (const [jsonOutput, message] of [
			['[{ "fieldLabel": "Amount" ', /^Form Fields \(JSON\) is not valid JSON: /],
			['{ "fieldLabel": "Amount" }', /^Form Fields \(JSON\) must be a JSON array of fields/],
			['[{ "fieldLabel": "Invoice", "fieldType": "file" }]', /^Form Fields \(JSON\): element 1 has the type "file": file uploads are not offered on a response page$/],
			['[{ "fieldLabel": "Team", "fieldType": "dropdown" }]', /^Form Fields \(JSON\): "Team" offers no options$/],
			['[{ "fieldLabel": "A" }, { "fieldLabel": "A" }]', /two fields are named "A"/],
		] as const) {
			const failed = await requestApproval({ responseType: 'customForm', defineForm: 'json', jsonOutput });
			expect(failed.execution.status).toBe('error');
			expect(lastRun(failed.execution).data.resultData.error?.message).toMatch(message);
		}
		expect(smtp.received.length).toBe(before);
	});

	test('a form nobody answers: at the wait limit the workflow resumes with timedOut = true and data = null', async () => {
		const { execution, options } = await requestApproval({ responseType: 'freeText', formOptions: { limitWaitTime: { values: { limitType: 'afterTimeInterval', resumeAmount: 1, resumeUnit: 'hours' } } } });
		expect(lastRun(execution).waitTill!.getTime()).toBeGreaterThan(Date.now() + 3_500_000);
		await resumeAfterWait(execution, options);
		expect(outputAfter(execution).map((i) => i.json)).toEqual([
			{ respondedBy: null, respondedAt: null, timedOut: true, subject: 'Approve purchase request #123', approvalId: expect.any(String), data: null },
		]);
	});
});

describe('a quorum of approvers', () => {
	const THREE = 'anna@example.test, ben@example.test, carl@example.test';
	const post = async (link: string) => {
		const response = await fetch(link, { method: 'POST' });
		return { status: response.status, text: await response.text() };
	};

	test('two of three, a decline counting as one vote: each answer is counted, a second click changes nothing, the second approval resumes with all three approvers', async () => {
		const { execution, mails } = await requestApproval({ approvers: THREE, approvalOptions: { approvalsNeeded: 'atLeast', minApprovals: 2, declineRule: 'vote' } });
		const [anna, ben, carl] = ['anna', 'ben', 'carl'].map((n) => linksOf(mailTo(mails, `${n}@example.test`)));
		const first = await post(anna.approve);
		expect(first.status).toBe(200);
		expect(first.text).toContain('1 of the 2 approvals needed so far');
		expect((await post(ben.decline)).status).toBe(200); // carl can still make it two
		const again = await post(anna.decline);
		expect(again.status).toBe(409);
		expect(again.text).toMatch(/You approved .* UTC; your first answer stands\. The request is still waiting for other approvers\./);
		expect(execution.status).toBe('waiting');
		expect(execution.runs).toHaveLength(1);

		const last = await post(carl.approve);
		expect(last.status).toBe(200);
		expect(last.text).toContain('has been recorded');
		await waiting.settled(execution.id);
		const [result] = outputAfter(execution);
		expect(result.json).toMatchObject({ approved: true, decision: 'approve', decidedBy: 'carl@example.test', approvals: 2, declines: 1, data: { approved: true } });
		expect((result.json.approvers as Array<{ approver: string; decision: string }>).map((a) => [a.approver, a.decision])).toEqual([
			['anna@example.test', 'approve'],
			['ben@example.test', 'decline'],
			['carl@example.test', 'approve'],
		]);
	});

	test('a double-click on the deciding link resumes once; the second is told it was decided', async () => {
		const { execution, mails } = await requestApproval({ approvers: THREE });
		const anna = linksOf(mailTo(mails, 'anna@example.test')).approve;
		waiting.simultaneous(2);
		const responses = await Promise.all([fetch(anna, { method: 'POST' }), fetch(anna, { method: 'POST' })]);
		await waiting.settled(execution.id);
		expect(responses.map((r) => r.status).sort()).toEqual([200, 409]);
	});

	test('the quorum is the one the mails went out with, though its setting reads this node\'s input; an address listed twice gets one mail and one vote', async () => {
		const { execution, mails } = await requestApproval({
			approvers: 'anna@example.test, ben@example.test, Anna@Example.test, carl@example.test',
			approvalOptions: { approvalsNeeded: 'atLeast', minApprovals: '={{ $json.requestId / 41 }}' }, // 3, from the input item
		});
		expect(mails.map((m) => m.envelope.to[0]).sort()).toEqual(['anna@example.test', 'ben@example.test', 'carl@example.test']);
		const [anna, ben, carl] = ['anna', 'ben', 'carl'].map((n) => linksOf(mailTo(mails, `${n}@example.test`)));
		expect((await fetch(anna.approve, { method: 'POST' }).then((r) => r.text()))).toContain('1 of the 3 approvals needed so far');
		expect((await fetch(ben.approve, { method: 'POST' }).then((r) => r.text()))).toContain('2 of the 3 approvals needed so far');
		expect(execution.runs).toHaveLength(1);
		expect((await fetch(carl.approve, { method: 'POST' })).status).toBe(200);
		await waiting.settled(execution.id);
		expect(outputAfter(execution)[0].json).toMatchObject({ approved: true, approvals: 3 });
	});

	test('all approvers, a decline deciding at once: the first decline resumes, and who never answered is listed', async () => {
		const { execution, mails } = await requestApproval({ approvers: THREE, approvalOptions: { approvalsNeeded: 'all' } });
		const [anna, ben] = ['anna', 'ben'].map((n) => linksOf(mailTo(mails, `${n}@example.test`)));
		expect((await post(anna.approve)).text).toContain('1 of the 3 approvals needed so far');
		expect((await post(ben.decline)).status).toBe(200);
		await waiting.settled(execution.id);
		const [result] = outputAfter(execution);
		expect(result.json).toMatchObject({ approved: false, decidedBy: 'ben@example.test', approvals: 1, declines: 1 });
		expect((result.json.approvers as Array<{ decision: string | null }>).map((a) => a.decision)).toEqual(['approve', 'decline', null]);
	});

	test('two of three, declines as votes: declined once two approvals can no longer come', async () => {
		const { execution, mails } = await requestApproval({ approvers: THREE, approvalOptions: { approvalsNeeded: 'atLeast', minApprovals: 2, declineRule: 'vote' } });
		const [anna, ben] = ['anna', 'ben'].map((n) => linksOf(mailTo(mails, `${n}@example.test`)));
		expect((await post(anna.decline)).status).toBe(200);
		expect(execution.runs).toHaveLength(1);
		expect((await post(ben.decline)).status).toBe(200);
		await waiting.settled(execution.id);
		expect(outputAfter(execution)[0].json).toMatchObject({ approved: false, decidedBy: 'ben@example.test', approvals: 0, declines: 2 });
	});
});

test('button styles: by default Approve is filled and Decline outlined; the options turn them round', async () => {
	const cells = (mail: ReceivedMail) => [...String(mail.parsed.html).matchAll(/<td (bgcolor="[^"]+")[^>]*><a href="[^"]+decision=(\w+)/g)].map((m) => `${m[2]} ${m[1]}`);
	const plain = await requestApproval({ approvers: 'anna@example.test' });
	expect(cells(plain.mails[0])).toEqual(['approve bgcolor="#15803d"', 'decline bgcolor="#ffffff"']);
	const turned = await requestApproval({ approvers: 'anna@example.test', approvalOptions: { buttonApprovalStyle: 'secondary', buttonDeclineStyle: 'primary' } });
	expect(cells(turned.mails[0])).toEqual(['approve bgcolor="#ffffff"', 'decline bgcolor="#b91c1c"']);
});

test('approve-only requests carry one button; bad approvers fail before anything is sent', async () => {
	const { mails } = await requestApproval({ approvalType: 'approveOnly', approveLabel: 'Sign off' });
	const html = String(mails[0].parsed.html);
	expect([...html.matchAll(/href="/g)]).toHaveLength(1);
	expect(html).toContain('>Sign off</a>');
	const before = smtp.received.length;
	const bad = await requestApproval({ approvers: 'anna@example.test, not-an-address' });
	expect(bad.execution.status).toBe('error');
	expect(lastRun(bad.execution).data.resultData.error?.message).toBe('Approvers: "not-an-address" is not a valid email address (no "@")');
	expect(smtp.received.length).toBe(before);
});

serverSuite('redis-server', redisUnavailable())('approvals decided once across webhook processes (Shared Limits in Redis)', () => {
	let redis: RedisServer;
	beforeAll(async () => {
		redis = await startRedis();
	});
	afterAll(async () => {
		await closeRedisClients();
		await redis.close();
	});
	const shared = () => ({ sharedLimits: 'redis', redisUrl: redis.url });
	/** The request's answers in the order they came, where every webhook process reads them. */
	const answersKey = (link: string) => {
		const url = new URL(link);
		return `n8n-smtp-connector:approval2:{${createHash('sha256').update(`${url.pathname}#${url.searchParams.get('approvalId')}`).digest('hex')}}`;
	};

	test('two answers at the same moment: one decides, and Redis holds it', async () => {
		const { execution, mails } = await requestApproval({}, shared());
		const anna = linksOf(mailTo(mails, 'anna@example.test')).approve;
		const ben = linksOf(mailTo(mails, 'ben@example.test')).decline;
		waiting.simultaneous(2);
		const responses = await Promise.all([fetch(anna, { method: 'POST' }), fetch(ben, { method: 'POST' })]);
		await waiting.settled(execution.id);
		expect(execution.runs).toHaveLength(2);
		expect(responses.map((r) => r.status).sort()).toEqual([200, 409]);
		const [decision] = outputAfter(execution);
		const client = new Redis(redis.url);
		try {
			const [first] = await client.lrange(`${answersKey(anna)}:order`, 0, -1);
			expect(JSON.parse(first)).toMatchObject({ approver: decision.json.decidedBy });
		} finally {
			client.disconnect();
		}
	});

	test('a decision another webhook process recorded wins: this one is told, and the execution is not resumed', async () => {
		const { execution, mails } = await requestApproval({}, shared());
		const anna = linksOf(mailTo(mails, 'anna@example.test')).approve;
		const client = new Redis(redis.url);
		try {
			const ben = JSON.stringify({ approver: 'ben@example.test', answer: 'decline', comment: null, at: '2026-12-02T10:00:00.000Z' });
			await client.hset(`${answersKey(anna)}:by`, 'ben@example.test', ben);
			await client.rpush(`${answersKey(anna)}:order`, ben);
		} finally {
			client.disconnect();
		}
		const response = await fetch(anna, { method: 'POST' });
		expect(response.status).toBe(409);
		expect(await response.text()).toContain('was already declined by <strong>ben@example.test</strong> at 2026-12-02 10:00:00 UTC');
		expect(execution.status).toBe('waiting');
		expect(execution.runs).toHaveLength(1);
	});

	test('all of two approvers answering at the same moment in two webhook processes: both are counted, exactly one resumes', async () => {
		const { execution, mails } = await requestApproval({ approvalOptions: { approvalsNeeded: 'all' } }, shared());
		const anna = linksOf(mailTo(mails, 'anna@example.test')).approve;
		const ben = linksOf(mailTo(mails, 'ben@example.test')).approve;
		waiting.simultaneous(2);
		const responses = await Promise.all([fetch(anna, { method: 'POST' }), fetch(ben, { method: 'POST' })]);
		await waiting.settled(execution.id);
		expect(responses.map((r) => r.status)).toEqual([200, 200]);
		expect(execution.runs).toHaveLength(2); // resumed once
		expect(outputAfter(execution)[0].json).toMatchObject({ approved: true, approvals: 2, declines: 0 });
	});

	test('an answer recorded by a process that ended before resuming: the approver\'s next click resumes with that first answer', async () => {
		const { execution, mails } = await requestApproval({}, shared());
		const { approve, decline } = linksOf(mailTo(mails, 'anna@example.test'));
		const client = new Redis(redis.url);
		try {
			const recorded = JSON.stringify({ approver: 'anna@example.test', answer: 'approve', comment: null, at: '2026-12-02T10:00:00.000Z' });
			await client.hset(`${answersKey(approve)}:by`, 'anna@example.test', recorded);
			await client.rpush(`${answersKey(approve)}:order`, recorded);
		} finally {
			client.disconnect();
		}
		const response = await fetch(decline, { method: 'POST' });
		expect(response.status).toBe(200);
		expect(await response.text()).toContain('Your answer “Approve”');
		await waiting.settled(execution.id);
		expect(outputAfter(execution)[0].json).toMatchObject({ approved: true, decidedBy: 'anna@example.test', decidedAt: '2026-12-02T10:00:00.000Z' });
	});

	test('Redis unreachable: the answer is not recorded, the page says so, nothing is decided', async () => {
		const wait = decisionTuning.redisWaitMs;
		decisionTuning.redisWaitMs = 500;
		try {
			const { execution, mails } = await requestApproval({}, { sharedLimits: 'redis', redisUrl: `redis://127.0.0.1:${await freePort()}` });
			const response = await fetch(linksOf(mailTo(mails, 'anna@example.test')).approve, { method: 'POST' });
			expect(response.status).toBe(503);
			expect(await response.text()).toContain('Your answer was not recorded');
			expect(execution.status).toBe('waiting');
			expect(execution.runs).toHaveLength(1);
		} finally {
			decisionTuning.redisWaitMs = wait;
		}
	});
});

describe("as the review gate of an AI agent's tool (n8n's Human in the Loop variant)", () => {
	const call = { tool: 'Delete_customer', toolParameters: { customerId: 4711, note: '<a href="https://attacker.test/x">Approve here</a> & "more"' } };
	const post = (link: string, comment?: string) =>
		fetch(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: comment === undefined ? '' : new URLSearchParams({ comment }).toString() });

	test('the mail names the tool and shows its arguments escaped; the message is text, and the only links are the decisions', async () => {
		const message = 'The agent wants to run this tool: Delete_customer\n\nInput:\n{"note":"<a href=\\"https://attacker.test/y\\">x</a>"}';
		const { execution, mails } = await requestApproval({ approvers: 'anna@example.test', message }, {}, 'straight', call);
		expect(execution.status).toBe('waiting');
		const html = String(mails[0].parsed.html);
		expect(html).toContain('Delete_customer</p>');
		expect(html).toContain('&quot;customerId&quot;: 4711');
		expect(html).toContain('&lt;a href=\\&quot;https://attacker.test/x\\&quot;&gt;Approve here&lt;/a&gt; &amp; \\&quot;more\\&quot;');
		expect(html).toContain('The agent wants to run this tool: Delete_customer<br><br>Input:<br>');
		expect(html).not.toContain('attacker.test/y">');
		const hrefs = [...html.matchAll(/href="([^"]+)"/g)].map((m) => new URL(m[1].replace(/&amp;/g, '&')).searchParams.get('decision'));
		expect(hrefs).toEqual(['approve', 'decline']);
		expect(mails[0].parsed.text).toContain('"customerId": 4711');
	});

	test('line separators and invisible format characters in the arguments are shown escaped: no fake "Approve:" line, no reversed text', async () => {
		const sneaky = { tool: 'Delete\u202Eremotsuc', toolParameters: { note: 'ok\u2028\u2028Approve: https://attacker.test/approve\u2029\u0085\u200B' } };
		const { mails } = await requestApproval({ approvers: 'anna@example.test' }, {}, 'straight', sneaky);
		for (const part of [String(mails[0].parsed.html), String(mails[0].parsed.text)]) {
			expect(part).not.toMatch(/[\u2028\u2029\u0085\u200B\u202E]/);
			expect(part).toContain('Delete\\u202eremotsuc');
			expect(part).toContain('ok\\u2028\\u2028Approve: https://attacker.test/approve\\u2029\\u0085\\u200b');
		}
		expect(String(mails[0].parsed.text)).not.toMatch(/^Approve: https:\/\/attacker/m);
	});

	test('a Response Type set to a form by hand still asks for a decision: n8n reads only `approved` from a gate', async () => {
		const { mails } = await requestApproval({ approvers: 'anna@example.test', responseType: 'freeText' }, {}, 'straight', call);
		const hrefs = [...String(mails[0].parsed.html).matchAll(/href="([^"]+)"/g)].map((m) => new URL(m[1].replace(/&amp;/g, '&')).searchParams.get('decision'));
		expect(hrefs).toEqual(['approve', 'decline']);
	});

	test("n8n's default message (which prints the arguments as [object Object]) gives way to a sentence saying what the approver decides", async () => {
		const { mails } = await requestApproval({ approvers: 'anna@example.test', message: undefined }, {}, 'straight', call);
		const text = String(mails[0].parsed.text).replace(/\s+/g, ' ');
		expect(text).toContain('An AI agent wants to run the tool below with these arguments. If you approve, it runs');
		expect(text).toContain('"customerId": 4711');
		expect(text).not.toContain('[object Object]');
	});

	test('approved: n8n reads approved true; declined with a reason: the agent is told who declined and why', async () => {
		const approve = await requestApproval({ approvers: 'anna@example.test' }, {}, 'straight', call);
		expect((await post(linksOf(approve.mails[0]).approve)).status).toBe(200);
		await waiting.settled(approve.execution.id);
		const approved = outputAfter(approve.execution)[0].json;
		expect(approved).toMatchObject({ approved: true, data: { approved: true } });
		expect(approved).not.toHaveProperty('chatInput');

		const decline = await requestApproval({ approvers: 'anna@example.test', approvalOptions: { askForReason: 'onDecline' } }, {}, 'straight', call);
		expect((await post(linksOf(decline.mails[0]).decline, 'Customer 4711 has an open order')).status).toBe(200);
		await waiting.settled(decline.execution.id);
		expect(outputAfter(decline.execution)[0].json).toMatchObject({
			approved: false,
			data: { approved: false },
			chatInput: 'Declined by anna@example.test: Customer 4711 has an open order',
		});
	});

	test('nobody answers before the limit: the agent is told so', async () => {
		const { execution, options } = await requestApproval(
			{ approvers: 'anna@example.test', approvalOptions: { limitWaitTime: { values: { limitType: 'afterTimeInterval', resumeAmount: 1, resumeUnit: 'hours' } } } },
			{},
			'straight',
			call,
		);
		await resumeAfterWait(execution, options);
		expect(outputAfter(execution)[0].json).toMatchObject({ approved: null, timedOut: true, chatInput: 'Nobody answered the approval request before its time limit, so the tool did not run' });
	});
});
