import addressparser from 'nodemailer/lib/addressparser';

import { MessageInputError } from './errors';

export interface Address {
	name: string;
	address: string;
}

// Deliberately loose: the server has the last word; this catches the typos and the empty parts.
const ADDRESS = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+$/;

/**
 * Reads one address field: a string with comma- or semicolon-separated entries ("Name <addr>" allowed),
 * or an array of such strings or of { name, address } objects, as expressions produce.
 */
export function parseAddresses(value: unknown, field: string): Address[] {
	const entries = Array.isArray(value) ? value : [value];
	const result: Address[] = [];
	for (const entry of entries) {
		if (entry === undefined || entry === null || entry === '') continue;
		if (typeof entry === 'object' && 'address' in entry) {
			const { name, address } = entry as { name?: unknown; address?: unknown };
			result.push(checked({ name: String(name ?? ''), address: String(address ?? '').trim() }, field));
			continue;
		}
		if (typeof entry !== 'string') {
			throw new MessageInputError(field, `${field} holds a ${typeof entry}, not an email address`);
		}
		for (const parsed of flatten(addressparser(entry.replace(/;/g, ',')))) {
			result.push(checked(parsed, field));
		}
	}
	return result;
}

function flatten(parsed: ReturnType<typeof addressparser>): Address[] {
	return parsed.flatMap((p) =>
		'group' in p && Array.isArray(p.group) ? flatten(p.group) : [{ name: p.name ?? '', address: (p as Address).address ?? '' }],
	);
}

function checked(address: Address, field: string): Address {
	if (!ADDRESS.test(address.address)) {
		const shown = address.name && address.address ? `${address.name} <${address.address}>` : address.address || address.name;
		throw new MessageInputError(field, `${field}: "${shown}" is not a valid email address`);
	}
	return address;
}

export function parseSingleAddress(value: unknown, field: string): Address | undefined {
	const list = parseAddresses(value, field);
	if (list.length > 1) throw new MessageInputError(field, `${field} takes one address, got ${list.length}`);
	return list[0];
}
