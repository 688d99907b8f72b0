import { decoded, fieldsOf, headerFieldsOf, typedValue } from './fields';
import type { LeafPart, MessageParts } from './mimeParts';
import { MalformedReport, NO_ORIGINAL, type MessageReport, type OriginalMessage, type RecipientReport } from './reading';
import { STATUS } from './statusCodes';

const STATUS_PARTS = ['message/delivery-status', 'message/global-delivery-status'];
const RETURNED_PARTS = ['message/rfc822', 'message/global', 'text/rfc822-headers', 'message/global-headers'];
const ACTIONS: readonly string[] = ['failed', 'delayed', 'delivered', 'relayed', 'expanded'];

/** The report's machine-readable part, if it has one (RFC 3464 §2, RFC 6533 for the global form). */
export const statusPartOf = (parts: MessageParts) => parts.leaves.find((leaf) => STATUS_PARTS.includes(leaf.contentType));

/** RFC 3464 §2.1: blocks of fields separated by empty lines; the first is about the message. */
function blocksOf(part: LeafPart): string[] {
	return part.content
		.toString('utf8')
		.split(/\r?\n(?:[ \t]*\r?\n)+/)
		.map((block) => block.trim())
		.filter(Boolean);
}

function recipientOf(fields: Map<string, string>, n: number, part: string): RecipientReport {
	const where = `${part}, recipient block ${n}`;
	const finalRecipient = typedValue(fields.get('final-recipient'));
	if (!finalRecipient) throw new MalformedReport(where, 'it has no Final-Recipient field');
	const action = fields.get('action')?.toLowerCase().replace(/\s*\(.*\)$/, '');
	if (!action) throw new MalformedReport(where, `it has no Action field (for ${finalRecipient})`);
	if (!ACTIONS.includes(action)) throw new MalformedReport(where, `Action "${action}" is not one of ${ACTIONS.join(', ')} (for ${finalRecipient})`);
	const statusField = fields.get('status');
	if (statusField === undefined) throw new MalformedReport(where, `it has no Status field (for ${finalRecipient})`);
	// RFC 3464 allows comments around the code: "5.1.1 (bad mailbox)", "(bad mailbox) 5.1.1"
	const status = statusField.replace(/\([^)]*\)/g, ' ').trim().split(/\s+/)[0];
	if (!STATUS.test(status)) throw new MalformedReport(where, `Status "${statusField}" is not a status code like 5.1.1 (for ${finalRecipient})`);
	return {
		action: action as RecipientReport['action'],
		status,
		diagnosticCode: typedValue(fields.get('diagnostic-code')),
		remoteMta: typedValue(fields.get('remote-mta')),
		finalRecipient,
		originalRecipient: typedValue(fields.get('original-recipient')),
		lastAttemptDate: fields.get('last-attempt-date') ?? null,
		willRetryUntil: fields.get('will-retry-until') ?? null,
	};
}

/** The per-message fields and one entry per recipient block; a block that is not one names itself in the error. */
export function readDeliveryStatus(part: LeafPart): { message: MessageReport; recipients: RecipientReport[] } {
	const name = part.contentType;
	const blocks = blocksOf(part).map(fieldsOf);
	if (!blocks.length) throw new MalformedReport(name, 'the part is empty');
	// A report whose first block already names a recipient left the per-message fields out.
	const [first, ...rest] = blocks[0].has('final-recipient') ? [new Map<string, string>(), ...blocks] : blocks;
	if (!rest.length) throw new MalformedReport(name, 'it has no recipient block (Final-Recipient, Action, Status)');
	return {
		message: {
			envelopeId: first.get('original-envelope-id') ?? null,
			reportingMta: typedValue(first.get('reporting-mta')),
			arrivalDate: first.get('arrival-date') ?? null,
		},
		recipients: rest.map((fields, i) => recipientOf(fields, i + 1, name)),
	};
}

/** The returned message or its headers, if the report carries them. */
export function returnedMessageOf(parts: MessageParts): OriginalMessage {
	const returned = parts.leaves.find((leaf) => RETURNED_PARTS.includes(leaf.contentType));
	return returned ? originalFrom(headerFieldsOf(returned.content)) : NO_ORIGINAL;
}

export function originalFrom(fields: Map<string, string>): OriginalMessage {
	return {
		messageId: fields.get('message-id')?.trim() ?? null,
		subject: decoded(fields.get('subject')),
		from: decoded(fields.get('from')),
		to: decoded(fields.get('to')),
		date: fields.get('date') ?? null,
	};
}
