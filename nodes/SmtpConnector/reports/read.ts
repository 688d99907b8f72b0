import { autoReplyMark } from './autoReply';
import { decoded, headerFieldsOf } from './fields';
import { messageParts, type MessageParts } from './mimeParts';
import { bounceTextOf } from './nonStandard';
import { MalformedReport, NO_MESSAGE_REPORT, NO_ORIGINAL, type ReportReading } from './reading';
import { readDeliveryStatus, returnedMessageOf, statusPartOf } from './rfc3464';

/**
 * Reads a mail as a delivery report: the standard form (RFC 3464) first, then the bounce texts of
 * servers that do not send it, then an automatic reply (RFC 3834); anything else is not a report.
 */
export async function readReport(raw: Buffer): Promise<ReportReading> {
	return readParts(await messageParts(raw));
}

/** The same, from a message already split into parts (or put together from an Email Trigger's item). */
export function readParts(parts: MessageParts): ReportReading {
	const headers = headerFieldsOf(parts.headers);
	const mail = { messageId: headers.get('message-id') ?? null, from: decoded(headers.get('from')), subject: decoded(headers.get('subject')), date: headers.get('date') ?? null };
	const statusPart = statusPartOf(parts);
	if (statusPart) {
		const { message, recipients } = readDeliveryStatus(statusPart);
		return { form: 'rfc3464', message, recipients, original: returnedMessageOf(parts), mail };
	}
	if (parts.reportType === 'delivery-status') throw new MalformedReport('multipart/report', 'the report (report-type=delivery-status) has no message/delivery-status part');
	const bounce = bounceTextOf(parts);
	if (bounce) return { ...bounce, mail };
	const autoReply = autoReplyMark(headers, mail.subject);
	if (autoReply) {
		// RFC 3834 §3.1.5: the reply's In-Reply-To names the message it answers.
		const original = { ...NO_ORIGINAL, messageId: headers.get('in-reply-to')?.match(/<[^>]+>/)?.[0] ?? null, subject: mail.subject?.replace(/^[^:]{1,40}:\s*/, '') ?? null };
		return { form: autoReply.form, message: NO_MESSAGE_REPORT, recipients: [], original, mail, autoReplyBy: autoReply.by };
	}
	return { form: 'none', message: NO_MESSAGE_REPORT, recipients: [], original: NO_ORIGINAL, mail };
}

