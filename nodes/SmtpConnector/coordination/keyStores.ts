import type { IExecuteFunctions } from 'n8n-workflow';

import type { RedisSettings } from '../transport/settings';
import type { KeyStore } from './idempotency';
import { N8nKeyStore } from './n8nKeyStore';
import { RedisKeyStore } from './redisKeyStore';

/** The store for this node's keys: the credential's Shared Limits Redis, else n8n's database. */
export function keyStoreFor(ctx: IExecuteFunctions, store: RedisSettings | undefined, keepDays: number): KeyStore {
	const scope = `${ctx.getWorkflow().id ?? 'unsaved'}:${ctx.getNode().id}`;
	return store ? new RedisKeyStore(store, scope, Math.max(1, keepDays) * 86_400_000) : new N8nKeyStore(ctx, scope);
}
