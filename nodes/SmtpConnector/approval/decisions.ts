import type { DecisionValue } from './decision';

export interface RecordedDecision {
	decision: DecisionValue;
	by: string;
	at: Date;
}

const MAX_ENTRIES = 10_000;
const decisions = new Map<string, RecordedDecision>();

/**
 * The first decision per waiting request (execution + node), in this process. n8n answers requests for
 * an execution that has already resumed itself; this catches the ones that arrive while it resumes,
 * e.g. two approvers pressing the button at the same moment.
 */
export function recordFirstDecision(key: string, candidate: RecordedDecision): { first: true } | { first: false; earlier: RecordedDecision } {
	const earlier = decisions.get(key);
	if (earlier) return { first: false, earlier };
	if (decisions.size >= MAX_ENTRIES) decisions.delete(decisions.keys().next().value as string);
	decisions.set(key, candidate);
	return { first: true };
}
