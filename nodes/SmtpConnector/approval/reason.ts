import type { IDataObject } from 'n8n-workflow';

import type { DecisionValue } from './decision';

/** The longest reason kept: a paragraph or two, not a document. */
export const REASON_MAX_LENGTH = 2_000;

export type AskForReason = 'never' | 'onDecline' | 'always';

export interface ReasonRule {
	ask: AskForReason;
	required: boolean;
}

/** The rule from the operation's options, as the editor saves them. */
export function reasonRuleOf(options: IDataObject): ReasonRule {
	const ask = options.askForReason === 'onDecline' || options.askForReason === 'always' ? options.askForReason : 'never';
	return { ask, required: options.reasonRequired === true };
}

/** Whether the page for this decision has a reason field, and whether it must be filled. */
export function reasonFieldFor(rule: ReasonRule, decision: DecisionValue): { required: boolean } | undefined {
	if (rule.ask === 'always' || (rule.ask === 'onDecline' && decision === 'decline')) return { required: rule.required };
	return undefined;
}

export type ReasonReading = { ok: true; comment: string | null } | { ok: false; problem: string };

/** The reason a POST carries, checked: a page never records half an answer. */
export function readReason(field: { required: boolean } | undefined, body: IDataObject): ReasonReading {
	if (!field) return { ok: true, comment: null };
	const raw = typeof body.comment === 'string' ? body.comment : '';
	const comment = raw.replace(/\r\n?/g, '\n').trim();
	if (!comment && field.required) return { ok: false, problem: 'Please give a reason: it is required for this answer.' };
	if (comment.length > REASON_MAX_LENGTH) return { ok: false, problem: `The reason is ${comment.length} characters long; at most ${REASON_MAX_LENGTH} are kept. Please shorten it.` };
	return { ok: true, comment: comment || null };
}
