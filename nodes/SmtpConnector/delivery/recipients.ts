import type { SmtpFailure } from '../failures/failure';
import type { RcptResults } from './pool';

/**
 * Where each recipient of one message stands. accepted — the server took it; refused — a 5xx for this
 * recipient (or for the message), final, never asked again; deferred — a 4xx, or the attempt failed
 * before the message was complete: tried again alone; unknown — the connection was lost after the
 * final dot: the server may have it.
 */
export type RecipientState = 'pending' | 'accepted' | 'refused' | 'deferred' | 'unknown';

export interface RecipientRecord {
	recipient: string;
	state: RecipientState;
	reply?: string;
	code?: number;
}

const isTemporary = (code: number | undefined) => code !== undefined && code >= 400 && code < 500;

export class RecipientLedger {
	private readonly records: Map<string, RecipientRecord>;

	constructor(recipients: string[]) {
		this.records = new Map(recipients.map((recipient) => [recipient, { recipient, state: 'pending' as RecipientState }]));
	}

	/** Who the next attempt goes to: everyone not settled yet; `unknown` ones only when duplicates may be risked. */
	toSend(retryUnknown: boolean): string[] {
		return this.all()
			.filter((r) => r.state === 'pending' || r.state === 'deferred' || (retryUnknown && r.state === 'unknown'))
			.map((r) => r.recipient);
	}

	/** The attempt went through: the reply names who was taken and who was refused or deferred. */
	settleSent(sentTo: string[], accepted: string[], rejected: RcptResults['rejected']): void {
		for (const r of accepted) this.set(r, 'accepted');
		for (const e of rejected) this.set(e.recipient, isTemporary(e.responseCode) ? 'deferred' : 'refused', e.response, e.responseCode);
		// A server that answered the message without naming a recipient took it for all of them.
		for (const r of sentTo) if (this.records.get(r)?.state === 'pending') this.set(r, 'accepted');
	}

	/**
	 * The attempt failed. Recipients the server answered at RCPT keep that answer; the ones it had
	 * accepted, and the ones never asked, follow what the failure means for the message.
	 */
	settleFailed(sentTo: string[], rcpt: RcptResults | undefined, failure: SmtpFailure): void {
		const answered = new Map((rcpt?.rejected ?? []).map((e) => [e.recipient, e]));
		for (const r of sentTo) {
			const refusal = answered.get(r);
			if (refusal) {
				this.set(r, isTemporary(refusal.responseCode) ? 'deferred' : 'refused', refusal.response, refusal.responseCode);
				continue;
			}
			// Settings and connection failures say nothing about a recipient: it stays as it was.
			if (failure.scope === 'configuration' || failure.scope === 'connection') continue;
			if (failure.retry === 'ambiguous') this.set(r, 'unknown', failure.detail, failure.smtpCode);
			else if (failure.retry === 'transient') this.set(r, 'deferred', failure.detail, failure.smtpCode);
			else this.set(r, 'refused', failure.detail, failure.smtpCode);
		}
	}

	all(): RecipientRecord[] {
		return [...this.records.values()];
	}

	inState(state: RecipientState): RecipientRecord[] {
		return this.all().filter((r) => r.state === state);
	}

	private set(recipient: string, state: RecipientState, reply?: string, code?: number): void {
		const record = this.records.get(recipient);
		if (!record || record.state === 'accepted' || record.state === 'refused') return;
		Object.assign(record, { state, reply, code });
	}
}
