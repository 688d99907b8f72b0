/**
 * Messages this trigger has taken, by a key of their envelope and bytes, so that a client sending one
 * again (it did not hear our 250, or heard a 451 while the run went on to succeed) gets 250 without a
 * second run, and a client resending while the first run still goes waits for that run. In memory:
 * after a restart the Send operation's Idempotency Key is what stops a second mail.
 */
export class ResentMessages {
	private readonly runs = new Map<string, { outcome: Promise<boolean>; at: number }>();

	constructor(
		private readonly maxEntries = 10_000,
		private readonly keepMs = 24 * 3600_000,
		/** A run not settled by then is taken as lost (n8n never settled its done promise): the next attempt starts a new one. */
		private readonly pendingMs = 15 * 60_000,
	) {}

	/** The run already started for this key: true if it succeeded, false if it failed. */
	earlier(key: string, now = Date.now()): Promise<boolean> | undefined {
		const entry = this.runs.get(key);
		if (!entry || entry.at < now - this.keepMs) return undefined;
		return entry.outcome;
	}

	/** Records a run; a run that fails is forgotten, so the client's next attempt starts a new one. */
	record(key: string, outcome: Promise<boolean>, now = Date.now()): void {
		this.runs.delete(key);
		this.runs.set(key, { outcome, at: now });
		const lost = setTimeout(() => this.forget(key, outcome), this.pendingMs).unref();
		outcome.then(
			(ok) => (clearTimeout(lost), ok || this.forget(key, outcome)),
			() => (clearTimeout(lost), this.forget(key, outcome)),
		);
		for (const [oldest, entry] of this.runs) {
			if (this.runs.size <= this.maxEntries && entry.at >= now - this.keepMs) break;
			this.runs.delete(oldest);
		}
	}

	private forget(key: string, outcome: Promise<boolean>): void {
		if (this.runs.get(key)?.outcome === outcome) this.runs.delete(key);
	}
}
