import type { IBinaryData } from 'n8n-workflow';

import { outputOf } from '../support/engine';
import { credentialFor, startSmtpServer, TEST_USER, type TestSmtpServer } from '../support/smtpServer';
import { runSendNode } from '../support/workflows';

let server: TestSmtpServer;
beforeEach(async () => {
	server = await startSmtpServer();
});
afterEach(async () => server.close());

const baseParameters = {
	fromEmail: 'Ops Bot <ops@example.test>',
	toEmail: '={{ $json.email }}',
	subject: '=Bestellung {{ $json.order }} – bestätigt ✅',
	html: '=<h1>Hallo {{ $json.name }}</h1><p>Order <b>{{ $json.order }}</b> is approved.</p><p><a href="https://example.test/o/{{ $json.order }}">Open</a></p>',
};

const people = Array.from({ length: 5 }, (_, i) => ({
	json: { email: `user${i}@example.test`, name: `Jörg ${i}`, order: 1000 + i },
}));

test('sends one mail per item over one connection, resolving expressions per item', async () => {
	const run = await runSendNode({
		parameters: { ...baseParameters, deliveryOptions: { maxConnections: 1 } },
		items: people,
		credential: await credentialFor(server),
	});
	const out = outputOf(run, 'Send Email');
	const received = await server.waitFor(5);

	expect(server.connections).toBe(1);
	expect(out).toHaveLength(5);
	out.forEach((item, i) => {
		expect(item.pairedItem).toEqual({ item: i });
		expect(item.json).toMatchObject({
			accepted: [`user${i}@example.test`],
			rejected: [],
			envelope: { from: 'ops@example.test', to: [`user${i}@example.test`] },
		});
		expect(item.json.messageId).toMatch(/^<.+@.+>$/);
		expect(String(item.json.response)).toMatch(/^250 /);
	});
	received.forEach((mail, i) => {
		expect(mail.envelope).toEqual({ from: 'ops@example.test', to: [`user${i}@example.test`] });
		expect(mail.parsed.subject).toBe(`Bestellung ${1000 + i} – bestätigt ✅`);
		expect(mail.parsed.from?.value).toEqual([{ name: 'Ops Bot', address: 'ops@example.test' }]);
		expect(mail.parsed.html).toContain(`<h1>Hallo Jörg ${i}</h1>`);
		expect(mail.parsed.text).toContain(`Hallo Jörg ${i}`);
		expect(mail.parsed.text).toContain(`Open [https://example.test/o/${1000 + i}]`);
		expect(mail.parsed.messageId).toBe(out[i].json.messageId);
	});
});

test('cc, bcc, reply-to, lists with semicolons and arrays from expressions', async () => {
	const run = await runSendNode({
		parameters: {
			...baseParameters,
			toEmail: '={{ $json.to }}',
			options: {
				ccEmail: 'Carla <carla@example.test>; dave@example.test',
				bccEmail: '={{ ["audit@example.test", "legal@example.test"] }}',
				replyTo: '"Doe, Jane" <jane@example.test>',
			},
		},
		items: [{ json: { to: ['a@example.test', 'B Person <b@example.test>'], name: 'X', order: 1 } }],
		credential: await credentialFor(server),
	});
	expect(outputOf(run, 'Send Email')[0].json.accepted).toEqual([
		'a@example.test',
		'b@example.test',
		'carla@example.test',
		'dave@example.test',
		'audit@example.test',
		'legal@example.test',
	]);
	const [mail] = await server.waitFor(1);
	expect(mail.parsed.to).toMatchObject({ value: [{ address: 'a@example.test' }, { address: 'b@example.test', name: 'B Person' }] });
	expect(mail.parsed.cc).toMatchObject({ value: [{ address: 'carla@example.test', name: 'Carla' }, { address: 'dave@example.test' }] });
	expect(mail.parsed.replyTo?.value).toEqual([{ address: 'jane@example.test', name: 'Doe, Jane' }]);
	expect(mail.parsed.headers.has('bcc')).toBe(false);
	expect(mail.raw.toString()).not.toMatch(/audit@|legal@/);
	expect(mail.envelope.to).toEqual(expect.arrayContaining(['audit@example.test', 'legal@example.test']));
});

test('attachments from binary fields: as files and inline with a cid', async () => {
	const pdf = Buffer.from('%PDF-1.4 fake invoice');
	const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
	const binary: Record<string, IBinaryData> = {
		invoice: { data: pdf.toString('base64'), mimeType: 'application/pdf', fileName: 'invoice.pdf' },
		logo: { data: png.toString('base64'), mimeType: 'image/png', fileName: 'logo.png' },
	};
	const run = await runSendNode({
		parameters: {
			...baseParameters,
			html: '<p>See attached</p><img src="cid:logo">',
			options: {
				attachmentsUi: {
					attachment: [
						{ binaryPropertyName: 'invoice', inline: false, fileName: 'Rechnung 42.pdf' },
						{ binaryPropertyName: 'logo', inline: true, cid: '' },
					],
				},
			},
		},
		items: [{ json: { email: 'x@example.test' }, binary }],
		credential: await credentialFor(server),
	});
	expect(outputOf(run, 'Send Email')[0].json.accepted).toEqual(['x@example.test']);
	const [mail] = await server.waitFor(1);
	const byName = Object.fromEntries(mail.parsed.attachments.map((a) => [a.filename, a]));
	expect(byName['Rechnung 42.pdf']).toMatchObject({ contentType: 'application/pdf', contentDisposition: 'attachment' });
	expect(byName['Rechnung 42.pdf'].content.equals(pdf)).toBe(true);
	expect(byName['logo.png']).toMatchObject({ contentType: 'image/png', contentDisposition: 'inline', cid: 'logo' });
	expect(byName['logo.png'].content.equals(png)).toBe(true);
});

test('custom headers, priority and threading', async () => {
	await runSendNode({
		parameters: {
			...baseParameters,
			options: {
				headersUi: { header: [{ name: 'X-Campaign', value: '=approvals-{{ $json.order }}' }, { name: 'List-Unsubscribe', value: '<mailto:unsub@example.test>' }] },
				priority: 'high',
				inReplyTo: '<req-1@example.test>',
				references: '<root@example.test> req-1@example.test',
				messageId: '=<order-{{ $json.order }}@example.test>',
				text: 'Plain version',
			},
		},
		items: [people[0]],
		credential: await credentialFor(server),
	});
	const [mail] = await server.waitFor(1);
	expect(mail.parsed.headers.get('x-campaign')).toBe('approvals-1000');
	expect(mail.raw.toString()).toContain('List-Unsubscribe: <mailto:unsub@example.test>');
	expect(mail.raw.toString()).toMatch(/^X-Priority: 1 \(Highest\)\r$/m);
	expect(mail.raw.toString()).toMatch(/^Importance: High\r$/m);
	expect(mail.parsed.inReplyTo).toBe('<req-1@example.test>');
	expect(mail.parsed.references).toEqual(['<root@example.test>', '<req-1@example.test>']);
	expect(mail.parsed.messageId).toBe('<order-1000@example.test>');
	expect(mail.parsed.text?.trim()).toBe('Plain version');
});

test('default sender comes from the credential when From is empty', async () => {
	await runSendNode({
		parameters: { ...baseParameters, fromEmail: '' },
		items: [people[0]],
		credential: await credentialFor(server, { fromEmail: 'noreply@example.test', fromName: 'Acme Notifications' }),
	});
	const [mail] = await server.waitFor(1);
	expect(mail.parsed.from?.value).toEqual([{ address: 'noreply@example.test', name: 'Acme Notifications' }]);
});

test("with From empty and no Default From Email, the credential's User sends when it is an address (Gmail, Microsoft 365)", async () => {
	const run = await runSendNode({ parameters: { ...baseParameters, fromEmail: '' }, items: [people[0]], credential: await credentialFor(server, { fromName: 'Acme' }) });
	expect(outputOf(run, 'Send Email')[0].json.accepted).toEqual([people[0].json.email]);
	const [mail] = await server.waitFor(1);
	expect(mail.parsed.from?.value).toEqual([{ address: TEST_USER, name: 'Acme' }]);
	expect(mail.envelope.from).toBe(TEST_USER);
});

test.each([
	['a relay without login', { security: 'none', authType: 'none' }, { noStartTls: true, noAuth: true }],
	['a User that is not an address', { user: 'apikey' }, { users: { apikey: 'secret' } }],
])('with no sender anywhere (%s) the item fails naming From Email, before connecting', async (_label, credentialOverrides, serverOptions) => {
	await server.close();
	server = await startSmtpServer(serverOptions);
	const run = await runSendNode({
		parameters: { ...baseParameters, fromEmail: '' },
		items: [people[0]],
		credential: await credentialFor(server, { password: 'secret', ...credentialOverrides }),
		continueOnFail: true,
	});
	expect(outputOf(run, 'Send Email')[0].json.error).toMatchObject({
		message: 'From Email is empty, and the credential has no Default From Email and its User cannot send (not one email address, or an NTLM account): fill From Email here, or Default From Email in the credential',
	});
	expect(server.connections).toBe(0);
});

test('a workflow saved with n8n\'s "Custom API Call" operation fails saying why, and sends nothing', async () => {
	const run = await runSendNode({ parameters: { ...baseParameters, operation: '__CUSTOM_API_CALL__' }, items: [people[0]], credential: await credentialFor(server) });
	expect(run.data.resultData.error?.message).toBe('"Custom API Call" makes HTTP requests, and SMTP is not an HTTP API: choose Send Email, Send Email and Wait for Response, or Read Delivery Report');
	expect(server.connections).toBe(0);
});

test('preview returns the .eml without connecting', async () => {
	const run = await runSendNode({
		parameters: { ...baseParameters, options: { preview: true } },
		items: [people[0]],
		credential: await credentialFor(server),
	});
	const [item] = outputOf(run, 'Send Email');
	expect(item.json).toMatchObject({ preview: true, envelope: { from: 'ops@example.test', to: ['user0@example.test'] } });
	expect(item.binary?.data).toMatchObject({ fileName: 'message.eml', mimeType: 'message/rfc822' });
	const eml = Buffer.from(item.binary!.data.data, 'base64').toString();
	expect(eml).toMatch(/^Content-Type: multipart\/alternative/m);
	expect(eml).toContain(`Message-ID: ${item.json.messageId}`);
	expect(server.connections).toBe(0);
});

test('redirect all recipients keeps the originals in headers only', async () => {
	const run = await runSendNode({
		parameters: { ...baseParameters, options: { ccEmail: 'cc@example.test', bccEmail: 'hidden@example.test', redirectAllTo: 'qa@example.test' } },
		items: [people[0]],
		credential: await credentialFor(server),
	});
	expect(outputOf(run, 'Send Email')[0].json.accepted).toEqual(['qa@example.test']);
	const [mail] = await server.waitFor(1);
	expect(mail.envelope.to).toEqual(['qa@example.test']);
	expect(mail.parsed.headers.get('x-original-to')).toBe('<user0@example.test>');
	expect(mail.parsed.headers.get('x-original-cc')).toBe('<cc@example.test>');
	expect(mail.parsed.headers.get('x-original-bcc')).toBe('<hidden@example.test>');
});

test.each([
	['implicit TLS', { secure: true }, { security: 'tls' }],
	['plain text anonymous relay', { noStartTls: true, noAuth: true }, { security: 'none', authType: 'none' }],
])('sends over %s', async (_label, serverOptions, credentialOverrides) => {
	await server.close();
	server = await startSmtpServer(serverOptions);
	const run = await runSendNode({ parameters: baseParameters, items: people, credential: await credentialFor(server, credentialOverrides) });
	expect(outputOf(run, 'Send Email').map((i) => i.json.accepted)).toEqual(people.map((p) => [p.json.email]));
	expect(server.connections).toBeLessThanOrEqual(3);
});

describe('failures: one definite outcome per item', () => {
	const mixed = [
		{ json: { email: 'good1@example.test', order: 1 } },
		{ json: { email: 'not-an-address', order: 2 } },
		{ json: { email: 'nobody@example.test', order: 3 } },
		{ json: { email: 'good2@example.test, nobody@example.test', order: 4 } },
	];
	const rejecting = () => startSmtpServer({ rejectRecipients: { 'nobody@example.test': [550, '5.1.1 No such user here'] } });

	test('continueOnFail: failed items carry the field or the SMTP reply and code, the rest are sent', async () => {
		await server.close();
		server = await rejecting();
		const run = await runSendNode({ parameters: baseParameters, items: mixed, credential: await credentialFor(server), continueOnFail: true });
		const out = outputOf(run, 'Send Email');
		expect(out.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }]);
		expect(out[0].json.accepted).toEqual(['good1@example.test']);
		expect(out[1].json.error).toMatchObject({ message: 'To Email: "not-an-address" is not a valid email address (no "@")', itemIndex: 1 });
		expect(out[2].json.error).toMatchObject({ smtpCode: 550, kind: 'recipientRefused', transient: false, itemIndex: 2 });
		expect((out[2].json.error as { message: string }).message).toContain('550 5.1.1 No such user here');
		expect(out[3].json).toMatchObject({
			accepted: ['good2@example.test'],
			rejected: ['nobody@example.test'],
			rejectedReplies: [{ recipient: 'nobody@example.test', code: 550, reply: expect.stringContaining('5.1.1 No such user here') }],
		});
		expect((await server.waitFor(2)).map((m) => m.envelope.to).sort()).toEqual([['good1@example.test'], ['good2@example.test']]);
		expect(server.connections).toBeLessThanOrEqual(3);
		expect(JSON.stringify(out)).not.toContain('s3cret');
	});

	test('error output: failed items go to the second output, paired with their input', async () => {
		await server.close();
		server = await rejecting();
		const run = await runSendNode({ parameters: baseParameters, items: mixed, credential: await credentialFor(server), onError: 'continueErrorOutput' });
		const success = outputOf(run, 'Send Email', 0);
		const failed = outputOf(run, 'Send Email', 1);
		expect(success.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 3 }]);
		expect(failed.map((i) => i.pairedItem)).toEqual([{ item: 1 }, { item: 2 }]);
		expect(failed[1].json).toMatchObject({ error: { smtpCode: 550, itemIndex: 2 } });
	});

	test('without continueOnFail the execution stops with the item index', async () => {
		const run = await runSendNode({ parameters: baseParameters, items: mixed, credential: await credentialFor(server) });
		const error = run.data.resultData.error as unknown as { message: string; context?: { itemIndex?: number } };
		expect(error.message).toBe('To Email: "not-an-address" is not a valid email address (no "@")');
		expect(error.context?.itemIndex).toBe(1);
		// Items already in flight beside the failed one still complete; nothing is sent for the failed item.
		expect(server.received.map((m) => m.envelope.to)).not.toContainEqual(['not-an-address']);
	});

	test('wrong password fails each item with the diagnosis, and never shows the password', async () => {
		const run = await runSendNode({
			parameters: baseParameters,
			items: people.slice(0, 2),
			credential: await credentialFor(server, { password: 'Wr0ng-s3cret' }),
			continueOnFail: true,
		});
		const out = outputOf(run, 'Send Email');
		expect(out).toHaveLength(2);
		for (const item of out) {
			expect(item.json.error).toMatchObject({ kind: 'authRejected', smtpCode: 535 });
			expect(JSON.stringify(item.json)).not.toMatch(/Wr0ng-s3cret|s3cret/);
		}
		expect(JSON.stringify(run.data)).not.toContain('Wr0ng-s3cret');
		expect(server.logins).toEqual([]);
		expect(TEST_USER).toBeTruthy();
	});

	test('a bad header fails only its item', async () => {
		const run = await runSendNode({
			parameters: { ...baseParameters, options: { headersUi: { header: [{ name: 'X-Ref', value: '={{ $json.ref }}' }] } } },
			items: [{ json: { email: 'a@example.test', ref: 'ok' } }, { json: { email: 'b@example.test', ref: 'x\r\nBcc: victim@example.test' } }],
			credential: await credentialFor(server),
			continueOnFail: true,
		});
		const out = outputOf(run, 'Send Email');
		expect(out[0].json.accepted).toEqual(['a@example.test']);
		expect(out[1].json.error).toMatchObject({ message: 'Custom Header X-Ref contains a line break or control character', itemIndex: 1 });
		expect(server.received).toHaveLength(1);
	});
});

test('a connection failure keeps its diagnosis in the error n8n shows', async () => {
	await server.close();
	const run = await runSendNode({ parameters: baseParameters, items: [people[0]], credential: await credentialFor(server) });
	const error = run.data.resultData.error as unknown as { message: string; context?: { itemIndex?: number } };
	expect(error.message).toMatch(/^Nothing accepts connections on 127.0.0.1:\d+: check the host and port/);
	expect(error.message).toContain('ECONNREFUSED');
	expect(error.context?.itemIndex).toBe(0);
	server = await startSmtpServer();
});

test('an expression cannot make the node read a local file', async () => {
	const run = await runSendNode({
		parameters: { ...baseParameters, html: '={{ { path: "/etc/hostname" } }}', options: { text: '={{ { path: "/etc/hostname" } }}' } },
		items: [people[0]],
		credential: await credentialFor(server),
		continueOnFail: true,
	});
	// An object is never handed to nodemailer (which would read { path } as a file): the item fails instead.
	expect(outputOf(run, 'Send Email')[0].json.error).toMatchObject({ message: expect.stringMatching(/^HTML is an object \(\{"path":"\/etc\/hostname"\}\), not text/) });
	await new Promise((resolve) => setTimeout(resolve, 100));
	expect(server.received).toHaveLength(0);
});

test('an expression that fails is reported as such, not as an SMTP failure', async () => {
	const run = await runSendNode({
		parameters: { ...baseParameters, subject: '={{ $json.title( }}' },
		items: [people[0]],
		credential: await credentialFor(server),
		continueOnFail: true,
	});
	const error = outputOf(run, 'Send Email')[0].json.error as { message: string; kind?: string };
	expect(error.kind).toBeUndefined();
	expect(error.message).not.toMatch(/SMTP/);
	expect(error.message).toMatch(/invalid syntax/i);
});
