import libmime from 'libmime';

/** A header-style block ("Name: value" lines, folded lines joined) as lower-case name → first value. */
export function fieldsOf(block: string): Map<string, string> {
	const fields = new Map<string, string>();
	for (const [name, values] of Object.entries(libmime.decodeHeaders(block))) {
		if (values.length) fields.set(name, values[0].replace(/\s+/g, ' ').trim());
	}
	return fields;
}

/** "rfc822; user@example.com" → "user@example.com" (the value after the type, angle brackets removed). */
export function typedValue(value: string | undefined): string | null {
	if (value === undefined) return null;
	const semicolon = value.indexOf(';');
	const bare = (semicolon >= 0 ? value.slice(semicolon + 1) : value).trim();
	return bare.replace(/^<(.*)>$/, '$1') || null;
}

/** The header block of a message or of headers (up to the first empty line), as fields. */
export function headerFieldsOf(content: Buffer | string): Map<string, string> {
	const text = typeof content === 'string' ? content : content.toString('utf8');
	const end = /\r?\n\r?\n/.exec(text);
	return fieldsOf(end ? text.slice(0, end.index + 1) : text);
}

/** A header value as a reader shows it: encoded words decoded. */
export const decoded = (value: string | undefined): string | null => (value === undefined ? null : libmime.decodeWords(value).trim() || null);
