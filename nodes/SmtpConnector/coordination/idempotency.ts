import { createHash, randomUUID } from 'node:crypto';

import type Redis from 'ioredis';
import type { IExecuteFunctions } from 'n8n-workflow';

import type { RedisSettings } from '../transport/settings';
import { withRedis } from './redis';

/** What a key's earlier send left: the mail went out, or its end is unknown (lost after the final dot). */
export interface SentRecord {
	outcome: 'sent' | 'unknown';
	sentAt: string;
	messageId?: string;
	accepted?: string[];
}

/** The answer to a claim: ours to send, sent before (with what is known of it), or held by a send that is under way. */
export type Claim =
	| { kind: 'claimed'; record(sent: SentRecord): Promise<void>; release(): Promise<void> }
	| { kind: 'sent'; record?: SentRecord; store: string }
	| { kind: 'held'; since?: string; freeAt?: string };

export interface KeyStore {
	/** Claims `key` atomically; an earlier send that ended unknown is claimed again only with `retryUnknown`. */
	claim(key: string, options: { retryUnknown: boolean }): Promise<Claim>;
}

/** How long a claim holds a key when its process dies mid-send; a retry before then is told the key is held. */
const idempotencyTuning = { holdMs: 15 * 60_000 };

const hashed = (value: string) => createHash('sha256').update(value).digest('hex');

// Claims when the key is free (or ended unknown and ARGV[3] = '1'); else returns the key's value.
const CLAIM_LUA = `
local v = redis.call('GET', KEYS[1])
if v then
  local s = cjson.decode(v)
  if not (s.state == 'unknown' and ARGV[3] == '1') then return v end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false
`;
// Replaces (ARGV[2] set) or deletes the value only while it is still this claim (ARGV[1] is its token).
const SETTLE_LUA = `
local v = redis.call('GET', KEYS[1])
if not v or cjson.decode(v).token ~= ARGV[1] then return 0 end
if ARGV[2] == '' then return redis.call('DEL', KEYS[1]) end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
`;

type KeyClient = Redis & {
	smtpConnectorClaim(key: string, value: string, holdMs: string, retryUnknown: string): Promise<string | null>;
	smtpConnectorSettle(key: string, token: string, value: string, keepMs: string): Promise<number>;
};

const scripted = new WeakSet<Redis>();

function keyClient(client: Redis): KeyClient {
	if (!scripted.has(client)) {
		client.defineCommand('smtpConnectorClaim', { numberOfKeys: 1, lua: CLAIM_LUA });
		client.defineCommand('smtpConnectorSettle', { numberOfKeys: 1, lua: SETTLE_LUA });
		scripted.add(client);
	}
	return client as KeyClient;
}

interface StoredValue {
	state: 'sending' | 'sent' | 'unknown';
	token?: string;
	since?: string;
	sentAt?: string;
	messageId?: string;
	accepted?: string[];
}

/** Keys in the Redis of Shared Limits: one value per key, its state, when, and the Message-ID. */
export class RedisKeyStore implements KeyStore {
	constructor(
		private readonly store: RedisSettings,
		/** Keys of one workflow's node: the same key in two workflows names two mails. */
		private readonly scope: string,
		private readonly keepMs: number,
	) {}

	async claim(key: string, { retryUnknown }: { retryUnknown: boolean }): Promise<Claim> {
		const redisKey = `${this.store.keyPrefix}idem:${this.scope}:${hashed(key)}`;
		const token = randomUUID();
		const since = new Date().toISOString();
		const claimed: StoredValue = { state: 'sending', token, since };
		const run = async <T>(command: (client: KeyClient) => Promise<T>) => await withRedis(this.store, async (client) => await command(keyClient(client)));
		const existing = await run(async (c) => await c.smtpConnectorClaim(redisKey, JSON.stringify(claimed), String(idempotencyTuning.holdMs), retryUnknown ? '1' : '0'));
		if (existing) {
			const value = JSON.parse(existing) as StoredValue;
			if (value.state === 'sending') {
				return { kind: 'held', since: value.since, freeAt: value.since && new Date(Date.parse(value.since) + idempotencyTuning.holdMs).toISOString() };
			}
			return { kind: 'sent', store: 'Redis', record: { outcome: value.state, sentAt: value.sentAt ?? '', messageId: value.messageId, accepted: value.accepted } };
		}
		const settle = async (value: string) => void (await run(async (c) => await c.smtpConnectorSettle(redisKey, token, value, String(this.keepMs))));
		return {
			kind: 'claimed',
			record: async (sent) => await settle(JSON.stringify({ state: sent.outcome, token, sentAt: sent.sentAt, messageId: sent.messageId, accepted: sent.accepted } satisfies StoredValue)),
			release: async () => await settle(''),
		};
	}
}

/** Calls into n8n's store for one workflow, one after another: it reads and rewrites a single row per node. */
const n8nStoreTurns = new Map<string, Promise<unknown>>();

/**
 * n8n's own deduplication store (`helpers.checkProcessedAndRecord`), in n8n's database: it keeps that a key
 * was used, not when or which Message-ID, and keeps the newest 10,000 keys per node. It cannot tell a send
 * under way from a finished one, and two n8n processes can both claim a key at the same moment: for queue
 * mode, use Shared Limits in Redis.
 */
export class N8nKeyStore implements KeyStore {
	static readonly MAX_KEYS = 10_000;

	constructor(
		private readonly ctx: IExecuteFunctions,
		private readonly scope: string,
	) {}

	async claim(key: string): Promise<Claim> {
		const entry = hashed(key);
		const options = { mode: 'entries' as const, maxEntries: N8nKeyStore.MAX_KEYS };
		const result = await this.inTurn(async () => await this.ctx.helpers.checkProcessedAndRecord([entry], 'node', options));
		if (!result.new.length) return { kind: 'sent', store: "n8n's database" };
		return {
			kind: 'claimed',
			record: async () => {},
			release: async () => await this.inTurn(async () => await this.ctx.helpers.removeProcessed([entry], 'node', options)),
		};
	}

	private async inTurn<T>(call: () => Promise<T>): Promise<T> {
		const previous = n8nStoreTurns.get(this.scope) ?? Promise.resolve();
		const turn = previous.then(call, call);
		n8nStoreTurns.set(this.scope, turn.catch(() => {}));
		return await turn;
	}
}

/** The key is claimed by a send under way (or by a process that died mid-send): the mail is not sent a second time. */
export class IdempotencyKeyHeld extends Error {
	constructor(
		readonly key: string,
		readonly since?: string,
		readonly freeAt?: string,
	) {
		super(`Idempotency key "${key}" is held`);
		this.name = 'IdempotencyKeyHeld';
	}
}

/** The store for this node's keys: the credential's Shared Limits Redis, else n8n's database. */
export function keyStoreFor(ctx: IExecuteFunctions, store: RedisSettings | undefined, keepDays: number): KeyStore {
	const scope = `${ctx.getWorkflow().id ?? 'unsaved'}:${ctx.getNode().id}`;
	return store ? new RedisKeyStore(store, scope, Math.max(1, keepDays) * 86_400_000) : new N8nKeyStore(ctx, scope);
}
