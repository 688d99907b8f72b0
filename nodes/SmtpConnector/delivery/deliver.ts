import { randomUUID } from 'node:crypto';
import type { SendMailOptions } from 'nodemailer';

import type { TokenSource } from '../transport/auth/tokens';
import type { ConnectionSettings } from '../transport/settings';
import { leasePool, type PoolLease, type PoolOptions, type SendProgress } from './pool';
import { defaultRateLimiter, type RateLimit, type RateLimiter } from './rateLimit';
import { classify, waitBeforeRetry, type RetryPolicy } from './retry';

export interface DeliveryConfig {
	pool: PoolOptions;
	retry: RetryPolicy;
	rateLimit: RateLimit;
	rateLimiter?: RateLimiter;
	/** Lets a changed credential retire the pool of its old settings at once. */
	credentialId?: string;
	/** Access tokens, for an OAuth2 credential. */
	tokens?: TokenSource;
	signal?: AbortSignal;
}

export interface RecipientReply {
	recipient: string;
	reply: string;
	code?: number;
}

export interface SentMessage {
	messageId: string;
	accepted: string[];
	rejected: string[];
	rejectedReplies: RecipientReply[];
	response: string;
	envelope: { from: string; to: string[] };
}

interface Tally {
	attempts: number;
	durationMs: number;
	/** The message may have reached the server more than once (or, on failure, once). */
	possibleDuplicate: boolean;
}

export type Outcome = ({ ok: true; sent: SentMessage } | { ok: false; error: unknown }) & Tally;

interface NodemailerInfo {
	messageId: string;
	accepted?: unknown[];
	rejected?: unknown[];
	rejectedErrors?: Array<{ recipient?: string; response?: string; responseCode?: number }>;
	response?: string;
}

const addressOf = (a: unknown) => (typeof a === 'string' ? a : String((a as { address?: string })?.address ?? ''));

function addresses(value: SendMailOptions['to']): string[] {
	if (!value) return [];
	return (Array.isArray(value) ? value : [value]).map(addressOf).filter(Boolean);
}

function replies(list: NodemailerInfo['rejectedErrors']): RecipientReply[] {
	return (list ?? []).map((e) => ({ recipient: e.recipient ?? '', reply: e.response ?? '', code: e.responseCode }));
}

const isTemporary = (r: RecipientReply) => r.code !== undefined && r.code >= 400 && r.code < 500;

function sentOutcome(
	info: NodemailerInfo | undefined,
	messageId: string,
	envelope: SentMessage['envelope'],
	accepted: string[],
	refused: RecipientReply[],
	tally: Tally,
): Outcome {
	return {
		ok: true,
		sent: {
			messageId: info?.messageId ?? messageId,
			accepted,
			rejected: refused.map((r) => r.recipient),
			rejectedReplies: refused,
			response: info?.response ?? '',
			envelope,
		},
		...tally,
	};
}

/**
 * Sends messages for one execution over the warm pool of its credential: rate-limited, retried when
 * a retry is safe, and accounted for per message. Never resends to a recipient that already has it.
 */
export class Delivery {
	private lease?: PoolLease;

	private readonly rateKey: string;

	constructor(
		private readonly settings: ConnectionSettings,
		private readonly config: DeliveryConfig,
	) {
		this.rateKey = `${settings.host}:${settings.port}:${settings.auth?.user ?? ''}`;
	}

	private get pool(): PoolLease {
		this.lease ??= leasePool(this.settings, this.config.pool, this.config.credentialId, this.config.tokens);
		return this.lease;
	}

	/** `size`: the encoded size when known, so the server's SIZE limit is checked before MAIL FROM. */
	async deliver(mail: SendMailOptions, { size }: { size?: number } = {}): Promise<Outcome> {
		const started = Date.now();
		const { retry, signal } = this.config;
		const from = addressOf(mail.from);
		// Fixed before the first attempt, so every retry of this message carries the same Message-ID.
		const messageId = mail.messageId ?? `<${randomUUID()}@${from.split('@')[1] || 'localhost'}>`;
		const recipients = [...addresses(mail.to), ...addresses(mail.cc), ...addresses(mail.bcc)];
		let pending = recipients;
		const accepted: string[] = [];
		const refused: RecipientReply[] = [];
		let last: NodemailerInfo | undefined;
		let possibleDuplicate = false;

		for (let attempt = 1; ; attempt++) {
			const tally = () => ({ attempts: attempt, durationMs: Date.now() - started, possibleDuplicate });
			const progress: SendProgress = { bodySent: false };
			let temporary: RecipientReply[] = [];
			try {
				await (this.config.rateLimiter ?? defaultRateLimiter).acquire(this.rateKey, this.config.rateLimit, signal);
				const info = (await this.pool.send({ ...mail, messageId, envelope: { from, to: pending, ...(size ? { size } : {}) }, signal }, progress)) as unknown as NodemailerInfo;
				last = info;
				accepted.push(...(info.accepted ?? []).map(addressOf));
				const rejected = replies(info.rejectedErrors);
				temporary = rejected.filter(isTemporary);
				refused.push(...rejected.filter((r) => !isTemporary(r)));
			} catch (error) {
				// The diagnosis can then say how large the message was, next to the server's SIZE limit.
				if (size && error && typeof error === 'object') Object.assign(error, { messageSize: size });
				const kind = classify(error, progress.bodySent);
				if (kind === 'ambiguous') possibleDuplicate = true;
				const rejected = replies((error as NodemailerInfo).rejectedErrors);
				if (rejected.length) {
					// Every recipient was refused: the permanent ones are final, the temporary ones may be retried.
					temporary = rejected.filter(isTemporary);
					refused.push(...rejected.filter((r) => !isTemporary(r)));
				}
				// When every recipient was refused, each reply decides for its recipient, whatever the last code was.
				const retryable = rejected.length ? temporary.length > 0 : kind === 'transient' || (kind === 'ambiguous' && retry.retryAmbiguous);
				const retryRecipients = rejected.length ? temporary.map((r) => r.recipient) : pending;
				if (!retryable || !retryRecipients.length || attempt > retry.retries || signal?.aborted) {
					if (!accepted.length) return { ok: false, error, ...tally() };
					// Some recipients have the message already: report it sent, and the rest as refused.
					const e = error as { message?: string; response?: string; responseCode?: number };
					const unresolved = rejected.length
						? temporary
						: pending.map((recipient) => ({ recipient, reply: e.response ?? e.message ?? String(error), code: e.responseCode }));
					return sentOutcome(last, messageId, { from, to: recipients }, accepted, refused.concat(unresolved), tally());
				}
				pending = retryRecipients;
				await waitBeforeRetry(retry, attempt, signal).catch(() => {});
				continue;
			}
			if (temporary.length && attempt <= retry.retries && !signal?.aborted) {
				pending = temporary.map((r) => r.recipient);
				await waitBeforeRetry(retry, attempt, signal).catch(() => {});
				continue;
			}
			return sentOutcome(last, messageId, { from, to: recipients }, accepted, refused.concat(temporary), tally());
		}
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
