import { generateKeyPairSync, randomUUID } from 'node:crypto';

import type { IDataObject } from 'n8n-workflow';

import { closeRedisClients } from '../../nodes/SmtpConnector/coordination/redis';
import { workerChannel } from '../../nodes/SmtpConnector/delivery/workerChannel';
import { outputOf } from '../support/engine';
import { redisUnavailable, startRedis, type RedisServer } from '../support/redis';
import { startScriptedSmtp, type FaultAction, type FaultStage, type ScriptedSmtpServer } from '../support/scriptedSmtp';
import { serverSuite } from '../support/serverSuite';
import { credentialFor, startSmtpServer } from '../support/smtpServer';
import { runSendNode } from '../support/workflows';

/**
 * Every failure window of one attempt: a fault at each stage of the SMTP session (before the greeting,
 * at MAIL, RCPT, DATA, inside the body, after the final dot before the reply) — the server drops the
 * connection, stalls, refuses with 421, or the delivery thread is killed there — crossed with DKIM on
 * and off and an Idempotency Key on and off. For every item: the server has it once or not at all, and
 * the output says which; the key says the same on a second run.
 */

const STAGES: FaultStage[] = ['greeting', 'mail', 'rcpt', 'data', 'body', 'dot'];
const ACTIONS: FaultAction[] = ['drop', 'stall', 'refuse', 'kill'];
const BODY = 'A line of the body that makes the message large enough to be cut in the middle.\n'.repeat(16_000);
const dkimKey = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } }).privateKey;

/**
 * What the struck item may end as. Before the body nothing can have arrived: it is retried and sent.
 * After the final dot (but for a 421 reply to it) the server may have it: unknown, never resent. Inside
 * the body it depends on whether the client had handed its final dot to the socket before the fault
 * showed (the kernel's buffers take a large part of the message at once): sent again if not, unknown if so.
 */
function mayEndAs(stage: FaultStage, action: FaultAction): Said[] {
	if (action === 'refuse') return ['sent'];
	if (stage === 'dot') return ['unknown'];
	if (stage === 'body') return ['sent', 'unknown'];
	return ['sent'];
}

let smtp: ScriptedSmtpServer | undefined;
let redis: RedisServer;
beforeAll(async () => {
	redis = await startRedis();
});
afterAll(async () => {
	await closeRedisClients();
	await redis?.close();
});
afterEach(async () => await smtp?.close());

async function run(port: number, keys: string[] | undefined, dkim: boolean) {
	const credential: IDataObject = {
		provider: 'custom',
		host: '127.0.0.1',
		port,
		security: 'none',
		authType: 'none',
		connectionTimeout: 2,
		greetingTimeout: 1,
		socketTimeout: 1,
		...(dkim ? { dkim: true, dkimDomain: 'example.test', dkimSelector: 'mail2026', dkimPrivateKey: dkimKey } : {}),
		...(keys ? { sharedLimits: 'redis', redisUrl: redis.url } : {}),
	};
	const items = [0, 1].map((n) => ({ json: { n, to: `user${n}@example.test`, key: keys?.[n] } }));
	const execution = await runSendNode({
		parameters: {
			fromEmail: 'ops@example.test',
			toEmail: '={{ $json.to }}',
			subject: '=Message {{ $json.n }}',
			html: '<p>See the text part.</p>',
			options: { text: BODY, ...(keys ? { idempotencyKey: '={{ $json.key }}' } : {}) },
			deliveryOptions: { retries: 3, retryDelay: 0.01, maxConnections: 1 },
		},
		items,
		credential,
		continueOnFail: true,
	});
	return outputOf(execution, 'Send Email').map((i) => i.json);
}

type Said = 'sent' | 'notSent' | 'unknown';

/** What the item's output says of its mail. */
function said(json: IDataObject): Said {
	if (json.error) return (json.error as IDataObject).possibleDuplicate ? 'unknown' : 'notSent';
	if ((json.unknown as string[] | undefined)?.length) return 'unknown';
	return (json.accepted as string[]).length ? 'sent' : 'notSent';
}

const cases = STAGES.flatMap((stage) => ACTIONS.map((action) => [stage, action] as const));

serverSuite('redis-server', redisUnavailable())('a fault in every window of an attempt', () => {
	describe.each([
		['DKIM off', false],
		['DKIM on', true],
	])('%s', (_, dkim) => {
		describe.each([
			['no key', false],
			['Idempotency Key', true],
		])('%s', (__, withKeys) => {
			test.each(cases)('%s: %s', async (stage, action) => {
				const killThread = async () => void (action === 'kill' && (await workerChannel.currentWorker?.terminate()));
				smtp = await startScriptedSmtp({ stage, action }, killThread);
				const keys = withKeys ? [randomUUID(), randomUUID()] : undefined;
				const out = await run(smtp.port, keys, dkim);
				expect(smtp.struck()).toBe(true);
				if (process.env.DEBUG_WINDOWS) console.log(JSON.stringify(out, null, 1).slice(0, 3000));

				const atServer = out.map((_json, n) => smtp!.kept.filter((subject) => subject === `Message ${n}`).length);
				const outcomes = out.map(said);
				// The output is true to the server, and no mail is there twice.
				const atServerFor: Record<Said, number[]> = { sent: [1], notSent: [0], unknown: [0, 1] };
				expect(outcomes.map((o, n) => atServerFor[o].includes(atServer[n]))).toEqual([true, true]);
				// Nothing is lost: one item took the fault (which one is the pool's choice), the other is sent.
				const struckItem = outcomes[0] === 'sent' && outcomes[1] !== 'sent' ? 1 : 0;
				expect(outcomes[1 - struckItem]).toBe('sent');
				expect(mayEndAs(stage, action)).toContain(outcomes[struckItem]);

				if (!keys) return;
				// The keys say the same: a second run sends nothing and tells what the first did.
				const keptBefore = smtp.kept.length;
				const again = await run(smtp.port, keys, dkim);
				expect(smtp.kept).toHaveLength(keptBefore);
				const reasonFor: Partial<Record<Said, string>> = { sent: 'alreadySent', unknown: 'sentBeforeOutcomeUnknown' };
				expect(again.map((json) => json.reason)).toEqual(outcomes.map((o) => reasonFor[o]));
			}, 60_000);
		});
	});
});

serverSuite('redis-server', redisUnavailable())('a cancelled execution', () => {
	/** Cancels the execution when the fault strikes; a second run with the same keys shows what the first left. */
	async function cancelAt(stage: FaultStage, action: FaultAction) {
		let strike = () => {};
		const struck = new Promise<void>((resolve) => (strike = resolve));
		smtp = await startScriptedSmtp({ stage, action }, async () => strike());
		const key = randomUUID();
		const credential = { provider: 'custom', host: '127.0.0.1', port: smtp.port, security: 'none', authType: 'none', socketTimeout: 5, sharedLimits: 'redis', redisUrl: redis.url };
		const parameters = { fromEmail: 'ops@example.test', toEmail: 'user0@example.test', subject: 'Message 0', html: '<p>Hi</p>', options: { idempotencyKey: key }, deliveryOptions: { retries: 0 } };
		const first = await runSendNode({ parameters, items: [{ json: {} }], credential, continueOnFail: true, cancelWhen: struck });
		expect(first.status).toBe('canceled');
		const keptAtCancel = smtp.kept.length;
		const again = outputOf(await runSendNode({ parameters, items: [{ json: {} }], credential, continueOnFail: true }), 'Send Email')[0].json;
		return { keptAtCancel, again, kept: smtp.kept.length };
	}

	test('after the final dot, the cancel waits for the reply: the mail counts as sent, and its key says so', async () => {
		const { keptAtCancel, again, kept } = await cancelAt('dot', 'slow');
		expect(keptAtCancel).toBe(1);
		expect(again).toMatchObject({ skipped: true, reason: 'alreadySent' });
		expect(kept).toBe(1);
	});

	test('before the body, the cancel ends the attempt: nothing was sent, and the key is free for the next run', async () => {
		const { keptAtCancel, again, kept } = await cancelAt('rcpt', 'stall');
		expect(keptAtCancel).toBe(0);
		expect(again.accepted).toEqual(['user0@example.test']);
		expect(kept).toBe(1);
	});
});

describe('without Continue On Fail', () => {
	test('after the first failure no further message goes to a connection, and the error names the items that went out', async () => {
		const server = await startSmtpServer({ rejectRecipients: { 'user1@example.test': [550, '5.1.1 No such user'] } });
		try {
			// Two a second: the items after the refused one wait for their permits, with no connection holding them yet.
			const credential = await credentialFor(server, { rateLimitPerSecond: 2 });
			const items = Array.from({ length: 8 }, (_, n) => ({ json: { n, to: `user${n}@example.test` } }));
			const execution = await runSendNode({
				parameters: { fromEmail: 'ops@example.test', toEmail: '={{ $json.to }}', subject: '=Message {{ $json.n }}', html: '<p>Hi</p>', deliveryOptions: { retries: 0, maxConnections: 4 } },
				items,
				credential,
			});
			const error = execution.data.resultData.error as { message: string; description?: string } | undefined;
			expect(error?.message).toMatch(/No such user/);
			const arrived = server.received.map((m) => m.parsed.subject);
			// Permits come every half second: item 1 is refused at once; items 0, 2 and 3 may be on a connection when
			// its refusal reaches n8n's thread (on a loaded machine item 0 may not yet be): those finish and are named
			// below; items 5–7, two seconds and more later, never go.
			expect(arrived.filter((s) => ['Message 1', 'Message 5', 'Message 6', 'Message 7'].includes(s ?? ''))).toEqual([]);
			for (const mail of server.received) expect(error?.description).toContain(`item ${mail.parsed.subject!.split(' ')[1]} (${mail.parsed.messageId})`);
		} finally {
			await server.close();
		}
	});

	test('a message on the wire whose connection ends after the final dot, while the batch stops, is named as possibly sent — not dropped as never sent', async () => {
		// Item 0 is refused at RCPT once item 1's final dot has arrived, which stops the batch; item 1's DATA is
		// answered only after that, by a dropped connection.
		let dotArrived!: () => void;
		const itemOneOnTheWire = new Promise<void>((r) => (dotArrived = r));
		let refused!: () => void;
		const refusalSent = new Promise<void>((r) => (refused = r));
		const server = await startSmtpServer({
			rejectRecipients: { 'user0@example.test': [550, '5.1.1 No such user'] },
			holdRcpt: async (address) => {
				if (address !== 'user0@example.test') return;
				await itemOneOnTheWire;
				setTimeout(refused, 500);
			},
			holdReply: async () => refusalSent,
			dropAfterDotIf: (mail) => (mail.envelope.to.includes('user1@example.test') ? (dotArrived(), true) : false),
		});
		try {
			const items = [0, 1].map((n) => ({ json: { n, to: `user${n}@example.test` } }));
			const execution = await runSendNode({
				parameters: { fromEmail: 'ops@example.test', toEmail: '={{ $json.to }}', subject: '=Message {{ $json.n }}', html: '<p>Hi</p>', deliveryOptions: { retries: 0, maxConnections: 2 } },
				items,
				credential: await credentialFor(server),
			});
			const error = execution.data.resultData.error as { message: string; description?: string } | undefined;
			expect(error?.message).toMatch(/No such user/);
			expect(error?.description).toContain('May have been sent (the connection ended after the whole message went out): item 1');
		} finally {
			await server.close();
		}
	});
});
