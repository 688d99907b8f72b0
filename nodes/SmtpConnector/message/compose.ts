import type { SendMailOptions } from 'nodemailer';

import { parseAddresses, parseSingleAddress, type Address } from './addresses';
import { toMailAttachments, type AttachmentInput } from './attachments';
import { textAlternative } from './content';
import { MessageInputError } from './errors';
import { customHeaders, messageIds, singleLine, type HeaderInput } from './headers';

/** One item's message, as read from the node's parameters. */
export interface MailInput {
	fromEmail?: unknown;
	fromName?: string;
	toEmail: unknown;
	ccEmail?: unknown;
	bccEmail?: unknown;
	replyTo?: unknown;
	subject: string;
	html: string;
	text?: string;
	attachments?: AttachmentInput[];
	headers?: HeaderInput[];
	priority?: 'high' | 'normal' | 'low';
	inReplyTo?: string;
	references?: unknown;
	messageId?: string;
	/** Testing aid: deliver to this address only, keeping the original recipients in headers. */
	redirectAllTo?: string;
}

export interface SenderDefaults {
	email?: string;
	name?: string;
}

function sender(input: MailInput, defaults: SenderDefaults): Address {
	const from = parseSingleAddress(input.fromEmail, 'From Email') ?? parseSingleAddress(defaults.email, 'Default From Email (credential)');
	if (!from) throw new MessageInputError('From Email', 'From Email is empty and the credential has no default sender');
	const name = input.fromName || from.name || defaults.name || '';
	return { name: singleLine(name, 'From Name'), address: from.address };
}

const list = (addresses: Address[]) => addresses.map((a) => `${a.name ? `"${a.name}" ` : ''}<${a.address}>`).join(', ');

/** Turns one item's input into the message nodemailer sends. Throws MessageInputError naming the field. */
export function composeMail(input: MailInput, defaults: SenderDefaults): SendMailOptions {
	const from = sender(input, defaults);
	const to = parseAddresses(input.toEmail, 'To Email');
	const cc = parseAddresses(input.ccEmail, 'CC Email');
	const bcc = parseAddresses(input.bccEmail, 'BCC Email');
	if (to.length + cc.length + bcc.length === 0) throw new MessageInputError('To Email', 'To Email is empty: give at least one recipient');

	const headers = customHeaders(input.headers ?? []);
	const mail: SendMailOptions = {
		from,
		to,
		cc,
		bcc,
		replyTo: parseAddresses(input.replyTo, 'Reply To'),
		subject: singleLine(input.subject ?? '', 'Subject'),
		html: input.html || undefined,
		text: textAlternative(input.html ?? '', input.text),
		attachments: toMailAttachments(input.attachments ?? []),
		headers,
		disableFileAccess: true,
		disableUrlAccess: true,
	};
	if (input.priority && input.priority !== 'normal') mail.priority = input.priority;
	if (input.messageId) mail.messageId = messageIds(input.messageId, 'Message ID')[0];
	if (input.inReplyTo) mail.inReplyTo = messageIds(input.inReplyTo, 'In-Reply-To').join(' ');
	const references = messageIds(input.references, 'References');
	if (references.length) mail.references = references;

	const redirect = input.redirectAllTo?.trim();
	if (redirect) {
		const target = parseAddresses(redirect, 'Redirect All Recipients To');
		if (to.length) headers['X-Original-To'] = list(to);
		if (cc.length) headers['X-Original-Cc'] = list(cc);
		if (bcc.length) headers['X-Original-Bcc'] = list(bcc);
		Object.assign(mail, { to: target, cc: [], bcc: [] });
	}
	return mail;
}
