import { headerFieldsOf } from './fields';
import { textOfLeaf, type MessageParts } from './mimeParts';
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

/** One address, the whole token: "<user@example.org>", "user@example.org:", never a search inside a line. */
const ADDRESS_TOKEN = /^<?([^\s<>@":;,]+@[^\s<>":;,]+?)>?:?$/;
const addressIn = (token: string | undefined) => (token === undefined ? undefined : ADDRESS_TOKEN.exec(token)?.[1]);
const CLASS_OF: Record<Action, string> = { failed: '5.0.0', delayed: '4.0.0', delivered: '2.0.0', relayed: '2.0.0', expanded: '2.0.0' };
/** Every parser below reads line by line, with regular expressions anchored to one line: linear in the text. */
const linesOf = (text: string) => text.split('\n');
const isBlank = (line: string) => line.trim() === '';

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

/** Paragraphs whose first line is an address; the lines after it, up to a blank line, are its diagnostic. */
function addressParagraphs(lines: string[], addressOf: (line: string) => { address: string; rest: string } | undefined, stopAt?: (line: string) => boolean) {
	const found: Array<{ address: string; diagnostic: string[] }> = [];
	let current: { address: string; diagnostic: string[] } | undefined;
	for (const line of lines) {
		if (stopAt?.(line)) break;
		const start = addressOf(line);
		if (start) {
			current = { address: start.address, diagnostic: start.rest ? [start.rest] : [] };
			found.push(current);
		} else if (isBlank(line)) current = undefined;
		else current?.diagnostic.push(line.trim());
	}
	return found;
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
const QMAIL_COPY = /^--- (?:Below this line is a copy of the message|Enclosed are the original headers of the message)\.?\s*$/;
function qmail(text: string, parts: MessageParts): Bounce | undefined {
	const intro = /^Hi\. This is the qmail-send program at (\S+?)\.?$/m.exec(text);
	if (!intro) return undefined;
	const lines = linesOf(text.slice(intro.index));
	const permanent = /This is a permanent error/.test(lines.slice(0, 10).join('\n'));
	const action: Action = !permanent && /temporary|deferral|keep trying/i.test(lines.slice(0, 10).join('\n')) ? 'delayed' : 'failed';
	const entries = addressParagraphs(
		lines,
		(line) => {
			const address = /^<[^>\s]+@[^>\s]+>:$/.test(line.trimEnd()) ? addressIn(line.trimEnd()) : undefined;
			return address ? { address, rest: '' } : undefined;
		},
		(line) => QMAIL_COPY.test(line),
	);
	const recipients = entries.map(({ address, diagnostic }) => {
		const remote = diagnostic.map((l) => /^(\S+) does not like recipient/.exec(l)?.[1] ?? /^Connected to (\S+) but/.exec(l)?.[1]).find(Boolean) ?? null;
		return recipient(action, address, diagnostic.join(' '), remote);
	});
	const original = quotedOriginal(text, new RegExp(QMAIL_COPY.source, 'm')) ?? returnedMessageOf(parts);
	return bounce('qmail', recipients, original, intro[1]);
}

/** Exim: two-space indented addresses, each with its reason indented below; failures and delay warnings. */
const EXIM_LIST = /(?:The following address\(es\) failed:|The address(?:es)? to which the message has not yet been delivered (?:is|are):)\s*$/;
const EXIM_END = /^(?:------ |No action is required|Reporting-MTA:)/;
function exim(text: string, parts: MessageParts): Bounce | undefined {
	if (!/^This message was created automatically by mail delivery software\./m.test(text)) return undefined;
	const delayed = /has not yet been delivered to one or more of its\s+recipients/.test(text);
	const lines = linesOf(text);
	const listAt = lines.findIndex((line) => EXIM_LIST.test(line));
	if (listAt < 0) return undefined;
	const recipients: RecipientReport[] = [];
	let current: { address: string; reason: string[] } | undefined;
	const flush = () => {
		if (!current) return;
		const diagnostic = current.reason.join(' ').replace(/^Delay reason:\s*/i, '').replace(/ Delay reason:\s*/i, ' ');
		recipients.push(recipient(delayed ? 'delayed' : 'failed', current.address, diagnostic, current.reason.map((l) => /^host (\S+) \[/.exec(l)?.[1]).find(Boolean) ?? null));
	};
	for (const line of lines.slice(listAt + 1)) {
		if (EXIM_END.test(line)) break;
		if (/^ {2}\S/.test(line)) {
			flush();
			const [token, ...rest] = line.trim().split(/\s+/);
			const address = addressIn(token);
			current = address ? { address, reason: rest.length ? [rest.join(' ')] : [] } : undefined;
		} else if (/^ {3,}\S/.test(line)) current?.reason.push(line.trim());
	}
	flush();
	let original = quotedOriginal(text, /^------ This is a copy of the message(?:'s headers|, including all the headers)\. ------\s*$/m) ?? returnedMessageOf(parts);
	if (delayed && !original.subject) original = { ...original, subject: /^The subject of the message is:[ \t]*(.*)$/m.exec(text)?.[1]?.trim() ?? null };
	return bounce('eximText', recipients, original);
}

/** Exchange 2007 and later, Microsoft 365: the NDR text and its "Diagnostic information for administrators". */
function exchange(text: string, parts: MessageParts): Bounce | undefined {
	const modern = /(?:Delivery has failed to these recipients or groups:|Delivery is delayed to these recipients or groups:|Your message to \S+ couldn't be delivered\.|Diagnostic information for administrators:)/.test(text);
	const legacy = /The following recipient\(s\) (?:cannot be reached|could not be reached):/.test(text);
	if (!modern && !legacy) return undefined;
	const action: Action = /Delivery is delayed to these recipients|has been delayed/.test(text) ? 'delayed' : 'failed';
	const generating = /^Generating server:[ \t]*(\S+)/m.exec(text)?.[1] ?? null;
	const lines = linesOf(text);
	const stop = (line: string) => /^Original message headers:\s*$/.test(line);
	let recipients: RecipientReport[];
	if (modern) {
		const from = lines.findIndex((line) => line.startsWith('Diagnostic information for administrators:'));
		recipients = addressParagraphs(
			lines.slice(from < 0 ? 0 : from),
			(line) => {
				const address = /^\S+$/.test(line.trim()) ? addressIn(line.trim()) : undefined;
				return address ? { address, rest: '' } : undefined;
			},
			stop,
		)
			.map(({ address, diagnostic }) => ({ address, diagnostic: diagnostic.slice(0, 4).join(' ') }))
			.filter(({ diagnostic }) => /Remote Server returned|#\d{3}/i.test(diagnostic) || statusIn(diagnostic))
			.map(({ address, diagnostic }) => recipient(action, address, diagnostic.replace(/^Remote Server returned\s*/i, '').replace(/^['#]+|['#\s]+$/g, ''), generating));
	} else {
		const from = lines.findIndex((line) => /The following recipient\(s\) (?:cannot be reached|could not be reached):/.test(line));
		recipients = [];
		let current: { address: string; diagnostic: string[] } | undefined;
		const flush = () => current && recipients.push(recipient(action, current.address, current.diagnostic.join(' '), current.diagnostic.map((l) => /<(\S+) #\d\.\d+\.\d+/.exec(l)?.[1]).find(Boolean) ?? null));
		for (const line of lines.slice(from + 1)) {
			if (/^ {8,}\S/.test(line)) current?.diagnostic.push(line.trim());
			else if (/^\s+\S/.test(line) && line.includes(' on ')) {
				flush();
				const name = line.trim().slice(0, line.trim().lastIndexOf(' on '));
				current = { address: addressIn(name.replace(/^'|'$/g, '')) ?? name.replace(/^'|'$/g, ''), diagnostic: [] };
			}
		}
		flush();
	}
	let original = quotedOriginal(text, /^Original message headers:\s*$/m) ?? returnedMessageOf(parts);
	if (!original.subject) original = { ...original, subject: /^[ \t]*Subject:[ \t]*(.*)$/m.exec(text)?.[1]?.trim() ?? null };
	return bounce('exchangeText', recipients, original, generating);
}

/** postfix's notification text, without its delivery-status part: "<addr>: reason" lines. */
function postfix(text: string, parts: MessageParts): Bounce | undefined {
	const intro = /^This is the mail system at host (\S+?)\.$/m.exec(text);
	if (!intro) return undefined;
	const action: Action = /successfully delivered/.test(text) ? 'delivered' : /THIS IS A WARNING ONLY|will be retried until|Delayed Mail|not yet been delivered/i.test(text) ? 'delayed' : 'failed';
	const entries = addressParagraphs(linesOf(text.slice(intro.index)), (line) => {
		const colon = line.indexOf('>');
		if (!line.startsWith('<') || colon < 0) return undefined;
		const address = addressIn(line.slice(0, colon + 1));
		const rest = line.slice(colon + 1).replace(/^ \(expanded from [^)]*\)/, '');
		return address && rest.startsWith(':') ? { address, rest: rest.slice(1).trim() } : undefined;
	});
	return bounce('postfixText', entries.map(({ address, diagnostic }) => recipient(action, address, diagnostic.join(' '))), returnedMessageOf(parts), intro[1]);
}

/** The first human-readable text of the mail, in its charset. */
function textOf(parts: MessageParts): string {
	const leaf = parts.leaves.find((l) => l.contentType === 'text/plain') ?? parts.leaves.find((l) => l.contentType.startsWith('text/'));
	return leaf ? textOfLeaf(leaf).replace(/\r\n/g, '\n') : '';
}

export function bounceTextOf(parts: MessageParts): Bounce | undefined {
	const text = textOf(parts);
	return text ? (qmail(text, parts) ?? exim(text, parts) ?? exchange(text, parts) ?? postfix(text, parts)) : undefined;
}
