import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { SendMailOptions } from 'nodemailer';

import type { TokenSource } from '../transport/auth/tokens';
import type { ConnectionSettings } from '../transport/settings';
import { Stage, StageBoard, type StageCell, type StageValue } from './stage';
import { fromWire, toWire, type FromWorker, type PoolOptions, type ToWorker, type WireEnvelope, type WireInfo, type WireRate } from './wire';

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

/** What the delivery layer learns about one attempt, once it ended. */
export interface AttemptProgress {
	/** How far the attempt got on its connection (delivery/stage.ts), as the delivery thread wrote it. */
	stage: StageValue;
	/** The server's answer to each RCPT TO, as the connection recorded it (accepted, rejectedErrors). */
	envelope?: WireEnvelope;
}

export interface AttemptOptions {
	/** The attempt takes a rate-limit permit once a connection is ready to send it. */
	rate?: WireRate;
	/** Withdraws the attempt while no connection has taken it; the mail's own signal ends it unless its final dot is out. */
	withdrawal?: AbortSignal;
}

interface Attempt {
	progress: AttemptProgress;
	cell: StageCell;
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
 * each attempt and answers what it asks (OAuth2 tokens); the attempt's stage comes through shared
 * memory, its end in one message. The worker keeps the process alive only while an attempt is under
 * way. If it stops, each attempt it had ends by its last stage: before the final dot as a lost
 * connection that delivered nothing, after it as one that may have; the next attempt starts a new
 * worker. With no pool open it ends, and starts again when one is.
 */
class WorkerChannel {
	private worker?: Worker;
	private readonly opened = new Set<string>();
	private readonly pools = new Map<string, PoolSpec>();
	private readonly attempts = new Map<number, Attempt>();
	private readonly stages = new StageBoard();
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

	/** A pool's connections follow `options` from the next message on (the lowest of the executions using it). */
	tunePool(key: string, options: PoolOptions): void {
		const spec = this.pools.get(key);
		if (!spec) return;
		spec.options = options;
		if (this.opened.has(key)) this.open(key, spec);
	}

	private open(key: string, spec: PoolSpec): void {
		this.opened.add(key);
		this.post({ type: 'open', pool: key, settings: spec.settings, options: spec.options });
	}

	send(key: string, mail: CallerMail, progress: AttemptProgress, { rate, withdrawal }: AttemptOptions = {}): Promise<WireInfo> {
		const spec = this.pools.get(key);
		if (!spec) return Promise.reject(new Error(`No pool ${key}`));
		this.start();
		if (!this.opened.has(key)) this.open(key, spec);
		const id = this.nextId++;
		const { signal, ...rest } = mail;
		const { cell, added } = this.stages.take();
		if (added) this.post({ type: 'stages', buffers: this.stages.buffers });
		progress.stage = Stage.queued;
		return new Promise<WireInfo>((resolve, reject) => {
			if (this.attempts.size === 0) this.worker!.ref();
			this.attempts.set(id, { progress, cell, signal, resolve, reject });
			this.post({ type: 'send', id, pool: key, mail: rest, stage: cell, ...(rate ? { rate } : {}) });
			this.forwardAbort(id, signal, Stage.dot);
			this.forwardAbort(id, withdrawal, Stage.envelope);
		});
	}

	/** Asks the worker to end attempt `id` when `signal` aborts, if it has not reached `before` by then (the worker knows). */
	private forwardAbort(id: number, signal: AbortSignal | undefined, before: StageValue): void {
		if (!signal) return;
		if (signal.aborted) return this.post({ type: 'abort', id, before });
		signal.addEventListener('abort', () => this.attempts.has(id) && this.post({ type: 'abort', id, before }), { once: true });
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
		if (this.stages.buffers.length) this.post({ type: 'stages', buffers: this.stages.buffers });
	}

	private post(message: ToWorker): void {
		this.worker?.postMessage(message);
	}

	/** The attempt ended: its stage is read where the worker left it, and its cell goes back. */
	private settle(id: number): Attempt | undefined {
		const attempt = this.attempts.get(id);
		if (!attempt) return undefined;
		this.attempts.delete(id);
		attempt.progress.stage = this.stages.read(attempt.cell);
		this.stages.give(attempt.cell);
		if (this.attempts.size === 0) {
			this.worker?.unref();
			this.endWhenIdle();
		}
		return attempt;
	}

	private receive(message: FromWorker): void {
		switch (message.type) {
			case 'sent': {
				const attempt = this.settle(message.id);
				if (!attempt) return;
				attempt.progress.envelope = message.envelope;
				return attempt.resolve(message.info);
			}
			case 'failed': {
				const attempt = this.settle(message.id);
				if (!attempt) return;
				attempt.progress.envelope = message.envelope;
				const error = fromWire(message.error);
				// Aborted here: the reason is the caller's own object (a stop's diagnosis, a cancelled execution).
				if ((error as { code?: string }).code === 'EABORT' && attempt.signal?.aborted) error.cause = attempt.signal.reason;
				return attempt.reject(error);
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

	/** The worker stopped: each attempt it had ends by its last stage, as when a connection drops there. */
	private lost(worker: Worker, cause: Error): void {
		if (this.worker !== worker) return;
		this.worker = undefined;
		this.opened.clear();
		for (const id of [...this.attempts.keys()]) {
			const attempt = this.settle(id)!;
			attempt.reject(Object.assign(new Error(`Connection lost: the delivery worker stopped (${cause.message})`, { cause }), { code: 'ECONNECTION' }));
		}
	}

	/** The running worker, for tests that stop it mid-attempt. */
	get currentWorker(): Worker | undefined {
		return this.worker;
	}
}

export const workerChannel = new WorkerChannel();
