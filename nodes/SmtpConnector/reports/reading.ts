/** What a report says of one recipient (RFC 3464 per-recipient fields, or what a bounce text gives). */
export interface RecipientReport {
	action: 'failed' | 'delayed' | 'delivered' | 'relayed' | 'expanded';
	status: string;
	diagnosticCode: string | null;
	remoteMta: string | null;
	finalRecipient: string;
	originalRecipient: string | null;
	lastAttemptDate: string | null;
	willRetryUntil: string | null;
}

/** What it says of the message (RFC 3464 per-message fields). */
export interface MessageReport {
	envelopeId: string | null;
	reportingMta: string | null;
	arrivalDate: string | null;
}

/** The mail the report is about, from the message or headers it returns (or, for an auto-reply, In-Reply-To). */
export interface OriginalMessage {
	messageId: string | null;
	subject: string | null;
	from: string | null;
	to: string | null;
	date: string | null;
}

/** Which form was read: the standard, a known non-standard bounce text, an auto-reply, or none. */
export type ReportForm = 'rfc3464' | 'postfixText' | 'eximText' | 'qmail' | 'exchangeText' | 'rfc3834' | 'autoReplyHeuristic' | 'none';

export type ReportKind = 'hardBounce' | 'softBounce' | 'delay' | 'delivered' | 'relayed' | 'autoReply' | 'notReport';

export interface ReportReading {
	form: ReportForm;
	message: MessageReport;
	recipients: RecipientReport[];
	original: OriginalMessage;
	/** The report mail itself. */
	mail: { messageId: string | null; from: string | null; subject: string | null; date: string | null };
	/** For an auto-reply: the kind of it, e.g. "auto-replied" or "Subject: Automatic reply". */
	autoReplyBy?: string;
}

export const NO_MESSAGE_REPORT: MessageReport = { envelopeId: null, reportingMta: null, arrivalDate: null };
export const NO_ORIGINAL: OriginalMessage = { messageId: null, subject: null, from: null, to: null, date: null };

/** A report that names its own part as wrong: the Read Delivery Report operation's clear error. */
export class MalformedReport extends Error {
	constructor(
		readonly part: string,
		message: string,
	) {
		super(`${part}: ${message}`);
		this.name = 'MalformedReport';
	}
}

/** A recipient's kind, from the action and the status class. */
export function kindOf(recipient: Pick<RecipientReport, 'action' | 'status'>): ReportKind {
	switch (recipient.action) {
		case 'failed':
			return recipient.status.startsWith('4') ? 'softBounce' : 'hardBounce';
		case 'delayed':
			return 'delay';
		case 'delivered':
			return 'delivered';
		default:
			return 'relayed';
	}
}
