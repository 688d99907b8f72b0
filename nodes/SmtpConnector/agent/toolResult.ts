import type { IDataObject, INode, INodeExecutionData } from 'n8n-workflow';

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
	if (json.skipped) {
		return { sent: false, alreadySent: true, messageId: json.messageId ?? null, sentAt: json.sentAt ?? null, note: 'An email with this Idempotency Key was sent before; it is not sent twice' };
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
