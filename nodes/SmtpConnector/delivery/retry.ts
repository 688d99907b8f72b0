import { sleep } from './rateLimit';

export interface RetryPolicy {
	/** Further attempts after the first one. */
	retries: number;
	baseDelayMs: number;
	maxDelayMs: number;
	/** Resend a message whose connection dropped after the whole body went out but before the reply. */
	retryAmbiguous: boolean;
}

/**
 * permanent: the server refused (5xx) or the settings are wrong — the same message would fail again.
 * transient: 4xx, or the connection failed before the message was complete — safe to send again.
 * ambiguous: the connection failed after the whole message went out, before the server replied —
 *            the server may have accepted it, so sending again may deliver it twice.
 */
export type FailureClass = 'permanent' | 'transient' | 'ambiguous';

interface SmtpErrorLike {
	code?: string;
	responseCode?: number;
	originalCode?: string;
}

const CONNECTION_CODES = new Set(['ECONNECTION', 'ESOCKET', 'ETIMEDOUT']);
const SYSTEM_TRANSIENT = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
// Certificate, TLS-version and protocol mismatches are configuration: they do not heal by retrying.
const CONFIGURATION = /certificate|self[- ]signed|wrong version number|unsupported protocol|no protocols available|protocol version|STARTTLS/i;

export function classify(error: unknown, bodySent = false): FailureClass {
	const e = (error ?? {}) as SmtpErrorLike & { message?: string };
	if (e.responseCode !== undefined) {
		if (e.responseCode >= 400 && e.responseCode < 500) return 'transient';
		if (e.responseCode === 503) return 'transient';
		return 'permanent';
	}
	if (CONFIGURATION.test(e.message ?? '') || e.originalCode === 'EOAUTH2' || e.code === 'EOAUTH2') return 'permanent';
	// A host that does not resolve (ENOTFOUND) stays unresolved; a resolver that did not answer (EAI_AGAIN) may.
	if (e.code === 'EDNS') return e.originalCode === 'EAI_AGAIN' ? 'transient' : 'permanent';
	const connectionFailure = CONNECTION_CODES.has(e.code ?? '') || SYSTEM_TRANSIENT.has(e.originalCode ?? e.code ?? '');
	if (!connectionFailure) return 'permanent';
	return bodySent ? 'ambiguous' : 'transient';
}

/** Exponential backoff with full jitter: attempt 1 waits up to base, attempt 2 up to 2×base, … */
export function backoffMs(policy: RetryPolicy, attempt: number, random = Math.random): number {
	const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
	return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export async function waitBeforeRetry(policy: RetryPolicy, attempt: number, signal?: AbortSignal) {
	await sleep(backoffMs(policy, attempt), signal);
}
