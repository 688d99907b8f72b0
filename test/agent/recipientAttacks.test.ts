import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { outputOf } from '../support/engine';
import { credentialFor, startSmtpServer, type TestSmtpServer } from '../support/smtpServer';
import { runSendNode } from '../support/workflows';

/**
 * Recipients a model might use to get past Allowed Recipient Domains (example.com), through the email
 * tool (the "…Tool" variant) on n8n's engine: each is refused by name, as an error the model reads, and
 * nothing reaches the loopback server.
 */

let server: TestSmtpServer;
beforeAll(async () => {
	server = await startSmtpServer();
});
afterAll(async () => server.close());

const TOOL = { fromEmail: 'Support <support@example.com>', options: { allowedRecipientDomains: 'example.com' }, deliveryOptions: { retries: 0 } };

async function call(args: IDataObject, parameters: INodeParameters = TOOL) {
	const before = server.received.length;
	const run = await runSendNode({ parameters, items: [{ json: args }], credential: await credentialFor(server), variant: 'Tool' });
	const error = run.data.resultData.error;
	const result = error ? undefined : outputOf(run, 'Send Email')[0].json;
	await new Promise((r) => setTimeout(r, 100));
	return { result, error: error?.message, arrived: server.received.slice(before) };
}

/** What the model reads when its To is at fault. */
const toError = (message: string) => `${message}. Correct the "To" argument and call the tool again.`;
const refused = (shown: string) => toError(`To Email: "${shown}" is not in Allowed Recipient Domains (example.com): nothing was sent`);

describe('recipients outside Allowed Recipient Domains (example.com): refused by name, nothing reaches the server', () => {
	test.each<[string, IDataObject[string], string]>([
		['Cyrillic а look-alike (checked in punycode)', 'a@ex\u0430mple.com', refused('a@xn--exmple-4nf.com')],
		['IP literal', 'a@[127.0.0.1]', refused('a@[127.0.0.1]')],
		['quoted local part holding an allowed address', '"a@example.com"@attacker.test', refused('"a@example.com"@attacker.test')],
		['comment naming the allowed domain', 'a@attacker.test(example.com)', refused('a@attacker.test')],
		['comment in the local part', 'a(x)@attacker.test', refused('a@attacker.test')],
		['group syntax', 'x: a@attacker.test;', refused('a@attacker.test')],
		['group mixing allowed and not', 'x: a@example.com, b@attacker.test;', refused('b@attacker.test')],
		['display name that is an allowed address', 'a@example.com <b@attacker.test>', refused('b@attacker.test')],
		['source route', '<@example.com:b@attacker.test>', refused('b@attacker.test')],
		['fullwidth ideographic dot (IDNA maps it to ".")', 'b@attacker\u3002test', refused('b@attacker.test')],
		['{ address } object', { address: 'b@attacker.test' }, refused('b@attacker.test')],
		['list of { name, address } with an allowed-looking name', [{ name: 'a@example.com', address: 'b@attacker.test' }], refused('b@attacker.test')],
		['look-alike suffix', 'a@example.com.attacker.test', refused('a@example.com.attacker.test')],
		['suffix without the dot', 'a@evilexample.com', refused('a@evilexample.com')],
	])('%s', async (_, To, message) => {
		const { error, arrived } = await call({ To, Subject: 'x', Message: 'x' });
		expect(error).toBe(message);
		expect(arrived).toEqual([]);
	});

	test.each<[string, IDataObject[string], string]>([
		['trailing dot', 'a@EXAMPLE.COM.', 'To Email: "a@EXAMPLE.COM." is not a valid email address ("EXAMPLE.COM." is not a valid domain)'],
		['two @', 'a@example.com@attacker.test', 'To Email: "a@example.com@attacker.test" is not a valid email address ("a@example.com" is not a valid local part)'],
		['fullwidth @', 'b\uff20attacker.test', 'To Email: "b＠attacker.test" is not a valid email address (no "@")'],
		['a number', 5, 'To Email: "5" is not a valid email address (no "@")'],
		['true', true, 'To Email is true, not an email address'],
		['null', null, 'To Email is empty: give at least one recipient'],
		['NUL', 'a@example.com\u0000b@attacker.test', 'To Email contains a line break or control character'],
	])('invalid (%s): an error naming why, nothing sent', async (_, To, message) => {
		const { error, arrived } = await call({ To, Subject: 'x', Message: 'x' });
		expect(error).toBe(toError(message));
		expect(arrived).toEqual([]);
	});

	test('upper case allowed domain is sent (case-insensitive)', async () => {
		const { result, arrived } = await call({ To: 'a@EXAMPLE.COM', Subject: 'x', Message: 'x' });
		expect(result).toMatchObject({ sent: true, acceptedFor: ['a@example.com'] });
		expect(arrived.map((m) => m.envelope.to)).toEqual([['a@example.com']]);
	});

	test('extra, unasked arguments (Bcc, options) are ignored', async () => {
		const { result, arrived } = await call({ To: 'a@example.com', Subject: 'x', Message: 'x', Bcc: 'b@attacker.test', options: { bccEmail: 'b@attacker.test' } });
		expect(result).toMatchObject({ sent: true, acceptedFor: ['a@example.com'] });
		expect(arrived.map((m) => m.envelope.to)).toEqual([['a@example.com']]);
	});
});
