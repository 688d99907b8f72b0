import type { IDataObject } from 'n8n-workflow';

import type { DecisionValue } from './decision';

/** How many approvals decide: any one (n8n's own behaviour), every approver, or at least N. */
export interface QuorumRule {
	needed: 'one' | 'all' | 'atLeast';
	atLeast: number;
	/** A decline decides at once, or counts as one vote against. */
	decline: 'decides' | 'vote';
}

/** One approver's first answer. */
export interface Vote {
	approver: string;
	decision: DecisionValue;
	comment: string | null;
	/** ISO time the answer was recorded. */
	at: string;
}

export function quorumRuleOf(options: IDataObject): QuorumRule {
	const needed = options.approvalsNeeded === 'all' || options.approvalsNeeded === 'atLeast' ? options.approvalsNeeded : 'one';
	const atLeast = Math.max(1, Math.floor(Number(options.minApprovals ?? 2)) || 1);
	return { needed, atLeast, decline: options.declineRule === 'vote' ? 'vote' : 'decides' };
}

/** The approvals that approve, of `total` approvers. */
export function approvalsNeeded(rule: QuorumRule, total: number): number {
	if (rule.needed === 'all') return total;
	if (rule.needed === 'atLeast') return Math.min(total, rule.atLeast);
	return 1;
}

export type Outcome = { settled: false; approvals: number; declines: number } | { settled: true; approved: boolean; approvals: number; declines: number; decider: Vote; deciderIndex: number };

/**
 * The outcome of the votes in the order they were recorded: the first vote after which it is certain
 * decides, and whatever comes after it changes nothing. Every process replays the same list, so all
 * agree on the outcome and on which one vote decided it.
 */
export function outcomeOf(rule: QuorumRule, total: number, votes: Vote[]): Outcome {
	const needed = approvalsNeeded(rule, total);
	let approvals = 0;
	let declines = 0;
	for (const [index, vote] of votes.entries()) {
		if (vote.decision === 'approve') approvals++;
		else declines++;
		const declined = vote.decision === 'decline' && (rule.decline === 'decides' || approvals + (total - approvals - declines) < needed);
		if (approvals >= needed || declined) return { settled: true, approved: !declined, approvals, declines, decider: vote, deciderIndex: index };
	}
	return { settled: false, approvals, declines };
}
