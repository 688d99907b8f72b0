import { randomBytes } from 'node:crypto';
import type { IBinaryData } from 'n8n-workflow';

import { outputOf } from '../support/engine';
import { credentialFor, startSmtpServer, type TestSmtpServer } from '../support/smtpServer';
import { runSendNode } from '../support/workflows';

/** Limits only the server knows, checked before the message is sent: its SIZE, and SMTPUTF8. */

const attachment = (bytes: number): IBinaryData => ({
	data: randomBytes(bytes).toString('base64'),
	mimeType: 'application/octet-stream',
	fileName: 'data.bin',
});

async function send(server: TestSmtpServer, toEmail: string, binary?: IBinaryData) {
	const run = await runSendNode({
		parameters: {
			fromEmail: 'sender@example.test',
			toEmail,
			subject: 'Limits',
			html: '<p>x</p>',
			options: binary ? { attachmentsUi: { attachment: [{ binaryPropertyName: 'file' }] } } : {},
			deliveryOptions: { retries: 0 },
		},
		items: [{ json: {}, ...(binary ? { binary: { file: binary } } : {}) }],
		credential: await credentialFor(server),
		continueOnFail: true,
	});
	return outputOf(run, 'Send Email')[0].json;
}

describe("the server's SIZE limit", () => {
	let server: TestSmtpServer;
	beforeAll(async () => {
		server = await startSmtpServer({ size: 1024 * 1024 });
	});
	afterAll(async () => server.close());

	test('a message over it fails before MAIL FROM, saying both sizes; a smaller one goes through', async () => {
		const tooBig = await send(server, 'rcpt@example.test', attachment(900_000)); // ~1.2 MB once base64-encoded
		expect(tooBig.error).toMatchObject({
			kind: 'messageTooLarge',
			message: expect.stringMatching(/^The message is 1\.2 MB once encoded; the server accepts at most 1\.0 MB \(its SIZE limit\), so it was not sent/),
		});
		expect(server.rcptLog).toEqual([]);
		expect(server.received).toEqual([]);
		const fits = await send(server, 'rcpt@example.test', attachment(600_000));
		expect(fits.accepted).toEqual(['rcpt@example.test']);
	});
});

describe('SMTPUTF8', () => {
	let server: TestSmtpServer;
	beforeAll(async () => {
		server = await startSmtpServer({ noSmtpUtf8: true });
	});
	afterAll(async () => server.close());

	test('a UTF-8 local part is refused before sending when the server does not offer SMTPUTF8', async () => {
		const out = await send(server, 'jöran@example.test');
		expect(out.error).toMatchObject({
			kind: 'addressNotSupported',
			message: expect.stringMatching(/^The server does not offer SMTPUTF8.*Server said: "jöran@example\.test" has non-ASCII characters before the @, and 127\.0\.0\.1 does not offer SMTPUTF8$/),
		});
		expect(server.received).toEqual([]);
	});

	test('an IDN domain needs no SMTPUTF8: it goes in ASCII', async () => {
		const out = await send(server, 'info@bücher.example');
		expect(out.accepted).toEqual(['info@xn--bcher-kva.example']);
	});
});
