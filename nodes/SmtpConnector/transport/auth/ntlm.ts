import { createHmac, randomBytes } from 'node:crypto';
import type { SMTPConnectionCustomAuthContext } from 'nodemailer/lib/smtp-connection';

import { md4 } from './md4';
import { loginRefused } from './saslReply';

/** NTLMv2 as specified in [MS-NLMP]; only what an SMTP login needs (no signing or sealing). */

const SIGNATURE = Buffer.from('NTLMSSP\0', 'latin1');
const FLAGS = {
	unicode: 0x00000001,
	oem: 0x00000002,
	requestTarget: 0x00000004,
	ntlm: 0x00000200,
	alwaysSign: 0x00008000,
	extendedSessionSecurity: 0x00080000,
	targetInfo: 0x00800000,
	bits128: 0x20000000,
	bits56: 0x80000000,
};
const CLIENT_FLAGS =
	FLAGS.unicode | FLAGS.oem | FLAGS.requestTarget | FLAGS.ntlm | FLAGS.alwaysSign |
	FLAGS.extendedSessionSecurity | FLAGS.bits128 | FLAGS.bits56;
const AV_EOL = 0;
const AV_TIMESTAMP = 7;
/** 100 ns intervals between 1601-01-01 (FILETIME's epoch) and 1970-01-01. */
const FILETIME_UNIX_EPOCH = 116444736000000000n;

const hmacMd5 = (key: Buffer, ...data: Buffer[]) => {
	const hmac = createHmac('md5', key);
	for (const part of data) hmac.update(part);
	return hmac.digest();
};
const utf16 = (value: string) => Buffer.from(value, 'utf16le');

/** NTOWFv2 ([MS-NLMP] 3.3.2): the key every NTLMv2 response is made with. */
export function ntowfV2(password: string, user: string, domain: string): Buffer {
	return hmacMd5(md4(utf16(password)), utf16(user.toUpperCase() + domain));
}

/** NTLMv2 and LMv2 responses ([MS-NLMP] 3.3.2) for a server challenge. */
export function ntlmV2Responses(input: {
	key: Buffer;
	serverChallenge: Buffer;
	clientChallenge: Buffer;
	timestamp: Buffer;
	targetInfo: Buffer;
}) {
	const { key, serverChallenge, clientChallenge, timestamp, targetInfo } = input;
	const temp = Buffer.concat([
		Buffer.from([1, 1, 0, 0, 0, 0, 0, 0]),
		timestamp,
		clientChallenge,
		Buffer.alloc(4),
		targetInfo,
		Buffer.alloc(4),
	]);
	const ntProof = hmacMd5(key, serverChallenge, temp);
	return {
		nt: Buffer.concat([ntProof, temp]),
		lm: Buffer.concat([hmacMd5(key, serverChallenge, clientChallenge), clientChallenge]),
	};
}

export function negotiateMessage(): Buffer {
	const message = Buffer.alloc(32);
	SIGNATURE.copy(message);
	message.writeUInt32LE(1, 8);
	message.writeUInt32LE(CLIENT_FLAGS >>> 0, 12);
	message.writeUInt32LE(32, 20); // empty domain and workstation, both at the end of the message
	message.writeUInt32LE(32, 28);
	return message;
}

export interface Challenge {
	flags: number;
	serverChallenge: Buffer;
	targetInfo: Buffer;
	/** MsvAvTimestamp, when the server sends one: the response must then use it. */
	timestamp?: Buffer;
}

/** A CHALLENGE_MESSAGE ([MS-NLMP] 2.2.1.2), or undefined when the bytes are not one. */
export function parseChallenge(message: Buffer): Challenge | undefined {
	if (message.length < 32 || !message.subarray(0, 8).equals(SIGNATURE) || message.readUInt32LE(8) !== 2) return undefined;
	const flags = message.readUInt32LE(20);
	let targetInfo: Buffer = Buffer.alloc(0);
	if (flags & FLAGS.targetInfo && message.length >= 48) {
		const length = message.readUInt16LE(40);
		const offset = message.readUInt32LE(44);
		if (offset + length > message.length) return undefined;
		targetInfo = message.subarray(offset, offset + length);
	}
	return { flags, serverChallenge: message.subarray(24, 32), targetInfo, timestamp: avPair(targetInfo, AV_TIMESTAMP) };
}

function avPair(targetInfo: Buffer, wanted: number): Buffer | undefined {
	for (let at = 0; at + 4 <= targetInfo.length; ) {
		const id = targetInfo.readUInt16LE(at);
		const length = targetInfo.readUInt16LE(at + 2);
		if (id === AV_EOL) return undefined;
		if (id === wanted) return targetInfo.subarray(at + 4, at + 4 + length);
		at += 4 + length;
	}
	return undefined;
}

/**
 * `DOMAIN\user` names the domain; `user@domain` (UPN) and a bare name go as they are with no domain.
 * The domain is sent in upper case and hashed as sent: Windows hashes what the message carries, and
 * Cyrus SASL (Postfix relays) upper-cases it before hashing.
 */
export function splitAccount(account: string): { user: string; domain: string } {
	const slash = account.indexOf('\\');
	if (slash < 0) return { user: account, domain: '' };
	return { user: account.slice(slash + 1), domain: account.slice(0, slash).toUpperCase() };
}

export function authenticateMessage(challenge: Challenge, account: string, password: string, clientChallenge = randomBytes(8)): Buffer {
	const { user, domain } = splitAccount(account);
	const timestamp = challenge.timestamp ?? filetimeNow();
	const { nt, lm } = ntlmV2Responses({
		key: ntowfV2(password, user, domain),
		serverChallenge: challenge.serverChallenge,
		clientChallenge,
		timestamp,
		targetInfo: challenge.targetInfo,
	});
	const unicode = (challenge.flags & FLAGS.unicode) !== 0;
	const encode = (value: string) => Buffer.from(value, unicode ? 'utf16le' : 'latin1');
	// With a server timestamp the LMv2 response must be zeros ([MS-NLMP] 3.1.5.1.2).
	const fields = [challenge.timestamp ? Buffer.alloc(24) : lm, nt, encode(domain), encode(user), Buffer.alloc(0), Buffer.alloc(0)];
	const header = Buffer.alloc(64);
	SIGNATURE.copy(header);
	header.writeUInt32LE(3, 8);
	let offset = header.length;
	fields.forEach((field, i) => {
		header.writeUInt16LE(field.length, 12 + i * 8);
		header.writeUInt16LE(field.length, 14 + i * 8);
		header.writeUInt32LE(offset, 16 + i * 8);
		offset += field.length;
	});
	header.writeUInt32LE((challenge.flags & CLIENT_FLAGS & ~(unicode ? FLAGS.oem : FLAGS.unicode)) >>> 0, 60);
	return Buffer.concat([header, ...fields]);
}

function filetimeNow(): Buffer {
	const timestamp = Buffer.alloc(8);
	timestamp.writeBigUInt64LE(BigInt(Date.now()) * 10000n + FILETIME_UNIX_EPOCH);
	return timestamp;
}

const decode = (text: string) => Buffer.from(text.trim(), 'base64');

/** SASL NTLM for nodemailer's custom-auth hook: on-prem Exchange and Cyrus-SASL relays ask for it. */
export function ntlmAuth() {
	return async (ctx: SMTPConnectionCustomAuthContext) => {
		const { user, pass } = ctx.auth.credentials;
		const negotiate = negotiateMessage().toString('base64');
		let reply = await ctx.sendCommand(`AUTH NTLM ${negotiate}`);
		if (reply.status !== 334) return ctx.reject(loginRefused(reply));
		let challenge = parseChallenge(decode(reply.text));
		if (!challenge) {
			// Servers that do not take an initial response answer "334 NTLM supported" and wait for it.
			reply = await ctx.sendCommand(negotiate);
			if (reply.status !== 334) return ctx.reject(loginRefused(reply));
			challenge = parseChallenge(decode(reply.text));
		}
		if (!challenge) return ctx.reject(`NTLM: the server's challenge is not an NTLM message: ${reply.response}`);
		const done = await ctx.sendCommand(authenticateMessage(challenge, user, pass).toString('base64'));
		if (done.status !== 235) return ctx.reject(loginRefused(done));
		ctx.resolve();
	};
}
