import { NodeOperationError, type IDataObject, type INode, type INodeExecutionData } from 'n8n-workflow';

import { IN_THIS_RUN } from '../coordination/runKeyStore';

/** The node runs as an AI agent's email tool (n8n's "SMTP Connector Tool"), not as a workflow step or a review gate. */
export const isEmailTool = (node: INode) => node.type.endsWith('Tool') && !node.type.endsWith('HitlTool');

const list = (value: unknown) => (Array.isArray(value) ? (value as unknown[]) : []);

/**
 * What the model reads back after a Send Email: whether it went, to whom, its Message-ID and, for a
 * recipient the server refused, its reply. The full output item (envelope, attempts, timings) is for
 * workflows; a model needs the outcome in a few words it can act on.
 */
export function emailToolResult(json: IDataObject): IDataObject {
	if (json.error) {
		const error = json.error as IDataObject;
		return { sent: false, error: error.message ?? String(error) };
	}
	if (json.preview) return { sent: false, preview: true, messageId: json.messageId, note: 'Preview Only is on: the email was built, not sent' };
	if (json.reason === 'sendingNow') return { sent: false, alreadySent: true, note: 'Another call of this tool is sending this same email right now; it is not sent twice' };
	if (json.skipped) {
		const note =
			json.reason === 'sentBeforeOutcomeUnknown'
				? 'This email was sent before and may have been delivered (the connection ended before the server confirmed it); it is not sent again'
				: json.keptIn === IN_THIS_RUN
					? 'This same email (recipients, subject and message) was already sent in this run; it is not sent twice'
					: 'An email with this Idempotency Key was sent before; it is not sent twice';
		return { sent: false, alreadySent: true, messageId: json.messageId ?? null, sentAt: json.sentAt ?? null, note };
	}
	const result: IDataObject = { sent: true, messageId: json.messageId, acceptedFor: json.accepted };
	const refused = list(json.rejectedReplies).map((r) => r as IDataObject);
	if (refused.length) result.refused = refused.map((r) => ({ recipient: r.recipient, reply: r.reply }));
	const notes: string[] = [];
	if (list(json.deferred).length) {
		result.deferred = json.deferred;
		notes.push('deferred: the server put these recipients off (4xx) until the retries ran out; the email did not go to them');
	}
	if (list(json.unknown).length) {
		result.outcomeUnknownFor = json.unknown;
		notes.push('outcomeUnknownFor: the connection ended before the server confirmed these recipients; the email may have reached them');
	}
	if (notes.length) result.note = notes.join('. ');
	return result;
}

/** Each output item as the model reads it, kept paired with its input. */
export const asEmailToolResults = (items: INodeExecutionData[]): INodeExecutionData[] =>
	items.map((item) => ({ json: emailToolResult(item.json), pairedItem: item.pairedItem }));

/** The node's parameters a model fills by default, and the name the model knows each by (agent/fields.ts). */
const MODEL_ARGUMENTS: Record<string, { parameter: string; argument: string }> = {
	'To Email': { parameter: 'toEmail', argument: 'To' },
	Subject: { parameter: 'subject', argument: 'Subject' },
	HTML: { parameter: 'html', argument: 'Message' },
};

/**
 * An item error as the model reads it (n8n hands it the message alone): when the value at fault is one the
 * model gave, the message names its argument and asks for a corrected call. A value the person set is not
 * the model's to correct, and its error stays as it is.
 */
export function forModel(node: INode, error: unknown): unknown {
	if (!(error instanceof NodeOperationError)) return error;
	const field = error.context.field;
	const model = typeof field === 'string' ? MODEL_ARGUMENTS[field] : undefined;
	if (!model) return error;
	const raw = node.parameters[model.parameter];
	if (raw !== undefined && !(typeof raw === 'string' && raw.includes('$fromAI('))) return error;
	error.message = `${error.message}. Correct the "${model.argument}" argument and call the tool again.`;
	return error;
}
