export interface RetryPolicy {
	/** Further attempts after the first one. */
	retries: number;
	baseDelayMs: number;
	maxDelayMs: number;
	/** Resend a message whose connection dropped after the whole body went out but before the reply. */
	retryAmbiguous: boolean;
}

/** Exponential backoff with full jitter: attempt 1 waits up to base, attempt 2 up to 2×base, … */
export function backoffMs(policy: RetryPolicy, attempt: number, random = Math.random): number {
	const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
	return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

