import { simpleParser } from 'mailparser';
import type { INodeExecutionData } from 'n8n-workflow';

import { messageParts } from '../../nodes/SmtpConnector/reports/mimeParts';

/**
 * A mail as n8n 2.41.1's Email Trigger (IMAP) gives it (n8n-nodes-base EmailReadImap/v2/utils.js):
 * Resolved — mailparser's result, headers as name → whole line, attachments as binary attachment_0…;
 * RAW — the field `raw` with BODY[TEXT] (the body without the header block); Simple — textPlain (the first text/plain part) and the
 * headers under metadata (first value each), no attachments unless downloaded.
 */
export async function emailTriggerItem(raw: Buffer, format: 'resolved' | 'raw' | 'simple'): Promise<INodeExecutionData> {
	if (format === 'raw') return { json: { raw: raw.toString('utf8').split(/\r?\n\r?\n/).slice(1).join('\r\n\r\n') } };
	const parsed = await simpleParser(raw);
	const headers: Record<string, string> = {};
	for (const header of parsed.headerLines) headers[header.key] = header.line;
	if (format === 'simple') {
		const metadata = Object.fromEntries(Object.entries(headers).filter(([key]) => !['cc', 'date', 'from', 'subject', 'to'].includes(key)).map(([key, line]) => [key, line.slice(line.indexOf(':') + 1).trim()]));
		// imapflow downloads the first text/plain part alone
		const plain = (await messageParts(raw)).leaves.find((leaf) => leaf.contentType === 'text/plain')?.content.toString('utf8');
		return { json: { textPlain: plain, textHtml: parsed.html || undefined, subject: parsed.subject, from: parsed.from?.text, to: parsed.to && 'text' in parsed.to ? parsed.to.text : undefined, metadata } };
	}
	const binary = Object.fromEntries(parsed.attachments.map((a, i) => [`attachment_${i}`, { data: a.content.toString('base64'), mimeType: a.contentType, fileName: a.filename }]));
	const json = JSON.parse(JSON.stringify({ ...parsed, headers, headerLines: undefined, attachments: undefined }));
	return { json, ...(parsed.attachments.length ? { binary } : {}) };
}
