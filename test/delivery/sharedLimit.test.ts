import type { ICredentialTestFunctions, ICredentialsDecrypted } from 'n8n-workflow';

import { closeRedisClients, redisTuning } from '../../nodes/SmtpConnector/coordination/redis';
import { PacedRateLimiter } from '../../nodes/SmtpConnector/delivery/rateLimit';
import { smtpConnectorTest } from '../../nodes/SmtpConnector/methods/credentialTest';
import { aheadOfPace } from '../support/arrivals';
import { outputOf } from '../support/engine';
import { freePort } from '../support/ports';
import { redisUnavailable, startRedis, type RedisServer } from '../support/redis';
import { serverSuite } from '../support/serverSuite';
import { credentialFor, startSmtpServer, type TestSmtpServer } from '../support/smtpServer';
import { runSendNode } from '../support/workflows';

const REDIS_PASSWORD = 'redis-Pa55word';

const items = (n: number, tag: string) => Array.from({ length: n }, (_, i) => ({ json: { to: `${tag}${i}@example.test` } }));
const parameters = { fromEmail: 'ops@example.test', toEmail: '={{ $json.to }}', subject: 'Hi', html: '<p>Hi</p>', deliveryOptions: { maxConnections: 3 } };

serverSuite('redis-server', redisUnavailable())('Shared Limits in Redis', () => {
	let redis: RedisServer;
	let smtp: TestSmtpServer;
	const shared = (url: string, extra: Record<string, unknown> = {}) => ({ sharedLimits: 'redis', redisUrl: url, redisPassword: REDIS_PASSWORD, ...extra });

	beforeAll(async () => {
		redis = await startRedis({ password: REDIS_PASSWORD });
	});
	beforeEach(async () => {
		smtp = await startSmtpServer();
	});
	afterEach(async () => {
		await smtp.close();
		await closeRedisClients();
	});
	afterAll(async () => {
		await redis.close();
	});

	test('two processes share one paced limit through Redis', async () => {
		// Two limiters with their own Redis clients, as two n8n workers would have (the URLs differ, the database is the same).
		const a = new PacedRateLimiter({ url: redis.url, password: REDIS_PASSWORD, tls: false, keyPrefix: 't1:' });
		const b = new PacedRateLimiter({ url: `${redis.url}/0`, password: REDIS_PASSWORD, tls: false, keyPrefix: 't1:' });
		const times: number[] = [];
		const take = (limiter: PacedRateLimiter) => limiter.acquire('acct', { perSecond: 10 }).then(() => times.push(Date.now()));
		const started = Date.now();
		await Promise.all([...Array.from({ length: 12 }, () => take(a)), ...Array.from({ length: 12 }, () => take(b))]);
		// 10 per second, 10 % wide, whichever process holds the permit: one pace of 110 ms after another from the
		// start, so at most 10 in the first second, 20 in two. Counted from before the first was asked for, a bound
		// load cannot break (it only delays a permit, or the moment this thread sees it); counted apart, the two
		// would each take their first at once.
		expect(aheadOfPace(times, started, 1100 / 10, 100)).toEqual([]);
	});

	test('two executions on different credentials of one account hold the limit at the server, over warm pools', async () => {
		const started = Date.now();
		const [one, two] = await Promise.all([
			runSendNode({ parameters, items: items(15, 'a'), credential: await credentialFor(smtp, { rateLimitPerSecond: '10', ...shared(redis.url) }), credentialId: 'w1' }),
			runSendNode({ parameters, items: items(15, 'b'), credential: await credentialFor(smtp, { rateLimitPerSecond: '10', ...shared(`${redis.url}/0`) }), credentialId: 'w2' }),
		]);
		for (const run of [one, two]) expect(outputOf(run, 'Send Email').every((i) => (i.json.accepted as string[]).length === 1)).toBe(true);
		const arrivals = (await smtp.waitFor(30)).map((m) => m.receivedAt);
		// 10 per second for the account, whichever execution sends: the 30 arrive one pace after another from the
		// start: at most 10 in its first second, 20 in two, and the 30th not before 3 s.
		expect(aheadOfPace(arrivals, started, 1100 / 10, 100)).toEqual([]);
		// The pools waited with their connections open: no reconnect per message.
		expect(smtp.connections).toBeLessThanOrEqual(6);
	}, 30_000);

	test('a wrong Redis password fails the items with what Redis said, and sends nothing', async () => {
		const waited = redisTuning.unavailableWaitMs;
		redisTuning.unavailableWaitMs = 1500;
		try {
			const run = await runSendNode({
				parameters,
				items: items(2, 'w'),
				credential: await credentialFor(smtp, { rateLimitPerSecond: '10', ...shared(redis.url, { redisPassword: 'not-the-password' }) }),
				continueOnFail: true,
			});
			for (const item of outputOf(run, 'Send Email')) {
				const error = item.json.error as { kind: string; message: string };
				expect(error.kind).toBe('sharedStoreUnavailable');
				expect(error.message).toMatch(/WRONGPASS|invalid username-password/i);
				expect(error.message).not.toContain('not-the-password');
			}
			expect(smtp.received).toHaveLength(0);
		} finally {
			redisTuning.unavailableWaitMs = waited;
		}
	});

	test('the Test button logs in to Redis and says so; a wrong password is named', async () => {
		const press = async (data: Record<string, unknown>) =>
			await smtpConnectorTest.call({} as ICredentialTestFunctions, { id: '1', name: 't', type: 'smtpConnectorApi', data } as unknown as ICredentialsDecrypted);
		const ok = await press(await credentialFor(smtp, shared(redis.url)));
		expect(ok).toMatchObject({ status: 'OK' });
		expect(ok.message).toContain(`Shared Limits: Redis at ${redis.url} answers`);
		const wrong = await press(await credentialFor(smtp, shared(redis.url, { redisPassword: 'not-the-password' })));
		expect(wrong.status).toBe('Error');
		expect(wrong.message).toContain(`the Redis of Shared Limits (${redis.url}) cannot be used`);
		expect(wrong.message).toMatch(/WRONGPASS|invalid username-password/i);
		expect(wrong.message).not.toContain('not-the-password');
	});
});

describe('Shared Limits without Redis', () => {
	let smtp: TestSmtpServer;
	const waited = redisTuning.unavailableWaitMs;
	beforeEach(async () => {
		smtp = await startSmtpServer();
		redisTuning.unavailableWaitMs = 1500;
	});
	afterEach(async () => {
		redisTuning.unavailableWaitMs = waited;
		await smtp.close();
		await closeRedisClients();
	});

	test('nothing is sent unthrottled: every item waits a bounded time, then fails naming Redis', async () => {
		const url = `redis://127.0.0.1:${await freePort()}`;
		const started = Date.now();
		const run = await runSendNode({
			parameters,
			items: items(12, 'x'),
			credential: await credentialFor(smtp, { rateLimitPerMinute: '60', sharedLimits: 'redis', redisUrl: url }),
			continueOnFail: true,
		});
		const out = outputOf(run, 'Send Email');
		expect(out).toHaveLength(12);
		for (const item of out) {
			expect(item.json.error).toMatchObject({ kind: 'sharedStoreUnavailable', scope: 'configuration' });
			expect(String((item.json.error as { message: string }).message)).toContain(`The Redis of Shared Limits (${url}) could not be used`);
		}
		expect(smtp.received).toHaveLength(0);
		// No item failed before waiting its 1.5 s.
		expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
		// The first wait stops the batch: only the items already on a connection waited (one attempt each); the
		// others fail with them instead of waiting again each (no attempt of their own).
		const attempts = out.map((item) => (item.json.error as { attempts: number }).attempts);
		expect(attempts.every((n) => n <= 1)).toBe(true);
		expect(attempts.filter((n) => n === 0).length).toBeGreaterThanOrEqual(6);
	});

	test('a process-only limit needs no Redis', async () => {
		const run = await runSendNode({ parameters, items: items(3, 'p'), credential: await credentialFor(smtp, { rateLimitPerSecond: '20', sharedLimits: 'process' }) });
		expect(outputOf(run, 'Send Email').every((i) => (i.json.accepted as string[]).length === 1)).toBe(true);
	});
});

serverSuite('redis-server', redisUnavailable())('Redis going away mid-batch', () => {
	const waited = redisTuning.unavailableWaitMs;
	afterEach(async () => {
		redisTuning.unavailableWaitMs = waited;
		await closeRedisClients();
	});

	test('mails sent before stay accepted, the rest fail naming Redis; every item has its output', async () => {
		redisTuning.unavailableWaitMs = 1500;
		const redis = await startRedis();
		const smtp = await startSmtpServer();
		try {
			const running = runSendNode({
				parameters,
				items: items(20, 'k'),
				credential: await credentialFor(smtp, { rateLimitPerSecond: '10', sharedLimits: 'redis', redisUrl: redis.url }),
				continueOnFail: true,
			});
			await smtp.waitFor(5);
			await redis.close();
			const out = outputOf(await running, 'Send Email');
			expect(out).toHaveLength(20);
			const accepted = out.filter((i) => (i.json.accepted as string[] | undefined)?.length === 1);
			const failed = out.filter((i) => (i.json.error as { kind?: string } | undefined)?.kind === 'sharedStoreUnavailable');
			expect(accepted.length).toBeGreaterThanOrEqual(5);
			expect(accepted.length + failed.length).toBe(20);
			expect(failed.length).toBeGreaterThan(0);
			expect(smtp.received).toHaveLength(accepted.length);
		} finally {
			await smtp.close();
		}
	}, 30_000);
});
