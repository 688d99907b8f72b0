import { createHash, randomUUID } from 'node:crypto';

import Redis from 'ioredis';
import { DataDeduplicationService } from 'n8n-core';
import type { IDataObject } from 'n8n-workflow';

import { closeRedisClients, redisTuning } from '../../nodes/SmtpConnector/coordination/redis';
import { idempotencyTuning } from '../../nodes/SmtpConnector/coordination/redisKeyStore';
import { sleep } from '../../nodes/SmtpConnector/coordination/sleep';
import { EntriesStore } from '../support/dedupStore';
import { freePort } from '../support/ports';
import { outputOf } from '../support/engine';
import { redisUnavailable, startRedis, type RedisServer } from '../support/redis';
import { serverSuite } from '../support/serverSuite';
import { credentialFor, startSmtpServer, type TestServerOptions, type TestSmtpServer } from '../support/smtpServer';
import { runSendNode } from '../support/workflows';

const servers: TestSmtpServer[] = [];
async function server(options: TestServerOptions = {}) {
	const s = await startSmtpServer(options);
	servers.push(s);
	return s;
}
const heldReplies: Array<() => void> = [];
afterEach(async () => {
	for (const reply of heldReplies.splice(0)) reply();
	await Promise.all(servers.splice(0).map((s) => s.close()));
	await closeRedisClients();
});

const items = (keys: string[]) => keys.map((key, n) => ({ json: { key, to: `user${n}@example.test` } }));
const parameters = (delivery: IDataObject = {}) => ({
	fromEmail: 'ops@example.test',
	toEmail: '={{ $json.to }}',
	subject: '={{ $json.key }}',
	html: '<p>Receipt</p>',
	options: { idempotencyKey: '={{ $json.key }}-receipt' },
	deliveryOptions: { retries: 0, ...delivery },
});
const json = (run: Awaited<ReturnType<typeof runSendNode>>) => outputOf(run, 'Send Email').map((i) => i.json);
const hashed = (key: string) => createHash('sha256').update(`${key}-receipt`).digest('hex');
// Per workflow and node (the test workflow "test", node "send"), the key hashed.
const redisKeyOf = (key: string) => `n8n-smtp-connector:idem:test:send:${hashed(key)}`;

/** A server that keeps its reply to the final dot until `reply()`: the mail is there, its send not yet ended. */
async function holdingServer() {
	let reply = () => {};
	const replied = new Promise<void>((resolve) => (reply = resolve));
	heldReplies.push(reply);
	return { smtp: await server({ holdReply: async () => await replied }), reply };
}

serverSuite('redis-server', redisUnavailable())('Idempotency Key, kept in Redis', () => {
	let redis: RedisServer;
	beforeAll(async () => {
		redis = await startRedis();
	});
	afterAll(async () => await redis.close());
	const send = async (smtp: TestSmtpServer, keys: string[], delivery: IDataObject = {}) =>
		await runSendNode({ parameters: parameters(delivery), items: items(keys), credential: await credentialFor(smtp, { sharedLimits: 'redis', redisUrl: redis.url }), continueOnFail: true });

	test('a key sent before is skipped, saying when and with which Message-ID', async () => {
		const smtp = await server();
		const key = randomUUID();
		const [first] = json(await send(smtp, [key]));
		const [again] = json(await send(smtp, [key]));
		expect(first.accepted).toEqual(['user0@example.test']);
		expect(again).toMatchObject({ skipped: true, reason: 'alreadySent', keptIn: 'Redis', messageId: first.messageId, accepted: first.accepted, idempotencyKey: `${key}-receipt` });
		expect(Date.parse(again.sentAt as string)).toBeGreaterThan(Date.now() - 60_000);
		expect(smtp.received).toHaveLength(1);
	});

	test('an execution that failed half-way, run again: what was sent is not sent again, what failed is', async () => {
		const keys = [0, 1, 2, 3].map(() => randomUUID());
		// The first run: user2 is refused for good, so its key is released; the others are sent.
		const flaky = await server({ rejectRecipients: { 'user2@example.test': [550, '5.1.1 No such user'] } });
		const first = json(await send(flaky, keys));
		expect(first.map((j) => (j.error ? 'failed' : 'sent'))).toEqual(['sent', 'sent', 'failed', 'sent']);
		// The retry, after the mailbox was fixed.
		const fixed = await server();
		const retry = json(await send(fixed, keys));
		expect(retry.map((j) => (j.skipped ? 'skipped' : j.accepted ? 'sent' : 'failed'))).toEqual(['skipped', 'skipped', 'sent', 'skipped']);
		expect(fixed.received.map((m) => m.envelope.to[0])).toEqual(['user2@example.test']);
		expect(flaky.received).toHaveLength(3);
	});

	test('two executions with the same key at once: one sends, the other is told the key is held', async () => {
		const smtp = await server({ replyDelayMs: () => 400 });
		const key = randomUUID();
		const runs = await Promise.all([send(smtp, [key]), send(smtp, [key])]);
		const outcomes = runs.map((r) => json(r)[0]);
		expect(outcomes.filter((j) => (j.accepted as string[] | undefined)?.length === 1)).toHaveLength(1);
		const held = outcomes.find((j) => j.error)?.error as { kind: string; message: string };
		expect(held.kind).toBe('idempotencyKeyHeld');
		expect(held.message).toContain(`Idempotency key "${key}-receipt" is held by another send since`);
		expect(smtp.received).toHaveLength(1);
	});

	test('a send whose end is unknown is not sent again, unless Retry Possible Duplicates says so', async () => {
		const key = randomUUID();
		const lost = await server({ dropAfterDot: 1 });
		const [first] = json(await send(lost, [key]));
		expect(first.error).toMatchObject({ kind: 'connectionLostAfterData', possibleDuplicate: true });
		const [second] = json(await send(lost, [key]));
		expect(second).toMatchObject({ skipped: true, reason: 'sentBeforeOutcomeUnknown' });
		expect(second.messageId).toMatch(/^<.+@example\.test>$/);
		const [third] = json(await send(lost, [key], { retryPossibleDuplicates: true }));
		expect(third.accepted).toEqual(['user0@example.test']);
		expect(third.messageId).not.toBe(second.messageId);
		expect(lost.received).toHaveLength(1);
		expect(lost.droppedAfterDot).toHaveLength(1);
	});

	test('a sent key is kept for Keep Idempotency Keys (Days), under the key prefix', async () => {
		const smtp = await server();
		const key = randomUUID();
		await send(smtp, [key], { keepIdempotencyKeysDays: 2 });
		const client = new Redis(redis.url);
		try {
			const stored = redisKeyOf(key);
			const ttl = await client.pttl(stored);
			expect(ttl).toBeGreaterThan(2 * 86_400_000 - 60_000);
			expect(ttl).toBeLessThanOrEqual(2 * 86_400_000);
			expect(JSON.parse((await client.get(stored)) ?? '{}')).toMatchObject({ state: 'sent' });
		} finally {
			client.disconnect();
		}
	});

	test('a send that outlasts the hold keeps its key: a run meanwhile is told the key is held, and one mail arrives', async () => {
		const hold = idempotencyTuning.holdMs;
		idempotencyTuning.holdMs = 600;
		const client = new Redis(redis.url);
		try {
			const { smtp, reply } = await holdingServer();
			const key = randomUUID();
			const first = send(smtp, [key]);
			await smtp.waitFor(1);
			// Three holds: a claim that was not renewed would have lapsed twice over.
			await sleep(3 * idempotencyTuning.holdMs);
			expect(JSON.parse((await client.get(redisKeyOf(key))) ?? '{}')).toMatchObject({ state: 'sending' });
			const [meanwhile] = json(await send(smtp, [key]));
			reply();
			const [sent] = json(await first);
			expect(meanwhile.error).toMatchObject({ kind: 'idempotencyKeyHeld' });
			expect(sent.accepted).toEqual(['user0@example.test']);
			expect(sent.idempotencyNotRecorded).toBeUndefined();
			expect(smtp.received).toHaveLength(1);
			// The renewals stopped with the send: the record keeps its days, not the hold.
			expect(JSON.parse((await client.get(redisKeyOf(key))) ?? '{}')).toMatchObject({ state: 'sent' });
			expect(await client.pttl(redisKeyOf(key))).toBeGreaterThan(86_400_000);
		} finally {
			idempotencyTuning.holdMs = hold;
			client.disconnect();
		}
	});

	test('a claim another run holds by the end of the send is reported on the item, and that run keeps the key', async () => {
		const client = new Redis(redis.url);
		try {
			const { smtp, reply } = await holdingServer();
			const key = randomUUID();
			const first = send(smtp, [key]);
			await smtp.waitFor(1);
			// As if the claim had lapsed and a redelivered webhook had claimed the key since.
			const other = JSON.stringify({ state: 'sending', token: 'another-run', since: new Date().toISOString() });
			await client.set(redisKeyOf(key), other, 'PX', 60_000);
			reply();
			const [sent] = json(await first);
			expect(sent.accepted).toEqual(['user0@example.test']);
			expect(sent.idempotencyNotRecorded).toBe(
				"the key's claim lapsed before this send ended and another run holds the key now, so this send was not recorded: that run may send the mail too",
			);
			expect(await client.get(redisKeyOf(key))).toBe(other);
		} finally {
			client.disconnect();
		}
	});

	test('a claim that lapsed with no other run taking the key is recorded after the send all the same', async () => {
		const client = new Redis(redis.url);
		try {
			const { smtp, reply } = await holdingServer();
			const key = randomUUID();
			const first = send(smtp, [key]);
			await smtp.waitFor(1);
			await client.del(redisKeyOf(key));
			reply();
			const [sent] = json(await first);
			expect(sent.idempotencyNotRecorded).toBeUndefined();
			expect(JSON.parse((await client.get(redisKeyOf(key))) ?? '{}')).toMatchObject({ state: 'sent', messageId: sent.messageId });
			const [again] = json(await send(smtp, [key]));
			expect(again).toMatchObject({ skipped: true, reason: 'alreadySent' });
			expect(smtp.received).toHaveLength(1);
		} finally {
			client.disconnect();
		}
	});
});

test('an unreachable Redis for the keys sends nothing and fails the batch at once, naming Redis', async () => {
	const waited = redisTuning.unavailableWaitMs;
	redisTuning.unavailableWaitMs = 2000;
	try {
		const smtp = await server();
		const url = `redis://127.0.0.1:${await freePort()}`;
		const started = Date.now();
		const keys = Array.from({ length: 8 }, () => randomUUID());
		const out = json(await runSendNode({ parameters: parameters(), items: items(keys), credential: await credentialFor(smtp, { sharedLimits: 'redis', redisUrl: url }), continueOnFail: true }));
		expect(out).toHaveLength(8);
		for (const j of out) expect(j.error).toMatchObject({ kind: 'sharedStoreUnavailable' });
		expect(smtp.received).toHaveLength(0);
		// The window's first claims wait once; the items after them fail without waiting again. Waiting per
		// item would take 8 × 2 s; the bound leaves a busy machine 4 s beyond the one wait.
		expect(Date.now() - started).toBeLessThan(3 * redisTuning.unavailableWaitMs);
	} finally {
		redisTuning.unavailableWaitMs = waited;
	}
});

/** n8n's database-backed store, as n8n's DeduplicationHelper keeps it: one list of hashed entries per node. */
describe("Idempotency Key, kept in n8n's database", () => {
	const store = new EntriesStore((key) => hashed(key));
	beforeAll(async () => await DataDeduplicationService.init(store));

	test('a key sent before is skipped; a key whose send failed is free again', async () => {
		const keys = [randomUUID(), randomUUID()];
		const refusing = await server({ rejectRecipients: { 'user1@example.test': [550, '5.1.1 No such user'] } });
		const send = async (smtp: TestSmtpServer) => json(await runSendNode({ parameters: parameters(), items: items(keys), credential: await credentialFor(smtp), continueOnFail: true }));
		const first = await send(refusing);
		expect(first[0].accepted).toEqual(['user0@example.test']);
		expect(first[1].error).toMatchObject({ smtpCode: 550 });
		expect([store.holds(keys[0]), store.holds(keys[1])]).toEqual([true, false]);
		const fine = await server();
		const retry = await send(fine);
		expect(retry[0]).toMatchObject({ skipped: true, reason: 'alreadySent', keptIn: "n8n's database" });
		expect(retry[1].accepted).toEqual(['user1@example.test']);
		expect(fine.received).toHaveLength(1);
		// n8n's store holds the keys hashed, never as written.
		expect([...store.rows.values()].flat()).not.toContain(`${keys[0]}-receipt`);
	});

	test('a key is written only once the server has taken the mail; meanwhile a run in this process is told it is held', async () => {
		const { smtp, reply } = await holdingServer();
		const key = randomUUID();
		const run = async () => json(await runSendNode({ parameters: parameters(), items: items([key]), credential: await credentialFor(smtp), continueOnFail: true }));
		const first = run();
		await smtp.waitFor(1);
		expect(store.holds(key)).toBe(false);
		const [meanwhile] = await run();
		expect(meanwhile.error).toMatchObject({ kind: 'idempotencyKeyHeld' });
		expect(store.holds(key)).toBe(false);
		reply();
		const [sent] = await first;
		expect(sent.accepted).toEqual(['user0@example.test']);
		expect(sent.idempotencyNotRecorded).toBeUndefined();
		expect(store.holds(key)).toBe(true);
		const [again] = await run();
		expect(again).toMatchObject({ skipped: true, reason: 'alreadySent' });
		// Looking a key up leaves it recorded, once.
		expect([...store.rows.values()].flat().filter((e) => e === hashed(key))).toHaveLength(1);
		expect(smtp.received).toHaveLength(1);
	});
});
