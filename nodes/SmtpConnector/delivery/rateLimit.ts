import type Redis from 'ioredis';

import { withRedis } from '../coordination/redis';
import { sleep } from '../coordination/sleep';
import type { RedisSettings } from '../transport/settings';

/** Messages per second / minute for one sending identity, and how many may leave back to back. Throttling waits; it never fails a message. */
export interface RateLimit {
	perSecond?: number;
	perMinute?: number;
	burst?: number;
}

export interface RateLimiter {
	/** Resolves when one more message may be handed to the server under `key`'s limit; rejects when `signal` aborts (or the shared store stays away). */
	acquire(key: string, limit: RateLimit, signal?: AbortSignal): Promise<void>;
}

/**
 * A pace: permits `stepMs` apart, `burst` of them back to back after a quiet spell (GCRA, the generic
 * cell rate algorithm). Any stretch of `windowMs` then holds at most the limit: stepMs is windowMs
 * divided by (limit − burst + 1), with windowMs a second longer than a minute, or 10 % longer than a
 * second, so a message that reaches the server a little after its permit still counts in the right one.
 */
interface Pace {
	name: string;
	stepMs: number;
	toleranceMs: number;
}

function paceOf(limit: number, windowMs: number, burst: number): Pace {
	const b = Math.max(1, Math.min(burst, limit));
	const stepMs = windowMs / (limit - b + 1);
	return { name: `${limit}/${windowMs}/${b}`, stepMs, toleranceMs: (b - 1) * stepMs };
}

/** The minute's permit first, so the second's wait (short) comes last; a second is too short for a burst. */
function pacesOf(limit: RateLimit): Pace[] {
	return [limit.perMinute && paceOf(limit.perMinute, 61_000, limit.burst ?? 1), limit.perSecond && paceOf(limit.perSecond, 1100, 1)].filter((p): p is Pace => !!p);
}

/**
 * GCRA in one Lua call: reads the key's theoretical arrival time (TAT), reserves the next permit and
 * returns how long the caller waits for it. Redis's own clock, so workers with skewed clocks agree.
 */
const GCRA_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local step = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then tat = now end
local at = tat - tolerance
if at < now then at = now end
redis.call('SET', KEYS[1], tostring(tat + step), 'PX', math.ceil(tat + step - now + tolerance + 1000))
return math.ceil(at - now)
`;

type GcraClient = Redis & { smtpConnectorGcra(key: string, stepMs: string, toleranceMs: string): Promise<number> };

const scripted = new WeakSet<Redis>();

function gcra(client: Redis): GcraClient {
	if (!scripted.has(client)) {
		client.defineCommand('smtpConnectorGcra', { numberOfKeys: 1, lua: GCRA_LUA });
		scripted.add(client);
	}
	return client as GcraClient;
}

/**
 * Paced limits, kept in this process's memory or in a Redis shared by every n8n process (queue-mode
 * workers). A permit is reserved when asked for and waited for by the asker, so asking when the
 * connection is ready (delivery/handover.ts) spaces the messages as the server sees them.
 */
export class PacedRateLimiter implements RateLimiter {
	private readonly arrivals = new Map<string, number>();

	constructor(private readonly store?: RedisSettings) {}

	async acquire(key: string, limit: RateLimit, signal?: AbortSignal): Promise<void> {
		for (const pace of pacesOf(limit)) {
			signal?.throwIfAborted();
			const waitMs = await this.reserve(`rate:${pace.name}:${key}`, pace, signal);
			if (waitMs > 0) await sleep(waitMs, signal);
		}
	}

	private async reserve(key: string, pace: Pace, signal?: AbortSignal): Promise<number> {
		const store = this.store;
		if (store) {
			return await withRedis(store, async (client) => Number(await gcra(client).smtpConnectorGcra(`${store.keyPrefix}${key}`, String(pace.stepMs), String(pace.toleranceMs))), signal);
		}
		const now = Date.now();
		const tat = Math.max(this.arrivals.get(key) ?? now, now);
		this.arrivals.set(key, tat + pace.stepMs);
		return Math.max(0, tat - pace.toleranceMs - now);
	}
}

/** The limiter of this process's own count. */
const processRateLimiter: RateLimiter = new PacedRateLimiter();

const sharedLimiters = new Map<string, PacedRateLimiter>();

/** The limiter for a credential's Shared Limits: this process's, or one per Redis (URL, password, TLS and key prefix). */
export function rateLimiterFor(store?: RedisSettings): RateLimiter {
	if (!store) return processRateLimiter;
	const name = JSON.stringify([store.url, store.password ?? '', store.tls, store.keyPrefix]);
	let limiter = sharedLimiters.get(name);
	if (!limiter) sharedLimiters.set(name, (limiter = new PacedRateLimiter(store)));
	return limiter;
}
