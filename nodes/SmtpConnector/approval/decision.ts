/** What an approver decided, as the node outputs it. */
export type DecisionValue = 'approve' | 'decline';

export const DECISIONS: readonly DecisionValue[] = ['approve', 'decline'];

export interface ApprovalResult {
	/** true approved, false declined, null nobody decided before the wait limit. */
	approved: boolean | null;
	decision: DecisionValue | null;
	decidedBy: string | null;
	decidedAt: string | null;
	/** The reason the approver gave, where the page asked for one; null without. */
	comment: string | null;
	timedOut: boolean;
	subject: string;
	/** This request: each time the node waits, it asks anew (a loop may ask again in the same execution). */
	approvalId: string;
	/** The answer as n8n's own send-and-wait outputs it, so a workflow can switch nodes without rewiring. */
	data?: { approved: boolean; respondedAt: string };
}

export interface Decided {
	decision: DecisionValue;
	by: string;
	at: Date;
	comment: string | null;
}

export function decisionResult({ decision, by, at, comment }: Decided, subject: string, approvalId: string): ApprovalResult {
	const approved = decision === 'approve';
	const decidedAt = at.toISOString();
	return { approved, decision, decidedBy: by, decidedAt, comment, timedOut: false, subject, approvalId, data: { approved, respondedAt: decidedAt } };
}

export function timeoutResult(subject: string, approvalId: string): ApprovalResult {
	return { approved: null, decision: null, decidedBy: null, decidedAt: null, comment: null, timedOut: true, subject, approvalId };
}
