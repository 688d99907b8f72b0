import type { SendMailOptions } from 'nodemailer';

import { SmtpUtf8Missing } from '../transport/smtpUtf8';
import type { ConnectionSettings } from '../transport/settings';

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
}

export type ToWorker =
	| { type: 'open'; pool: string; settings: ConnectionSettings; options: PoolOptions }
	| { type: 'close'; pool: string }
	| { type: 'send'; id: number; pool: string; mail: SendMailOptions; permit: boolean }
	| { type: 'abort'; id: number }
	| { type: 'permit'; id: number; granted: boolean }
	| { type: 'token'; request: number; token?: string; error?: WireError };

export type FromWorker =
	| { type: 'progress'; id: number; dataStarted: true }
	| { type: 'sent'; id: number; info: WireInfo; envelope?: WireEnvelope; bodySent: boolean }
	| { type: 'failed'; id: number; error: WireError; envelope?: WireEnvelope; bodySent: boolean }
	| { type: 'permit'; id: number }
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

/** The error again, with the class the failure table tells apart by type (the rest by their fields). */
export function fromWire(wire: WireError): Error {
	const error = wire.name === 'SmtpUtf8Missing' ? new SmtpUtf8Missing(wire.message) : new Error(wire.message);
	Object.assign(error, wire.fields);
	error.name = wire.name;
	if (wire.stack) error.stack = wire.stack;
	if (wire.cause) error.cause = fromWire(wire.cause);
	return error;
}

export const plainRejections = (errors: WireEnvelope['rejectedErrors']) =>
	errors?.map((e) => ({ recipient: e.recipient, response: e.response, responseCode: e.responseCode }));

/** An attachment's bytes arrive as a Uint8Array; nodemailer takes a Buffer. */
export function withBuffers(mail: SendMailOptions): SendMailOptions {
	for (const attachment of mail.attachments ?? []) {
		const content = attachment.content as unknown;
		if (content instanceof Uint8Array && !Buffer.isBuffer(content)) attachment.content = Buffer.from(content.buffer, content.byteOffset, content.byteLength);
	}
	return mail;
}
