import { PacedRateLimiter } from '../../nodes/SmtpConnector/delivery/rateLimit';
import { readConnectionSettings } from '../../nodes/SmtpConnector/transport/settings';
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
		await server.waitFor(9);
		// 9 messages at 4 per second cannot all be out before two full windows have passed.
		expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
	} finally {
		await server.close();
	}
});

test('the permit is taken when the connection sends, so messages queued behind a slow one do not leave in a rush', async () => {
	// The server holds the first message a second: taken before the queue, the permits of the messages waiting
	// behind it would be spent by then and those messages would reach the server back to back.
	let replies = 0;
	const server = await startSmtpServer({ replyDelayMs: () => (replies++ === 0 ? 1000 : 0) });
	try {
		const run = await runSendNode({
			parameters: { fromEmail: 'ops@example.test', toEmail: '={{ $json.to }}', subject: 'Hi', html: '<p>Hi</p>', deliveryOptions: { maxConnections: 1 } },
			items: Array.from({ length: 16 }, (_, n) => ({ json: { to: `user${n}@example.test` } })),
			credential: await credentialFor(server, { rateLimitPerSecond: '10' }),
		});
		expect(outputOf(run, 'Send Email').every((i) => (i.json.accepted as string[]).length === 1)).toBe(true);
		const arrivals = server.received.map((m) => m.receivedAt).sort((a, b) => a - b);
		// 10 per second, 10 % wide: the slow one's followers take their permits 110 ms apart once it is done. Taken
		// before the queue, those permits would be spent and the followers would arrive back to back. None arrives
		// before its slot, counted from the first follower; one pace of slack for an arrival the server sees late
		// (it stamps arrivals on the test's own thread). That bound also holds the run to 10 per second; a window
		// between two arrivals would not, since a late stamp shortens the next one (the limiter's permit times are
		// checked per window below, and across processes at the server by npm run test:queue).
		for (let i = 2; i < arrivals.length; i++) expect(arrivals[i] - arrivals[1]).toBeGreaterThanOrEqual((i - 2) * 110);
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

test('permits are spaced evenly: no more than the limit in any second, no burst', async () => {
	const limiter = new PacedRateLimiter();
	const times: number[] = [];
	await Promise.all(Array.from({ length: 7 }, () => limiter.acquire('k', { perSecond: 3 }).then(() => times.push(Date.now()))));
	times.sort((a, b) => a - b);
	// 3 per second, paced 10 % wide: 367 ms apart; observed when each waiter resumes, which is a few ms off its
	// slot either way on a busy machine. Whatever the jitter, no second holds more than 3.
	const first = times[0];
	for (let i = 1; i < times.length; i++) expect(times[i] - first).toBeGreaterThanOrEqual(i * 367 - 10);
	for (let i = 3; i < times.length; i++) expect(times[i] - times[i - 3]).toBeGreaterThanOrEqual(1000);
});

test('a per-minute limit is spread over the minute; the burst leaves at once', async () => {
	const limiter = new PacedRateLimiter();
	const times: number[] = [];
	const started = Date.now();
	// 1,200 per minute with a burst of 4: 4 at once, then 61 s / 1,197 ≈ 51 ms apart.
	await Promise.all(Array.from({ length: 10 }, () => limiter.acquire('m', { perMinute: 1200, burst: 4 }).then(() => times.push(Date.now() - started))));
	times.sort((a, b) => a - b);
	expect(times[3]).toBeLessThan(40);
	// None before its slot (51 ms apart after the burst). A waiter resumes a little after its slot on a busy
	// machine, or up to a few ms before it in wall-clock time (Node starts a timer from the event loop's cached clock).
	for (let i = 4; i < times.length; i++) expect(times[i]).toBeGreaterThanOrEqual((i - 3) * 51 - 8);
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
