import { createReadStream } from 'node:fs';
import { Transform, type Readable } from 'node:stream';

import { MailParser, type AttachmentStream, type MessageText } from 'mailparser';

export interface StoredAttachment<B> {
	binary: B;
	fileName?: string;
	contentType: string;
	size: number;
	contentId?: string;
	inline: boolean;
}

export interface ParsedMessage<B> {
	/** Header name (lower case) → the whole header line, as n8n's Email Trigger (IMAP) gives them. */
	headers: Record<string, string>;
	fields: Record<string, unknown>;
	text?: string;
	html?: string;
	textAsHtml?: string;
	attachments: Array<StoredAttachment<B>>;
}

/** The parser could not read the message: the same bytes never will be (a permanent refusal, not a retry). */
export class UnreadableMessage extends Error {}

const ADDRESS_FIELDS = ['subject', 'references', 'date', 'to', 'from', 'cc', 'bcc', 'message-id', 'in-reply-to', 'reply-to', 'priority'];

/**
 * Reads a spooled message with mailparser, one attachment at a time: each attachment's stream goes to
 * `store` (n8n's binary data) as it is decoded, so a large message is never held in memory whole.
 */
export function parseSpooled<B>(file: string, store: (content: Readable, fileName: string | undefined, contentType: string) => Promise<B>): Promise<ParsedMessage<B>> {
	return new Promise((resolve, reject) => {
		const parser = new MailParser({ keepCidLinks: true } as ConstructorParameters<typeof MailParser>[0]);
		const input = createReadStream(file);
		const result: ParsedMessage<B> = { headers: {}, fields: {}, attachments: [] };
		let headerMap: Map<string, unknown> | undefined;
		let failed = false;
		const fail = (error: Error) => {
			if (failed) return;
			failed = true;
			input.destroy();
			parser.destroy();
			reject(error);
		};
		input.once('error', fail);
		parser.on('error', (error: Error) => fail(new UnreadableMessage(error.message)));
		parser.on('headers', (headers) => (headerMap = headers as Map<string, unknown>));
		parser.on('headerLines', (lines: Array<{ key: string; line: string }>) => {
			for (const { key, line } of lines) result.headers[key] = result.headers[key] === undefined ? line : `${result.headers[key]}\n${line}`;
		});
		let reading = false;
		const read = () => {
			reading = true;
			for (;;) {
				const part = parser.read() as (MessageText & { type: 'text' }) | (AttachmentStream & { type: 'attachment' }) | null;
				if (part === null) {
					reading = false;
					return;
				}
				if (part.type === 'text') {
					Object.assign(result, { text: part.text, html: part.html || undefined, textAsHtml: part.textAsHtml });
					continue;
				}
				let size = 0;
				const counted = part.content.pipe(
					new Transform({
						transform(chunk: Buffer, _encoding, done) {
							size += chunk.length;
							done(null, chunk);
						},
					}),
				);
				store(counted, part.filename, part.contentType).then(
					(binary) => {
						result.attachments.push({ binary, fileName: part.filename, contentType: part.contentType, size, contentId: part.contentId, inline: part.contentDisposition === 'inline' });
						part.release?.();
						read();
					},
					(error: Error) => fail(error),
				);
				return;
			}
		};
		parser.on('readable', () => {
			if (!reading) read();
		});
		parser.on('end', () => {
			if (failed) return;
			for (const key of ADDRESS_FIELDS) {
				if (headerMap?.has(key)) result.fields[key.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())] = headerMap.get(key);
			}
			resolve(result);
		});
		input.pipe(parser);
	});
}
