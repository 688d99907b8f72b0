import { createHash } from 'node:crypto';

/** What a key's earlier send left: the mail went out, or its end is unknown (lost after the final dot). */
export interface SentRecord {
	outcome: 'sent' | 'unknown';
	sentAt: string;
	messageId?: string;
	accepted?: string[];
}

/** A key this run may send under: held while its send runs, then recorded (the mail went out, or may have) or released (it surely did not). */
export interface ClaimedKey {
	kind: 'claimed';
	/** Runs the send with the key held, however long it waits; a send that throws leaves the claim as a process dying mid-send would. */
	holding<T>(send: () => Promise<T>): Promise<T>;
	/** Resolves to why the record did not take, if it did not; rejects when the store could not be written. */
	record(sent: SentRecord): Promise<string | undefined>;
	release(): Promise<void>;
}

/** The answer to a claim: ours to send, sent before (with what is known of it), or held by a send that is under way. */
export type Claim = ClaimedKey | { kind: 'sent'; record?: SentRecord; store: string } | { kind: 'held'; since?: string; freeAt?: string };

/** `holding` for a store whose claim lives in this process: a send that throws frees the key at once. */
export const freedIfThrows =
	(free: () => void): ClaimedKey['holding'] =>
	async (send) => {
		try {
			return await send();
		} catch (error) {
			free();
			throw error;
		}
	};

export interface KeyStore {
	/** Claims `key` atomically; an earlier send that ended unknown is claimed again only with `retryUnknown`. */
	claim(key: string, options: { retryUnknown: boolean }): Promise<Claim>;
}

/** Keys are stored hashed, never as written. */
export const hashedKey = (value: string) => createHash('sha256').update(value).digest('hex');

/** The key is claimed by a send under way (or by a process that died mid-send): the mail is not sent a second time. */
export class IdempotencyKeyHeld extends Error {
	constructor(
		readonly key: string,
		readonly since?: string,
		readonly freeAt?: string,
	) {
		super(`Idempotency key "${key}" is held`);
		this.name = 'IdempotencyKeyHeld';
	}
}
