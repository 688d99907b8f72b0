import type { IDataObject } from 'n8n-workflow';

import { outputOf } from '../support/engine';
import { credentialFor, startSmtpServer, type TestSmtpServer } from '../support/smtpServer';
import { runSendNode } from '../support/workflows';

/** Allowed Recipient Domains: a recipient outside them fails its item by name, and nothing is sent for it. */

let server: TestSmtpServer;
beforeAll(async () => {
	server = await startSmtpServer();
});
afterAll(async () => server.close());

const allowed = 'example.com, @Example.org';

async function send(items: IDataObject[], options: IDataObject = {}) {
	const before = server.received.length;
	const run = await runSendNode({
		parameters: { fromEmail: 'ops@example.com', toEmail: '={{ $json.to }}', subject: 'Hi', html: '<p>Hi</p>', options: { allowedRecipientDomains: allowed, ccEmail: '={{ $json.cc ?? "" }}', ...options } },
		items: items.map((json) => ({ json })),
		credential: await credentialFor(server),
		continueOnFail: true,
	});
	const out = outputOf(run, 'Send Email').map((item) => (item.json.error as { message?: string } | undefined)?.message ?? item.json.accepted);
	await new Promise((r) => setTimeout(r, 100));
	return { out, arrived: server.received.slice(before).map((m) => m.envelope.to) };
}

test('listed domains and their subdomains pass; other domains and look-alikes fail by name', async () => {
	const { out, arrived } = await send([
		{ to: 'anna@example.com' },
		{ to: 'Ben <ben@EU.Example.org>' },
		{ to: 'carl@notexample.org' },
		{ to: 'dora@example.com.evil.test' },
		{ to: 'anna@example.com', cc: 'eve@attacker.test' },
	]);
	expect(out).toEqual([
		['anna@example.com'],
		['ben@eu.example.org'],
		'To Email: "carl@notexample.org" is not in Allowed Recipient Domains (example.com, example.org): nothing was sent',
		'To Email: "dora@example.com.evil.test" is not in Allowed Recipient Domains (example.com, example.org): nothing was sent',
		'CC Email: "eve@attacker.test" is not in Allowed Recipient Domains (example.com, example.org): nothing was sent',
	]);
	expect(arrived.flat().sort()).toEqual(['anna@example.com', 'ben@eu.example.org']); // sent in parallel: in any order
});

test('Redirect All Recipients To must be allowed too; empty allows any domain', async () => {
	expect((await send([{ to: 'anna@example.com' }], { redirectAllTo: 'qa@elsewhere.test' })).out).toEqual([
		'Redirect All Recipients To: "qa@elsewhere.test" is not in Allowed Recipient Domains (example.com, example.org): nothing was sent',
	]);
	expect((await send([{ to: 'zoe@anywhere.test' }], { allowedRecipientDomains: '' })).out).toEqual([['zoe@anywhere.test']]);
});
