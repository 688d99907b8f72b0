import type { ICheckProcessedOptions, IExecuteFunctions } from 'n8n-workflow';

import { freedIfThrows, hashedKey, type Claim, type KeyStore } from './idempotency';

/** Calls into n8n's store for one workflow's node, one after another: each reads and rewrites the node's single row. */
const n8nStoreTurns = new Map<string, Promise<unknown>>();

/** The keys whose send is under way in this process, by scope and hashed key, with when each was claimed. */
const sendingHere = new Map<string, string>();

const STORE = "n8n's database";

/**
 * n8n's own deduplication store (`helpers.checkProcessedAndRecord`), in n8n's database: it keeps that a key
 * was sent, not when or which Message-ID, and keeps the newest 10,000 keys per node. A key is written there
 * only after its send (the server took the mail, or may have); while the send runs, the claim is this
 * process's alone. Two n8n processes can both send a key at the same moment: for queue mode, use Shared
 * Limits in Redis.
 */
export class N8nKeyStore implements KeyStore {
	static readonly MAX_KEYS = 10_000;

	private readonly options: ICheckProcessedOptions = { mode: 'entries', maxEntries: N8nKeyStore.MAX_KEYS };

	constructor(
		private readonly ctx: IExecuteFunctions,
		private readonly scope: string,
	) {}

	async claim(key: string): Promise<Claim> {
		const entry = hashedKey(key);
		const here = `${this.scope}:${entry}`;
		const since = sendingHere.get(here);
		if (since) return { kind: 'held', since };
		sendingHere.set(here, new Date().toISOString());
		const free = () => void sendingHere.delete(here);
		try {
			if (await this.inTurn(async () => await this.wasSent(entry))) {
				free();
				return { kind: 'sent', store: STORE };
			}
		} catch (error) {
			free();
			throw error;
		}
		return {
			kind: 'claimed',
			holding: freedIfThrows(free),
			record: async () => {
				try {
					await this.inTurn(async () => await this.ctx.helpers.checkProcessedAndRecord([entry], 'node', this.options));
					return undefined;
				} finally {
					free();
				}
			},
			release: async () => free(),
		};
	}

	/**
	 * Whether the key was recorded, without recording it: n8n's helpers offer no plain look-up, and
	 * checkProcessedAndRecord would mark the key sent before its mail is. Removing the key tells, by the
	 * node's count of keys; a key that was there is put back. Run in turn, so no other call of this process
	 * changes the count meanwhile; a process that dies between the removal and the putting back loses the
	 * record, and a re-run sends the mail again.
	 */
	private async wasSent(entry: string): Promise<boolean> {
		const helpers = this.ctx.helpers;
		const before = await helpers.getProcessedDataCount('node', this.options);
		if (before === 0) return false;
		await helpers.removeProcessed([entry], 'node', this.options);
		if ((await helpers.getProcessedDataCount('node', this.options)) === before) return false;
		await helpers.checkProcessedAndRecord([entry], 'node', this.options);
		return true;
	}

	private async inTurn<T>(call: () => Promise<T>): Promise<T> {
		const previous = n8nStoreTurns.get(this.scope) ?? Promise.resolve();
		const turn = previous.then(call, call);
		n8nStoreTurns.set(this.scope, turn.catch(() => {}));
		return await turn;
	}
}
