import { randomUUID } from 'node:crypto';

import type Redis from 'ioredis';

import type { RedisSettings } from '../transport/settings';
import { hashedKey, type Claim, type KeyStore } from './idempotency';
import { withRedis } from './redis';

/**
 * How long a claim holds its key past its last renewal. The claim is renewed every third of this while its
 * send runs, so it lapses only when its process died mid-send (or could not reach Redis for this long).
 */
export const idempotencyTuning = { holdMs: 15 * 60_000 };

// Claims when the key is free (or ended unknown and ARGV[3] = '1'); else returns the key's value and its time to live.
const CLAIM_LUA = `
local v = redis.call('GET', KEYS[1])
if v then
  local s = cjson.decode(v)
  if not (s.state == 'unknown' and ARGV[3] == '1') then return {v, redis.call('PTTL', KEYS[1])} end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false
`;
// Extends the hold only while the value is still this claim's send (ARGV[1] is its token).
const RENEW_LUA = `
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
local s = cjson.decode(v)
if s.token ~= ARGV[1] or s.state ~= 'sending' then return 0 end
return redis.call('PEXPIRE', KEYS[1], ARGV[2])
`;
// Replaces (ARGV[2] set) or deletes the value unless another claim or record holds the key (0). A claim that
// lapsed with no other run taking the key is written all the same: no one else can have sent under it.
const SETTLE_LUA = `
local v = redis.call('GET', KEYS[1])
if v and cjson.decode(v).token ~= ARGV[1] then return 0 end
if ARGV[2] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
return 1
`;

const TAKEN_BY_ANOTHER_RUN =
	"the key's claim lapsed before this send ended and another run holds the key now, so this send was not recorded: that run may send the mail too";

type KeyClient = Redis & {
	smtpConnectorClaim(key: string, value: string, holdMs: string, retryUnknown: string): Promise<[string, number] | null>;
	smtpConnectorRenew(key: string, token: string, holdMs: string): Promise<number>;
	smtpConnectorSettle(key: string, token: string, value: string, keepMs: string): Promise<number>;
};

const scripted = new WeakSet<Redis>();

function keyClient(client: Redis): KeyClient {
	if (!scripted.has(client)) {
		client.defineCommand('smtpConnectorClaim', { numberOfKeys: 1, lua: CLAIM_LUA });
		client.defineCommand('smtpConnectorRenew', { numberOfKeys: 1, lua: RENEW_LUA });
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

/** Calls `renew` every `everyMs` until stopped, or until `renew` finds the claim is not this run's any more. */
function renewEvery(everyMs: number, renew: () => Promise<boolean>): () => Promise<void> {
	let renewing: Promise<void> | undefined;
	const timer = setInterval(() => {
		// A renewal Redis did not answer is tried again at the next tick, while the hold still runs.
		renewing ??= renew()
			.then(
				(held) => {
					if (!held) clearInterval(timer);
				},
				() => {},
			)
			.finally(() => (renewing = undefined));
	}, everyMs);
	return async () => {
		clearInterval(timer);
		await renewing;
	};
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
		const redisKey = `${this.store.keyPrefix}idem:${this.scope}:${hashedKey(key)}`;
		const token = randomUUID();
		const holdMs = idempotencyTuning.holdMs;
		const claimed: StoredValue = { state: 'sending', token, since: new Date().toISOString() };
		const run = async <T>(command: (client: KeyClient) => Promise<T>, withinMs?: number) =>
			await withRedis(this.store, async (client) => await command(keyClient(client)), undefined, withinMs);
		const existing = await run(async (c) => await c.smtpConnectorClaim(redisKey, JSON.stringify(claimed), String(holdMs), retryUnknown ? '1' : '0'));
		if (existing) {
			const [stored, ttlMs] = existing;
			const value = JSON.parse(stored) as StoredValue;
			if (value.state === 'sending') return { kind: 'held', since: value.since, freeAt: new Date(Date.now() + Math.max(0, ttlMs)).toISOString() };
			return { kind: 'sent', store: 'Redis', record: { outcome: value.state, sentAt: value.sentAt ?? '', messageId: value.messageId, accepted: value.accepted } };
		}
		const settle = async (value: string) => await run(async (c) => await c.smtpConnectorSettle(redisKey, token, value, String(this.keepMs)));
		const renewEveryMs = Math.max(1, Math.floor(holdMs / 3));
		const renew = async () => (await run(async (c) => await c.smtpConnectorRenew(redisKey, token, String(holdMs)), renewEveryMs)) === 1;
		return {
			kind: 'claimed',
			holding: async (send) => {
				const stopRenewing = renewEvery(renewEveryMs, renew);
				try {
					return await send();
				} finally {
					await stopRenewing();
				}
			},
			record: async (sent) => {
				const value: StoredValue = { state: sent.outcome, token, sentAt: sent.sentAt, messageId: sent.messageId, accepted: sent.accepted };
				return (await settle(JSON.stringify(value))) === 1 ? undefined : TAKEN_BY_ANOTHER_RUN;
			},
			release: async () => void (await settle('')),
		};
	}
}
