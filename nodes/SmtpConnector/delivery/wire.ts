import type { SendMailOptions } from 'nodemailer';

import { SharedStoreUnavailable } from '../coordination/redis';
import type { ConnectionSettings, RedisSettings } from '../transport/settings';
import { SmtpUtf8Missing } from '../transport/smtpUtf8';
import type { RateLimit } from './rateLimit';
import type { StageCell, StageValue } from './stage';

/** How a pool's connections are set up: the same for the pool's key on both sides. */
export interface PoolOptions {
	maxConnections: number;
	maxMessagesPerConnection: number;
}

/** An error as it crosses between n8n's thread and the delivery worker: its message, name, own fields and cause. */
export interface WireError {
	name: string;
	message: string;
	stack?: string;
	fields: Record<string, unknown>;
	cause?: WireError;
}

/** The server's answers to RCPT TO for one attempt, as nodemailer's connection kept them on the envelope. */
export interface WireEnvelope {
	accepted?: string[];
	rejectedErrors?: Array<{ recipient?: string; response?: string; responseCode?: number }>;
}

export interface WireInfo {
	messageId: string;
	accepted?: string[];
	rejectedErrors?: WireEnvelope['rejectedErrors'];
	response?: string;
	/** The connection's EHLO reply offered DSN (RFC 3461). */
	dsnOffered?: boolean;
}

/** Where an attempt takes its rate-limit permit: the account's key, the limit, the shared store if any. */
export interface WireRate {
	key: string;
	limit: RateLimit;
	store?: RedisSettings;
	/** How long a permit waits for an unreachable store before the message fails (redisTuning on n8n's thread). */
	storeWaitMs?: number;
}

export type ToWorker =
	| { type: 'open'; pool: string; settings: ConnectionSettings; options: PoolOptions }
	| { type: 'close'; pool: string }
	| { type: 'stages'; buffers: SharedArrayBuffer[] }
	| { type: 'send'; id: number; pool: string; mail: SendMailOptions; stage: StageCell; rate?: WireRate }
	| { type: 'abort'; id: number; before: StageValue }
	| { type: 'token'; request: number; token?: string; error?: WireError };

/** One message per attempt, when it ended; its stage is in the shared stage cell. */
export type FromWorker =
	| { type: 'sent'; id: number; info: WireInfo; envelope?: WireEnvelope }
	| { type: 'failed'; id: number; error: WireError; envelope?: WireEnvelope }
	| { type: 'token'; request: number; pool: string; renew: boolean; refused?: string };

function cloneable(value: unknown): boolean {
	try {
		structuredClone(value);
		return true;
	} catch {
		return false;
	}
}

export function toWire(error: unknown): WireError {
	if (!(error instanceof Error)) return { name: 'Error', message: String(error), fields: {} };
	const fields: Record<string, unknown> = {};
	for (const [key, value] of Object.entries(error)) if (key !== 'cause' && cloneable(value)) fields[key] = value;
	return { name: error.name, message: error.message, stack: error.stack, fields, cause: error.cause === undefined ? undefined : toWire(error.cause) };
}

function ownError(wire: WireError): Error | undefined {
	if (wire.name === 'SmtpUtf8Missing') return new SmtpUtf8Missing(wire.message);
	if (wire.name === 'SharedStoreUnavailable') return new SharedStoreUnavailable(String(wire.fields.where), Number(wire.fields.waitedMs), wire.message);
	return undefined;
}

/** The error again, with the class the failure table tells apart by type (the rest by their fields). */
export function fromWire(wire: WireError): Error {
	const error = ownError(wire) ?? new Error(wire.message);
	Object.assign(error, wire.fields);
	error.name = wire.name;
	if (wire.stack) error.stack = wire.stack;
	if (wire.cause) error.cause = fromWire(wire.cause);
	return error;
}

export const plainRejections = (errors: WireEnvelope['rejectedErrors']) =>
	errors?.map((e) => ({ recipient: e.recipient, response: e.response, responseCode: e.responseCode }));

const asBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** An attachment's bytes, or a raw message's, arrive as a Uint8Array; nodemailer takes a Buffer. */
export function withBuffers(mail: SendMailOptions): SendMailOptions {
	if (mail.raw instanceof Uint8Array && !Buffer.isBuffer(mail.raw)) mail.raw = asBuffer(mail.raw);
	for (const attachment of mail.attachments ?? []) {
		const content = attachment.content as unknown;
		if (content instanceof Uint8Array && !Buffer.isBuffer(content)) attachment.content = asBuffer(content);
	}
	return mail;
}
