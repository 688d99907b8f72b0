import { randomUUID } from 'node:crypto';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { Joiner, Splitter, type Headers } from '@zone-eu/mailsplit';
import { encodeWord } from 'nodemailer/lib/mime-funcs';

import type { Address } from './addresses';
import { MessageInputError } from './errors';

export interface RelayEdits {
	/** More Received headers than this: the message is going round in a loop. */
	maxReceived: number;
	/** Replaces the From header with this sender (the original goes to Reply-To unless there is one). */
	from?: Address;
	/** Domain for a Message-ID when the message has none. */
	messageIdDomain: string;
}

export interface RelayMessage {
	raw: Buffer;
	messageId: string;
	received: number;
}

const quotedName = (name: string) => (/^[\w !#$%&'*+\-/=?^`{|}~.]*$/.test(name) ? name : `"${name.replace(/(["\\])/g, '\\$1')}"`);

/**
 * A received message made ready to send on, with mailsplit so the body and every header not changed go
 * out byte for byte: a loop check on its Received headers, a Message-ID when it has none (as a submission
 * server adds one), and, if asked, the From of the account that sends it.
 */
export async function relayMessage(source: Buffer, edits: RelayEdits): Promise<RelayMessage> {
	let root: Headers | undefined;
	let messageId = '';
	let received = 0;
	const chunks: Buffer[] = [];
	const editRoot = new Transform({
		objectMode: true,
		transform(data: { type: string; headers?: Headers; root?: boolean }, _encoding, done) {
			if (data.type === 'node' && !root && data.headers) {
				root = data.headers;
				try {
					({ messageId, received } = edit(root, edits));
				} catch (error) {
					return done(error as Error);
				}
			}
			done(null, data);
		},
	});
	await pipeline(
		Readable.from([source]),
		new Splitter(),
		editRoot,
		new Joiner(),
		new Writable({
			write(chunk: Buffer, _encoding, done) {
				chunks.push(chunk);
				done();
			},
		}),
	);
	if (!root || !root.getList().length) {
		throw new MessageInputError('Input Binary Field', 'The binary data is not an email message: it has no header lines', { code: 554, enhancedCode: '5.6.0', permanent: true, text: 'Not an email message' });
	}
	return { raw: Buffer.concat(chunks), messageId, received };
}

function edit(headers: Headers, edits: RelayEdits): { messageId: string; received: number } {
	const received = headers.get('received').length;
	if (received > edits.maxReceived) {
		const text = `The message has ${received} Received headers (more than ${edits.maxReceived}): it is probably going round in a mail loop, so it is not sent again`;
		throw new MessageInputError('Max Received Headers', text, { code: 554, enhancedCode: '5.4.6', permanent: true, text: 'Too many hops: mail loop' });
	}
	let messageId = /<[^<>\s]+>/.exec(headers.getFirst('message-id'))?.[0] ?? '';
	if (!messageId) {
		messageId = `<${randomUUID()}@${edits.messageIdDomain}>`;
		// One Message-ID: an empty or malformed one is replaced, not joined by a second.
		if (headers.hasHeader('message-id')) headers.update('Message-ID', messageId);
		else headers.add('Message-ID', messageId, headers.getList().length);
	}
	if (edits.from) {
		// The raw line (a binary string, as mailsplit keeps it), not get()'s UTF-8 decoding of it, which build() would write as Latin-1.
		const fromLine = headers.getList().find((line) => line.key === 'from')?.line;
		if (!headers.hasHeader('reply-to') && fromLine) headers.addFormatted('Reply-To', fromLine.replace(/^from:/i, 'Reply-To:'), headers.getList().length);
		const name = /[^\x20-\x7e]/.test(edits.from.name) ? encodeWord(edits.from.name, 'Q', 52) : edits.from.name && quotedName(edits.from.name);
		const from = name ? `${name} <${edits.from.address}>` : edits.from.address;
		headers.update('From', from);
	}
	return { messageId, received };
}
