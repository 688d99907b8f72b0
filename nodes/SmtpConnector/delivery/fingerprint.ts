import { createHash } from 'node:crypto';

/**
 * A stable hash of everything that decides which server, account and connection behaviour a pool
 * serves. Two executions share a pool only when every part matches; the secret goes in hashed.
 */
export function fingerprint(parts: unknown): string {
	return createHash('sha256').update(stableJson(parts)).digest('hex');
}

function stableJson(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
	if (value && typeof value === 'object') {
		const entries = Object.entries(value as Record<string, unknown>)
			.filter(([, v]) => v !== undefined)
			.sort(([a], [b]) => a.localeCompare(b));
		return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
	}
	return JSON.stringify(value) ?? 'null';
}
