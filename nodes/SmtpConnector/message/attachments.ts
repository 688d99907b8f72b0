import type { Attachment } from 'nodemailer';

import { literalText } from './headers';

export interface AttachmentInput {
	content: Buffer;
	fileName: string;
	contentType?: string;
	/** Set for inline parts: the HTML refers to them as cid:<cid>. */
	cid?: string;
}

export function toMailAttachments(inputs: AttachmentInput[]): Attachment[] {
	return inputs.map((input) => ({
		content: input.content,
		filename: literalText(input.fileName),
		contentType: input.contentType,
		...(input.cid ? { cid: input.cid, contentDisposition: 'inline' as const } : { contentDisposition: 'attachment' as const }),
	}));
}
