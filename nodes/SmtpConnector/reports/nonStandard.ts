import { headerFieldsOf } from './fields';
import type { MessageParts } from './mimeParts';
import { NO_MESSAGE_REPORT, type OriginalMessage, type RecipientReport, type ReportForm, type ReportReading } from './reading';
import { originalFrom, returnedMessageOf } from './rfc3464';
import { statusIn } from './statusCodes';

/**
 * Bounce texts of servers that send no RFC 3464 report, read from their published formats: qmail's
 * qmail-send bounce (QSBMF), Exim's plain-text bounce and delay warning, Exchange / Microsoft 365's NDR
 * text (2007 and later, and the older "did not reach" form), and postfix's own notification text (what
 * an Email Trigger item in Simple format keeps of a postfix report). Hand-written: no maintained library
 * reads them. A status the text does not carry is the action's class with no detail (5.0.0, 4.0.0, 2.0.0).
 */
type Bounce = Omit<ReportReading, 'mail'>;
type Action = RecipientReport['action'];

const ADDRESS = /<?([^\s<>@":;,]+@[^\s<>":;,]+)>?/;
const CLASS_OF: Record<Action, string> = { failed: '5.0.0', delayed: '4.0.0', delivered: '2.0.0', relayed: '2.0.0', expanded: '2.0.0' };

function recipient(action: Action, address: string, diagnostic: string, remoteMta: string | null = null): RecipientReport {
	const text = diagnostic.replace(/\s+/g, ' ').trim();
	return {
		action,
		status: statusIn(text) ?? CLASS_OF[action],
		diagnosticCode: text || null,
		remoteMta,
		finalRecipient: address,
		originalRecipient: null,
		lastAttemptDate: null,
		willRetryUntil: null,
	};
}

/** The headers of an original message quoted in the text after `marker`, if any. */
function quotedOriginal(text: string, marker: RegExp): OriginalMessage | undefined {
	const at = marker.exec(text);
	if (!at) return undefined;
	const rest = text.slice(at.index + at[0].length).replace(/^\s*\n/, '');
	return originalFrom(headerFieldsOf(rest));
}

function bounce(form: ReportForm, recipients: RecipientReport[], original: OriginalMessage, reportingMta: string | null = null): Bounce | undefined {
	return recipients.length ? { form, message: { ...NO_MESSAGE_REPORT, reportingMta }, recipients, original } : undefined;
}

/** qmail-send: "<addr>:" paragraphs, each followed by what the remote host said (QSBMF). */
function qmail(text: string, parts: MessageParts): Bounce | undefined {
	const intro = /^Hi\. This is the qmail-send program at (\S+?)\.?$/m.exec(text);
	if (!intro) return undefined;
	const end = text.search(/^--- (?:Below this line is a copy of the message|Enclosed are the original headers of the message)/m);
	const body = text.slice(intro.index, end < 0 ? undefined : end);
	const recipients = [...body.matchAll(/^<([^>\s]+@[^>\s]+)>:\n([\s\S]*?)(?=\n\s*\n|\n<[^>\s]+@|(?![\s\S]))/gm)].map(([, address, diagnostic]) =>
		recipient(/temporary|deferral/i.test(body.slice(0, body.indexOf(address))) ? 'delayed' : 'failed', address, diagnostic, /^(\S+) does not like recipient/m.exec(diagnostic)?.[1] ?? /Connected to (\S+) but/.exec(diagnostic)?.[1] ?? null),
	);
	const original = quotedOriginal(text, /^--- (?:Below this line is a copy of the message|Enclosed are the original headers of the message)\.?\s*$/m) ?? returnedMessageOf(parts);
	return bounce('qmail', recipients, original, intro[1]);
}

/** Exim: two-space indented addresses, each with its reason indented below; failures and delay warnings. */
function exim(text: string, parts: MessageParts): Bounce | undefined {
	if (!/^This message was created automatically by mail delivery software\./m.test(text)) return undefined;
	const delayed = /has not yet been delivered to one or more of its\s+recipients/.test(text);
	const list = /(?:The following address\(es\) failed:|The address(?:es)? to which the message has not yet been delivered (?:is|are):)\s*\n\n([\s\S]*?)(?=\n(?:------ |No action is required|Reporting-MTA:)|$)/.exec(text);
	if (!list) return undefined;
	const recipients: RecipientReport[] = [];
	for (const entry of list[1].split(/\n(?= {2}\S)/)) {
		const [first, ...reason] = entry.replace(/^\n+/, '').split('\n');
		const address = ADDRESS.exec(first.trim())?.[1];
		if (!address || !/^ {2}\S/.test(first)) continue;
		const diagnostic = [first.trim().slice(first.trim().indexOf(address) + address.length).replace(/^>?:?/, ''), ...reason].join(' ');
		recipients.push(recipient(delayed ? 'delayed' : 'failed', address, diagnostic.replace(/Delay reason:\s*/i, ''), /host (\S+) \[/.exec(diagnostic)?.[1] ?? null));
	}
	let original = quotedOriginal(text, /^------ This is a copy of the message(?:'s headers|, including all the headers)\. ------\s*$/m) ?? returnedMessageOf(parts);
	if (delayed && !original.subject) original = { ...original, subject: /^The subject of the message is:\s*(.*)$/m.exec(text)?.[1]?.trim() ?? null };
	return bounce('eximText', recipients, original);
}

/** Exchange 2007 and later, Microsoft 365: the NDR text and its "Diagnostic information for administrators". */
function exchange(text: string, parts: MessageParts): Bounce | undefined {
	const modern = /(?:Delivery has failed to these recipients or groups:|Delivery is delayed to these recipients or groups:|Your message to \S+ couldn't be delivered\.|Diagnostic information for administrators:)/.test(text);
	const legacy = /The following recipient\(s\) (?:cannot be reached|could not be reached):/.test(text);
	if (!modern && !legacy) return undefined;
	const action: Action = /Delivery is delayed to these recipients|has been delayed/.test(text) ? 'delayed' : 'failed';
	const recipients: RecipientReport[] = [];
	const generating = /^Generating server:\s*(\S+)/m.exec(text)?.[1] ?? null;
	if (modern) {
		const diagnostics = text.slice(text.indexOf('Diagnostic information for administrators:'));
		for (const match of diagnostics.matchAll(/^\s*([^\s<>@]+@[^\s<>]+)\s*\n((?:(?!\s*\n)(?!\s*[^\s<>@]+@[^\s<>]+\s*\n).*\n?){1,4})/gm)) {
			const diagnostic = match[2].replace(/^Remote Server returned\s*/im, '').replace(/^['#]|['#]+\s*$/gm, '').trim();
			if (statusIn(diagnostic) || /Remote Server returned|#\d{3}/i.test(match[2])) recipients.push(recipient(action, match[1], diagnostic, generating));
		}
	} else {
		for (const match of text.matchAll(/^\s+(\S.*?) on .+\n((?:\s{8,}.*\n?)+)/gm)) {
			const address = ADDRESS.exec(match[1])?.[1] ?? match[1].replace(/^'|'$/g, '').trim();
			recipients.push(recipient(action, address, match[2], /<(\S+) #\d\.\d+\.\d+/.exec(match[2])?.[1] ?? null));
		}
	}
	let original = quotedOriginal(text, /^Original message headers:\s*$/m) ?? returnedMessageOf(parts);
	if (!original.subject) original = { ...original, subject: /^\s*Subject:\s*(.*)$/m.exec(text)?.[1]?.trim() ?? null };
	return bounce('exchangeText', recipients, original, generating);
}

/** postfix's notification text, without its delivery-status part: "<addr>: reason" lines. */
function postfix(text: string, parts: MessageParts): Bounce | undefined {
	const intro = /^This is the mail system at host (\S+?)\.$/m.exec(text);
	if (!intro) return undefined;
	const action: Action = /successfully delivered/.test(text) ? 'delivered' : /THIS IS A WARNING ONLY|will be retried until|Delayed Mail|not yet been delivered/i.test(text) ? 'delayed' : 'failed';
	const recipients = [...text.matchAll(/^<([^>\s]+@[^>\s]+)>(?: \(expanded from [^)]*\))?: ([\s\S]*?)(?=\n\s*\n|\n<|(?![\s\S]))/gm)].map(([, address, diagnostic]) => recipient(action, address, diagnostic));
	return bounce('postfixText', recipients, returnedMessageOf(parts), intro[1]);
}

/** The first human-readable text of the mail. */
function textOf(parts: MessageParts): string {
	const leaf = parts.leaves.find((l) => l.contentType === 'text/plain') ?? parts.leaves.find((l) => l.contentType.startsWith('text/'));
	return (leaf?.content.toString('utf8') ?? '').replace(/\r\n/g, '\n');
}

export function bounceTextOf(parts: MessageParts): Bounce | undefined {
	const text = textOf(parts);
	return text ? (qmail(text, parts) ?? exim(text, parts) ?? exchange(text, parts) ?? postfix(text, parts)) : undefined;
}
