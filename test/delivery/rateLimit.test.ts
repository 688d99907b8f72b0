import { PacedRateLimiter, type RateLimit } from '../../nodes/SmtpConnector/delivery/rateLimit';
import { readConnectionSettings } from '../../nodes/SmtpConnector/transport/settings';
import { aheadOfPace, busiestWindow } from '../support/arrivals';
import { outputOf } from '../support/engine';
import { credentialFor, startSmtpServer } from '../support/smtpServer';
import { runSendNode } from '../support/workflows';

test('the credential limit throttles sending: items wait, none fail', async () => {
	const server = await startSmtpServer();
	const started = Date.now();
	try {
		const run = await runSendNode({
			parameters: { fromEmail: 'ops@example.test', toEmail: '={{ $json.to }}', subject: 'Hi', html: '<p>Hi</p>', deliveryOptions: { maxConnections: 3 } },
			items: Array.from({ length: 9 }, (_, n) => ({ json: { to: `user${n}@example.test` } })),
			credential: await credentialFor(server, { rateLimitPerSecond: '4' }),
		});
		const out = outputOf(run, 'Send Email');
		expect(out.every((i) => (i.json.accepted as string[]).length === 1)).toBe(true);
		const arrivals = (await server.waitFor(9)).map((m) => m.receivedAt);
		// 4 per second, paced 10 % wide: 275 ms apart from the start, so at most 4 in its first second, 8 in two, and
		// the 9th not before 2 s. A lower bound from a moment before the first could leave: load only delays.
		expect(aheadOfPace(arrivals, started, 1100 / 4, 100)).toEqual([]);
	} finally {
		await server.close();
	}
});

test('the permit is taken when the connection sends, so messages queued behind a slow one do not leave in a rush', async () => {
	// The server holds the first message a second: taken before the queue, the permits of the messages waiting
	// behind it would be spent by then and those messages would reach the server back to back.
	let replies = 0;
	let heldAt = 0;
	const server = await startSmtpServer({ replyDelayMs: () => (replies++ === 0 ? ((heldAt = Date.now()), 1000) : 0) });
	try {
		const run = await runSendNode({
			parameters: { fromEmail: 'ops@example.test', toEmail: '={{ $json.to }}', subject: 'Hi', html: '<p>Hi</p>', deliveryOptions: { maxConnections: 1 } },
			items: Array.from({ length: 16 }, (_, n) => ({ json: { to: `user${n}@example.test` } })),
			credential: await credentialFor(server, { rateLimitPerSecond: '10' }),
		});
		expect(outputOf(run, 'Send Email').every((i) => (i.json.accepted as string[]).length === 1)).toBe(true);
		const followers = server.received.map((m) => m.receivedAt).sort((a, b) => a - b).slice(1);
		// The server answers the slow one a second after it starts holding it; only then can the connection take
		// the next permit. From there the followers go 10 per second: the k-th (from 0) not before k paces of 110 ms.
		// A permit taken in the queue would have been spent during the hold, and its message would come a pace early
		// (a rush). Counted from a moment before any follower can leave, so load only makes them later; half a pace
		// of slack for a timer that fires a little early.
		expect(aheadOfPace(followers, heldAt + 1000, 1100 / 10, 55)).toEqual([]);
	} finally {
		await server.close();
	}
});

test('under a slow limit the pool opens no more connections than the pace keeps busy', async () => {
	const server = await startSmtpServer();
	try {
		const run = await runSendNode({
			parameters: { fromEmail: 'ops@example.test', toEmail: '={{ $json.to }}', subject: 'Hi', html: '<p>Hi</p>', deliveryOptions: { maxConnections: 5 } },
			items: Array.from({ length: 4 }, (_, n) => ({ json: { to: `user${n}@example.test` } })),
			credential: await credentialFor(server, { rateLimitPerSecond: '1' }),
		});
		expect(outputOf(run, 'Send Email').every((i) => (i.json.accepted as string[]).length === 1)).toBe(true);
		// One message a second: two connections, not five.
		expect(server.connections).toBe(2);
	} finally {
		await server.close();
	}
});

/**
 * `count` permits asked for at once from a fresh limiter, in jest's fake time: when each was granted, from the
 * start. Virtual time moves only when the test moves it, so load cannot shift a permit.
 */
async function grants(count: number, limit: RateLimit, check: (granted: () => number) => Promise<void> = async () => {}): Promise<number[]> {
	jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] });
	try {
		const limiter = new PacedRateLimiter();
		const start = Date.now();
		const times: number[] = [];
		const all = Promise.all(Array.from({ length: count }, () => limiter.acquire('k', limit).then(() => times.push(Date.now() - start))));
		await check(() => times.length);
		await jest.runAllTimersAsync();
		await all;
		return times.sort((a, b) => a - b);
	} finally {
		jest.useRealTimers();
	}
}

test('permits are spaced evenly: no more than the limit in any second, no burst', async () => {
	// 3 per second, paced 10 % wide: one per 367 ms.
	const times = await grants(7, { perSecond: 3 }, async (granted) => {
		await jest.advanceTimersByTimeAsync(0);
		expect(granted()).toBe(1);
		// The limit is used, not more: all 7 within 6 paces.
		await jest.advanceTimersByTimeAsync(Math.ceil(6 * (1100 / 3)));
		expect(granted()).toBe(7);
	});
	expect(busiestWindow(times, 1000)).toBeLessThanOrEqual(3);
	// Evenly: never two within a third of a second.
	expect(busiestWindow(times, 1000 / 3)).toBe(1);
});

test('a per-minute limit is spread over the minute; the burst leaves at once', async () => {
	// 1,200 per minute with a burst of 4: 4 at once, then 61 s / 1,197 ≈ 51 ms apart.
	const pace = 61_000 / 1197;
	const times = await grants(10, { perMinute: 1200, burst: 4 }, async (granted) => {
		// Before any time passes: the burst, and no more.
		await jest.advanceTimersByTimeAsync(0);
		expect(granted()).toBe(4);
		await jest.advanceTimersByTimeAsync(Math.ceil(6 * pace));
		expect(granted()).toBe(10);
	});
	// From the burst's last on, one at a time: never two within 60 s / 1,200 = 50 ms.
	expect(busiestWindow(times.slice(3), 60_000 / 1200)).toBe(1);
});

test('waiting for a slot ends when the execution is cancelled', async () => {
	const limiter = new PacedRateLimiter();
	await limiter.acquire('k', { perMinute: 1 });
	const controller = new AbortController();
	const waiting = limiter.acquire('k', { perMinute: 1 }, controller.signal);
	controller.abort(new Error('cancelled'));
	await expect(waiting).rejects.toThrow('cancelled');
});

test.each([
	[{ provider: 'microsoft365' }, { perMinute: 30, burst: 1 }],
	[{ provider: 'ses' }, { perSecond: 1, burst: 1 }],
	[{ provider: 'ses', rateLimitPerSecond: '14' }, { perSecond: 14, burst: 1 }],
	[{ provider: 'microsoft365', rateLimitPerMinute: '0', rateLimitBurst: 3 }, { burst: 3 }],
	[{ provider: 'gmail' }, { burst: 1 }],
])('provider default limits: %j', (credential, expected) => {
	const { rateLimit } = readConnectionSettings({ authType: 'none', ...credential });
	expect(JSON.parse(JSON.stringify(rateLimit))).toEqual(expected);
});
