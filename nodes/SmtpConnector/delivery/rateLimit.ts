/**
 * Messages per second / minute for one sending identity. Throttling waits; it never fails a message.
 * The limiter is per process (each n8n worker in queue mode has its own); a shared backend (Redis…)
 * can implement the same interface.
 */
export interface RateLimit {
	perSecond?: number;
	perMinute?: number;
}

export interface RateLimiter {
	/** Resolves when one more message may be sent under `key`'s limit; rejects only when `signal` aborts. */
	acquire(key: string, limit: RateLimit, signal?: AbortSignal): Promise<void>;
}

const WINDOWS = [
	{ field: 'perSecond', ms: 1000 },
	{ field: 'perMinute', ms: 60_000 },
] as const;

/** Sliding-window limiter kept in this process's memory. */
export class InProcessRateLimiter implements RateLimiter {
	private readonly sent = new Map<string, number[]>();
	private readonly queues = new Map<string, Promise<void>>();

	async acquire(key: string, limit: RateLimit, signal?: AbortSignal): Promise<void> {
		if (!limit.perSecond && !limit.perMinute) return;
		// One waiter at a time per key, so the waiters leave in the order they came.
		const previous = this.queues.get(key) ?? Promise.resolve();
		const turn = previous.then(() => this.waitForSlot(key, limit, signal));
		this.queues.set(key, turn.catch(() => {}));
		return await turn;
	}

	private async waitForSlot(key: string, limit: RateLimit, signal?: AbortSignal): Promise<void> {
		for (;;) {
			signal?.throwIfAborted();
			const now = Date.now();
			const keepMs = limit.perMinute ? 60_000 : 1000;
			const times = (this.sent.get(key) ?? []).filter((t) => now - t < keepMs);
			let waitMs = 0;
			for (const { field, ms } of WINDOWS) {
				const max = limit[field];
				if (!max) continue;
				const inWindow = times.filter((t) => now - t < ms);
				if (inWindow.length >= max) waitMs = Math.max(waitMs, inWindow[inWindow.length - max] + ms - now);
			}
			if (waitMs <= 0) {
				times.push(now);
				this.sent.set(key, times);
				return;
			}
			await sleep(waitMs, signal);
		}
	}
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
	return new Promise((resolve, reject) => {
		if (signal?.aborted) return reject(signal.reason);
		const timer = setTimeout(() => {
			signal?.removeEventListener('abort', onAbort);
			resolve();
		}, ms);
		const onAbort = () => {
			clearTimeout(timer);
			reject(signal?.reason);
		};
		signal?.addEventListener('abort', onAbort, { once: true });
	});
}

export const defaultRateLimiter: RateLimiter = new InProcessRateLimiter();
