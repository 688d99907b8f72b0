import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { outputOf } from '../support/engine';
import { runSendNode } from '../support/workflows';

/**
 * Hostile and odd input for Read Delivery Report (from a failure-window attack): each gives a clear error or
 * a sensible item, and nothing blocks n8n's process. Large and pathological inputs run readReport() in a
 * child process (bundled with esbuild) killed after a limit far above what a linear reading takes and far
 * below what a quadratic one would (the bounce-text regexes once were): a hang guard, not a speed figure.
 */

jest.setTimeout(120_000);

const root = path.resolve(__dirname, '../..');
const work = mkdtempSync(path.join(tmpdir(), 'attack22-'));
const runner = path.join(work, 'runner.js');

beforeAll(async () => {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const esbuild = require('esbuild');
	const entry = path.join(work, 'runner.ts');
	writeFileSync(
		entry,
		`import { readFileSync } from 'node:fs';
import { readReport } from ${JSON.stringify(path.join(root, 'nodes/SmtpConnector/reports/read'))};
(async () => {
	const raw = readFileSync(process.argv[2]);
	const rss0 = process.memoryUsage().rss;
	let peak = rss0;
	const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 5);
	const t0 = performance.now();
	let result;
	try {
		const r = await readReport(raw);
		result = { form: r.form, recipients: r.recipients.length, first: r.recipients[0] ?? null, original: r.original };
	} catch (e) {
		result = { error: String(e && e.message) };
	}
	const ms = performance.now() - t0;
	clearInterval(sampler);
	peak = Math.max(peak, process.memoryUsage().rss);
	process.stdout.write(JSON.stringify({ ms, rssGrowthMB: (peak - rss0) / 1e6, ...result }));
})();
`,
	);
	await esbuild.build({ entryPoints: [entry], outfile: runner, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'error' });
});

interface Timed {
	ms: number;
	rssGrowthMB?: number;
	form?: string;
	recipients?: number;
	first?: IDataObject | null;
	original?: IDataObject;
	error?: string;
	killed?: boolean;
}

let fileNo = 0;
/** readReport in a child process; killed (ms = Infinity) after killAfterMs. */
function timed(raw: string | Buffer, killAfterMs = 6000): Timed {
	const file = path.join(work, `mail-${fileNo++}.eml`);
	writeFileSync(file, raw);
	const run = spawnSync(process.execPath, [runner, file], { timeout: killAfterMs, killSignal: 'SIGKILL', encoding: 'utf8', maxBuffer: 1 << 24 });
	if (run.status !== 0 || !run.stdout) return { ms: Infinity, killed: true, error: run.stderr };
	return JSON.parse(run.stdout) as Timed;
}

// ---- helpers --------------------------------------------------------------------------------------------

const eml = (raw: string | Buffer, n = 0, mimeType = 'message/rfc822', fileName = 'mail.eml'): INodeExecutionData => ({
	json: { n },
	binary: { data: { data: Buffer.from(raw).toString('base64'), mimeType, fileName } },
});

async function read(items: INodeExecutionData[], parameters: IDataObject = {}, continueOnFail = true) {
	const run = await runSendNode({ parameters: { operation: 'readReport', ...parameters }, items, credential: {}, continueOnFail });
	const error = run.data.resultData.error;
	return { error, out: error ? [] : outputOf(run, 'Send Email').map((item) => item.json) };
}
const errorOf = (json: IDataObject) => (json.error as { message?: string } | undefined)?.message;

const head = (contentType: string) => `From: MAILER-DAEMON@mx.test\r\nTo: sender@mail.test\r\nSubject: Undelivered Mail Returned to Sender\r\nMessage-ID: <bounce@mx.test>\r\nMIME-Version: 1.0\r\nContent-Type: ${contentType}\r\n\r\n`;

/** A multipart/report with the given delivery-status part (its body and extra part headers) and returned message. */
function report(statusBody: string, { partHeaders = 'Content-Type: message/delivery-status', returned = 'Message-ID: <orig@mail.test>\r\nSubject: Invoice\r\n\r\nbody\r\n', nl = '\r\n' } = {}) {
	const text = `${head('multipart/report; report-type=delivery-status; boundary="BND"')}--BND\r\nContent-Type: text/plain\r\n\r\nYour mail could not be delivered.\r\n\r\n--BND\r\n${partHeaders}\r\n\r\n${statusBody}\r\n--BND\r\nContent-Type: message/rfc822\r\n\r\n${returned}\r\n--BND--\r\n`;
	return text.replace(/\r?\n/g, nl);
}

const statusOf = (...recipientBlocks: string[]) => ['Reporting-MTA: dns; mx.test\r\nOriginal-Envelope-Id: ENV-1\r\n', ...recipientBlocks].join('\r\n');
const block = (to = 'nobody@example.org', status = 'Status: 5.1.1', action = 'Action: failed') =>
	`Final-Recipient: rfc822; ${to}\r\n${action}\r\n${status}\r\nDiagnostic-Code: smtp; 550 5.1.1 <${to}>: Recipient address rejected\r\n`;

const textMail = (body: string, extraHeaders = 'Content-Type: text/plain; charset=utf-8') => `From: MAILER-DAEMON@mx.test\r\nSubject: failure notice\r\nMIME-Version: 1.0\r\n${extraHeaders}\r\n\r\n${body}`;

const intros = {
	qmail: "Hi. This is the qmail-send program at mx.test.\nI'm afraid I wasn't able to deliver your message to the following addresses.\n\n",
	exim: 'This message was created automatically by mail delivery software.\n\nA message that you sent could not be delivered to one or more of its\nrecipients. This is a permanent error. The following address(es) failed:\n\n',
	exchange: 'Delivery has failed to these recipients or groups:\n\nDiagnostic information for administrators:\n\n',
	exchangeLegacy: 'Your message did not reach some or all of the intended recipients.\nThe following recipient(s) cannot be reached:\n\n',
	postfix: 'This is the mail system at host mx.test.\n\n',
	none: '',
};

// ---- size and time ----------------------------------------------------------------------------------------

test('a 20 MB report that returns a whole 20 MB message: read in under 2 s, memory bounded', () => {
	const attachment = Buffer.alloc(15e6, 7).toString('base64').replace(/(.{76})/g, '$1\r\n');
	const returned = `Message-ID: <big@mail.test>\r\nSubject: Big one\r\nContent-Type: multipart/mixed; boundary="I"\r\n\r\n--I\r\nContent-Type: text/plain\r\n\r\nhi\r\n--I\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n${attachment}\r\n--I--\r\n`;
	const raw = report(statusOf(block()), { returned });
	expect(raw.length).toBeGreaterThan(20e6);
	const r = timed(raw, 20_000);
	expect(r).toMatchObject({ form: 'rfc3464', recipients: 1, original: expect.objectContaining({ messageId: '<big@mail.test>', subject: 'Big one' }) });
	expect(r.killed).toBeUndefined();
	expect(r.rssGrowthMB).toBeLessThan(200); // measured ≈ 26 MB over the 20 MB input
});

test('through the engine: 20 MB report in a binary item gives one item in reasonable time', async () => {
	const raw = report(statusOf(block()), { returned: `Message-ID: <big@mail.test>\r\nSubject: Big\r\n\r\n${'x'.repeat(76).concat('\r\n').repeat(260_000)}` });
	const { out } = await read([eml(raw)], {}, false);
	expect(out).toEqual([expect.objectContaining({ kind: 'hardBounce', originalMessageId: '<big@mail.test>' })]);
});

test('a mail nested 5,000 multiparts deep: a clear error (no crash, no stack overflow), quickly', async () => {
	let body = '';
	for (let i = 0; i < 5000; i++) body += `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n`;
	body += 'Content-Type: text/plain\r\n\r\nhi\r\n';
	for (let i = 4999; i >= 0; i--) body += `--b${i}--\r\n`;
	const { out } = await read([eml(`From: a@b.test\r\nMIME-Version: 1.0\r\n${body}`), eml(report(statusOf(block())), 1)]);
	expect(errorOf(out[0])).toMatch(/^The mail could not be read: /); // "... Max allowed child nodes exceeded"
	expect(out[1]).toMatchObject({ kind: 'hardBounce' }); // the next item is still read
});

test('a delivery-status part with 1,000 recipient blocks: 1,000 items in under 2 s', async () => {
	const blocks = Array.from({ length: 1000 }, (_, i) => block(`u${i}@example.org`));
	const { out } = await read([eml(report(statusOf(...blocks)))], {}, false);
	expect(out).toHaveLength(1000);
	expect(out[999]).toMatchObject({ kind: 'hardBounce', finalRecipient: 'u999@example.org', envelopeId: 'ENV-1' });
});

describe('a 5 MB text body of one line with no newline, after each bounce intro: under 3 s', () => {
	for (const [name, intro] of Object.entries(intros)) {
		test(name, () => {
			const r = timed(textMail(intro + 'a'.repeat(5e6)), 6000);
			// exim: ADDRESS (/<?([^\s<>@":;,]+@…/, unanchored) runs over the whole line from every offset: O(n²), hours for 5 MB
			expect(r.killed).toBeUndefined(); // finished before the kill limit: linear (a quadratic scan of this input takes minutes)
		});
	}
});

describe('under 1 MB, every bounce text reads in under 2 s (quadratic regexes / loops in nonStandard.ts)', () => {
	const cases: Array<[string, string]> = [
		// ADDRESS regex in exim(): 50 KB → 1.5 s, 100 KB → 5.5 s, 200 KB → 25 s
		['exim: a 200 KB entry line without "@"', intros.exim + 'a'.repeat(200_000)],
		['exim: a 200 KB entry line starting with "<"', `${intros.exim}<${'a'.repeat(200_000)}`],
		// exchange modern: /^\s*([^\s<>@]+@…)/gm — ^\s* re-scans all following blank lines from each line: 80 KB → 7.7 s
		['exchange: 80,000 blank lines after the diagnostics heading', intros.exchange + '\n'.repeat(80_000)],
		['exchange: 40,000 lines of spaces', intros.exchange + '   \n'.repeat(40_000)],
		// exchange legacy: /^\s+(\S.*?) on .+\n/gm — 80 KB blank lines → 7.7 s; " on " repeated on an unterminated line: 220 KB → 12 s
		['exchange legacy: 80,000 blank lines', intros.exchangeLegacy + '\n'.repeat(80_000)],
		['exchange legacy: " on " 30,000 times on one line', intros.exchangeLegacy + '  x on '.repeat(30_000)],
		// qmail: body.slice(0, body.indexOf(address)) + regex test per recipient: O(recipients × size). 20,000 → 3.5 s
		['qmail: 20,000 distinct "<addr>:" paragraphs (0.3 MB)', intros.qmail + Array.from({ length: 20_000 }, (_, i) => `<u${i}@example.org>:\nno mailbox\n\n`).join('')],
	];
	for (const [name, body] of cases) {
		test(name, () => {
			const raw = textMail(body);
			expect(raw.length).toBeLessThan(1e6);
			const r = timed(raw, 4000);
			expect(r.killed).toBeUndefined(); // finished before the kill limit: linear (a quadratic scan of this input takes minutes)
		});
	}
});

describe('200,000 lines starting with "<a@b>:" after each intro: under 3 s', () => {
	for (const [name, intro] of Object.entries(intros)) {
		test(`${name}, same address`, () => {
			expect(timed(textMail(intro + '<a@b>:\n'.repeat(200_000)), 8000).killed).toBeUndefined();
		});
		test(`${name}, postfix form "<a@b>: reason"`, () => {
			expect(timed(textMail(intro + '<a@b>: 550 5.1.1 no such user\n'.repeat(200_000)), 8000).killed).toBeUndefined();
		});
	}
	test('qmail, 200,000 distinct addresses (4 MB)', () => {
		// qmail(): per recipient body.indexOf(address) + /temporary|deferral/ over body.slice(0, …): quadratic; killed at 15 s
		const r = timed(textMail(intros.qmail + Array.from({ length: 200_000 }, (_, i) => `<u${i}@b>:\n550 no\n`).join('')), 15_000);
		expect(r.killed).toBeUndefined(); // finished before the kill limit: linear (a quadratic scan of this input takes minutes)
	});
});

// ---- encodings and line ends -----------------------------------------------------------------------------

test('delivery-status part in base64 and in quoted-printable: read the same as plain', async () => {
	const plain = statusOf(block());
	const b64 = Buffer.from(plain).toString('base64').replace(/(.{76})/g, '$1\r\n');
	const qp = plain.replace(/=/g, '=3D').replace(/;/g, '=3B').replace(/5\.1\.1/g, '5=2E1=2E1');
	const { out } = await read([
		eml(report(plain), 0),
		eml(report(b64, { partHeaders: 'Content-Type: message/delivery-status\r\nContent-Transfer-Encoding: base64' }), 1),
		eml(report(qp, { partHeaders: 'Content-Type: message/delivery-status\r\nContent-Transfer-Encoding: quoted-printable' }), 2),
	]);
	const expected = expect.objectContaining({ kind: 'hardBounce', form: 'rfc3464', status: '5.1.1', finalRecipient: 'nobody@example.org', envelopeId: 'ENV-1', reportingMta: 'mx.test' });
	expect(out).toEqual([expected, expected, expected]);
});

test('message/global-delivery-status with UTF-8 addresses (plain and base64)', async () => {
	const status = 'Reporting-MTA: dns; mx.test\r\n\r\nOriginal-Recipient: utf-8; 用户@例子.广告\r\nFinal-Recipient: utf-8; jörg@bücher.example\r\nAction: failed\r\nStatus: 5.1.1\r\n';
	const { out } = await read([
		eml(report(status, { partHeaders: 'Content-Type: message/global-delivery-status' })),
		eml(report(Buffer.from(status).toString('base64'), { partHeaders: 'Content-Type: message/global-delivery-status\r\nContent-Transfer-Encoding: base64' }), 1),
	]);
	const expected = expect.objectContaining({ kind: 'hardBounce', finalRecipient: 'jörg@bücher.example', originalRecipient: '用户@例子.广告' });
	expect(out).toEqual([expected, expected]);
});

test('a malformed message/global-delivery-status names that part in the error, not message/delivery-status', async () => {
	const status = 'Reporting-MTA: dns; mx.test\r\n\r\nFinal-Recipient: utf-8; jörg@bücher.example\r\nStatus: 5.1.1\r\n';
	const { out } = await read([eml(report(status, { partHeaders: 'Content-Type: message/global-delivery-status' }))]);
	expect(errorOf(out[0])).toMatch(/^message\/global-delivery-status, recipient block 1: it has no Action field/);
});

test('CRLF and LF line ends read the same', async () => {
	const { out } = await read([eml(report(statusOf(block(), block('two@example.org')), { nl: '\r\n' })), eml(report(statusOf(block(), block('two@example.org')), { nl: '\n' }), 1)]);
	expect(out.map((j) => [j.n ?? null, j.finalRecipient, j.status, j.originalMessageId])).toEqual([
		[null, 'nobody@example.org', '5.1.1', '<orig@mail.test>'],
		[null, 'two@example.org', '5.1.1', '<orig@mail.test>'],
		[null, 'nobody@example.org', '5.1.1', '<orig@mail.test>'],
		[null, 'two@example.org', '5.1.1', '<orig@mail.test>'],
	]);
});

test('lone CR line ends: the report is read, or the error says the line ends are the problem (not "has no delivery-status part")', async () => {
	const { out } = await read([eml(report(statusOf(block()), { nl: '\r' }))]);
	if (errorOf(out[0]) !== undefined) expect(errorOf(out[0])).not.toMatch(/has no message\/delivery-status part/);
	else expect(out[0]).toMatchObject({ kind: 'hardBounce', finalRecipient: 'nobody@example.org' });
});

test('a bounce text in ISO-8859-1 (8bit and quoted-printable): the diagnostic keeps its umlaut', async () => {
	const exim = `${intros.exim}  nobody@example.org\n    host mx.example.org [192.0.2.25]\n    550 5.1.1 Empfänger unbekannt\n`.replace(/\n/g, '\r\n');
	const { out } = await read([
		eml(Buffer.concat([Buffer.from(textMail('', 'Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit')), Buffer.from(exim, 'latin1')])),
		eml(textMail(exim.replace('ä', '=E4'), 'Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable'), 1),
	]);
	expect(out.map((j) => j.diagnosticCode)).toEqual([expect.stringContaining('Empfänger unbekannt'), expect.stringContaining('Empfänger unbekannt')]);
});

test('a bounce text in UTF-16 (base64) is recognised', async () => {
	const exim = `${intros.exim}  nobody@example.org\n    550 5.1.1 user unknown\n`.replace(/\n/g, '\r\n');
	const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(exim, 'utf16le')]).toString('base64').replace(/(.{76})/g, '$1\r\n');
	const { out } = await read([eml(textMail(utf16, 'Content-Type: text/plain; charset=utf-16\r\nContent-Transfer-Encoding: base64'))]);
	expect(out[0]).toMatchObject({ kind: 'hardBounce', form: 'eximText', finalRecipient: 'nobody@example.org' });
});

// ---- odd fields ------------------------------------------------------------------------------------------

test('Final-Recipient without a type, Status with a comment, folded fields, upper-case names and Action', async () => {
	const { out } = await read([
		eml(report(statusOf('Final-Recipient: user@x.example\r\nAction: failed\r\nStatus: 5.1.1\r\n')), 0),
		eml(report(statusOf('Final-Recipient: rfc822; user@x.example\r\nAction: failed\r\nStatus: 5.1.1 (bad mailbox)\r\n')), 1),
		eml(report(statusOf('Final-Recipient: rfc822;\r\n\tuser@x.example\r\nAction:\r\n failed\r\nStatus:\r\n 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1\r\n  user unknown\r\n')), 2),
		eml(report(statusOf('FINAL-RECIPIENT: RFC822; user@x.example\r\nACTION: FAILED\r\nSTATUS: 5.1.1\r\n')), 3),
	]);
	expect(out).toHaveLength(4);
	for (const json of out) expect(json).toMatchObject({ kind: 'hardBounce', action: 'failed', status: '5.1.1', finalRecipient: 'user@x.example' });
	expect(out[2].diagnosticCode).toBe('550 5.1.1 user unknown');
});

test('a comment before the status code ("Status: (bad mailbox) 5.1.1"): read, or an error that does not claim the field is missing', async () => {
	const { out } = await read([eml(report(statusOf('Final-Recipient: rfc822; user@x.example\r\nAction: failed\r\nStatus: (bad mailbox) 5.1.1\r\n')))]);
	if (errorOf(out[0]) !== undefined) expect(errorOf(out[0])).not.toMatch(/has no Status field/);
	else expect(out[0]).toMatchObject({ status: '5.1.1' });
});

test('duplicate fields in a recipient block: no crash, one item, the first value', async () => {
	const { out } = await read([eml(report(statusOf('Final-Recipient: rfc822; one@x.example\r\nFinal-Recipient: rfc822; two@x.example\r\nAction: failed\r\nAction: delivered\r\nStatus: 5.1.1\r\nStatus: 2.0.0\r\n')))]);
	expect(out).toEqual([expect.objectContaining({ finalRecipient: 'one@x.example', action: 'failed', status: '5.1.1' })]);
});

// ---- what the item holds ---------------------------------------------------------------------------------

test('a PDF: with Detect, a clear "holds no mail" error naming the binary; as Binary File, no crash', async () => {
	const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n'), Buffer.alloc(4096, 0xff), Buffer.from('\n%%EOF\n')]);
	const detect = await read([eml(pdf, 0, 'application/pdf', 'invoice.pdf')]);
	expect(errorOf(detect.out[0])).toMatch(/^Item 0 holds no mail: .*"data" application\/pdf/);
	const binary = await read([eml(pdf, 0, 'application/pdf', 'invoice.pdf')], { reportSource: 'binary', reportBinaryProperty: 'data' });
	expect(binary.out).toHaveLength(1);
	expect(binary.out[0].kind ?? errorOf(binary.out[0])).toBeDefined();
});

test('an empty binary .eml gives a clear error, not a "notReport" item', async () => {
	const { out } = await read([eml(Buffer.alloc(0))]);
	expect(errorOf(out[0])).toMatch(/empty/i);
});

test('a field holding a number, an object, an array or nothing: a clear error per item, no crash', async () => {
	const items: INodeExecutionData[] = [{ json: { raw: 12345 } }, { json: { raw: { from: 'a@b' } } }, { json: { raw: ['x'] } }, { json: { raw: '' } }, { json: { raw: null } }];
	const asField = await read(items, { reportSource: 'field', reportField: 'raw' });
	expect(asField.out.map(errorOf)).toEqual(Array.from({ length: 5 }, (_, i) => `Item ${i} has no text in the field "raw" to read as a mail`));
	const detect = await read(items.slice(0, 3));
	for (const json of detect.out) expect(errorOf(json)).toMatch(/holds no mail/);
	const nested = await read([{ json: { message: 42 } }], { reportSource: 'field', reportField: 'message.source.deep' });
	expect(errorOf(nested.out[0])).toMatch(/no text in the field "message\.source\.deep"/);
});

test('header-injection-looking values (raw field and Email Trigger items) are only output: nothing throws', async () => {
	const injected = 'Hello\r\nBcc: evil@x.example\r\n\r\nFinal-Recipient: rfc822; evil@x.example';
	const { out } = await read([
		{ json: { raw: `From: a@b.example\r\nSubject: ${injected}\r\n\r\nbody` } },
		{ json: { text: 'hi', subject: injected, from: 'x\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=z', headers: { 'x-evil': injected, 'content-type': 'multipart/report; report-type=delivery-status\r\n\r\n' } } },
		{ json: { text: 'hi', headers: 'Subject: not an object' } },
		{ json: { textPlain: 42, text: 'Reporting-MTA: dns; x\n\nFinal-Recipient: rfc822; a@b\nAction: failed\nStatus: 5.1.1\n', headers: { 'weird header\r\nname': 'v', subject: { toString: 1 } } } },
	]);
	expect(out).toHaveLength(4);
	for (const json of out) expect(json.error === undefined || typeof errorOf(json) === 'string').toBe(true);
	expect(out[0]).toMatchObject({ kind: 'notReport' });
});
