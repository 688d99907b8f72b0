import { MessageInputError } from './errors';

export interface HeaderInput {
	name: string;
	value: string;
}

// RFC 5322 field name: printable US-ASCII except colon.
const FIELD_NAME = /^[\x21-\x39\x3b-\x7e]+$/;
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;
const RESERVED = new Set(['from', 'to', 'cc', 'bcc', 'subject', 'date', 'message-id', 'content-type', 'content-transfer-encoding', 'mime-version']);

/** Custom headers, checked so item data can add a header but never rewrite the message's structure. */
export function customHeaders(inputs: HeaderInput[]): Record<string, string> {
	const headers: Record<string, string> = {};
	for (const { name, value } of inputs) {
		const key = name.trim();
		if (!key) continue;
		if (!FIELD_NAME.test(key)) throw new MessageInputError('headers', `Header name "${key}" may only contain printable characters without spaces or colons`);
		if (RESERVED.has(key.toLowerCase())) {
			throw new MessageInputError('headers', `Header "${key}" is set by its own field; remove it from Custom Headers`);
		}
		headers[key] = singleLine(value, `header ${key}`);
	}
	return headers;
}

/** A header value may not carry line breaks or control characters (which would start a new header). */
export function singleLine(value: string, field: string): string {
	if (CONTROL.test(value)) throw new MessageInputError(field, `${field} contains a line break or control character`);
	return value;
}

/** Message-IDs in angle brackets, as In-Reply-To, References and Message-ID need them. */
export function messageIds(value: unknown, field: string): string[] {
	const raw = Array.isArray(value) ? value.map(String).join(' ') : String(value ?? '');
	singleLine(raw, field);
	return raw
		.split(/[\s,]+/)
		.filter(Boolean)
		.map((id) => {
			const bare = id.replace(/^<|>$/g, '');
			if (!/^[^\s<>@]+@[^\s<>@]+$/.test(bare)) throw new MessageInputError(field, `${field}: "${id}" is not a message ID like <id@host>`);
			return `<${bare}>`;
		});
}
