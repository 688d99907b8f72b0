import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { Splitter, type MimeNode } from '@zone-eu/mailsplit';
import libmime from 'libmime';
import { decode } from 'libmime/lib/charset';

/** One part of a message that is not a multipart: its type and its content, transfer encoding undone. */
export interface LeafPart {
	/** Lower case, e.g. message/delivery-status. */
	contentType: string;
	charset?: string;
	content: Buffer;
}

export interface MessageParts {
	/** The top-level header block as it came (a binary string, as mailsplit keeps it). */
	headers: string;
	/** The top-level Content-Type, lower case, with its parameters. */
	contentType: string;
	reportType?: string;
	leaves: LeafPart[];
}

const RETURNED_MESSAGE_BYTES = 256 * 1024;

/** A text part as text, in the charset it names (UTF-8 when it names none or one iconv does not know). */
export const textOfLeaf = (leaf: LeafPart) => decode(leaf.content, leaf.charset ?? 'utf-8');

/** Splits a message into its leaf parts with mailsplit; an attached message (message/rfc822) is one leaf. */
export async function messageParts(raw: Buffer): Promise<MessageParts> {
	// A mail with lone CR line ends (old Mac tools) would be one header line: give it CRLF.
	if (raw.includes(0x0d) && !raw.includes(0x0a)) raw = Buffer.from(raw.toString('latin1').replace(/\r/g, '\r\n'), 'latin1');
	const leaves: LeafPart[] = [];
	const decoders = new Map<MimeNode, { leaf: LeafPart; chunks: Buffer[]; decoder: NodeJS.ReadWriteStream; done: Promise<void> }>();
	let top: MimeNode | undefined;
	const splitter = new Splitter({ ignoreEmbedded: true });
	const sink = new Writable({
		objectMode: true,
		write(chunk: { type: string; node?: MimeNode; value?: Buffer } & Partial<MimeNode>, _encoding, done) {
			if (chunk.type === 'node') {
				const node = chunk as unknown as MimeNode;
				top ??= node;
				if (!node.multipart) {
					const chunks: Buffer[] = [];
					const decoder = node.getDecoder() as unknown as NodeJS.ReadWriteStream;
					// Of a returned message only its headers are read: a report that returns a large mail keeps its start.
					const cap = /^message\/(rfc822|global)$/i.test(String(node.contentType)) ? RETURNED_MESSAGE_BYTES : Infinity;
					let kept = 0;
					decoder.on('data', (c: Buffer) => {
						if (kept < cap) chunks.push(c.subarray(0, cap - kept));
						kept += c.length;
					});
					const done = new Promise<void>((resolve, reject) => {
						decoder.on('end', resolve);
						decoder.on('error', reject);
					});
					const leaf: LeafPart = { contentType: String(node.contentType || 'text/plain').toLowerCase(), charset: node.charset || undefined, content: Buffer.alloc(0) };
					leaves.push(leaf);
					decoders.set(node, { leaf, chunks, decoder, done });
				}
			} else if (chunk.type === 'body' && chunk.node) {
				decoders.get(chunk.node)?.decoder.write(chunk.value ?? Buffer.alloc(0));
			}
			done();
		},
	});
	await pipeline(Readable.from([raw]), splitter, sink);
	for (const { leaf, chunks, decoder, done } of decoders.values()) {
		decoder.end();
		await done;
		leaf.content = Buffer.concat(chunks);
	}
	const headers = top?.headers ? top.headers.build().toString('binary') : '';
	const typeLine = libmime.decodeHeaders(headers)['content-type']?.[0] ?? 'text/plain';
	const reportType = libmime.parseHeaderValue(typeLine).params['report-type']?.toLowerCase();
	return { headers, contentType: String(top?.contentType || 'text/plain').toLowerCase(), reportType, leaves };
}
