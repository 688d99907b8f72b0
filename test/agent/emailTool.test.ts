import { NodeHelpers, traverseNodeParameters, type FromAIArgument, type IDataObject, type INode, type INodeParameters } from 'n8n-workflow';

import { DataDeduplicationService } from 'n8n-core';

import { SmtpConnector } from '../../nodes/SmtpConnector/SmtpConnector.node';
import { EntriesStore } from '../support/dedupStore';
import { outputOf } from '../support/engine';
import { credentialFor, startSmtpServer, type TestSmtpServer } from '../support/smtpServer';
import { agentVariant, runSendNode } from '../support/workflows';

/**
 * The node as an AI agent's email tool, without the agent: n8n's engine runs the tool variant with the
 * model's arguments as its input item (what an agent's tool call hands it), and the loopback server
 * says what went out. The real agent, model server and n8n: scripts/real-n8n/agent-check.ts.
 */

let server: TestSmtpServer;
beforeAll(async () => {
	server = await startSmtpServer({
		rejectRecipients: { 'gone@example.com': [550, '5.1.1 <gone@example.com>: Recipient address rejected: User unknown'] },
		dropAfterDotIf: (mail) => mail.envelope.to.includes('flaky@example.com'),
	});
});
afterAll(async () => server.close());

/** The tool node as the person leaves it after adding it to an agent: only the sender and the allowed domains set. */
const TOOL_PARAMETERS = { fromEmail: 'Support <support@example.com>', options: { allowedRecipientDomains: 'example.com, example.org' } };

/** One tool call: the model's arguments in, what the model reads back and what the server got out. */
async function call(args: IDataObject, parameters: INodeParameters = TOOL_PARAMETERS, executionId?: string) {
	const before = server.received.length;
	const run = await runSendNode({ parameters, items: [{ json: args }], credential: await credentialFor(server), variant: 'Tool', executionId });
	const error = run.data.resultData.error;
	const result = error ? undefined : outputOf(run, 'Send Email')[0].json;
	await new Promise((r) => setTimeout(r, 100));
	return { result, error: error?.message, arrived: server.received.slice(before) };
}

test('what the model is asked for: To, Subject and Message, each described for a model; nothing else of the node', () => {
	const { nodeType } = agentVariant('Tool');
	const node: INode = { id: 't', name: 'Email', type: 'n8n-nodes-smtp-connector.smtpConnectorTool', typeVersion: 1, position: [0, 0], parameters: { operation: 'send' } };
	const parameters = NodeHelpers.getNodeParameters(nodeType.description.properties, node.parameters, true, false, node, nodeType.description)!;
	expect(parameters.toolDescription).toBe('Sends one email and says whether it went out, to which recipients, and its Message-ID. Give the recipients (To), a Subject and the Message as HTML.');
	const asked: FromAIArgument[] = [];
	traverseNodeParameters(parameters, asked);
	expect(asked).toEqual([
		{ key: 'To', type: 'string', description: 'Recipient email addresses, separated by commas, e.g. jane@example.com or Jane Doe <jane@example.com>', defaultValue: undefined },
		{ key: 'Subject', type: 'string', description: 'Subject line of the email: one line of plain text', defaultValue: undefined },
		{ key: 'Message', type: 'string', description: 'Body of the email as HTML: <p> for paragraphs, <a href="https://…"> for links, <ul><li> for lists', defaultValue: undefined },
	]);
	// The workflow node itself asks the model for nothing: its To, Subject and HTML start empty.
	const plain = new SmtpConnector().description;
	const ownNode = { ...node, type: 'n8n-nodes-smtp-connector.smtpConnector' };
	const own: FromAIArgument[] = [];
	traverseNodeParameters(NodeHelpers.getNodeParameters(plain.properties, ownNode.parameters, true, false, ownNode, plain)!, own);
	expect(own).toEqual([]);
	expect(NodeHelpers.getNodeParameters(plain.properties, ownNode.parameters, true, false, ownNode, plain)).not.toHaveProperty('toolDescription');
});

test("a tool call sends the model's values, and the model reads back a short result", async () => {
	const { result, arrived } = await call({ To: 'Jane Doe <jane@example.com>, ops@eu.example.org', Subject: 'Your refund is on its way', Message: '<p>Hello Jane,</p><p>We refunded <b>42 EUR</b>.</p>' });
	expect(result).toEqual({ sent: true, messageId: expect.stringMatching(/^<.+@.+>$/), acceptedFor: ['jane@example.com', 'ops@eu.example.org'] });
	expect(arrived).toHaveLength(1);
	const [mail] = arrived;
	expect(mail.envelope.to).toEqual(['jane@example.com', 'ops@eu.example.org']);
	expect(mail.parsed.subject).toBe('Your refund is on its way');
	expect(mail.parsed.from?.value).toEqual([{ name: 'Support', address: 'support@example.com' }]);
	expect(mail.parsed.html).toContain('<p>We refunded <b>42 EUR</b>.</p>');
	expect(mail.parsed.text).toContain('We refunded 42 EUR.');
	expect(mail.parsed.messageId).toBe(result!.messageId);
});

test('a recipient the server refuses: sent to the others, and the model reads the refusal; all refused: an error saying why', async () => {
	const some = await call({ To: 'jane@example.com, gone@example.com', Subject: 'Hi', Message: '<p>Hi</p>' });
	expect(some.result).toEqual({
		sent: true,
		messageId: expect.any(String),
		acceptedFor: ['jane@example.com'],
		refused: [{ recipient: 'gone@example.com', reply: '550 5.1.1 <gone@example.com>: Recipient address rejected: User unknown' }],
	});
	expect(some.arrived.map((m) => m.envelope.to)).toEqual([['jane@example.com']]);
	const all = await call({ To: 'gone@example.com', Subject: 'Hi', Message: '<p>Hi</p>' });
	expect(all.error).toContain('gone@example.com');
	expect(all.error).toContain('User unknown');
	expect(all.arrived).toEqual([]);
});

describe('the same mail twice in one run (a model that calls again after an unclear result, or loops): sent once', () => {
	const mail = { To: 'jane@example.com', Subject: 'Your ticket #77', Message: '<p>Closed.</p>' };

	test('called again after it went: the model reads that it was sent, nothing more goes out; another run sends it anew', async () => {
		const first = await call(mail, TOOL_PARAMETERS, 'agent-run-1');
		expect(first.result).toMatchObject({ sent: true });
		const again = await call(mail, TOOL_PARAMETERS, 'agent-run-1');
		expect(again.result).toEqual({ sent: false, alreadySent: true, messageId: first.result!.messageId, sentAt: expect.any(String), note: 'This same email (recipients, subject and message) was already sent in this run; it is not sent twice' });
		expect(again.arrived).toEqual([]);
		const changed = await call({ ...mail, Message: '<p>Closed, and refunded.</p>' }, TOOL_PARAMETERS, 'agent-run-1');
		expect(changed.result).toMatchObject({ sent: true });
		const otherRun = await call(mail, TOOL_PARAMETERS, 'agent-run-2');
		expect(otherRun.result).toMatchObject({ sent: true });
	});

	test('the connection ends after the message went: the error says it may have been delivered, and the same call again does not resend', async () => {
		const flaky = { ...mail, To: 'flaky@example.com' };
		const first = await call(flaky, { ...TOOL_PARAMETERS, deliveryOptions: { retries: 0 } }, 'agent-run-3');
		expect(first.error).toMatch(/may have (been delivered|reached)/i);
		const again = await call(flaky, { ...TOOL_PARAMETERS, deliveryOptions: { retries: 0 } }, 'agent-run-3');
		expect(again.result).toMatchObject({ sent: false, alreadySent: true, note: expect.stringContaining('may have been delivered') });
		expect(again.arrived).toEqual([]);
	});

	test('two identical calls at once: one sends, the other is told so', async () => {
		const before = server.received.length;
		const run = await runSendNode({ parameters: TOOL_PARAMETERS, items: [{ json: mail }, { json: mail }], credential: await credentialFor(server), variant: 'Tool' });
		const results = outputOf(run, 'Send Email').map((item) => item.json);
		expect(results.filter((r) => r.sent === true)).toHaveLength(1);
		expect(results.filter((r) => r.alreadySent === true)).toHaveLength(1);
		await new Promise((r) => setTimeout(r, 100));
		expect(server.received.length - before).toBe(1);
	});

	test("the person's own Idempotency Key is used instead, in its own store (n8n's database)", async () => {
		await DataDeduplicationService.init(new EntriesStore());
		const keyed = { ...TOOL_PARAMETERS, options: { ...TOOL_PARAMETERS.options, idempotencyKey: 'ticket-77-closed' } };
		const first = await call({ ...mail, To: 'ops@example.com' }, keyed, 'agent-run-4');
		expect(first.result).toMatchObject({ sent: true });
		const again = await call({ ...mail, To: 'ops@example.com' }, keyed, 'agent-run-5');
		expect(again.result).toMatchObject({ sent: false, alreadySent: true, note: 'An email with this Idempotency Key was sent before; it is not sent twice' });
	});
});

test('CC and Reply-To, when the person hands them to the model with a default, may be left out by it', async () => {
	const parameters = {
		...TOOL_PARAMETERS,
		options: {
			...TOOL_PARAMETERS.options,
			ccEmail: "={{ $fromAI('CC', `Copy recipients, separated by commas; leave out for none`, 'string', ``) }}",
			replyTo: "={{ $fromAI('Reply_To', `Where replies should go; leave out for the sender`, 'string', ``) }}",
		},
	};
	const without = await call({ To: 'jane@example.com', Subject: 'Hi', Message: '<p>Hi</p>' }, parameters);
	expect(without.result).toMatchObject({ sent: true, acceptedFor: ['jane@example.com'] });
	const withBoth = await call({ To: 'jane@example.com', Subject: 'Hi', Message: '<p>Hi</p>', CC: 'lead@example.com', Reply_To: 'desk@example.org' }, parameters);
	expect(withBoth.result).toMatchObject({ sent: true, acceptedFor: ['jane@example.com', 'lead@example.com'] });
	expect(withBoth.arrived[0].parsed.replyTo?.text).toBe('desk@example.org');
	expect(withBoth.arrived[0].parsed.cc).toMatchObject({ text: 'lead@example.com' });
});

test.each<[string, IDataObject, string, string]>([
	['no recipient', { Subject: 'Hi', Message: '<p>Hi</p>' }, 'To Email is empty: give at least one recipient', 'To'],
	['an empty recipient', { To: '  ', Subject: 'Hi', Message: '<p>Hi</p>' }, 'To Email is empty: give at least one recipient', 'To'],
	['an address that does not parse', { To: 'jane at example dot com', Subject: 'Hi', Message: '<p>Hi</p>' }, 'To Email: "jane at example dot com" is not a valid email address (no "@")', 'To'],
	['a domain the person did not allow', { To: 'someone@attacker.test', Subject: 'Hi', Message: '<p>Hi</p>' }, 'To Email: "someone@attacker.test" is not in Allowed Recipient Domains (example.com, example.org): nothing was sent', 'To'],
	['a look-alike of an allowed domain', { To: 'jane@example.com.attacker.test', Subject: 'Hi', Message: '<p>Hi</p>' }, 'To Email: "jane@example.com.attacker.test" is not in Allowed Recipient Domains (example.com, example.org): nothing was sent', 'To'],
	['a header injected through the subject', { To: 'jane@example.com', Subject: 'Hi\r\nBcc: someone@attacker.test', Message: '<p>Hi</p>' }, 'Subject contains a line break or control character', 'Subject'],
	['a header injected through the recipients', { To: 'jane@example.com\r\nBcc: someone@attacker.test', Subject: 'Hi', Message: '<p>Hi</p>' }, 'To Email contains a line break or control character', 'To'],
	['an object where text is expected', { To: ['jane@example.com'], Subject: { text: 'Hi' }, Message: '<p>Hi</p>' }, 'Subject is an object ({"text":"Hi"}), not text: map one of its values, or wrap it in JSON.stringify() in the expression', 'Subject'],
])('bad arguments from the model (%s): an error the model can read, naming its argument, and no mail', async (_, args, message, argument) => {
	const { error, arrived } = await call(args);
	expect(error).toBe(`${message}. Correct the "${argument}" argument and call the tool again.`);
	expect(arrived).toEqual([]);
});

test("a value the person set is not the model's to correct: its error is left as it is", async () => {
	const { error, arrived } = await call({ Subject: 'Hi', Message: '<p>Hi</p>' }, { ...TOOL_PARAMETERS, toEmail: 'not an address' });
	expect(error).toBe('To Email: "not an address" is not a valid email address (no "@")');
	expect(arrived).toEqual([]);
});
