import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** A received message on disk, our Received header first: the item is built from it, then it is removed. */
export interface SpooledMessage {
	file: string;
	/** Bytes as the client sent them, without our Received header. */
	size: number;
	/** SHA-256 of the client's bytes: the same when a client sends the message again after a 4xx. */
	sha256: string;
	/** The client's header has a Message-ID: only then are the same bytes taken as the same message sent again. */
	hasMessageId: boolean;
	remove(): Promise<void>;
}

const PREFIX = 'n8n-smtp-trigger-';

/** Past `maxBytes` the client's bytes are counted, not written: the message is refused (552) anyway. */
export async function spool(data: Readable, receivedHeader: string, maxBytes = Infinity): Promise<SpooledMessage> {
	const dir = await mkdtemp(path.join(tmpdir(), PREFIX));
	const file = path.join(dir, 'message.eml');
	const remove = () => rm(dir, { recursive: true, force: true });
	const hash = createHash('sha256');
	let size = 0;
	let head: string | undefined = '';
	const measure = new Transform({
		transform(chunk: Buffer, _encoding, done) {
			if (head !== undefined) {
				head += chunk.toString('latin1');
				const end = head.search(/\r?\n\r?\n/);
				if (end >= 0) head = head.slice(0, end);
				if (end >= 0 || head.length > 256 * 1024) headDone();
			}
			size += chunk.length;
			if (size > maxBytes) return done();
			hash.update(chunk);
			done(null, chunk);
		},
	});
	let hasMessageId = false;
	const headDone = () => {
		hasMessageId = /(?:^|\n)message-id:\s*<[^<>\s]+>/i.test(head ?? '');
		head = undefined;
	};
	const out = createWriteStream(file);
	out.write(receivedHeader);
	try {
		await pipeline(data, measure, out);
	} catch (error) {
		await remove();
		throw error;
	}
	if (head !== undefined) headDone(); // a message that is only headers
	return { file, size, sha256: hash.digest('hex'), hasMessageId, remove };
}

/**
 * Spool folders a process left when it died mid-message (a spool lives for one message: at most the
 * Workflow Time Limit, 540 s). Removed when a trigger starts listening; an hour's margin leaves other
 * processes' messages alone.
 */
export async function removeStaleSpools(olderThanMs = 3600_000): Promise<void> {
	const now = Date.now();
	for (const name of await readdir(tmpdir()).catch(() => [] as string[])) {
		if (!name.startsWith(PREFIX)) continue;
		const dir = path.join(tmpdir(), name);
		const { mtimeMs } = await stat(dir).catch(() => ({ mtimeMs: now }));
		if (mtimeMs < now - olderThanMs) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
	}
}
