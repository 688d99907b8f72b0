import type { SendMailOptions } from 'nodemailer';

import type { TokenSource } from '../transport/auth/tokens';
import type { ConnectionSettings } from '../transport/settings';
import { fingerprint } from './fingerprint';
import type { PoolOptions, WireEnvelope, WireInfo } from './wire';
import { workerChannel, type AttemptOptions, type AttemptProgress as SendProgress } from './workerChannel';

export type { PoolOptions } from './wire';
export type { AttemptProgress as SendProgress } from './workerChannel';

/** The server's answer to each RCPT TO of one attempt, also when the message failed later (at DATA or the final dot). */
export interface RcptResults {
	accepted: string[];
	rejected: Array<{ recipient: string; response: string; responseCode?: number }>;
}

/** nodemailer's per-recipient errors, as the delivery layer reads them. */
export const rcptRefusals = (errors: WireEnvelope['rejectedErrors']): RcptResults['rejected'] =>
	(errors ?? []).map((e) => ({ recipient: e.recipient ?? '', response: e.response ?? '', responseCode: e.responseCode }));

export function rcptResultsOf(progress: SendProgress): RcptResults | undefined {
	const envelope = progress.envelope;
	if (!envelope?.accepted) return undefined;
	return { accepted: [...envelope.accepted], rejected: rcptRefusals(envelope.rejectedErrors) };
}

interface PoolEntry {
	key: string;
	/** This pool's connections in the delivery worker; a pool made again for the same key gets its own. */
	workerPool: string;
	/** Access tokens for XOAUTH2 logins, from the execution that leased the pool last. */
	tokens?: TokenSource;
	users: number;
	/** The pool options each execution holding the pool asked for; the lowest of them apply. */
	asked: Map<number, PoolOptions>;
	options: PoolOptions;
	idleTimer?: NodeJS.Timeout;
	retired: boolean;
}

/** How long a pool nobody uses stays open for the next execution. */
export const poolTuning = { idleMs: 30_000 };

const pools = new Map<string, PoolEntry>();
/** The pool each credential used last, so a changed credential retires the pool of its old settings. */
const poolOfCredential = new Map<string, string>();
let poolsMade = 0;
let leasesMade = 0;

/** The lowest of what the holders asked for: a node that allows fewer connections is never overrun by another on the same account. */
function lowest(asked: Iterable<PoolOptions>, fallback: PoolOptions): PoolOptions {
	let options: PoolOptions | undefined;
	for (const o of asked) {
		options = options
			? { maxConnections: Math.min(options.maxConnections, o.maxConnections), maxMessagesPerConnection: Math.min(options.maxMessagesPerConnection, o.maxMessagesPerConnection) }
			: o;
	}
	return options ?? fallback;
}

function tune(entry: PoolEntry): void {
	const options = lowest(entry.asked.values(), entry.options);
	if (options.maxConnections === entry.options.maxConnections && options.maxMessagesPerConnection === entry.options.maxMessagesPerConnection) return;
	entry.options = options;
	workerChannel.tunePool(entry.workerPool, options);
}

/** The host process is ending: a pool closes when its last user is done, not after an idle time. */
let shuttingDown = false;

/**
 * n8n gives nodes no shutdown hook. Where the host process handles SIGTERM / SIGINT itself (n8n does,
 * and waits for running executions until its graceful-shutdown time is up), idle pools close at once,
 * saying QUIT, and pools in use keep sending for their executions; where nothing handles the signals,
 * none is added, so the default (exit at once) stays as it is.
 */
let closeOnShutdown = () => {
	closeOnShutdown = () => {};
	for (const signal of ['SIGTERM', 'SIGINT'] as const) {
		if (process.listenerCount(signal) > 0) process.once(signal, drainOnShutdown);
	}
};

function drainOnShutdown() {
	shuttingDown = true;
	for (const entry of [...pools.values()]) if (entry.users === 0) close(entry);
}

function close(entry: PoolEntry) {
	clearTimeout(entry.idleTimer);
	if (pools.get(entry.key) === entry) pools.delete(entry.key);
	workerChannel.closePool(entry.workerPool);
}

/** A hold on a warm pool for the length of one execution. */
export interface PoolLease {
	readonly key: string;
	/**
	 * Sends this attempt of a message through the delivery worker; `progress` (an object made for the
	 * attempt) tells how it ended.
	 */
	send(mail: SendMailOptions, progress: SendProgress, options?: AttemptOptions): Promise<WireInfo>;
	/** Ends the hold; with `closeIfUnused` (a cancelled execution) an otherwise idle pool closes at once. */
	release(options?: { closeIfUnused?: boolean }): void;
}

/**
 * Leases the process-wide pool for these settings, creating it on first use. Pools are keyed by a
 * fingerprint of the connection settings (secret included, hashed), so one credential's connections
 * never carry another's mail, and executions with other pool options share the pool (at the lowest
 * options of those holding it); idle pools close after poolTuning.idleMs.
 */
export function leasePool(
	settings: ConnectionSettings,
	options: PoolOptions,
	credentialId?: string,
	tokens?: TokenSource,
): PoolLease {
	const { host, port, security, tls, auth, clientHostname, timeoutsMs, proxy } = settings;
	const key = fingerprint({ host: host.toLowerCase(), port, security, tls, auth, clientHostname, timeoutsMs, proxy });
	let entry = pools.get(key);
	closeOnShutdown();
	if (!entry) {
		const created: PoolEntry = { key, workerPool: `${key}:${++poolsMade}`, users: 0, asked: new Map(), options, retired: false };
		// The connections live in the delivery worker; this side keeps who uses them and when they close.
		workerChannel.definePool(created.workerPool, { settings, options, tokens: () => created.tokens });
		entry = created;
		pools.set(key, entry);
	}
	if (tokens) entry.tokens = tokens;
	if (credentialId) {
		const previous = poolOfCredential.get(credentialId);
		if (previous && previous !== key) retire(previous);
		poolOfCredential.set(credentialId, key);
	}
	const held = entry;
	clearTimeout(held.idleTimer);
	held.users++;
	const lease = ++leasesMade;
	held.asked.set(lease, options);
	tune(held);
	let released = false;
	return {
		key,
		send: (mail, progress, attempt) => workerChannel.send(held.workerPool, mail, progress, attempt),
		release({ closeIfUnused = false } = {}) {
			if (released) return;
			released = true;
			held.users--;
			held.asked.delete(lease);
			tune(held);
			if (held.users > 0) return;
			if (held.retired || closeIfUnused || shuttingDown) close(held);
			else held.idleTimer = setTimeout(() => close(held), poolTuning.idleMs).unref();
		},
	};
}

/** The credential changed: its old pool takes no new work and closes once its last user is done. */
function retire(key: string) {
	const entry = pools.get(key);
	if (!entry) return;
	entry.retired = true;
	pools.delete(key);
	if (entry.users === 0) close(entry);
}

/** Closes every pool at once, also those in use (tests). */
export function closeAllPools() {
	for (const entry of [...pools.values()]) close(entry);
	poolOfCredential.clear();
}

export function openPoolCount(): number {
	return pools.size;
}
