import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { AttachmentInput } from '../message/attachments';
import type { MailInput } from '../message/compose';

/** Reads one item's Send Email parameters (expressions resolved by n8n) into the message room's input. */
interface AttachmentParameter {
	binaryPropertyName: string;
	inline?: boolean;
	cid?: string;
	fileName?: string;
	contentType?: string;
}

async function readAttachments(ctx: IExecuteFunctions, i: number, entries: AttachmentParameter[]) {
	const result: AttachmentInput[] = [];
	for (const entry of entries) {
		for (const property of String(entry.binaryPropertyName ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
			const binary = ctx.helpers.assertBinaryData(i, property);
			result.push({
				content: await ctx.helpers.getBinaryDataBuffer(i, property),
				fileName: entry.fileName || binary.fileName || property,
				contentType: entry.contentType || binary.mimeType,
				cid: entry.inline ? entry.cid || property : undefined,
			});
		}
	}
	return result;
}

export async function readMailInput(ctx: IExecuteFunctions, i: number): Promise<MailInput & { preview: boolean }> {
	const options = ctx.getNodeParameter('options', i, {}) as IDataObject;
	const attachments = (options.attachmentsUi as { attachment?: AttachmentParameter[] } | undefined)?.attachment ?? [];
	const headers = (options.headersUi as { header?: Array<{ name: string; value: string }> } | undefined)?.header ?? [];
	return {
		fromEmail: ctx.getNodeParameter('fromEmail', i, ''),
		fromName: String(ctx.getNodeParameter('fromName', i, '') ?? ''),
		toEmail: ctx.getNodeParameter('toEmail', i),
		subject: String(ctx.getNodeParameter('subject', i, '') ?? ''),
		html: String(ctx.getNodeParameter('html', i, '') ?? ''),
		text: options.text ? String(options.text) : undefined,
		ccEmail: options.ccEmail,
		bccEmail: options.bccEmail,
		replyTo: options.replyTo,
		attachments: await readAttachments(ctx, i, attachments),
		headers: headers.map((h) => ({ name: String(h.name ?? ''), value: String(h.value ?? '') })),
		priority: options.priority as MailInput['priority'],
		inReplyTo: options.inReplyTo ? String(options.inReplyTo) : undefined,
		references: options.references,
		messageId: options.messageId ? String(options.messageId) : undefined,
		redirectAllTo: options.redirectAllTo ? String(options.redirectAllTo) : undefined,
		preview: options.preview === true,
	};
}
