import { randomUUID } from 'node:crypto';

import { encodeWord } from 'nodemailer/lib/mime-funcs';

import { MessageInputError } from './errors';
import { textValue } from './values';

export interface HeaderInput {
	name: string;
	value: string;
}

// RFC 5322 field name: printable US-ASCII except colon.
const FIELD_NAME = /^[\x21-\x39\x3b-\x7e]+$/;
// eslint-disable-next-line no-control-regex -- finding control characters is the point: they would start a header
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;
const OWN_FIELD = new Set(['from', 'to', 'cc', 'bcc', 'reply-to', 'subject', 'message-id', 'in-reply-to', 'references', 'sender']);
const STRUCTURAL = new Set(['date', 'content-type', 'content-transfer-encoding', 'content-disposition', 'mime-version', 'dkim-signature', 'return-path', 'received']);
// RFC 5322 msg-id: dot-atom-text "@" (dot-atom-text / no-fold-literal), ASCII only.
const ATOM = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
const MSG_ID = new RegExp(`^${ATOM}(?:\\.${ATOM})*@(?:${ATOM}(?:\\.${ATOM})*|\\[[\\x21-\\x5a\\x5e-\\x7e]*\\])$`);

/**
 * Custom headers, checked so item data can add a header but never rewrite the message's structure.
 * A name given twice becomes two headers. Values are encoded by nodemailer (RFC 2047 for non-ASCII).
 */
export function customHeaders(inputs: HeaderInput[]): Record<string, string | string[]> {
	const headers: Record<string, string[]> = {};
	for (const { name, value } of inputs) {
		const key = name.trim();
		if (!key) continue;
		if (!FIELD_NAME.test(key)) {
			throw new MessageInputError('Custom Headers', `Header name "${printable(key)}" may only contain printable ASCII characters without spaces or colons`);
		}
		const lower = key.toLowerCase();
		if (OWN_FIELD.has(lower)) throw new MessageInputError('Custom Headers', `Header "${key}" is set by its own field; remove it from Custom Headers`);
		if (STRUCTURAL.has(lower)) throw new MessageInputError('Custom Headers', `Header "${key}" is part of the message's structure and cannot be set`);
		const existing = Object.keys(headers).find((k) => k.toLowerCase() === lower) ?? key;
		(headers[existing] ??= []).push(literalText(singleLine(value, `Custom Header ${key}`)));
	}
	return Object.fromEntries(Object.entries(headers).map(([key, values]) => [key, values.length === 1 ? values[0] : values]));
}

/** A value shown in an error, with control characters made visible. */
const printable = (value: string) => JSON.stringify(value).slice(1, -1);

export const hasControlCharacter = (value: string) => CONTROL.test(value);

/**
 * Text a reader would decode as RFC 2047 encoded words ("=?utf-8?B?...?=") is encoded itself, so it
 * reads back exactly as written: item data cannot make a name or subject display as something else.
 */
export function literalText(value: string): string {
	return value.includes('=?') ? encodeWord(value, 'B', 52) : value;
}

/** A header value may not carry line breaks or control characters (which would start a new header). */
export function singleLine(value: string, field: string): string {
	if (hasControlCharacter(value)) throw new MessageInputError(field, `${field} contains a line break or control character`);
	return value;
}

/** Message-IDs in angle brackets, as In-Reply-To, References and Message-ID need them. */
export function messageIds(value: unknown, field: string): string[] {
	const raw = (Array.isArray(value) ? value : [value]).map((entry) => textValue(entry, field)).join(' ');
	singleLine(raw, field);
	return raw
		.split(/[\s,]+/)
		.filter(Boolean)
		.map((id) => {
			const bare = id.replace(/^<|>$/g, '');
			if (!MSG_ID.test(bare)) throw new MessageInputError(field, `${field}: "${id}" is not a message ID like <id@host>`);
			return `<${bare}>`;
		});
}

/** A new Message-ID in the sender's domain. */
export const newMessageId = (fromAddress: string) => `<${randomUUID()}@${fromAddress.split('@')[1] || 'localhost'}>`;
