import fc from 'fast-check';
import libmime from 'libmime';
import type { IBinaryData } from 'n8n-workflow';

import { hasControlCharacter } from '../../nodes/SmtpConnector/message/headers';
import { outputOf } from '../support/engine';
import { credentialFor, startSmtpServer, type ReceivedMail, type TestSmtpServer } from '../support/smtpServer';
import { runSendNode } from '../support/workflows';

/**
 * Property: whatever text an item carries in a header-bearing field, the message that arrives has
 * exactly the expected headers and one attachment, and every value reads back as it was sent — or
 * the item fails naming the field and nothing is sent for it. Runs through n8n's engine to a real
 * SMTP server; mailparser reads what arrived.
 */

const SPECIALS = [
	'\r', '\n', '\r\n', '\r\nBcc: evil@attacker.test', '\nContent-Type: text/html', '\r\n\r\n--boundary\r\n', '\r\n.\r\n',
	':', ';', ',', '"', "'", '<', '>', '\\', '(', ')', '[', ']', '@', '=?utf-8?B?SGk=?=', '=?', '?=', '=3D', '%0d%0a',
	'\t', ' ', '  ', '\u0000', '\u0007', '\u001b', '\u007f', '\u0085', '\u2028', 'é', 'grüße', '中文', '🙂', 'MAIL FROM:<x@y>', 'Subject: x',
];
const anyText = fc
	.array(fc.oneof(fc.constantFrom(...SPECIALS), fc.string({ maxLength: 8 }), fc.string({ unit: 'grapheme', maxLength: 6 })), { maxLength: 10 })
	.map((parts) => parts.join(''));
// Mostly values without control characters, so most items are sent and read back; some with, to be refused.
const hostile = fc.oneof({ weight: 9, arbitrary: anyText.filter((v) => !hasControlCharacter(v)) }, { weight: 1, arbitrary: anyText });
const ATEXT = "abcXYZ019!#$%&'*+/=?^_`{|}~-".split('');
const idPart = fc.array(fc.constantFrom(...ATEXT), { minLength: 1, maxLength: 10 }).map((c) => c.join(''));
const messageId = fc.tuple(idPart, idPart, idPart).map(([a, b, c]) => `<${a}.${b}@${c}.example>`);
const references = fc.oneof({ weight: 4, arbitrary: fc.array(messageId, { maxLength: 3 }).map((ids) => ids.join(' ')) }, { weight: 1, arbitrary: hostile });

interface Case {
	subject: string;
	fromName: string;
	toName: string;
	replyName: string;
	header: string;
	fileName: string;
	references: string;
}
const caseArb: fc.Arbitrary<Case> = fc.record({
	subject: hostile,
	fromName: hostile,
	toName: hostile,
	replyName: hostile,
	header: hostile.map((v) => `v${v}`),
	fileName: hostile.map((v) => `f${v}`),
	references,
});

let server: TestSmtpServer;
let credential: Record<string, unknown>;
beforeAll(async () => {
	server = await startSmtpServer();
	credential = await credentialFor(server);
});
afterAll(async () => server.close());

const BODY = 'Body sentinel 7f3e';
const attachment: IBinaryData = { data: Buffer.from('attachment bytes').toString('base64'), mimeType: 'text/plain', fileName: 'a.txt' };

const parameters = {
	fromEmail: 'sender@example.test',
	fromName: '={{ $json.fromName }}',
	toEmail: '={{ [{ name: $json.toName, address: "rcpt@example.test" }] }}',
	subject: '={{ $json.subject }}',
	html: `<p>${BODY}</p>`,
	options: {
		replyTo: '={{ [{ name: $json.replyName, address: "reply@example.test" }] }}',
		references: '={{ $json.references }}',
		headersUi: { header: [{ name: 'X-Case', value: '={{ $json.id }}' }, { name: 'X-Hostile', value: '={{ $json.header }}' }] },
		attachmentsUi: { attachment: [{ binaryPropertyName: 'file', fileName: '={{ $json.fileName }}' }] },
	},
	deliveryOptions: { retries: 0 },
};

/** The field an item must fail on, or undefined when every value is acceptable. */
function rejectedField(c: Case): RegExp | undefined {
	if (hasControlCharacter(c.fileName)) return /^Attachments: File Name contains a line break/; // read with the binary data, first
	if (hasControlCharacter(c.fromName)) return /^From Name contains a line break/;
	if (hasControlCharacter(c.toName)) return /^To Email: the name of "rcpt@example.test" contains a line break/;
	if (hasControlCharacter(c.header)) return /^Custom Header X-Hostile contains a line break/;
	if (hasControlCharacter(c.replyName)) return /^Reply To: the name of "reply@example.test" contains a line break/;
	if (hasControlCharacter(c.subject)) return /^Subject contains a line break/;
	if (hasControlCharacter(c.references)) return /^References contains a line break/;
	if (referencesOf(c).some((r) => !MSG_ID.test(r))) return /^References: ".*" is not a message ID/;
	return undefined;
}

// RFC 5322 msg-id, angle brackets optional in the input: dot-atom-text "@" (dot-atom-text / no-fold-literal).
const ATOM = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
const MSG_ID = new RegExp(`^<?${ATOM}(\\.${ATOM})*@(${ATOM}(\\.${ATOM})*|\\[[\\x21-\\x5a\\x5e-\\x7e]*\\])>?$`);
const referencesOf = (c: Case) => c.references.split(/[\s,]+/).filter(Boolean);

const topLevelHeaders = (mail: ReceivedMail) => [...new Set(mail.parsed.headerLines.map((h) => h.key))].sort();
const nameOf = (value: unknown) => (value as { value: Array<{ name: string }> }).value[0].name;

test('hostile values never add a header or a part, and round-trip when accepted', async () => {
	let id = 0;
	let roundTrips = 0;
	let refusals = 0;
	await fc.assert(
		fc.asyncProperty(fc.array(caseArb, { minLength: 8, maxLength: 8 }), async (cases) => {
			const first = id;
			const items = cases.map((c) => ({ json: { ...c, id: String(id++) }, binary: { file: attachment } }));
			const before = server.received.length;
			const run = await runSendNode({ parameters, items, credential, continueOnFail: true });
			const out = outputOf(run, 'Send Email');
			expect(out).toHaveLength(cases.length);
			const expectedSent = cases.filter((c) => !rejectedField(c)).length;
			const arrived = expectedSent ? await server.waitFor(before + expectedSent) : server.received;
			const mine = arrived.slice(before);
			expect(mine).toHaveLength(expectedSent);
			cases.forEach((c, k) => {
				const rejected = rejectedField(c);
				const json = out[k].json;
				if (rejected) {
					expect((json.error as { message: string }).message).toMatch(rejected);
					refusals++;
					return;
				}
				expect(json.error).toBeUndefined();
				const mail = mine.find((m) => m.parsed.headers.get('x-case') === String(first + k));
				expect(mail).toBeDefined();
				const { parsed } = mail!;
				const refs = referencesOf(c).map((r) => `<${r.replace(/^<|>$/g, '')}>`);
				expect(topLevelHeaders(mail!)).toEqual(
					[
						...['content-type', 'date', 'from', 'message-id', 'mime-version', 'reply-to', 'to', 'x-case', 'x-hostile'],
						...(c.subject.trim() ? ['subject'] : []),
						...(refs.length ? ['references'] : []),
					].sort(),
				);
				expect(parsed.subject ?? '').toBe(c.subject.trim());
				expect(nameOf(parsed.from)).toBe(c.fromName.trim());
				expect(nameOf(parsed.to)).toBe(c.toName.trim());
				expect(nameOf(parsed.replyTo)).toBe(c.replyName.trim());
				// an unstructured header comes back as the server received it: decode its RFC 2047 words, as a mail client does
				expect(libmime.decodeWords(String(parsed.headers.get('x-hostile'))).trim()).toBe(c.header.trim());
				expect(parsed.attachments.map((a) => a.filename)).toEqual([c.fileName.trim()]);
				expect(parsed.text?.trim()).toBe(BODY);
				expect([parsed.references ?? []].flat()).toEqual(refs);
				expect(mail!.envelope.to).toEqual(['rcpt@example.test']);
				roundTrips++;
			});
		}),
		{ numRuns: Number(process.env.FC_RUNS ?? 25), ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}) },
	);
	// The property must have been exercised both ways, not passed by refusing (or accepting) everything.
	expect(roundTrips).toBeGreaterThan(50);
	expect(refusals).toBeGreaterThan(10);
}, 300_000); // room for shrinking a counterexample under load, so it is reported rather than timed out
