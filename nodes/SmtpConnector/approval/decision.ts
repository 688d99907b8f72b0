import type { IDataObject } from 'n8n-workflow';

/** What an approver decided, as the node outputs it. */
export type DecisionValue = 'approve' | 'decline';

export const DECISIONS: readonly DecisionValue[] = ['approve', 'decline'];

/** What a link asks for: a decision, or (Free Text, Custom Form) a form's answer. */
export type Answer = DecisionValue | 'respond';

export type ResponseType = 'approval' | 'freeText' | 'customForm';

export const responseTypeOf = (value: unknown): ResponseType => (value === 'freeText' || value === 'customForm' ? value : 'approval');

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
	/** Every approver and their answer (null: none before the outcome was certain). */
	approvers: ApproverAnswer[];
	approvals: number;
	declines: number;
	/** The answer as n8n's own send-and-wait outputs it, so a workflow can switch nodes without rewiring. */
	data?: { approved: boolean; respondedAt: string };
}

export interface ApproverAnswer {
	approver: string;
	decision: DecisionValue | null;
	comment: string | null;
	at: string | null;
}

/** Each approver in the request's order, with the answer they gave by the time the outcome was certain. */
export function approverAnswers(approvers: string[], votes: Array<{ approver: string; decision: DecisionValue; comment: string | null; at: string }>): ApproverAnswer[] {
	const listed = approvers.map((approver) => votes.find((v) => v.approver === approver) ?? { approver, decision: null, comment: null, at: null });
	const unlisted = votes.filter((v) => !approvers.includes(v.approver));
	return [...listed, ...unlisted].map(({ approver, decision, comment, at }) => ({ approver, decision, comment, at }));
}

export interface Decided {
	decision: DecisionValue;
	by: string;
	at: Date;
	comment: string | null;
}

/** The outcome: `decided` is the answer that made it certain (with a quorum, the last one it needed). */
export function decisionResult({ decision, by, at, comment }: Decided, subject: string, approvalId: string, approvers: ApproverAnswer[]): ApprovalResult {
	const approved = decision === 'approve';
	const decidedAt = at.toISOString();
	const count = (d: DecisionValue) => approvers.filter((a) => a.decision === d).length;
	return { approved, decision, decidedBy: by, decidedAt, comment, timedOut: false, subject, approvalId, approvers, approvals: count('approve'), declines: count('decline'), data: { approved, respondedAt: decidedAt } };
}

/** What the node resumes with at the wait limit: set when the mails go out, so it holds no answers. */
export function timeoutResult(subject: string, approvalId: string, approvers: string[]): ApprovalResult {
	return {
		approved: null,
		decision: null,
		decidedBy: null,
		decidedAt: null,
		comment: null,
		timedOut: true,
		subject,
		approvalId,
		approvers: approverAnswers(approvers, []),
		approvals: 0,
		declines: 0,
	};
}

/** A form's answer (Free Text, Custom Form), as the node outputs it; `data` is n8n's send-and-wait shape. */
export interface FormAnswerResult {
	respondedBy: string | null;
	respondedAt: string | null;
	timedOut: boolean;
	subject: string;
	approvalId: string;
	data: IDataObject | null;
}

export function formAnswerResult(by: string, at: Date, answers: IDataObject, subject: string, approvalId: string): FormAnswerResult {
	const respondedAt = at.toISOString();
	// respondedAt last: a field of that name cannot stand in for when the answer came.
	return { respondedBy: by, respondedAt, timedOut: false, subject, approvalId, data: { ...answers, respondedAt } };
}

export function formTimeoutResult(subject: string, approvalId: string): FormAnswerResult {
	return { respondedBy: null, respondedAt: null, timedOut: true, subject, approvalId, data: null };
}
