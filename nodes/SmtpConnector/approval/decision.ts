/** What an approver decided, as the node outputs it. */
export type DecisionValue = 'approve' | 'decline';

export const DECISIONS: readonly DecisionValue[] = ['approve', 'decline'];

export interface ApprovalResult {
	/** true approved, false declined, null nobody decided before the wait limit. */
	approved: boolean | null;
	decision: DecisionValue | null;
	decidedBy: string | null;
	decidedAt: string | null;
	timedOut: boolean;
	subject: string;
	/** This request: each time the node waits, it asks anew (a loop may ask again in the same execution). */
	approvalId: string;
}

export function decisionResult(decision: DecisionValue, decidedBy: string, decidedAt: Date, subject: string, approvalId: string): ApprovalResult {
	return { approved: decision === 'approve', decision, decidedBy, decidedAt: decidedAt.toISOString(), timedOut: false, subject, approvalId };
}

export function timeoutResult(subject: string, approvalId: string): ApprovalResult {
	return { approved: null, decision: null, decidedBy: null, decidedAt: null, timedOut: true, subject, approvalId };
}
