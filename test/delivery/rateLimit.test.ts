import { InProcessRateLimiter } from '../../nodes/SmtpConnector/delivery/rateLimit';
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

test('a sliding window lets no more than the limit through in any second', async () => {
	const limiter = new InProcessRateLimiter();
	const times: number[] = [];
	await Promise.all(Array.from({ length: 7 }, () => limiter.acquire('k', { perSecond: 3 }).then(() => times.push(Date.now()))));
	times.sort((a, b) => a - b);
	// Observed when each waiter resumes, a few ms after the limiter granted its slot.
	for (let i = 3; i < times.length; i++) expect(times[i] - times[i - 3]).toBeGreaterThanOrEqual(980);
	expect(times[times.length - 1] - times[0]).toBeGreaterThanOrEqual(1980);
});

test('waiting for a slot ends when the execution is cancelled', async () => {
	const limiter = new InProcessRateLimiter();
	await limiter.acquire('k', { perMinute: 1 });
	const controller = new AbortController();
	const waiting = limiter.acquire('k', { perMinute: 1 }, controller.signal);
	controller.abort(new Error('cancelled'));
	await expect(waiting).rejects.toThrow('cancelled');
});

test.each([
	[{ provider: 'microsoft365' }, { perMinute: 30 }],
	[{ provider: 'ses' }, { perSecond: 1 }],
	[{ provider: 'ses', rateLimitPerSecond: '14' }, { perSecond: 14 }],
	[{ provider: 'microsoft365', rateLimitPerMinute: '0' }, {}],
	[{ provider: 'gmail' }, {}],
])('provider default limits: %j', (credential, expected) => {
	const { rateLimit } = readConnectionSettings({ authType: 'none', ...credential });
	expect(JSON.parse(JSON.stringify(rateLimit))).toEqual(expected);
});
