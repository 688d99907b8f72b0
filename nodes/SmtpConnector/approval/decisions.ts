import { createHash } from 'node:crypto';

import { withRedis } from '../coordination/redis';
import type { RedisSettings } from '../transport/settings';
import type { Answer } from './decision';

export interface RecordedDecision {
	decision: Answer;
	by: string;
	at: Date;
}

export type FirstDecision = { first: true } | { first: false; earlier: RecordedDecision };

const MAX_ENTRIES = 10_000;
const decisions = new Map<string, RecordedDecision>();

/** How long Redis keeps a decision: longer than any approval waits, so a late answer still reads who decided. */
const KEEP_MS = 90 * 86_400_000;
/** An approver waits on the page for the Redis this long at most. */
export const decisionTuning = { redisWaitMs: 5_000 };

/**
 * The first decision per waiting request (execution + node + approval id: a loop that asks again waits
 * for a request of its own). n8n answers requests for an execution that
 * has already resumed itself; this catches the ones that arrive while it resumes, e.g. two approvers
 * pressing the button at the same moment. With Shared Limits in Redis the record is there, so two
 * webhook processes agree on the first; otherwise it is this process's.
 */
export async function recordFirstDecision(key: string, candidate: RecordedDecision, store?: RedisSettings): Promise<FirstDecision> {
	if (store) return await recordInRedis(key, candidate, store);
	const earlier = decisions.get(key);
	if (earlier) return { first: false, earlier };
	if (decisions.size >= MAX_ENTRIES) decisions.delete(decisions.keys().next().value as string);
	decisions.set(key, candidate);
	return { first: true };
}

async function recordInRedis(key: string, candidate: RecordedDecision, store: RedisSettings): Promise<FirstDecision> {
	const redisKey = `${store.keyPrefix}approval:${createHash('sha256').update(key).digest('hex')}`;
	const value = JSON.stringify({ decision: candidate.decision, by: candidate.by, at: candidate.at.toISOString() });
	return await withRedis(
		store,
		async (client) => {
			if ((await client.set(redisKey, value, 'PX', KEEP_MS, 'NX')) === 'OK') return { first: true };
			const earlier = JSON.parse((await client.get(redisKey)) ?? value) as { decision: Answer; by: string; at: string };
			return { first: false, earlier: { decision: earlier.decision, by: earlier.by, at: new Date(earlier.at) } };
		},
		undefined,
		decisionTuning.redisWaitMs,
	);
}
