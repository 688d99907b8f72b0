import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { sameMailKey } from '../agent/sameMail';
import type { AttachmentInput } from '../message/attachments';
import type { MailInput } from '../message/compose';
import type { DsnInput } from '../message/dsn';
import { MessageInputError } from '../message/errors';
import { singleLine } from '../message/headers';
import { textValue } from '../message/values';

interface AttachmentParameter {
	binaryPropertyName: unknown;
	inline?: boolean;
	cid?: unknown;
	fileName?: unknown;
	contentType?: unknown;
}

/** One attachment as the parameters name it; its bytes are read only when the item is sent. */
interface AttachmentReference extends Omit<AttachmentInput, 'content'> {
	property: string;
}

/** One item's parameters, expressions resolved; the attachments' bytes are read into `attachments` when it is sent. */
export type MailParameters = MailInput & {
	source: 'fields';
	attachmentSources: AttachmentReference[];
	preview: boolean;
	idempotencyKey?: string;
	/** 'run': the key is the email tool's own, kept while the execution runs (agent/sameMail). */
	keyScope?: 'run';
	dsn?: DsnInput;
};

/** A received message sent on as it is (Message Source "Raw Message From Binary"). */
export interface RelayParameters {
	source: 'rawBinary';
	fromEmail: unknown;
	fromName: unknown;
	envelopeTo: unknown;
	property: string;
	replaceFrom: boolean;
	maxReceived: number;
	preview: boolean;
	idempotencyKey?: string;
	dsn?: DsnInput;
}

export type SendParameters = MailParameters | RelayParameters;

function binaryNames(ctx: IExecuteFunctions, i: number): string {
	const names = Object.keys(ctx.getInputData()[i]?.binary ?? {});
	return names.length ? ` (it has ${names.map((n) => `"${n}"`).join(', ')})` : ' (it has no binary data)';
}

function attachmentReferences(ctx: IExecuteFunctions, i: number, entries: AttachmentParameter[]): AttachmentReference[] {
	const result: AttachmentReference[] = [];
	for (const entry of entries) {
		const names = textValue(entry.binaryPropertyName, 'Attachments: Binary Property');
		for (const property of names.split(',').map((p) => p.trim()).filter(Boolean)) {
			if (!ctx.getInputData()[i]?.binary?.[property]) {
				throw new MessageInputError('Attachments', `Attachments: item ${i} has no binary property "${property}"${binaryNames(ctx, i)}`);
			}
			const binary = ctx.helpers.assertBinaryData(i, property);
			const fileName = singleLine(textValue(entry.fileName, 'Attachments: File Name'), 'Attachments: File Name');
			const contentType = singleLine(textValue(entry.contentType, 'Attachments: Content Type'), 'Attachments: Content Type');
			const cid = singleLine(textValue(entry.cid, 'Attachments: Content ID'), 'Attachments: Content ID');
			result.push({
				property,
				fileName: fileName.trim() || binary.fileName || property,
				contentType: contentType || binary.mimeType,
				cid: entry.inline ? cid || property : undefined,
			});
		}
	}
	return result;
}

/** Empty means none; a key is one line of at most 512 characters. */
function idempotencyKeyOf(value: unknown): string | undefined {
	const key = singleLine(textValue(value, 'Idempotency Key'), 'Idempotency Key').trim();
	if (key.length > 512) throw new MessageInputError('Idempotency Key', `Idempotency Key is ${key.length} characters long; at most 512`);
	return key || undefined;
}

/** The item's Delivery Notifications, as n8n resolved them (both operations, both message sources). */
export const deliveryNotificationsOf = (ctx: IExecuteFunctions, i: number) => ctx.getNodeParameter('deliveryNotifications', i, {}) as DsnInput;

/** Reads one item's Send Email parameters (n8n resolves their expressions here). Throws MessageInputError naming the field. */
export function readMailParameters(ctx: IExecuteFunctions, i: number): SendParameters {
	if (ctx.getNodeParameter('messageSource', i, 'fields') === 'rawBinary') return readRelayParameters(ctx, i);
	const options = ctx.getNodeParameter('options', i, {}) as IDataObject;
	const attachments = (options.attachmentsUi as { attachment?: AttachmentParameter[] } | undefined)?.attachment ?? [];
	const headers = (options.headersUi as { header?: Array<{ name: unknown; value: unknown }> } | undefined)?.header ?? [];
	const parameters: MailParameters = {
		source: 'fields',
		fromEmail: ctx.getNodeParameter('fromEmail', i, ''),
		fromName: ctx.getNodeParameter('fromName', i, ''),
		toEmail: ctx.getNodeParameter('toEmail', i),
		subject: ctx.getNodeParameter('subject', i, ''),
		html: ctx.getNodeParameter('html', i, ''),
		text: options.text,
		ccEmail: options.ccEmail,
		bccEmail: options.bccEmail,
		replyTo: options.replyTo,
		attachments: [],
		attachmentSources: attachmentReferences(ctx, i, attachments),
		headers,
		priority: options.priority as MailInput['priority'],
		inReplyTo: options.inReplyTo,
		references: options.references,
		messageId: options.messageId,
		redirectAllTo: options.redirectAllTo,
		allowedRecipientDomains: options.allowedRecipientDomains,
		preview: options.preview === true,
		idempotencyKey: idempotencyKeyOf(options.idempotencyKey),
		dsn: deliveryNotificationsOf(ctx, i),
	};
	if (!parameters.idempotencyKey) {
		const { toEmail, ccEmail, bccEmail, subject, html, text } = parameters;
		parameters.idempotencyKey = sameMailKey(ctx, [toEmail, ccEmail, bccEmail, subject, html, text]);
		if (parameters.idempotencyKey) parameters.keyScope = 'run';
	}
	return parameters;
}

function readRelayParameters(ctx: IExecuteFunctions, i: number): RelayParameters {
	const options = ctx.getNodeParameter('relayOptions', i, {}) as IDataObject;
	const property = textValue(ctx.getNodeParameter('rawBinaryProperty', i, 'message'), 'Input Binary Field').trim();
	if (!ctx.getInputData()[i]?.binary?.[property]) {
		throw new MessageInputError('Input Binary Field', `Item ${i} has no binary property "${property}" to send${binaryNames(ctx, i)}`);
	}
	return {
		source: 'rawBinary',
		fromEmail: ctx.getNodeParameter('fromEmail', i, ''),
		fromName: ctx.getNodeParameter('fromName', i, ''),
		envelopeTo: ctx.getNodeParameter('envelopeTo', i),
		property,
		replaceFrom: options.fromHeader === 'sender',
		maxReceived: Number(options.maxReceivedHeaders ?? 30),
		preview: options.preview === true,
		// Not set: the SMTP Connector Trigger's key of the message, when the item has one.
		idempotencyKey: idempotencyKeyOf(options.idempotencyKey ?? ctx.getInputData()[i]?.json.messageKey ?? ''),
		dsn: deliveryNotificationsOf(ctx, i),
	};
}

/** The bytes of the attachments the parameters name. */
export async function readAttachments(ctx: IExecuteFunctions, i: number, sources: AttachmentReference[]): Promise<AttachmentInput[]> {
	const read: AttachmentInput[] = [];
	for (const { property, ...attachment } of sources) read.push({ ...attachment, content: await ctx.helpers.getBinaryDataBuffer(i, property) });
	return read;
}
