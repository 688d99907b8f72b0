import { createHash } from 'node:crypto';

import Redis, { type RedisOptions } from 'ioredis';

import type { RedisSettings } from '../transport/settings';
import { sleep } from './sleep';

/** How long an item waits for an unreachable Redis before it fails (nothing is sent meanwhile). */
export const redisTuning = { unavailableWaitMs: 30_000, retryEveryMs: 250 };

/** The Redis did not answer within redisTuning.unavailableWaitMs, or refused (a wrong password): the message was not sent. */
export class SharedStoreUnavailable extends Error {
	// An envelope error to nodemailer's pool, which then keeps its SMTP connection: nothing was sent on it.
	readonly code = 'EENVELOPE';
	readonly command = 'MAIL FROM';

	constructor(
		readonly where: string,
		readonly waitedMs: number,
		cause: unknown,
	) {
		super(cause instanceof Error ? cause.message : String(cause));
		this.name = 'SharedStoreUnavailable';
	}
}

/** Where the Redis is, for messages: scheme, host, port and database, never a password. */
export function describeRedis(settings: Pick<RedisSettings, 'url'>): string {
	try {
		const url = new URL(settings.url);
		return `${url.protocol}//${url.host}${url.pathname.length > 1 ? url.pathname : ''}`;
	} catch {
		return 'Redis';
	}
}

const clients = new Map<string, Redis>();
/** The key of each settings object (one per execution), so a message does not hash the settings again. */
const keyOfSettings = new WeakMap<RedisSettings, string>();

/** Where and how to log in; a command while Redis is away fails at once instead of queueing: the caller decides how long to wait. */
const clientOptions = (settings: RedisSettings): RedisOptions => ({
	...(settings.password ? { password: settings.password } : {}),
	...(settings.tls ? { tls: {} } : {}),
	enableOfflineQueue: false,
});

/** One client per Redis (URL, password, TLS) and process, connected on first use and kept for the next execution. */
export function redisFor(settings: RedisSettings): Redis {
	let key = keyOfSettings.get(settings);
	if (!key) keyOfSettings.set(settings, (key = createHash('sha256').update(JSON.stringify([settings.url, settings.password ?? '', settings.tls])).digest('hex')));
	let client = clients.get(key);
	if (!client) {
		client = new Redis(settings.url, {
			...clientOptions(settings),
			maxRetriesPerRequest: 1,
			connectTimeout: 5_000,
			retryStrategy: (times) => Math.min(times * 200, 2_000),
		});
		// Failures reach callers through their commands; an unhandled 'error' event would end the process.
		client.on('error', () => {});
		// Every message waiting for Redis listens for it once.
		client.setMaxListeners(0);
		clients.set(key, client);
	}
	return client;
}

/** Runs `command` against Redis, retrying while it is unreachable, for at most `withinMs` (redisTuning.unavailableWaitMs). */
export async function withRedis<T>(settings: RedisSettings, command: (client: Redis) => Promise<T>, signal?: AbortSignal, withinMs = redisTuning.unavailableWaitMs): Promise<T> {
	const client = redisFor(settings);
	const started = Date.now();
	for (;;) {
		signal?.throwIfAborted();
		try {
			if (client.status !== 'ready') await ready(client, started + withinMs - Date.now());
			return await command(client);
		} catch (error) {
			const waited = Date.now() - started;
			if (isAnswer(error) || waited >= withinMs) throw new SharedStoreUnavailable(describeRedis(settings), waited, error);
			await sleep(redisTuning.retryEveryMs, signal);
		}
	}
}

/** A reply Redis gave (wrong password, unknown command …): waiting does not change it, except while it loads its data. */
const isAnswer = (error: unknown) => error instanceof Error && error.name === 'ReplyError' && !/^LOADING\b/.test(error.message);

/** Resolves when the client is connected and logged in; rejects with Redis's last error after `withinMs`. */
function ready(client: Redis, withinMs: number): Promise<void> {
	if (client.status === 'end') client.connect().catch(() => {});
	return new Promise((resolve, reject) => {
		let lastError: string | undefined;
		const onError = (error: Error) => (lastError = error.message);
		const timer = setTimeout(() => {
			client.off('ready', onReady);
			client.off('error', onError);
			reject(new Error(lastError ?? `Redis is not reachable (${client.status})`));
		}, Math.max(0, withinMs));
		const onReady = () => {
			clearTimeout(timer);
			client.off('error', onError);
			resolve();
		};
		client.once('ready', onReady);
		client.on('error', onError);
	});
}

/** Closes every Redis client of this process (tests, shutdown). */
export async function closeRedisClients(): Promise<void> {
	const all = [...clients.values()];
	clients.clear();
	await Promise.all(all.map((client) => client.quit().catch(() => client.disconnect())));
}

/** For the Test button: connects with these settings once, logs in and PINGs; throws what Redis or the network said. */
export async function checkRedis(settings: RedisSettings, withinMs = 5_000): Promise<void> {
	const client = new Redis(settings.url, {
		...clientOptions(settings),
		lazyConnect: true,
		maxRetriesPerRequest: 0,
		connectTimeout: withinMs,
		retryStrategy: () => null,
	});
	let said: Error | undefined;
	client.on('error', (error: Error) => (said ??= error));
	try {
		await client.connect();
		await client.ping();
	} catch (error) {
		// A refused login surfaces as "Connection is closed"; Redis's own words came with the error event.
		throw said ?? error;
	} finally {
		client.disconnect();
	}
}
