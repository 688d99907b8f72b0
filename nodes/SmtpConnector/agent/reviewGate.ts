import type { IDataObject, INode } from 'n8n-workflow';

import { COLORS, escapeHtml } from '../approval/html';
import type { ApprovalResult } from '../approval/decision';

/**
 * The node runs as n8n's human review of an AI agent's tool calls ("SMTP Connector" under Human in the
 * Loop, a node type n8n derives: "…HitlTool"): the agent's call waits for the approvers' decision.
 */
export const isReviewGate = (node: INode) => node.type.endsWith('HitlTool');

/** The request's text when the person kept n8n's default message. */
export const REVIEW_GATE_MESSAGE = 'An AI agent wants to run the tool below with these arguments. If you approve, it runs; if you decline, it does not, and the agent is told (with your reason, if you give one).';

/** The message n8n gives a review gate (n8n 2.41 tool-generation/hitl-tools), unless the person writes their own. */
const N8N_GATE_MESSAGE = '=The agent wants to run this tool: {{ $tool.name }}\n\nInput:\n{{ $tool.parameters }}';

/** Whether the node's Message is n8n's default for a review gate (saved workflows leave a default out). */
export const keepsN8nGateMessage = (raw: unknown) => raw === undefined || raw === '' || raw === N8N_GATE_MESSAGE;

/** More of the arguments than an approver reads; the rest is cut, and the mail says so. */
const MAX_ARGUMENTS_CHARS = 20_000;

/** The call the agent wants to make, as n8n hands it to the review step: the tool's name and the model's arguments. */
export interface ToolCall {
	tool: string;
	arguments: string;
}

/**
 * Characters that would make the shown call read as something else: line breaks other than JSON's own
 * (U+0085, U+2028, U+2029: a mail client breaks the line there, and a fake "Approve: https://…" line
 * follows) and invisible format characters (bidi overrides that reverse text, zero-width ones). Shown as
 * \u escapes, which is how JSON writes them anyway.
 */
const DECEPTIVE = /[\u0085\u2028\u2029\p{Cf}]/gu;
const visible = (text: string) =>
	text.replace(DECEPTIVE, (c) => {
		const code = c.codePointAt(0)!;
		return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, '0')}`;
	});

export function toolCallOf(input: IDataObject): ToolCall {
	const tool = typeof input.tool === 'string' && input.tool ? visible(input.tool) : '(not named)';
	const codePoints = [...visible(JSON.stringify(input.toolParameters, null, 2) ?? 'null')];
	const args = codePoints.length > MAX_ARGUMENTS_CHARS ? `${codePoints.slice(0, MAX_ARGUMENTS_CHARS).join('')}\n… (${(codePoints.length - MAX_ARGUMENTS_CHARS).toLocaleString('en-US')} more characters not shown)` : codePoints.join('');
	return { tool, arguments: args };
}

/**
 * The request's body at a review gate. The message is read as text: its default quotes the model's
 * arguments, and a model's words must not become a link or a button in the approver's mail. Below it,
 * the call itself, escaped.
 */
export function reviewMessageHtml(message: string, call: ToolCall): string {
	const text = message.trim() ? `<p style="margin:0 0 12px 0;">${escapeHtml(message.trim()).replace(/\r?\n/g, '<br>')}</p>` : '';
	const label = (s: string) => `<p style="margin:12px 0 4px 0;font-size:12px;letter-spacing:0.06em;text-transform:uppercase;color:${COLORS.muted};">${s}</p>`;
	const pre = `margin:0;padding:10px 12px;background-color:${COLORS.page};border:1px solid ${COLORS.border};border-radius:6px;font-family:Menlo,Consolas,monospace;font-size:13px;line-height:18px;white-space:pre-wrap;word-break:break-word;`;
	return `${text}${label('Tool')}<p style="margin:0;font-family:Menlo,Consolas,monospace;font-size:14px;">${escapeHtml(call.tool)}</p>${label('With these arguments')}<pre style="${pre}">${escapeHtml(call.arguments)}</pre>`;
}

/**
 * The decision as the agent reads it. n8n tells the model "rejected" for anything but `approved: true`,
 * and passes `chatInput` on as the reviewer's words: the reason for a decline, or that nobody answered.
 */
export function forAgent<T extends Pick<ApprovalResult, 'approved' | 'comment' | 'timedOut' | 'decidedBy'>>(result: T): T & { chatInput?: string } {
	if (result.timedOut) return { ...result, chatInput: 'Nobody answered the approval request before its time limit, so the tool did not run' };
	if (result.approved === false && result.comment) return { ...result, chatInput: `Declined by ${result.decidedBy ?? 'the approver'}: ${result.comment}` };
	return result;
}
