import type { SendMailOptions } from 'nodemailer';

import { redisTuning } from '../coordination/redis';
import { sleep } from '../coordination/sleep';
import type { SmtpFailure } from '../failures/failure';
import { recognise, recogniseProbing } from '../failures/recognise';
import type { TokenSource } from '../transport/auth/tokens';
import type { ConnectionSettings } from '../transport/settings';
import { answersTls } from '../transport/tlsProbe';
import { leasePool, rcptRefusals, rcptResultsOf, type PoolLease, type PoolOptions, type SendProgress } from './pool';
import { accountKey, type RateLimit } from './rateLimit';
import { RecipientLedger, type RecipientRecord } from './recipients';
import { backoffMs, type RetryPolicy } from './retry';
import { newMessageId } from '../message/headers';
import { Stage } from './stage';
import type { WireRate } from './wire';
import { WithdrawnAfterFailure } from './withdrawn';

export interface DeliveryConfig {
	pool: PoolOptions;
	retry: RetryPolicy;
	rateLimit: RateLimit;
	/** Lets a changed credential retire the pool of its old settings at once. */
	credentialId?: string;
	/** Access tokens, for an OAuth2 credential. */
	tokens?: TokenSource;
	signal?: AbortSignal;
}

/**
 * The caller's place for a message in flight. A message waiting out a backoff gives it up, so the
 * waiting holds neither a connection nor a place another message could use.
 */
export interface Slot {
	release(): void;
	acquire(): Promise<void>;
}

export interface RecipientReply {
	recipient: string;
	reply: string;
	code?: number;
}

export interface SentMessage {
	messageId: string;
	accepted: string[];
	/** Refused for good (5xx), each with its reply in rejectedReplies; never asked again. */
	rejected: string[];
	rejectedReplies: RecipientReply[];
	/** Still deferred (4xx) when the retries ran out. */
	deferred: string[];
	/** The connection was lost after the final dot: the server may have the message for these. */
	unknown: string[];
	response: string;
	envelope: { from: string; to: string[] };
	/** Whether the connection that sent it offered DSN (RFC 3461) in its EHLO reply. */
	dsnOffered: boolean;
}

interface Tally {
	attempts: number;
	durationMs: number;
	/** The message may have reached the server more than once (or, on failure, once). */
	possibleDuplicate: boolean;
	/** Every recipient's final state. */
	recipients: RecipientRecord[];
	/** The Message-ID every attempt carried. */
	messageId: string;
}

export type Outcome = ({ ok: true; sent: SentMessage } | { ok: false; failure: SmtpFailure }) & Tally;

interface NodemailerInfo {
	messageId: string;
	accepted?: unknown[];
	rejectedErrors?: Array<{ recipient?: string; response?: string; responseCode?: number }>;
	response?: string;
	dsnOffered?: boolean;
}

interface InFlight {
	/** Ends the attempt unless its final dot is out (a stop, a cancel). */
	controller: AbortController;
	/** Ends the attempt only while no connection has it (an earlier item failed). */
	withdrawal: AbortController;
	progress: SendProgress;
}

const addressOf = (a: unknown) => (typeof a === 'string' ? a : String((a as { address?: string })?.address ?? ''));

function addresses(value: SendMailOptions['to']): string[] {
	if (!value) return [];
	return (Array.isArray(value) ? value : [value]).map(addressOf).filter(Boolean);
}

const replyOf = (r: RecipientRecord): RecipientReply => ({ recipient: r.recipient, reply: r.reply ?? '', code: r.code });

/**
 * Sends the messages of one execution over the warm pool of its credential. Failures are recognised
 * once (failures/) and their scope decides what happens: a configuration failure stops the whole
 * delivery, so every message not yet sent fails at once with the same diagnosis; a connection failure
 * opens one shared reconnect, with backoff, that the waiting messages pass together; a message or
 * recipient failure is retried for that message and those recipients alone. Never resends to a
 * recipient that has the message, or asks a refused one again.
 */
export class Delivery {
	private lease?: PoolLease;

	/** Where the delivery thread takes each attempt's permit: this account's count, here or in Shared Limits; none without a limit. */
	private readonly rate?: WireRate;

	/** Set by a configuration failure, or when the shared reconnects are spent: every later message fails with it. */
	private stopped?: SmtpFailure;

	/** Set when an earlier item failed and the execution ends with it: no further message goes to a connection. */
	private halted?: SmtpFailure;

	/** The shared reconnect: open while the pool waits before connecting again. */
	private reconnect?: Promise<void>;

	private connectionFailures = 0;

	/** Counts outages, so the messages that fail together in one outage count it once. */
	private outage = 0;

	private readonly inFlight = new Set<InFlight>();

	/** Whether the port answers TLS, asked once when the server does not greet. */
	private implicitTls?: Promise<boolean>;

	constructor(
		private readonly settings: ConnectionSettings,
		private readonly config: DeliveryConfig,
	) {
		if (config.rateLimit.perSecond || config.rateLimit.perMinute) {
			this.rate = { key: accountKey(settings.host, settings.port, settings.auth?.user), limit: config.rateLimit, ...(settings.sharedStore ? { store: settings.sharedStore } : {}) };
		}
	}

	/** Why this delivery stopped, if it did: every message not yet sent fails with this. */
	get stoppedBy(): SmtpFailure | undefined {
		return this.stopped;
	}

	private get pool(): PoolLease {
		this.lease ??= leasePool(this.settings, this.config.pool, this.config.credentialId, this.config.tokens);
		return this.lease;
	}

	/** `size`: the encoded size when known, so the server's SIZE limit is checked before MAIL FROM. */
	async deliver(mail: SendMailOptions, { size, slot }: { size?: number; slot?: Slot } = {}): Promise<Outcome> {
		const started = Date.now();
		const { retry, signal } = this.config;
		const from = addressOf(mail.from);
		// Fixed before the first attempt, so every retry of this message carries the same Message-ID.
		const messageId = mail.messageId ?? newMessageId(from);
		const recipients = [...addresses(mail.to), ...addresses(mail.cc), ...addresses(mail.bcc)];
		const ledger = new RecipientLedger(recipients);
		let attempts = 0;
		let messageRetries = 0;
		let last: NodemailerInfo | undefined;
		let failure: SmtpFailure | undefined;
		let possibleDuplicate = false;

		for (;;) {
			if (this.reconnect) await this.away(slot, this.reconnect);
			if (this.stopped || this.halted || signal?.aborted) {
				// A message that may have reached the server keeps saying so: the batch's end does not stand in for it.
				failure = (possibleDuplicate ? failure : undefined) ?? this.stopped ?? this.halted ?? failure ?? recognise(signal?.reason ?? new Error('cancelled'), this.settings);
				break;
			}
			const to = ledger.toSend(retry.retryAmbiguous);
			if (!to.length) break;
			attempts++;
			const flight: InFlight = { controller: new AbortController(), withdrawal: new AbortController(), progress: { stage: Stage.queued } };
			const outage = this.outage;
			this.inFlight.add(flight);
			const stopWithExecution = () => flight.controller.abort(signal?.reason);
			signal?.addEventListener('abort', stopWithExecution, { once: true });
			try {
				const envelope = { from, to, ...(size ? { size } : {}) };
				const attempt = { ...mail, messageId, envelope, signal: flight.controller.signal };
				const rate = this.rate && { ...this.rate, storeWaitMs: redisTuning.unavailableWaitMs };
				const info = (await this.pool.send(attempt, flight.progress, { rate, withdrawal: flight.withdrawal.signal })) as unknown as NodemailerInfo;
				last = info;
				this.connectionFailures = 0;
				ledger.settleSent(to, (info.accepted ?? []).map(addressOf), rcptRefusals(info.rejectedErrors));
			} catch (error) {
				const bodySent = flight.progress.stage >= Stage.dot;
				const endedBy = this.stopped ?? this.halted;
				failure =
					endedBy && !bodySent
						? endedBy
						: await recogniseProbing(error, { ...this.settings, bodySent, messageSize: size }, () => (this.implicitTls ??= answersTls(this.settings)));
				if (failure.retry === 'ambiguous') possibleDuplicate = true;
				ledger.settleFailed(to, rcptResultsOf(flight.progress), failure);
				if (failure.scope === 'configuration') this.stop(failure);
				else if (failure.scope === 'connection') {
					this.connectionTrouble(outage, failure);
					continue;
				}
			} finally {
				signal?.removeEventListener('abort', stopWithExecution);
				this.inFlight.delete(flight);
			}
			if (!ledger.toSend(retry.retryAmbiguous).length || this.stopped || this.halted || signal?.aborted) continue;
			if (++messageRetries > retry.retries) break;
			await this.away(slot, sleep(backoffMs(retry, messageRetries), signal).catch(() => {}));
		}

		const tally: Tally = { attempts, durationMs: Date.now() - started, possibleDuplicate: possibleDuplicate || ledger.inState('unknown').length > 0, recipients: ledger.all(), messageId };
		const accepted = ledger.inState('accepted');
		if (!accepted.length) {
			failure ??= recognise(new Error('No recipient was accepted'), this.settings);
			return { ok: false, failure: failure.after(tally), ...tally };
		}
		const refused = ledger.inState('refused');
		return {
			ok: true,
			sent: {
				messageId: last?.messageId ?? messageId,
				accepted: accepted.map((r) => r.recipient),
				rejected: refused.map((r) => r.recipient),
				rejectedReplies: refused.map(replyOf),
				deferred: ledger.inState('deferred').map((r) => r.recipient),
				unknown: ledger.inState('unknown').map((r) => r.recipient),
				response: last?.response ?? '',
				envelope: { from, to: recipients },
				dsnOffered: last?.dsnOffered === true,
			},
			...tally,
		};
	}

	/** Waits without holding the caller's place. */
	private async away(slot: Slot | undefined, wait: Promise<void>): Promise<void> {
		slot?.release();
		try {
			await wait;
		} finally {
			await slot?.acquire();
		}
	}

	/** The settings are wrong (or the server stays unreachable): nothing more is tried, and messages whose final dot is not out stop now. */
	stop(failure: SmtpFailure): void {
		this.stopped ??= failure;
		for (const flight of this.inFlight) flight.controller.abort(failure);
	}

	/**
	 * An item failed and the execution ends with its error: messages no connection has taken yet are
	 * not sent (a retry of the execution sends them), the ones already on a connection finish.
	 */
	halt(): void {
		this.halted ??= recognise(new WithdrawnAfterFailure(), this.settings);
		for (const flight of this.inFlight) flight.withdrawal.abort(this.halted);
	}

	/** One reconnect, with backoff, shared by every message that met the same outage; when they are spent, the delivery stops. */
	private connectionTrouble(outage: number, failure: SmtpFailure): void {
		if (outage !== this.outage) return;
		this.outage++;
		if (++this.connectionFailures > this.config.retry.retries) return this.stop(failure);
		this.reconnect = sleep(backoffMs(this.config.retry, this.connectionFailures), this.config.signal)
			.catch(() => {})
			.finally(() => (this.reconnect = undefined));
	}

	/**
	 * Ends this execution's hold on the pool. The pool stays warm for the next execution, unless this
	 * one was cancelled and nobody else uses it: then its connections close now.
	 */
	close(): void {
		this.lease?.release({ closeIfUnused: this.config.signal?.aborted === true });
		this.lease = undefined;
	}
}
