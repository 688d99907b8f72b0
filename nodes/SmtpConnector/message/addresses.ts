import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import addressparser from 'nodemailer/lib/addressparser';

import { MessageInputError } from './errors';
import { hasControlCharacter } from './headers';
import { textValue } from './values';

export interface Address {
	name: string;
	address: string;
}

// RFC 5322 dot-atom local part, with UTF-8 allowed (RFC 6531, for servers that offer SMTPUTF8).
const ATEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~\\u0080-\\u{10FFFF}-]";
const DOT_ATOM = new RegExp(`^${ATEXT}+(?:\\.${ATEXT}+)*$`, 'u');
const QUOTED_LOCAL = /^"(?:[\x20\x21\x23-\x5b\x5d-\x7e\u0080-\u{10FFFF}]|\\[\x20-\x7e])*"$/u;
const DNS_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i;

/** Why an address cannot be used, or undefined when it can. */
export function addressProblem(address: string): string | undefined {
	const at = address.lastIndexOf('@');
	if (at < 0) return 'no "@"';
	const local = address.slice(0, at);
	const domain = address.slice(at + 1);
	if (!local) return 'nothing before the "@"';
	if (!domain) return 'no domain after the "@"';
	if (!DOT_ATOM.test(local) && !QUOTED_LOCAL.test(local)) return `"${local}" is not a valid local part`;
	if (Buffer.byteLength(local) > 64) return 'more than 64 bytes before the "@"';
	const literal = /^\[(?:IPv6:)?(.*)\]$/i.exec(domain);
	if (literal) return isIP(literal[1]) ? undefined : `"${domain}" is not an IP address literal`;
	// IDN domains are checked in their ASCII (punycode) form, which is what goes on the wire.
	const ascii = domainToASCII(domain);
	if (!ascii || ascii.length > 253 || !ascii.split('.').every((label) => DNS_LABEL.test(label))) {
		return `"${domain}" is not a valid domain`;
	}
	return undefined;
}

/**
 * Reads one address field: a string with comma- or semicolon-separated entries ("Name <addr>" allowed),
 * or a list of such strings or of { name, address } objects, as expressions produce. Every address is
 * checked; the first bad one fails the item, naming the field and the value.
 */
export function parseAddresses(value: unknown, field: string): Address[] {
	const result: Address[] = [];
	const visit = (entry: unknown) => {
		if (entry === undefined || entry === null || entry === '') return;
		if (Array.isArray(entry)) return entry.forEach(visit);
		if (typeof entry === 'object' && !(entry instanceof Date)) {
			if (!('address' in entry)) throw new MessageInputError(field, `${field} holds an object without an "address" property`);
			const { name, address } = entry as { name?: unknown; address?: unknown };
			result.push(checked({ name: textValue(name, `${field} name`), address: textValue(address, field).trim() }, field));
			return;
		}
		if (typeof entry === 'boolean') throw new MessageInputError(field, `${field} is ${entry}, not an email address`);
		const raw = textValue(entry, field);
		if (hasControlCharacter(raw)) throw new MessageInputError(field, `${field} contains a line break or control character`);
		for (const parsed of flatten(addressparser(raw.replace(/;/g, ',')))) result.push(checked(parsed, field));
	};
	visit(value);
	return result;
}

function flatten(parsed: ReturnType<typeof addressparser>): Address[] {
	return parsed.flatMap((p) =>
		'group' in p && Array.isArray(p.group) ? flatten(p.group) : [{ name: p.name ?? '', address: (p as Address).address ?? '' }],
	);
}

/** The address checked, its display name trimmed (a line break anywhere in it fails the item), its domain in ASCII. */
function checked(address: Address, field: string): Address {
	const shown = address.name && address.address ? `${address.name} <${address.address}>` : address.address || address.name;
	if (hasControlCharacter(address.name)) throw new MessageInputError(field, `${field}: the name of "${address.address}" contains a line break or control character`);
	const problem = address.address ? addressProblem(address.address) : 'no "@"';
	if (problem) throw new MessageInputError(field, `${field}: "${shown}" is not a valid email address (${problem})`);
	return { name: address.name.trim(), address: asciiDomain(address.address) };
}

/** An IDN domain in its ASCII (punycode) form, which every server accepts, with or without SMTPUTF8. */
function asciiDomain(address: string): string {
	const at = address.lastIndexOf('@');
	const domain = address.slice(at + 1);
	return domain.startsWith('[') ? address : `${address.slice(0, at)}@${domainToASCII(domain)}`;
}

export function parseSingleAddress(value: unknown, field: string): Address | undefined {
	const list = parseAddresses(value, field);
	if (list.length > 1) throw new MessageInputError(field, `${field} takes one address, got ${list.length}`);
	return list[0];
}

/**
 * Each recipient once: a later To, Cc or Bcc entry for an address already listed is dropped (addresses
 * compared without regard to case). Returns the lists and the dropped duplicates.
 */
export function withoutDuplicates(lists: Address[][]): { lists: Address[][]; duplicates: string[] } {
	const seen = new Set<string>();
	const duplicates: string[] = [];
	const unique = lists.map((list) =>
		list.filter(({ address }) => {
			const key = address.toLowerCase();
			if (seen.has(key)) {
				duplicates.push(address);
				return false;
			}
			seen.add(key);
			return true;
		}),
	);
	return { lists: unique, duplicates };
}

/** "example.com, @example.org" as a list of domains (lower case). */
export const domainList = (value: unknown) =>
	(typeof value === 'string' ? value : '')
		.split(/[\s,;]+/)
		.map((d) => d.replace(/^@/, '').toLowerCase())
		.filter(Boolean);

/** An address's domain is listed, or a parent of it is ("example.com" allows "eu.example.com"); an empty list allows any. */
export function domainAllowed(domains: string[], address: string): boolean {
	if (!domains.length) return true;
	const domain = address.slice(address.lastIndexOf('@') + 1).toLowerCase();
	return address.includes('@') && domains.some((d) => domain === d || domain.endsWith(`.${d}`));
}

/** Every address of the lists in an allowed domain, else the item fails naming the field and the address. */
export function checkRecipientDomains(allowed: string[], lists: Array<[field: string, addresses: Address[]]>): void {
	for (const [field, addresses] of lists) {
		const outside = addresses.find(({ address }) => !domainAllowed(allowed, address));
		if (outside) throw new MessageInputError(field, `${field}: "${outside.address}" is not in Allowed Recipient Domains (${allowed.join(', ')}): nothing was sent`);
	}
}
