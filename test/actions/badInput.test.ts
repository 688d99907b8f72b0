import { randomBytes } from 'node:crypto';
import type { IBinaryData, IDataObject, INodeExecutionData } from 'n8n-workflow';

import { outputOf } from '../support/engine';
import { credentialFor, startSmtpServer, type TestSmtpServer } from '../support/smtpServer';
import { runSendNode } from '../support/workflows';

/**
 * One batch of good and bad items through n8n's engine with continueOnFail: every item ends as
 * exactly one output item, the good ones are delivered, the bad ones fail with an error that names
 * the field and the value, and nothing is sent for them.
 */

// Every parameter reads the item, with a good default when the case does not set it.
const from = (key: string, fallback: string) => `={{ "${key}" in $json ? $json.${key} : ${fallback} }}`;
const parameters = {
	fromEmail: from('from', '"sender@example.test"'),
	fromName: from('fromName', '""'),
	toEmail: from('to', '"good@example.test"'),
	subject: from('subject', '"Case " + $json.case'),
	html: from('html', '"<p>ok</p>"'),
	options: {
		ccEmail: from('cc', '""'),
		bccEmail: from('bcc', '""'),
		replyTo: from('replyTo', '""'),
		text: from('text', '""'),
		messageId: from('messageId', '""'),
		inReplyTo: from('inReplyTo', '""'),
		references: from('references', '""'),
		redirectAllTo: from('redirect', '""'),
		headersUi: { header: [{ name: from('hName', '"X-Case"'), value: from('hValue', 'String($json.case)') }] },
		attachmentsUi: { attachment: [{ binaryPropertyName: from('bin', '""'), fileName: from('fileName', '""') }] },
	},
	deliveryOptions: { maxRecipients: 5, maxMessageSizeMb: 1, retries: 0 },
};

type Case = [description: string, json: IDataObject, expected: RegExp];

const BAD: Case[] = [
	['no @', { to: 'not-an-address' }, /^To Email: "not-an-address" is not a valid email address \(no "@"\)$/],
	['no domain', { to: 'a@' }, /^To Email: "a@" is not a valid email address \(no domain after the "@"\)$/],
	['no local part', { to: '@example.test' }, /^To Email: .* \(nothing before the "@"\)$/],
	['double dot', { to: 'a..b@example.test' }, /^To Email: "a\.\.b@example\.test" is not a valid email address \("a\.\.b" is not a valid local part\)$/],
	['leading dot', { to: '.a@example.test' }, /is not a valid local part/],
	['domain starts with a hyphen', { to: 'a@-example.test' }, /^To Email: .*\("-example\.test" is not a valid domain\)$/],
	['underscore in the domain', { to: 'a@exa_mple.test' }, /"exa_mple\.test" is not a valid domain/],
	['empty domain label', { to: 'a@example..test' }, /"example\.\.test" is not a valid domain/],
	['local part over 64 bytes', { to: `${'x'.repeat(65)}@example.test` }, /more than 64 bytes before the "@"/],
	['bad IP literal', { to: 'a@[999.1.1.1]' }, /"\[999\.1\.1\.1\]" is not an IP address literal/],
	['empty recipients', { to: '' }, /^To Email is empty: give at least one recipient$/],
	['empty list', { to: [] }, /^To Email is empty/],
	['null recipient', { to: null }, /^To Email is empty/],
	['boolean recipient', { to: true }, /^To Email is true, not an email address$/],
	['number recipient', { to: 42 }, /^To Email: "42" is not a valid email address \(no "@"\)$/],
	['object without address', { to: { name: 'Jane' } }, /^To Email holds an object without an "address" property$/],
	['bad address in a list', { to: [{ address: 'good2@example.test' }, { address: 'bad' }] }, /^To Email: "bad" is not a valid email address/],
	['line break in a recipient', { to: 'a@example.test\r\nBcc: evil@attacker.test' }, /^To Email contains a line break or control character$/],
	['line break in a display name', { to: [{ name: 'A\nBcc: x@y.test', address: 'a@example.test' }] }, /^To Email: the name of "a@example\.test" contains a line break/],
	['object as a display name', { cc: [{ name: { first: 'x' }, address: 'a@example.test' }] }, /^CC Email name is an object/],
	['too many recipients', { to: 'r1@example.test, r2@example.test, r3@example.test', cc: 'r4@example.test; r5@example.test', bcc: 'r6@example.test' }, /^6 recipients \(To, CC and BCC\) is more than the 5 allowed per message/],
	['bad CC', { cc: 'bad@' }, /^CC Email: "bad@" is not a valid email address/],
	['bad BCC', { bcc: 'x@@example.test' }, /^BCC Email: "x@@example\.test" is not a valid email address/],
	['bad Reply-To', { replyTo: 'nope' }, /^Reply To: "nope" is not a valid email address/],
	['bad From', { from: 'not-an-address' }, /^From Email: "not-an-address" is not a valid email address/],
	['two From addresses', { from: 'a@example.test, b@example.test' }, /^From Email takes one address, got 2$/],
	['line break in From Name', { fromName: 'Evil\r\nBcc: x@attacker.test' }, /^From Name contains a line break or control character$/],
	['bad redirect target', { redirect: 'nowhere' }, /^Redirect All Recipients To: "nowhere" is not a valid email address/],
	['header injection in Subject', { subject: 'Hi\r\nBcc: evil@attacker.test' }, /^Subject contains a line break or control character$/],
	['control character in Subject', { subject: 'bell\u0007' }, /^Subject contains a line break or control character$/],
	['object as Subject', { subject: { a: 1 } }, /^Subject is an object \(\{"a":1\}\), not text/],
	['list as Subject', { subject: ['x', 'y'] }, /^Subject is a list \(\["x","y"\]\), not text/],
	['object as HTML (would be a file path)', { html: { path: '/etc/passwd' } }, /^HTML is an object/],
	['object as Text (would be a URL)', { text: { href: 'http://127.0.0.1:1/' } }, /^Text is an object/],
	['space in a header name', { hName: 'Bad Name' }, /^Header name "Bad Name" may only contain printable ASCII characters without spaces or colons$/],
	['colon in a header name', { hName: 'X-Bad:Name' }, /^Header name "X-Bad:Name" may only contain/],
	['non-ASCII header name', { hName: 'X-Ünïcode' }, /^Header name "X-Ünïcode" may only contain/],
	['header name with a line break', { hName: 'X-A\r\nBcc' }, /^Header name "X-A\\r\\nBcc" may only contain/],
	['Bcc as a custom header', { hName: 'Bcc' }, /^Header "Bcc" is set by its own field/],
	['Content-Type as a custom header', { hName: 'Content-Type' }, /^Header "Content-Type" is part of the message's structure/],
	['header value injection', { hValue: 'x\r\nBcc: evil@attacker.test' }, /^Custom Header X-Case contains a line break or control character$/],
	['Message-ID without @', { messageId: 'no-at-sign' }, /^Message ID: "no-at-sign" is not a message ID like <id@host>$/],
	['two Message-IDs', { messageId: '<a@b.test> <c@d.test>' }, /^Message ID takes one ID$/],
	['In-Reply-To injection', { inReplyTo: '<a@b.test>\r\nBcc: x@attacker.test' }, /^In-Reply-To contains a line break or control character$/],
	['object in References', { references: ['<a@b.test>', { x: 1 }] }, /^References is an object/],
	['space inside a Message-ID', { references: '<a b@c.test>' }, /^References: "<a" is not a message ID/],
	['missing binary property', { bin: 'missing' }, /^Attachments: item \d+ has no binary property "missing" \(it has "file"\)$/],
	['line break in an attachment name', { bin: 'file', fileName: 'a\r\nb.txt' }, /^Attachments: File Name contains a line break/],
	['message over the size limit', { bin: 'big' }, /^The message is \d\.\d MB once encoded, more than the 1\.0 MB Max Message Size allows/],
];

const GOOD: Array<[string, IDataObject]> = [
	['plain', {}],
	['display name with a comma and quotes', { to: '"Doe, Jane" <jane@example.test>' }],
	['IDN domain', { to: 'info@bücher.example' }],
	['UTF-8 local part (server offers SMTPUTF8)', { to: 'jöran@example.test' }],
	['number as Subject', { subject: 42 }],
	['boolean as From Name', { fromName: true }],
	['duplicates are sent once', { to: 'dup@example.test, DUP@example.test', cc: 'dup@example.test' }],
	['semicolon-separated list', { to: 'l1@example.test; l2@example.test' }],
	['attachment', { bin: 'file', fileName: 'report.txt' }],
	['IP literal', { to: 'postmaster@[127.0.0.1]' }],
];

let server: TestSmtpServer;
beforeAll(async () => {
	server = await startSmtpServer();
});
afterAll(async () => server.close());

const file: IBinaryData = { data: Buffer.from('hello').toString('base64'), mimeType: 'text/plain', fileName: 'hello.txt' };
const big: IBinaryData = { data: randomBytes(1_500_000).toString('base64'), mimeType: 'application/octet-stream', fileName: 'big.bin' };

test(`${BAD.length} bad inputs fail their own item, naming the field; ${GOOD.length} good ones in the same batch are delivered`, async () => {
	expect(BAD.length).toBeGreaterThanOrEqual(40);
	const cases = [...BAD.map(([name, json, expected]) => ({ name, json, expected })), ...GOOD.map(([name, json]) => ({ name, json, expected: undefined }))];
	// Good and bad interleaved, so a bad item cannot hide behind a good neighbour or stop the batch.
	const order = cases.map((_, i) => i).sort((a, b) => ((a * 7919) % cases.length) - ((b * 7919) % cases.length));
	const items: INodeExecutionData[] = order.map((c, i) => ({
		json: { ...cases[c].json, case: i },
		binary: (cases[c].json.bin === 'big' ? { file, big } : { file }) as Record<string, IBinaryData>,
	}));
	const run = await runSendNode({ parameters, items, credential: await credentialFor(server), continueOnFail: true });
	const out = outputOf(run, 'Send Email');

	expect(out).toHaveLength(items.length);
	const sentCases: number[] = [];
	out.forEach((item, i) => {
		const c = cases[order[i]];
		expect(item.pairedItem).toEqual({ item: i });
		const error = item.json.error as { message: string; itemIndex: number } | undefined;
		if (c.expected) {
			expect({ case: c.name, message: error?.message }).toEqual({ case: c.name, message: expect.stringMatching(c.expected) });
			expect(error?.itemIndex).toBe(i);
		} else {
			expect({ case: c.name, error }).toEqual({ case: c.name, error: undefined });
			expect((item.json.accepted as string[]).length).toBeGreaterThan(0);
			sentCases.push(i);
		}
	});
	const received = await server.waitFor(GOOD.length);
	await new Promise((resolve) => setTimeout(resolve, 200));
	expect(server.received.map((m) => Number(m.parsed.headers.get('x-case'))).sort((a, b) => a - b)).toEqual(sentCases);

	const byName = (name: string) => {
		const i = order.findIndex((c) => cases[c].name === name);
		return { out: out[i].json, mail: received.find((m) => Number(m.parsed.headers.get('x-case')) === i)! };
	};
	expect(byName('display name with a comma and quotes').mail.parsed.to).toMatchObject({ value: [{ name: 'Doe, Jane', address: 'jane@example.test' }] });
	// sent in ASCII (smtp-server shows envelope domains in Unicode, so the header is checked)
	expect(byName('IDN domain').mail.raw.toString()).toMatch(/^To: info@xn--bcher-kva\.example\r$/m);
	expect(byName('UTF-8 local part (server offers SMTPUTF8)').mail.envelope.to).toEqual(['jöran@example.test']);
	expect(byName('number as Subject').mail.parsed.subject).toBe('42');
	expect(byName('boolean as From Name').mail.parsed.from).toMatchObject({ value: [{ name: 'true' }] });
	const duplicates = byName('duplicates are sent once');
	expect(duplicates.mail.envelope.to).toEqual(['dup@example.test']);
	expect(duplicates.out.duplicateRecipients).toEqual(['DUP@example.test', 'dup@example.test']);
	expect(byName('semicolon-separated list').mail.envelope.to).toEqual(['l1@example.test', 'l2@example.test']);
	expect(byName('attachment').mail.parsed.attachments.map((a) => a.filename)).toEqual(['report.txt']);
}, 60_000);
