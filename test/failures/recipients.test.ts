import { outputOf } from '../support/engine';
import { credentialFor, startSmtpServer, type TestSmtpServer } from '../support/smtpServer';
import { runSendNode } from '../support/workflows';

let server: TestSmtpServer | undefined;
afterEach(async () => server?.close());

const parameters = (deliveryOptions: Record<string, unknown>) => ({
	fromEmail: 'ops@example.test',
	toEmail: '={{ $json.to }}',
	subject: '=Order {{ $json.n }}',
	html: '=<p>Order {{ $json.n }}</p>',
	deliveryOptions: { retryDelay: 0.005, ...deliveryOptions },
});

/** One mail to `to` over one connection, with continue-on-fail; its output item. */
async function sendOne(to: string) {
	const run = await runSendNode({
		parameters: parameters({ retries: 3, maxConnections: 1 }),
		items: [{ json: { n: 1, to } }],
		credential: await credentialFor(server!),
		continueOnFail: true,
	});
	return outputOf(run, 'Send Email')[0];
}

/** A fixed sequence of pseudo-random numbers (mulberry32), so a failing run can be replayed. */
function seeded(seed: number) {
	return () => {
		seed = (seed + 0x6d2b79f5) | 0;
		let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

test('451 after DATA on 30 % of attempts with 550 recipients in the same mails: each 550 asked once, nothing stored is reported refused, nothing lost', async () => {
	const random = seeded(11);
	const N = 150;
	const gone = (n: number) => `gone${n}@example.test`;
	const rejectRecipients = Object.fromEntries(Array.from({ length: N }, (_, n) => [gone(n), [550, '5.1.1 No such user'] as [number, string]]));
	server = await startSmtpServer({ rejectRecipients, afterDotReply: () => (random() < 0.3 ? [451, '4.3.0 Queue busy, try again'] : undefined) });
	const items = Array.from({ length: N }, (_, n) => ({
		json: { n, to: n % 2 ? `a${n}@example.test, ${gone(n)}, b${n}@example.test` : `a${n}@example.test, b${n}@example.test` },
	}));
	const run = await runSendNode({ parameters: parameters({ retries: 12, maxConnections: 3 }), items, credential: await credentialFor(server), continueOnFail: true });
	const out = outputOf(run, 'Send Email');

	const storedFor = new Map<string, string[]>();
	for (const mail of server.received) storedFor.set(mail.parsed.messageId!, [...(storedFor.get(mail.parsed.messageId!) ?? []), ...mail.envelope.to]);
	expect(out).toHaveLength(N);
	let retried = 0;
	out.forEach((item, n) => {
		const json = item.json as { messageId: string; accepted: string[]; rejected: string[]; rejectedReplies: Array<{ recipient: string; code: number }>; attempts: number; error?: unknown };
		expect(json.error).toBeUndefined();
		const stored = storedFor.get(json.messageId) ?? [];
		// Every good recipient got the message exactly once; the 550'd one was never stored and is the only refusal.
		expect([...stored].sort()).toEqual([`a${n}@example.test`, `b${n}@example.test`]);
		expect([...json.accepted].sort()).toEqual([`a${n}@example.test`, `b${n}@example.test`]);
		expect(json.rejected).toEqual(n % 2 ? [gone(n)] : []);
		expect(json.rejectedReplies.map((r) => r.code)).toEqual(n % 2 ? [550] : []);
		if (json.attempts > 1) retried++;
	});
	for (let n = 1; n < N; n += 2) expect(server.rcptLog.filter((a) => a === gone(n))).toHaveLength(1);
	// The fault really happened, often.
	expect(retried).toBeGreaterThan(N * 0.2);
}, 60_000);

test('a deferred recipient whose retry is lost after the final dot is unknown, not rejected', async () => {
	server = await startSmtpServer({
		recipientReplies: { 'later@example.test': [[451, '4.2.1 Mailbox busy']] },
		dropAfterDotIf: (mail) => mail.envelope.to.includes('later@example.test'),
	});
	const item = await sendOne('now@example.test, later@example.test');
	expect(item.json).toMatchObject({ accepted: ['now@example.test'], rejected: [], unknown: ['later@example.test'], possibleDuplicate: true, attempts: 2 });
	expect(item.json.recipients).toEqual([
		{ recipient: 'now@example.test', state: 'accepted' },
		expect.objectContaining({ recipient: 'later@example.test', state: 'unknown' }),
	]);
	// The server has it, although its reply was lost; it was not sent a third time.
	expect(server.droppedAfterDot.map((m) => m.envelope.to)).toEqual([['later@example.test']]);
	expect(server.rcptLog.filter((a) => a === 'later@example.test')).toHaveLength(2);
});

test('a message lost after the dot on its only attempt fails as possibly delivered, its recipients unknown', async () => {
	server = await startSmtpServer({ dropAfterDot: 1 });
	const item = await sendOne('x@example.test');
	expect(item.json.error).toMatchObject({ kind: 'connectionLostAfterData', retry: 'ambiguous', possibleDuplicate: true, attempts: 1 });
	expect(server.droppedAfterDot).toHaveLength(1);
});
