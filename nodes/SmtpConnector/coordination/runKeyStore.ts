import { freedIfThrows, hashedKey, type Claim, type KeyStore, type SentRecord } from './idempotency';

/** Where a run-scoped key is kept, as the output's `keptIn` says. */
export const IN_THIS_RUN = 'this run (n8n process memory)';

type Entry = { state: 'sending'; since: string } | { state: 'done'; record: SentRecord; at: number };

/**
 * Keys that matter only while one execution runs, kept in this process: an AI agent's email tool sends
 * the same mail once per run (agent/sameMail). Nothing is written anywhere; a run that resumes in another
 * process (after a review gate, in queue mode) starts without them.
 */
export class RunKeyStore implements KeyStore {
	static readonly KEEP_MS = 24 * 3_600_000;
	static readonly MAX_KEYS = 10_000;
	private static readonly entries = new Map<string, Entry>();

	async claim(key: string, { retryUnknown }: { retryUnknown: boolean }): Promise<Claim> {
		const entries = RunKeyStore.entries;
		this.forgetOld();
		const id = hashedKey(key);
		const entry = entries.get(id);
		if (entry?.state === 'sending') return { kind: 'held', since: entry.since };
		if (entry?.state === 'done' && !(retryUnknown && entry.record.outcome === 'unknown')) return { kind: 'sent', record: entry.record, store: IN_THIS_RUN };
		entries.set(id, { state: 'sending', since: new Date().toISOString() });
		const free = () => void entries.delete(id);
		return {
			kind: 'claimed',
			holding: freedIfThrows(free),
			record: async (record) => {
				entries.set(id, { state: 'done', record, at: Date.now() });
				return undefined;
			},
			release: async () => free(),
		};
	}

	/** Entries past their day, and the oldest beyond the cap (a Map keeps insertion order). */
	private forgetOld() {
		const entries = RunKeyStore.entries;
		const cutoff = Date.now() - RunKeyStore.KEEP_MS;
		for (const [id, entry] of entries) {
			if (entries.size > RunKeyStore.MAX_KEYS || (entry.state === 'done' && entry.at < cutoff)) entries.delete(id);
			else if (entry.state === 'done') break;
		}
	}
}
