import libmime from 'libmime';
import type { IBinaryData, IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { MessageInputError } from '../message/errors';
import { messageParts, type LeafPart, type MessageParts } from '../reports/mimeParts';

/** Where the item's mail is: a binary .eml, a field with its source, or an Email Trigger (IMAP) item. */
export type ReportSource = 'auto' | 'binary' | 'field';

const isMessageFile = (binary: IBinaryData) => binary.mimeType === 'message/rfc822' || /\.eml$/i.test(binary.fileName ?? '');
/** A field that starts with a header line holds a whole message; else (n8n's IMAP trigger, RAW format) its body. */
const HEADER_LINE = /^[\x21-\x39\x3b-\x7e]+:/;
/** Where the fields of a delivery-status part start, once mailparser appended them to the text (IMAP trigger, Resolved format). */
const STATUS_FIELDS = /^(?:Reporting-MTA|Original-Envelope-Id|Arrival-Date|Final-Recipient):/im;

export function readReportSource(ctx: IExecuteFunctions, i: number): { source: ReportSource; property: string } {
	const source = ctx.getNodeParameter('reportSource', i, 'auto') as ReportSource;
	const property = String(ctx.getNodeParameter(source === 'field' ? 'reportField' : 'reportBinaryProperty', i, source === 'field' ? 'raw' : 'data')).trim();
	return { source, property };
}

/** The item's mail, split into its parts. Throws MessageInputError saying what the item holds instead. */
export async function reportPartsOf(ctx: IExecuteFunctions, i: number, { source, property }: { source: ReportSource; property: string }): Promise<MessageParts> {
	const item = ctx.getInputData()[i];
	const binaries = item.binary ?? {};
	if (source === 'binary') {
		if (!binaries[property]) throw new MessageInputError('Input Binary Field', `Item ${i} has no binary property "${property}"${names(binaries)}`);
		return await messageParts(await fileOf(ctx, i, property));
	}
	if (source === 'field') return await fromText(fieldText(item.json, property, i));
	const file = Object.entries(binaries).find(([, binary]) => isMessageFile(binary));
	if (file) return await messageParts(await fileOf(ctx, i, file[0]));
	if (typeof item.json.raw === 'string') return await fromText(item.json.raw);
	if (typeof item.json.text === 'string' || typeof item.json.textPlain === 'string') return await fromEmailTrigger(ctx, i);
	throw new MessageInputError(
		'Input',
		`Item ${i} holds no mail: give a binary .eml (message/rfc822), a field "raw" with the message source, or an Email Trigger (IMAP) item${names(binaries)}`,
	);
}

async function fileOf(ctx: IExecuteFunctions, i: number, property: string): Promise<Buffer> {
	const bytes = await ctx.helpers.getBinaryDataBuffer(i, property);
	if (!bytes.length) throw new MessageInputError('Input Binary Field', `Item ${i}: the binary property "${property}" is empty (0 bytes): there is no mail to read`);
	return bytes;
}

function names(binaries: Record<string, IBinaryData>): string {
	const keys = Object.keys(binaries);
	return keys.length ? ` (its binary properties: ${keys.map((k) => `"${k}" ${binaries[k].mimeType}`).join(', ')})` : '';
}

function fieldText(json: IDataObject, property: string, i: number): string {
	const value = property.split('.').reduce<unknown>((at, key) => (at && typeof at === 'object' ? (at as IDataObject)[key] : undefined), json);
	if (typeof value !== 'string' || !value) throw new MessageInputError('Field Name', `Item ${i} has no text in the field "${property}" to read as a mail`);
	return value;
}

/** A whole message, or a message body without its header block (a boundary line tells where its parts start). */
async function fromText(text: string): Promise<MessageParts> {
	if (HEADER_LINE.test(text)) return await messageParts(Buffer.from(text, 'utf8'));
	const boundary = /^--([^\s]+?)\s*$/m.exec(text)?.[1];
	const head = boundary ? `Content-Type: multipart/mixed; boundary="${boundary}"\r\n\r\n` : 'Content-Type: text/plain; charset=utf-8\r\n\r\n';
	return await messageParts(Buffer.from(head + text, 'utf8'));
}

/**
 * An item of n8n's Email Trigger (IMAP) in Resolved or Simple format: mailparser has put a delivery-status
 * part's fields after the text, and made the returned headers or message a binary attachment.
 */
async function fromEmailTrigger(ctx: IExecuteFunctions, i: number): Promise<MessageParts> {
	const json = ctx.getInputData()[i].json;
	const headerObject = (json.headers ?? json.metadata ?? {}) as Record<string, unknown>;
	const headerLines = Object.entries(headerObject)
		.filter(([, value]) => typeof value === 'string')
		.map(([key, value]) => (HEADER_LINE.test(String(value)) && String(value).toLowerCase().startsWith(`${key.toLowerCase()}:`) ? String(value) : `${key}: ${String(value)}`));
	for (const key of ['subject', 'from', 'to', 'date'] as const) {
		const value = json[key];
		if (typeof value === 'string' && !headerObject[key]) headerLines.push(`${key}: ${value}`);
	}
	const text = String(json.text ?? json.textPlain ?? '');
	const at = STATUS_FIELDS.exec(text);
	const leaves: LeafPart[] = [{ contentType: 'text/plain', content: Buffer.from(at ? text.slice(0, at.index) : text, 'utf8') }];
	if (at) leaves.push({ contentType: 'message/delivery-status', content: Buffer.from(text.slice(at.index), 'utf8') });
	for (const [property, binary] of Object.entries(ctx.getInputData()[i].binary ?? {})) {
		const type = binary.mimeType.toLowerCase();
		if (['text/rfc822-headers', 'message/rfc822', 'message/global', 'message/global-headers', 'message/delivery-status'].includes(type)) {
			leaves.push({ contentType: type, content: await ctx.helpers.getBinaryDataBuffer(i, property) });
		}
	}
	const typeLine = headerLines.find((line) => /^content-type:/i.test(line)) ?? '';
	// Simple format keeps no delivery-status part: a report without one is then read from its text, not malformed.
	const contentType = libmime.parseHeaderValue(typeLine.replace(/^content-type:\s*/i, '') || 'text/plain');
	const reportType = at ? contentType.params['report-type']?.toLowerCase() : undefined;
	return { headers: headerLines.join('\r\n') + '\r\n', contentType: contentType.value.toLowerCase(), reportType, leaves };
}
