import type { INodeParameters } from 'n8n-workflow';

import { accountKey } from '../../nodes/SmtpConnector/delivery/rateLimit';
import { closeRedisClients } from '../../nodes/SmtpConnector/coordination/redis';
import { outputOf } from '../support/engine';
import { redisUnavailable, startRedis, type RedisServer } from '../support/redis';
import { aheadOfPace } from '../support/arrivals';
import { credentialFor, startSmtpServer, type TestSmtpServer } from '../support/smtpServer';
import { runSendNode } from '../support/workflows';

/** One account, however many nodes and credentials name it: one pool, one rate budget. */

let server: TestSmtpServer;
let redis: RedisServer | undefined;
afterEach(async () => await server?.close());
afterAll(async () => {
	await closeRedisClients();
	await redis?.close();
});
beforeAll(async () => {
	if (stores.length > 1) redis = await startRedis();
});

const parameters = (deliveryOptions: INodeParameters): INodeParameters => ({ fromEmail: 'ops@example.test', toEmail: '={{ $json.to }}', subject: '=Message {{ $json.n }}', html: '<p>Hi</p>', deliveryOptions });
const items = (count: number, tag: string) => Array.from({ length: count }, (_, n) => ({ json: { n: `${tag}${n}`, to: `${tag}${n}@example.test` } }));

test('two nodes with other Max Connections on one credential share its warm pool, at the lower count while the lower one runs', async () => {
	server = await startSmtpServer();
	const credential = await credentialFor(server);
	const send = async (maxConnections: number, tag: string) => {
		const before = server.received.length;
		const run = await runSendNode({ parameters: parameters({ maxConnections }), items: items(9, tag), credential, credentialId: 'shared' });
		expect(outputOf(run, 'Send Email').every((i) => (i.json.accepted as string[]).length === 1)).toBe(true);
		return new Set(server.received.slice(before).map((m) => m.clientPort));
	};
	await send(3, 'a');
	const first = await send(1, 'b');
	await send(3, 'c');
	const second = await send(1, 'd');
	// The node that allows one connection gets one; the pool it shares stays warm between the runs.
	expect(first.size).toBe(1);
	expect(second.size).toBe(1);
	// Before, each run retired the other's pool: 3 + 1 + 3 + 1 logins. Now the connections carry on.
	expect(server.logins.length).toBeLessThan(8);
}, 60_000);

// Without redis-server on a developer's machine the Redis case is left out; in CI startRedis fails the suite.
const stores: Array<[string, () => Record<string, string>]> = [['in this process', () => ({})]];
if (!redisUnavailable() || process.env.CI === 'true') stores.push(['in Redis (Shared Limits)', () => ({ sharedLimits: 'redis', redisUrl: redis!.url })]);

describe.each(stores)('counted %s', (_, store) => {
	test('two credentials of one account with other rate limits share one budget: from its first mail, the lower limit holds at the server', async () => {
		server = await startSmtpServer();
		const started = Date.now();
		const slow = runSendNode({ parameters: parameters({}), items: items(4, 's'), credential: await credentialFor(server, { rateLimitPerSecond: '2', ...store() }), credentialId: 'slow' });
		await server.waitFor(1);
		const fast = runSendNode({ parameters: parameters({}), items: items(4, 'f'), credential: await credentialFor(server, { rateLimitPerSecond: '20', ...store() }), credentialId: 'fast' });
		const runs = await Promise.all([slow, fast]);
		for (const run of runs) expect(outputOf(run, 'Send Email').every((i) => (i.json.accepted as string[]).length === 1)).toBe(true);
		const arrivals = (await server.waitFor(8)).map((m) => m.receivedAt);
		// Two a second (one per 550 ms) for all eight, whichever credential sends: not 2 + 20.
		expect(aheadOfPace(arrivals, started, 1100 / 2, 100)).toEqual([]);
	}, 30_000);
});

test('an account is its host in any case, its port and its login', () => {
	expect(accountKey('SMTP.Office365.com', 587, 'a@contoso.test')).toBe(accountKey('smtp.office365.com', 587, 'a@contoso.test'));
	expect(accountKey('smtp.office365.com', 587, 'a@contoso.test')).not.toBe(accountKey('smtp.office365.com', 587, 'b@contoso.test'));
});
