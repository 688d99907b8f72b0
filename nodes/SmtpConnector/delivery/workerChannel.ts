import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { SendMailOptions } from 'nodemailer';

import type { TokenSource } from '../transport/auth/tokens';
import type { ConnectionSettings } from '../transport/settings';
import { fromWire, toWire, type FromWorker, type PoolOptions, type ToWorker, type WireEnvelope, type WireInfo } from './wire';

/**
 * Where the worker's code is: beside the node's bundle in dist/ (the build writes both). Tests point it
 * at a build of the worker's sources.
 */
export const deliveryWorker = { script: path.join(__dirname, 'delivery', 'worker.js') };

/**
 * The worker's young generation: its live data is a handful of messages in flight, so a small one is
 * enough, and keeps the thread's memory to a few tens of MB however many messages pass through it
 * (real n8n, 20,000 mails: the process 110 MB above the Set node's with 4 MB, 164–168 MB with 8 MB).
 */
const YOUNG_GENERATION_MB = 4;

/** With no pool left, the worker ends after this long: its closing connections say QUIT first (transport/quit.ts). */
const IDLE_END_MS = 2_000;

/** What the delivery layer learns about one attempt while the worker sends it. */
export interface AttemptProgress {
	/** The first byte of the message was read for DATA: stopping it now could leave the server with part of it. */
	dataStarted?: boolean;
	/** The whole message body was handed to the connection: the server may have it even without a reply. Set when the attempt ends. */
	bodySent: boolean;
	/** The server's answer to each RCPT TO, as the connection recorded it (accepted, rejectedErrors). Set when the attempt ends. */
	envelope?: WireEnvelope;
}

interface Attempt {
	progress: AttemptProgress;
	permit?: () => Promise<void>;
	/** The permit's own failure, kept here: the attempt fails with it rather than with a copy. */
	permitError?: unknown;
	signal?: AbortSignal;
	resolve(info: WireInfo): void;
	reject(error: unknown): void;
}

interface PoolSpec {
	settings: ConnectionSettings;
	options: PoolOptions;
	tokens: () => TokenSource | undefined;
}

/** A message nodemailer's worker copy should not get: the caller's signal and progress stay on this side. */
type CallerMail = SendMailOptions & { signal?: AbortSignal };

/**
 * n8n's side of the delivery worker (delivery/worker.ts): starts it when a pool is first used, hands it
 * each attempt and answers what it asks (rate-limit permits, OAuth2 tokens). The worker keeps the process
 * alive only while an attempt is under way. If it stops, the attempts it had fail as a lost connection
 * and the next attempt starts a new one. With no pool open it ends, and starts again when one is.
 */
class WorkerChannel {
	private worker?: Worker;
	private readonly opened = new Set<string>();
	private readonly pools = new Map<string, PoolSpec>();
	private readonly attempts = new Map<number, Attempt>();
	private nextId = 0;
	private ending?: NodeJS.Timeout;

	definePool(key: string, spec: PoolSpec): void {
		this.pools.set(key, spec);
	}

	closePool(key: string): void {
		this.pools.delete(key);
		if (this.opened.delete(key)) this.post({ type: 'close', pool: key });
		this.endWhenIdle();
	}

	/** Called when a pool closes or an attempt ends: the last of either starts the countdown to end(). */
	private endWhenIdle(): void {
		if (!this.worker || this.opened.size > 0 || this.attempts.size > 0) return;
		clearTimeout(this.ending);
		this.ending = setTimeout(() => this.end(), IDLE_END_MS).unref();
	}

	/** Nothing is open or under way: the thread and its memory go until the next send. */
	private end(): void {
		const worker = this.worker;
		if (!worker || this.opened.size > 0 || this.attempts.size > 0) return;
		this.worker = undefined;
		void worker.terminate();
	}

	send(key: string, mail: CallerMail, progress: AttemptProgress, permit?: () => Promise<void>): Promise<WireInfo> {
		const spec = this.pools.get(key);
		if (!spec) return Promise.reject(new Error(`No pool ${key}`));
		this.start();
		if (!this.opened.has(key)) {
			this.opened.add(key);
			this.post({ type: 'open', pool: key, settings: spec.settings, options: spec.options });
		}
		const id = this.nextId++;
		const { signal, ...rest } = mail;
		return new Promise<WireInfo>((resolve, reject) => {
			const attempt: Attempt = { progress, permit, signal, resolve, reject };
			if (this.attempts.size === 0) this.worker!.ref();
			this.attempts.set(id, attempt);
			this.post({ type: 'send', id, pool: key, mail: rest, permit: permit !== undefined });
			if (signal?.aborted) this.post({ type: 'abort', id });
			else signal?.addEventListener('abort', () => this.attempts.has(id) && this.post({ type: 'abort', id }), { once: true });
		});
	}

	private start(): void {
		clearTimeout(this.ending);
		if (this.worker) return;
		const worker = new Worker(deliveryWorker.script, { resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
		worker.unref();
		worker.on('message', (message: FromWorker) => this.receive(message));
		worker.on('error', (error) => this.lost(worker, error));
		worker.on('exit', (code) => this.lost(worker, new Error(`The delivery worker exited with code ${code}`)));
		this.worker = worker;
	}

	private post(message: ToWorker): void {
		this.worker?.postMessage(message);
	}

	private settle(id: number): Attempt | undefined {
		const attempt = this.attempts.get(id);
		this.attempts.delete(id);
		if (attempt && this.attempts.size === 0) {
			this.worker?.unref();
			this.endWhenIdle();
		}
		return attempt;
	}

	private receive(message: FromWorker): void {
		switch (message.type) {
			case 'progress': {
				const progress = this.attempts.get(message.id)?.progress;
				if (progress) progress.dataStarted = true;
				return;
			}
			case 'sent': {
				const attempt = this.settle(message.id);
				if (!attempt) return;
				attempt.progress.envelope = message.envelope;
				attempt.progress.bodySent = message.bodySent;
				return attempt.resolve(message.info);
			}
			case 'failed': {
				const attempt = this.settle(message.id);
				if (!attempt) return;
				attempt.progress.envelope = message.envelope;
				attempt.progress.bodySent = message.bodySent;
				if (attempt.permitError !== undefined) return attempt.reject(attempt.permitError);
				const error = fromWire(message.error);
				// Aborted here: the reason is the caller's own object (a stop's diagnosis, a cancelled execution).
				if ((error as { code?: string }).code === 'EABORT' && attempt.signal?.aborted) error.cause = attempt.signal.reason;
				return attempt.reject(error);
			}
			case 'permit': {
				const attempt = this.attempts.get(message.id);
				if (!attempt?.permit) return this.post({ type: 'permit', id: message.id, granted: false });
				attempt.permit().then(
					() => this.post({ type: 'permit', id: message.id, granted: true }),
					(error: unknown) => {
						attempt.permitError = error;
						this.post({ type: 'permit', id: message.id, granted: false });
					},
				);
				return;
			}
			case 'token': {
				const tokens = this.pools.get(message.pool)?.tokens();
				const reply = (answer: { token?: string; error?: unknown }) =>
					this.post({ type: 'token', request: message.request, token: answer.token, error: answer.error === undefined ? undefined : toWire(answer.error) });
				if (!tokens) return reply({ error: new Error('No OAuth2 token source for this connection') });
				tokens.token(message.renew, message.refused).then(
					(token) => reply({ token }),
					(error: unknown) => reply({ error }),
				);
				return;
			}
		}
	}

	/** The worker stopped: what it had in hand may or may not have reached the server, as when a connection drops. */
	private lost(worker: Worker, cause: Error): void {
		if (this.worker !== worker) return;
		this.worker = undefined;
		this.opened.clear();
		for (const [id, attempt] of [...this.attempts]) {
			this.attempts.delete(id);
			attempt.reject(Object.assign(new Error(`Connection lost: the delivery worker stopped (${cause.message})`, { cause }), { code: 'ECONNECTION' }));
		}
	}
}

export const workerChannel = new WorkerChannel();
