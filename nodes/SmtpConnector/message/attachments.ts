import type { Attachment } from 'nodemailer';
import { detectMimeType } from 'nodemailer/lib/mime-funcs';

import { literalText } from './headers';

export interface AttachmentInput {
	content: Buffer;
	fileName: string;
	contentType?: string;
	/** Set for inline parts: the HTML refers to them as cid:<cid>. */
	cid?: string;
}

const ASCII = /^[\x20-\x7e]*$/;
const quoted = (value: string) => `"${value.replace(/[\\"]/g, '\\$&')}"`;

export function toMailAttachments(inputs: AttachmentInput[]): Attachment[] {
	return inputs.map((input) => {
		const disposition = input.cid ? ('inline' as const) : ('attachment' as const);
		const cid = input.cid ? { cid: input.cid } : {};
		// mailparser and others decode encoded words even inside RFC 2231 values, so a name that holds one
		// keeps the encoded-word form, which decodes to the literal name.
		if (ASCII.test(input.fileName) || input.fileName.includes('=?')) {
			return { content: input.content, filename: literalText(input.fileName), contentType: input.contentType, contentDisposition: disposition, ...cid };
		}
		// Given a file name, nodemailer adds `name="=?UTF-8?Q?…?="` to Content-Type: an encoded word inside a
		// quoted string, which RFC 2047 §5 forbids and strict parsers flag. Given both parameters itself, it
		// writes each in RFC 2231 form (name*0*=utf-8''…, filename*0*=utf-8''…).
		const type = input.contentType ?? detectMimeType(input.fileName);
		return {
			content: input.content,
			filename: false,
			contentType: `${type}; name=${quoted(input.fileName)}`,
			contentDisposition: `${disposition}; filename=${quoted(input.fileName)}` as 'attachment',
			...cid,
		};
	});
}
