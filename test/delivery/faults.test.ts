import type { IBinaryData, INodeExecutionData } from 'n8n-workflow';

import { outputOf } from '../support/engine';
import { credentialFor, startSmtpServer, type TestServerOptions, type TestSmtpServer } from '../support/smtpServer';
import { runSendNode } from '../support/workflows';

let server: TestSmtpServer | undefined;
afterEach(async () => server?.close());

const fastRetries = { retries: 3, retryDelay: 0.01 };
const parameters = (deliveryOptions: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
	fromEmail: 'ops@example.test',
	toEmail: '={{ $json.to }}',
	subject: '=Message {{ $json.n }}',
	html: '=<p>Message {{ $json.n }}</p>',
	deliveryOptions: { ...fastRetries, ...deliveryOptions },
	...extra,
});
const items = (count: number, to = (n: number) => `user${n}@example.test`): INodeExecutionData[] =>
	Array.from({ length: count }, (_, n) => ({ json: { n, to: to(n) } }));

async function send(serverOptions: TestServerOptions, input: INodeExecutionData[], deliveryOptions = {}, extra = {}) {
	server = await startSmtpServer(serverOptions);
	const run = await runSendNode({
		parameters: parameters(deliveryOptions, extra),
		items: input,
		credential: await credentialFor(server, { greetingTimeout: 1 }),
		continueOnFail: true,
	});
	return outputOf(run, 'Send Email');
}

const subjects = (s: TestSmtpServer) => s.received.map((m) => m.parsed.subject).sort();

test('421 on connect is retried on a new connection; nothing lost, nothing doubled', async () => {
	const out = await send({ refuseConnections: 2 }, items(6));
	expect(out.map((i) => i.json.accepted)).toEqual(items(6).map((i) => [i.json.to]));
	expect(out.some((i) => (i.json.attempts as number) > 1)).toBe(true);
	expect(subjects(server!)).toEqual(items(6).map((i) => `Message ${i.json.n}`).sort());
});

test('slow greeting times out and is retried', async () => {
	const out = await send({ slowGreeting: { count: 1, ms: 1500 } }, items(1), { maxConnections: 1 });
	expect(out[0].json).toMatchObject({ accepted: ['user0@example.test'], attempts: 2 });
	expect(server!.received).toHaveLength(1);
});

test('451 for one recipient is retried for that recipient only; 550 is final and never retried', async () => {
	const out = await send(
		{
			recipientReplies: { 'later@example.test': [[451, '4.3.0 Mailbox busy, try again']] },
			rejectRecipients: { 'gone@example.test': [550, '5.1.1 No such user'] },
		},
		[{ json: { n: 0, to: 'now@example.test, later@example.test, gone@example.test' } }],
	);
	expect(out[0].json).toMatchObject({
		accepted: ['now@example.test', 'later@example.test'],
		rejected: ['gone@example.test'],
		rejectedReplies: [{ recipient: 'gone@example.test', code: 550, reply: expect.stringContaining('5.1.1 No such user') }],
		attempts: 2,
	});
	expect(server!.received.map((m) => m.envelope.to)).toEqual([['now@example.test'], ['later@example.test']]);
	expect(server!.rcptLog.filter((a) => a === 'gone@example.test')).toHaveLength(1);
	expect(server!.rcptLog.filter((a) => a === 'now@example.test')).toHaveLength(1);
	const ids = server!.received.map((m) => m.parsed.messageId);
	expect(ids[0]).toBe(ids[1]);
	expect(ids[0]).toBe(out[0].json.messageId);
});

test.each([
	['later@example.test, gone@example.test'],
	['gone@example.test, later@example.test'],
])('every recipient refused, some for now and some for good (%s): only the temporary ones are retried', async (to) => {
	const out = await send(
		{
			recipientReplies: { 'later@example.test': [[451, '4.3.0 Mailbox busy, try again']] },
			rejectRecipients: { 'gone@example.test': [550, '5.1.1 No such user'] },
		},
		// Whichever comes first, the error nodemailer raises carries one reply code for all of them.
		[{ json: { n: 0, to } }],
	);
	expect(out[0].json).toMatchObject({
		accepted: ['later@example.test'],
		rejected: ['gone@example.test'],
		rejectedReplies: [{ recipient: 'gone@example.test', code: 550 }],
		attempts: 2,
	});
	expect(server!.received.map((m) => m.envelope.to)).toEqual([['later@example.test']]);
	expect(server!.rcptLog.filter((a) => a === 'gone@example.test')).toHaveLength(1);
});

test('a permanent rejection of every recipient is never retried', async () => {
	const out = await send({ rejectRecipients: { 'gone@example.test': [550, '5.1.1 No such user'] } }, items(1, () => 'gone@example.test'));
	expect(out[0].json.error).toMatchObject({ smtpCode: 550, transient: false, attempts: 1, possibleDuplicate: false });
	expect(server!.rcptLog).toEqual(['gone@example.test']);
});

test('a temporary rejection that never clears fails after the configured retries', async () => {
	const busy: Array<[number, string]> = Array.from({ length: 10 }, () => [452, '4.2.2 Mailbox full']);
	const out = await send({ recipientReplies: { 'full@example.test': busy } }, items(1, () => 'full@example.test'), { retries: 2 });
	expect(out[0].json.error).toMatchObject({ smtpCode: 452, transient: true, attempts: 3 });
	expect(server!.rcptLog).toHaveLength(3);
});

test('a connection lost in the middle of DATA is resent, and arrives once', async () => {
	const big: IBinaryData = {
		data: Buffer.alloc(24 * 1024 * 1024, 7).toString('base64'),
		mimeType: 'application/octet-stream',
		fileName: 'big.bin',
	};
	server = await startSmtpServer({ dropMidData: 1 });
	const run = await runSendNode({
		parameters: parameters({ maxConnections: 1 }, { options: { attachmentsUi: { attachment: [{ binaryPropertyName: 'file' }] } } }),
		items: [{ json: { n: 0, to: 'user0@example.test' }, binary: { file: big } }],
		credential: await credentialFor(server),
		continueOnFail: true,
	});
	const [item] = outputOf(run, 'Send Email');
	expect(item.json).toMatchObject({ accepted: ['user0@example.test'], attempts: 2 });
	expect(item.json.possibleDuplicate).toBeUndefined();
	expect(server.received).toHaveLength(1);
	expect(server.droppedAfterDot).toHaveLength(0);
}, 60_000);

test('a connection lost after the final dot is reported as a possible duplicate and not resent', async () => {
	const out = await send({ dropAfterDot: 1 }, items(1), { maxConnections: 1 });
	expect(out[0].json.error).toMatchObject({ possibleDuplicate: true, attempts: 1, transient: true });
	expect(server!.droppedAfterDot).toHaveLength(1);
	expect(server!.received).toHaveLength(0);
});

test('with Retry Possible Duplicates the message is resent and still marked', async () => {
	const out = await send({ dropAfterDot: 1 }, items(1), { maxConnections: 1, retryPossibleDuplicates: true });
	expect(out[0].json).toMatchObject({ accepted: ['user0@example.test'], attempts: 2, possibleDuplicate: true });
	expect(server!.droppedAfterDot).toHaveLength(1);
	expect(server!.received).toHaveLength(1);
	expect(server!.received[0].parsed.messageId).toBe(server!.droppedAfterDot[0].parsed.messageId);
});

test('output keeps the input order whatever finishes first', async () => {
	const out = await send({ replyDelayMs: () => Math.floor(Math.random() * 30) }, items(30), { maxConnections: 4 });
	expect(out.map((i) => i.json.accepted)).toEqual(items(30).map((i) => [i.json.to]));
	expect(out.map((i) => i.pairedItem)).toEqual(items(30).map((_, n) => ({ item: n })));
	expect(server!.connections).toBeLessThanOrEqual(4);
	expect(server!.received).toHaveLength(30);
});

test('every item gets an outcome when the server disappears mid-run', async () => {
	const s = await startSmtpServer({ replyDelayMs: () => 20 });
	const running = runSendNode({
		parameters: parameters({ maxConnections: 2, retries: 1 }),
		items: items(40),
		credential: await credentialFor(s, { connectionTimeout: 1 }),
		continueOnFail: true,
	});
	await s.waitFor(5);
	await s.close();
	const out = outputOf(await running, 'Send Email');
	expect(out).toHaveLength(40);
	expect(out.every((i) => i.json.accepted || i.json.error)).toBe(true);
	const sent = out.filter((i) => i.json.accepted).length;
	const maybe = out.filter((i) => (i.json.error as { possibleDuplicate?: boolean } | undefined)?.possibleDuplicate).length;
	// What the server took is reported sent, or flagged as possibly delivered when its reply was lost.
	expect(sent + maybe).toBeGreaterThanOrEqual(s.received.length);
	expect(sent).toBeLessThan(40);
});

test('cancelling the execution stops sending and closes its connections', async () => {
	const s = await startSmtpServer({ replyDelayMs: () => 100 });
	server = s;
	const run = await runSendNode({
		parameters: parameters({ maxConnections: 2 }),
		items: items(40),
		credential: await credentialFor(s),
		continueOnFail: true,
		credentialId: 'cancel-test',
		cancelWhen: s.waitFor(2),
	});
	expect(run.status).toBe('canceled');
	// Its connections close: waited for without a deadline of its own (the test's timeout still ends a hang).
	while (s.openConnections() > 0) await new Promise((r) => setTimeout(r, 20));
	const receivedAtCancel = s.received.length;
	await new Promise((r) => setTimeout(r, 300));
	expect(s.received.length).toBe(receivedAtCancel);
	expect(receivedAtCancel).toBeLessThan(40);
});
