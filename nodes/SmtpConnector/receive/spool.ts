import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
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
	remove(): Promise<void>;
}

export async function spool(data: Readable, receivedHeader: string): Promise<SpooledMessage> {
	const dir = await mkdtemp(path.join(tmpdir(), 'n8n-smtp-trigger-'));
	const file = path.join(dir, 'message.eml');
	const remove = () => rm(dir, { recursive: true, force: true });
	const hash = createHash('sha256');
	let size = 0;
	const measure = new Transform({
		transform(chunk: Buffer, _encoding, done) {
			hash.update(chunk);
			size += chunk.length;
			done(null, chunk);
		},
	});
	const out = createWriteStream(file);
	out.write(receivedHeader);
	try {
		await pipeline(data, measure, out);
	} catch (error) {
		await remove();
		throw error;
	}
	return { file, size, sha256: hash.digest('hex'), remove };
}
