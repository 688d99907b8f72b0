import { createHash } from 'node:crypto';

import type { MailDraft } from './content';
import { MessageInputError } from './errors';
import { newMessageId } from './headers';
import { textValue } from './values';

/** What the sender asks the servers on the way to report (RFC 3461 NOTIFY). */
export type NotifyOn = 'failure' | 'delay' | 'success';
const NOTIFY_ON: readonly string[] = ['failure', 'delay', 'success', 'never'];

/** The Delivery Notifications parameters of one item, as n8n resolved them. */
export interface DsnInput {
	notify?: unknown;
	report?: unknown;
	envelopeId?: unknown;
}

/** A DSN request as nodemailer takes it (`dsn` of a message), and as the output reports it. */
export interface DsnRequest {
	notify: Array<NotifyOn | 'never'>;
	return: 'headers' | 'full';
	id: string;
}

/** RFC 3461 §4.4: ENVID is 1–100 xchar (printable ASCII, no space); nodemailer xtext-encodes "+" and "=". */
const ENVID = /^[\x21-\x7e]{1,100}$/;

/** The request, or undefined when the item asks for none. `fallbacks` give the Envelope ID when it is empty: the first that fits. */
export function dsnRequest(input: DsnInput | undefined, fallbacks: { idempotencyKey?: string; messageId: string }): DsnRequest | undefined {
	if (!input || !Object.keys(input).length) return undefined;
	const notify = (Array.isArray(input.notify) ? input.notify : input.notify === undefined || input.notify === '' ? [] : [input.notify]).map((n) => String(n));
	const unknown = notify.find((n) => !NOTIFY_ON.includes(n));
	if (unknown) throw new MessageInputError('Delivery Notifications', `Delivery Notifications: "${unknown}" is not one of ${NOTIFY_ON.join(', ')}`);
	if (notify.includes('never') && notify.length > 1) throw new MessageInputError('Delivery Notifications', 'Delivery Notifications: "Never" cannot be combined with another event');
	const report = input.report === undefined || input.report === '' ? 'headers' : String(input.report);
	if (report !== 'headers' && report !== 'full') throw new MessageInputError('Delivery Notifications', `Delivery Notifications: Report Content "${report}" is not headers or full`);
	const given = textValue(input.envelopeId, 'Envelope ID').trim();
	if (given && !ENVID.test(given)) {
		throw new MessageInputError('Envelope ID', `Envelope ID must be 1 to 100 printable ASCII characters without spaces (RFC 3461 ENVID); it is ${given.length} characters long${/[^\x21-\x7e]/.test(given) ? ' and has other characters' : ''}`);
	}
	return { notify: notify as DsnRequest['notify'], return: report, id: given || defaultEnvelopeId(fallbacks) };
}

/**
 * Sets the item's DSN request on its mail, and returns it; undefined when the item asks for none. The mail
 * gets its Message-ID here if it has none, as the Envelope ID may default to it.
 */
export function askForDsn(mail: MailDraft, input: DsnInput | undefined, idempotencyKey?: string): DsnRequest | undefined {
	if (!input || !Object.keys(input).length) return undefined;
	const from = typeof mail.from === 'string' ? mail.from : String((mail.from as { address?: string } | undefined)?.address ?? '');
	const request = dsnRequest(input, { idempotencyKey, messageId: (mail.messageId ??= newMessageId(from)) });
	if (!request) return undefined;
	mail.dsn = { id: request.id, return: request.return, ...(request.notify.length ? { notify: request.notify } : {}) };
	return request;
}

/** The Idempotency Key when it fits ENVID, else the Message-ID (without brackets), else a digest of it. */
function defaultEnvelopeId({ idempotencyKey, messageId }: { idempotencyKey?: string; messageId: string }): string {
	if (idempotencyKey && ENVID.test(idempotencyKey)) return idempotencyKey;
	const bare = messageId.replace(/^<|>$/g, '');
	return ENVID.test(bare) ? bare : createHash('sha256').update(messageId).digest('hex');
}

/** What the item's output says about the request, once the server's EHLO said whether it takes one. */
export function dsnOutcome(request: DsnRequest, serverOffersDsn: boolean | undefined) {
	// An empty notify asks for the server's default: a report on failure (and, with many servers, on delay).
	const asked = { notify: request.notify, report: request.return, envelopeId: request.id };
	if (serverOffersDsn) return { requested: true, serverOffersDsn: true, ...asked };
	return {
		requested: false,
		serverOffersDsn: false,
		...asked,
		note: 'The server did not offer DSN (RFC 3461) in its EHLO reply, so no delivery notifications were asked for; a failure may still come back as the server\'s own bounce',
	};
}
