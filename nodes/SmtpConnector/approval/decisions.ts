import { createHash } from 'node:crypto';

import type Redis from 'ioredis';

import { withRedis } from '../coordination/redis';
import type { RedisSettings } from '../transport/settings';
import type { Answer } from './decision';

/** One approver's first answer to a request, as recorded. */
export interface RecordedAnswer {
	approver: string;
	answer: Answer;
	comment: string | null;
	/** ISO time. */
	at: string;
}

/** This answer joined the request's list, or the approver had answered before (and keeps that answer). */
export type Recording = { recorded: true; answers: RecordedAnswer[] } | { recorded: false; earlier: RecordedAnswer; answers: RecordedAnswer[] };

const MAX_REQUESTS = 10_000;
const requests = new Map<string, RecordedAnswer[]>();

/** How long Redis keeps the answers: longer than any approval waits, so a late answer still reads who decided. */
const KEEP_MS = 90 * 86_400_000;
/**
 * An approver waits on the page for the Redis this long at most. A resume claim holds this long: the
 * deciding answer's second click within it (a double-click) changes nothing; after it, a click resumes a
 * workflow that is still waiting because the process that recorded the answer ended before resuming.
 */
export const decisionTuning = { redisWaitMs: 5_000, resumeClaimMs: 60_000 };

const resumeClaims = new Map<string, number>();
const redisKeyOf = (key: string) => `approval2:{${createHash('sha256').update(key).digest('hex')}}`;

/** The one right to resume the workflow for this request, for `resumeClaimMs`: true for the first caller. */
export async function claimResume(key: string, store?: RedisSettings): Promise<boolean> {
	if (store) {
		const claimed = async (client: Redis) => (await client.set(`${store.keyPrefix}${redisKeyOf(key)}:resuming`, '1', 'PX', decisionTuning.resumeClaimMs, 'NX')) === 'OK';
		return await withRedis(store, claimed, undefined, decisionTuning.redisWaitMs);
	}
	const now = Date.now();
	if ((resumeClaims.get(key) ?? 0) > now) return false;
	for (const [k, until] of resumeClaims) if (until <= now) resumeClaims.delete(k);
	resumeClaims.set(key, now + decisionTuning.resumeClaimMs);
	return true;
}

/**
 * Each approver's first answer per waiting request (execution + node + approval id: a loop that asks again
 * waits for a request of its own), in the order they came. n8n answers requests for an execution that has
 * already resumed itself; this orders the ones that arrive while it waits or resumes, e.g. two approvers
 * pressing their buttons at the same moment. With Shared Limits in Redis the list is there, so every
 * webhook process sees the same order; otherwise it is this process's.
 */
export async function recordAnswer(key: string, candidate: RecordedAnswer, store?: RedisSettings): Promise<Recording> {
	if (store) return await recordInRedis(key, candidate, store);
	let answers = requests.get(key);
	if (!answers) {
		if (requests.size >= MAX_REQUESTS) requests.delete(requests.keys().next().value as string);
		requests.set(key, (answers = []));
	}
	const earlier = answers.find((a) => a.approver === candidate.approver);
	if (earlier) return { recorded: false, earlier, answers: [...answers] };
	answers.push(candidate);
	return { recorded: true, answers: [...answers] };
}

/** The approver's first answer is kept in a hash (one field each); the list keeps the order. One call, atomic. */
const RECORD_LUA = `
local earlier = redis.call('HGET', KEYS[1], ARGV[1])
if not earlier then
	redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
	redis.call('RPUSH', KEYS[2], ARGV[2])
	redis.call('PEXPIRE', KEYS[1], ARGV[3])
	redis.call('PEXPIRE', KEYS[2], ARGV[3])
end
return { earlier or false, redis.call('LRANGE', KEYS[2], 0, -1) }`;

async function recordInRedis(key: string, candidate: RecordedAnswer, store: RedisSettings): Promise<Recording> {
	const base = `${store.keyPrefix}${redisKeyOf(key)}`;
	const value = JSON.stringify(candidate);
	return await withRedis(
		store,
		async (client) => {
			const [earlier, list] = (await client.eval(RECORD_LUA, 2, `${base}:by`, `${base}:order`, candidate.approver, value, KEEP_MS)) as [string | null, string[]];
			const answers = list.map((v) => JSON.parse(v) as RecordedAnswer);
			return earlier ? { recorded: false, earlier: JSON.parse(earlier) as RecordedAnswer, answers } : { recorded: true, answers };
		},
		undefined,
		decisionTuning.redisWaitMs,
	);
}
