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
	/**
	 * Resolves when one more message may be handed to the server under `key`'s limit; rejects when
	 * `signal` aborts, or when the shared store stays away longer than `storeWaitMs`.
	 */
	acquire(key: string, limit: RateLimit, signal?: AbortSignal, storeWaitMs?: number): Promise<void>;
}

/**
 * A pace: permits `stepMs` apart, `burst` of them back to back after a quiet spell (GCRA, the generic
 * cell rate algorithm). Any stretch of `windowMs` then holds at most the limit: stepMs is windowMs
 * divided by (limit − burst + 1), with windowMs a second longer than a minute, or 10 % longer than a
 * second, so a message that reaches the server a little after its permit still counts in the right one.
 */
interface Pace {
	windowMs: number;
	stepMs: number;
	toleranceMs: number;
}

function paceOf(limit: number, windowMs: number, burst: number): Pace {
	const b = Math.max(1, Math.min(burst, limit));
	const stepMs = windowMs / (limit - b + 1);
	return { windowMs, stepMs, toleranceMs: (b - 1) * stepMs };
}

/** The minute's permit first, so the second's wait (short) comes last; a second is too short for a burst. */
function pacesOf(limit: RateLimit): Pace[] {
	return [limit.perMinute && paceOf(limit.perMinute, 61_000, limit.burst ?? 1), limit.perSecond && paceOf(limit.perSecond, 1100, 1)].filter((p): p is Pace => !!p);
}

/** How long a slower pace, once asked for, holds an account's faster credentials to it. */
const SLOWER_PACE_HOLDS_MS = 15 * 60_000;

/**
 * One account's count in one window. Every credential of the account shares it, whatever limit each
 * states: the slowest pace asked for within SLOWER_PACE_HOLDS_MS applies to all of them.
 */
interface PaceState {
	tat: number;
	stepMs: number;
	toleranceMs: number;
	/** Until when the stored pace holds against a faster one. */
	until: number;
}

/**
 * Reserves the next permit on `state` for a caller asking `pace` at `now`; returns how long it waits.
 * A slower pace takes over from the permit given last: the next comes one slow step after it.
 */
function reserveOn(state: PaceState | undefined, pace: Pace, now: number): { wait: number; next: PaceState } {
	const slower = !state || pace.stepMs >= state.stepMs || state.until <= now;
	const stepMs = slower ? pace.stepMs : state.stepMs;
	const toleranceMs = slower ? pace.toleranceMs : state.toleranceMs;
	const due = state ? state.tat + Math.max(0, stepMs - state.stepMs) : now;
	const tat = Math.max(due, now);
	return { wait: Math.max(0, tat - toleranceMs - now), next: { tat: tat + stepMs, stepMs, toleranceMs, until: slower ? now + SLOWER_PACE_HOLDS_MS : state.until } };
}

/**
 * reserveOn in one Lua call, with Redis's own clock, so workers with skewed clocks agree. The state
 * lives as long as it can matter: its next permit and tolerance, or its slower pace's hold, and a second more.
 */
const GCRA_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local step, tolerance, holds = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local s = redis.call('HMGET', KEYS[1], 'tat', 'step', 'tolerance', 'until')
local hold = now + holds
if s[2] and tonumber(s[2]) > step and tonumber(s[4]) > now then
  step, tolerance, hold = tonumber(s[2]), tonumber(s[3]), tonumber(s[4])
end
local tat = tonumber(s[1]) or now
if s[2] and step > tonumber(s[2]) then tat = tat + step - tonumber(s[2]) end
if tat < now then tat = now end
local at = tat - tolerance
if at < now then at = now end
redis.call('HSET', KEYS[1], 'tat', tostring(tat + step), 'step', tostring(step), 'tolerance', tostring(tolerance), 'until', tostring(hold))
redis.call('PEXPIRE', KEYS[1], math.ceil(math.max(tat + step + tolerance, hold) - now + 1000))
return math.ceil(at - now)
`;

type GcraClient = Redis & { smtpConnectorGcra(key: string, stepMs: string, toleranceMs: string, slowerPaceHoldsMs: string): Promise<number> };

const scripted = new WeakSet<Redis>();

function gcra(client: Redis): GcraClient {
	if (!scripted.has(client)) {
		client.defineCommand('smtpConnectorGcra', { numberOfKeys: 1, lua: GCRA_LUA });
		scripted.add(client);
	}
	return client as GcraClient;
}

/** An account: the host in lower case, the port and the login, whichever credential names them. */
export const accountKey = (host: string, port: number, user = '') => `${host.toLowerCase()}:${port}:${user}`;

/**
 * Paced limits, kept in this process's memory or in a Redis shared by every n8n process (queue-mode
 * workers). A permit is reserved when asked for and waited for by the asker, so asking when the
 * connection is ready (delivery/attemptOnConnection.ts) spaces the messages as the server sees them.
 */
export class PacedRateLimiter implements RateLimiter {
	private readonly states = new Map<string, PaceState>();

	constructor(private readonly store?: RedisSettings) {}

	async acquire(key: string, limit: RateLimit, signal?: AbortSignal, storeWaitMs?: number): Promise<void> {
		for (const pace of pacesOf(limit)) {
			signal?.throwIfAborted();
			const waitMs = await this.reserve(`rate2:${pace.windowMs}:${key}`, pace, signal, storeWaitMs);
			if (waitMs > 0) await sleep(waitMs, signal);
		}
	}

	private async reserve(key: string, pace: Pace, signal?: AbortSignal, storeWaitMs?: number): Promise<number> {
		const store = this.store;
		if (store) {
			const args = [String(pace.stepMs), String(pace.toleranceMs), String(SLOWER_PACE_HOLDS_MS)] as const;
			return await withRedis(store, async (client) => Number(await gcra(client).smtpConnectorGcra(`${store.keyPrefix}${key}`, ...args)), signal, storeWaitMs);
		}
		const { wait, next } = reserveOn(this.states.get(key), pace, Date.now());
		this.states.set(key, next);
		return wait;
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
