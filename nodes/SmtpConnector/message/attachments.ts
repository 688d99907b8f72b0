import type { Attachment } from 'nodemailer';
import { detectMimeType, safeEncodeURIComponent } from 'nodemailer/lib/mime-funcs';

import { literalText } from './headers';

export interface AttachmentInput {
	content: Buffer;
	fileName: string;
	contentType?: string;
	/** Set for inline parts: the HTML refers to them as cid:<cid>. */
	cid?: string;
}

const ASCII = /^[\x20-\x7e]*$/;
const WHITESPACE_RUN = /\s{2}/;
const quoted = (value: string) => `"${value.replace(/[\\"]/g, '\\$&')}"`;

export function toMailAttachments(inputs: AttachmentInput[]): Attachment[] {
	return inputs.map((input) => {
		const disposition = input.cid ? ('inline' as const) : ('attachment' as const);
		const cid = input.cid ? { cid: input.cid } : {};
		const name = input.fileName;
		// A quoted name is folded at its spaces when the header runs long, and common readers (mailparser
		// among them) unfold a run of spaces into one: such a name goes percent-encoded, which has no spaces.
		if (ASCII.test(name) && WHITESPACE_RUN.test(name) && !name.includes('=?')) {
			const type = input.contentType ?? detectMimeType(name);
			const prepared = { prepared: true, value: `${disposition};${extendedParameter('filename', name)}` };
			return { content: input.content, filename: false, contentType: `${type}; name=${quoted(name)}`, contentDisposition: prepared as unknown as 'attachment', ...cid };
		}
		// mailparser and others decode encoded words even inside RFC 2231 values, so a name that holds one
		// keeps the encoded-word form, which decodes to the literal name (its spaces are inside the word).
		if (ASCII.test(name) || name.includes('=?')) {
			return { content: input.content, filename: literalText(name), contentType: input.contentType, contentDisposition: disposition, ...cid };
		}
		// Given a file name, nodemailer adds `name="=?UTF-8?Q?…?="` to Content-Type: an encoded word inside a
		// quoted string, which RFC 2047 §5 forbids and strict parsers flag. Given both parameters itself, it
		// writes each in RFC 2231 form (name*0*=utf-8''…, filename*0*=utf-8''…).
		const type = input.contentType ?? detectMimeType(name);
		return {
			content: input.content,
			filename: false,
			contentType: `${type}; name=${quoted(name)}`,
			contentDisposition: `${disposition}; filename=${quoted(name)}` as 'attachment',
			...cid,
		};
	});
}

/** An RFC 2231 parameter in continuations, one per folded line of at most 76 characters. */
function extendedParameter(key: string, value: string): string {
	const chunks: string[] = [];
	let chunk = '';
	for (const unit of safeEncodeURIComponent(value).match(/%[0-9A-F]{2}|[^%]/g) ?? []) {
		if (chunk.length + unit.length > (chunks.length ? 60 : 50)) {
			chunks.push(chunk);
			chunk = '';
		}
		chunk += unit;
	}
	chunks.push(chunk);
	return chunks.map((part, i) => `\r\n ${key}*${i}*=${i === 0 ? "utf-8''" : ''}${part};`).join('').slice(0, -1);
}
