import { checkRecipientDomains, domainList, parseAddresses, parseSingleAddress, withoutDuplicates, type Address } from './addresses';
import { toMailAttachments, type AttachmentInput } from './attachments';
import type { MailDraft } from './content';
import { MessageInputError } from './errors';
import { customHeaders, literalText, messageIds, singleLine } from './headers';
import { textValue } from './values';

/**
 * One item's message, as read from the node's parameters. Values are what the item's expressions
 * produced, of any type: composeMail turns them into text or fails the item naming the field.
 */
export interface MailInput {
	fromEmail?: unknown;
	fromName?: unknown;
	toEmail: unknown;
	ccEmail?: unknown;
	bccEmail?: unknown;
	replyTo?: unknown;
	subject?: unknown;
	html?: unknown;
	text?: unknown;
	attachments?: AttachmentInput[];
	headers?: Array<{ name: unknown; value: unknown }>;
	priority?: 'high' | 'normal' | 'low';
	inReplyTo?: unknown;
	references?: unknown;
	messageId?: unknown;
	/** Testing aid: deliver to this address only, keeping the original recipients in headers. */
	redirectAllTo?: unknown;
	/** "example.com, example.org": every recipient must be in one of them or a subdomain (empty: any). */
	allowedRecipientDomains?: unknown;
}

export interface SenderDefaults {
	email?: string;
	name?: string;
	/** The credential's login user, when it may send (transport/settings decides): the last resort. */
	user?: string;
}

export interface MessageLimits {
	/** To + Cc + Bcc after duplicates are dropped; undefined for no limit. */
	maxRecipients?: number;
}

export interface ComposedMail {
	/** Its text alternative, when the user gave none, is generated from the HTML where the message is built. */
	mail: MailDraft;
	/** Recipients listed more than once, sent to once. */
	duplicates: string[];
}

/** From Email, else the credential's Default From Email, else its User when that is an address. */
export function sender(input: Pick<MailInput, 'fromEmail' | 'fromName'>, defaults: SenderDefaults): Address {
	const from = parseSingleAddress(input.fromEmail, 'From Email') ?? parseSingleAddress(defaults.email, 'Default From Email (credential)') ?? parseSingleAddress(defaults.user, 'User (credential)');
	if (!from) {
		throw new MessageInputError(
			'From Email',
			"From Email is empty, and the credential has no Default From Email and its User cannot send (not one email address, or an NTLM account): fill From Email here, or Default From Email in the credential",
		);
	}
	const name = singleLine(textValue(input.fromName, 'From Name'), 'From Name').trim() || from.name || singleLine(defaults.name ?? '', 'Default From Name (credential)');
	return { name: name.trim(), address: from.address };
}

const literalNames = (addresses: Address[]) => addresses.map((a) => ({ name: literalText(a.name), address: a.address }));

const list = (addresses: Address[]) =>
	addresses.map((a) => `${a.name ? `"${literalText(a.name).replace(/(["\\])/g, '\\$1')}" ` : ''}<${a.address}>`).join(', ');

/** Turns one item's input into the message nodemailer sends. Throws MessageInputError naming the field. */
export function composeMail(input: MailInput, defaults: SenderDefaults, limits: MessageLimits = {}): ComposedMail {
	const from = sender(input, defaults);
	const {
		lists: [to, cc, bcc],
		duplicates,
	} = withoutDuplicates([parseAddresses(input.toEmail, 'To Email'), parseAddresses(input.ccEmail, 'CC Email'), parseAddresses(input.bccEmail, 'BCC Email')]);
	const count = to.length + cc.length + bcc.length;
	if (count === 0) throw new MessageInputError('To Email', 'To Email is empty: give at least one recipient');
	const allowed = domainList(input.allowedRecipientDomains);
	checkRecipientDomains(allowed, [['To Email', to], ['CC Email', cc], ['BCC Email', bcc]]);
	if (limits.maxRecipients && count > limits.maxRecipients) {
		throw new MessageInputError(
			'To Email',
			`${count} recipients (To, CC and BCC) is more than the ${limits.maxRecipients} allowed per message: split the list over several items, or raise Max Recipients per Message`,
		);
	}

	const headers = customHeaders((input.headers ?? []).map((h) => ({ name: textValue(h.name, 'Custom Header name'), value: textValue(h.value, 'Custom Header value') })));
	const html = textValue(input.html, 'HTML');
	const text = textValue(input.text, 'Text') || undefined;
	const mail: MailDraft = {
		from: literalNames([from])[0],
		to: literalNames(to),
		cc: literalNames(cc),
		bcc: literalNames(bcc),
		replyTo: literalNames(parseAddresses(input.replyTo, 'Reply To')),
		subject: literalText(singleLine(textValue(input.subject, 'Subject'), 'Subject').trim()),
		html: html || undefined,
		text,
		attachments: toMailAttachments(input.attachments ?? []),
		headers,
		disableFileAccess: true,
		disableUrlAccess: true,
	};
	if (html && !text) mail.textFromHtml = true;
	if (input.priority && input.priority !== 'normal') mail.priority = input.priority;
	const [messageId, ...extra] = messageIds(input.messageId, 'Message ID');
	if (extra.length) throw new MessageInputError('Message ID', 'Message ID takes one ID');
	if (messageId) mail.messageId = messageId;
	const inReplyTo = messageIds(input.inReplyTo, 'In-Reply-To');
	if (inReplyTo.length) mail.inReplyTo = inReplyTo.join(' ');
	const references = messageIds(input.references, 'References');
	if (references.length) mail.references = references;

	const target = parseAddresses(input.redirectAllTo, 'Redirect All Recipients To');
	checkRecipientDomains(allowed, [['Redirect All Recipients To', target]]);
	if (target.length) {
		const original = headers as Record<string, string>;
		if (to.length) original['X-Original-To'] = list(to);
		if (cc.length) original['X-Original-Cc'] = list(cc);
		if (bcc.length) original['X-Original-Bcc'] = list(bcc);
		Object.assign(mail, { to: literalNames(target), cc: [], bcc: [] });
	}
	return { mail, duplicates };
}
