import libmime from 'libmime';
import { execFileSync } from 'node:child_process';
import path from 'node:path';

import type { IBinaryData } from 'n8n-workflow';

import { outputOf } from '../support/engine';
import { credentialFor, startSmtpServer, type TestSmtpServer } from '../support/smtpServer';
import { runSendNode } from '../support/workflows';

let server: TestSmtpServer;
beforeEach(async () => {
	server = await startSmtpServer();
});
afterEach(async () => server.close());

interface StrictPart { type: string; disposition: string | null; filename: string | null; name: string | null; rawContentType: string; defects: string[] }

/** The message as Python's email package reads it under its strict policy. */
function strictlyParsed(raw: Buffer): { defects: string[]; parts: StrictPart[] } {
	return JSON.parse(execFileSync('python3', [path.join(__dirname, '../support/strict_mime.py')], { input: raw, encoding: 'utf8' }));
}

const names = ['Überweisung März 2026.pdf', '請求書 "Q4" \\ 2026;final.pdf', 'plain-report.csv', 'naïve café.txt'];

test('attachment names reach a strict MIME parser intact, in RFC 2231 form, with no encoded word in a quoted string', async () => {
	const binary: Record<string, IBinaryData> = Object.fromEntries(
		names.map((_, i) => [`file${i}`, { data: Buffer.from(`content ${i}`).toString('base64'), mimeType: i === 2 ? 'text/csv' : 'application/octet-stream', fileName: `f${i}` }]),
	);
	const run = await runSendNode({
		parameters: {
			fromEmail: 'ops@example.test',
			toEmail: 'x@example.test',
			subject: 'Files',
			html: '<p>Attached</p>',
			options: { attachmentsUi: { attachment: names.map((fileName, i) => ({ binaryPropertyName: `file${i}`, inline: false, fileName })) } },
		},
		items: [{ json: {}, binary }],
		credential: await credentialFor(server),
	});
	expect(outputOf(run, 'Send Email')[0].json.accepted).toEqual(['x@example.test']);
	const [mail] = await server.waitFor(1);

	const parsed = strictlyParsed(mail.raw);
	expect(parsed.defects).toEqual([]);
	const files = parsed.parts.filter((p) => p.disposition === 'attachment');
	expect(files.map((p) => [p.filename, p.name, p.defects])).toEqual(names.map((n) => [n, n, []]));
	for (const part of files) expect(part.rawContentType).not.toMatch(/name="=\?/i);
	expect(files[2].type).toBe('text/csv');
	expect(mail.parsed.attachments.map((a) => a.filename)).toEqual(names);
});

test('a name with runs of spaces reads back exactly, though long headers are folded at spaces (seeds -781966774 and -52772019 of the hostile-headers property)', async () => {
	const spaced = ['f' + ' '.repeat(20) + '=3D########', `${'Quarterly report '.repeat(5)}  final   (v2).pdf`, 'a  b.txt', 'f  =?utf-8?B?SGk=?=', `${'Scan  '.repeat(12)}=?utf-8?Q?x?=  end.pdf`];
	const binary: Record<string, IBinaryData> = Object.fromEntries(spaced.map((_, i) => [`file${i}`, { data: Buffer.from(`content ${i}`).toString('base64'), mimeType: 'application/pdf' }]));
	await runSendNode({
		parameters: {
			fromEmail: 'ops@example.test',
			toEmail: 'x@example.test',
			subject: 'Files',
			html: '<p>Attached</p>',
			options: { attachmentsUi: { attachment: spaced.map((fileName, i) => ({ binaryPropertyName: `file${i}`, inline: false, fileName })) } },
		},
		items: [{ json: {}, binary }],
		credential: await credentialFor(server),
	});
	const [mail] = await server.waitFor(1);
	expect(mail.parsed.attachments.map((a) => a.filename)).toEqual(spaced);
	// A name that holds an encoded word keeps the encoded-word form (mailparser would decode one inside an RFC 2231
	// value into other text): a strict parser shows that word, which decodes to the literal name, never to "Hi".
	const strict = strictlyParsed(mail.raw).parts.filter((p) => p.disposition === 'attachment');
	expect(strict.map((p) => libmime.decodeWords(p.filename ?? ''))).toEqual(spaced);
	expect(strict.filter((_, i) => !spaced[i].includes('=?')).map((p) => p.defects)).toEqual([[], [], []]);
	expect(Math.max(...mail.raw.toString().split('\r\n').map((line) => line.length))).toBeLessThanOrEqual(76);
});

test('the generated text alternative keeps headings and table headers as written', async () => {
	await runSendNode({
		parameters: {
			fromEmail: 'ops@example.test',
			toEmail: 'x@example.test',
			subject: 'Report',
			html: '<h2>Weekly Report</h2><table><tr><th>Item</th><th>Amount</th></tr><tr><td>Paper</td><td>12</td></tr></table>',
		},
		items: [{ json: {} }],
		credential: await credentialFor(server),
	});
	const [mail] = await server.waitFor(1);
	const text = mail.parsed.text ?? '';
	expect(text).toContain('Weekly Report');
	expect(text).toMatch(/Item +Amount/);
	expect(text).toMatch(/Paper +12/);
	expect(text).not.toMatch(/WEEKLY|ITEM|AMOUNT/);
});

test('a generated ASCII text alternative goes out as written (7bit, lines of at most 76), whatever the HTML line length', async () => {
	const sentence = 'Your order was approved and will ship within two working days from our warehouse. ';
	await runSendNode({
		parameters: { fromEmail: 'ops@example.test', toEmail: 'x@example.test', subject: 'Order', html: `<p>${sentence.repeat(6)}</p>` },
		items: [{ json: {} }],
		credential: await credentialFor(server),
	});
	const [mail] = await server.waitFor(1);
	const raw = mail.raw.toString('latin1');
	const textPart = raw.slice(raw.indexOf('Content-Type: text/plain'), raw.indexOf('Content-Type: text/html'));
	expect(textPart).toMatch(/Content-Transfer-Encoding: 7bit/);
	const body = textPart.split('\r\n\r\n')[1].split('\r\n--')[0].split('\r\n');
	expect(Math.max(...body.map((line) => line.length))).toBeLessThanOrEqual(76);
	expect((mail.parsed.text ?? '').replace(/\s+/g, ' ').trim()).toBe(sentence.repeat(6).trim());
});
