import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { IWorkflowBase } from 'n8n-workflow';

import { SmtpConnector } from '../nodes/SmtpConnector/SmtpConnector.node';
import { manualTrigger, outputOf, runWorkflow, startExecution, type RunOptions } from './support/engine';
import { credentialFor, startSmtpServer, type TestSmtpServer } from './support/smtpServer';
import { startWaitingWebhookServer } from './support/waitingWebhooks';

/** An example workflow as n8n would run it here: its pinned trigger data, this node, the test server's credential. */
async function exampleRun(file: string, server: TestSmtpServer, extra: Partial<RunOptions> = {}): Promise<RunOptions> {
	const workflow = JSON.parse(readFileSync(path.join(__dirname, '../examples', file), 'utf8')) as IWorkflowBase;
	return {
		workflow,
		nodeTypes: { 'n8n-nodes-base.manualTrigger': manualTrigger, 'n8n-nodes-smtp-connector.smtpConnector': new SmtpConnector() },
		credentials: { smtpConnectorApi: await credentialFor(server) },
		pinData: workflow.pinData,
		...extra,
	};
}

test('the example approval-notification workflow delivers every item over the pool', async () => {
	const server = await startSmtpServer();
	try {
		const run = await runWorkflow(await exampleRun('approval-notification.json', server));
		const items = outputOf(run, 'Send Email');
		expect(items.map((i) => i.json.accepted)).toEqual([
			['anna.schmidt@example.com'],
			['marc.dubois@example.com'],
			['anna.schmidt@example.com'],
		]);
		expect(items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		const received = await server.waitFor(3);
		expect(server.connections).toBeLessThanOrEqual(3);
		// Three connections: the mails arrive in any order.
		const laptops = received.find((m) => m.parsed.subject === 'Approval needed: Laptops for the new support team (8,400 EUR)');
		expect(laptops?.parsed.replyTo?.text).toBe('jonas.weber@example.com');
		expect(laptops?.parsed.text).toMatch(/Amount\s+8,400 EUR/);
	} finally {
		await server.close();
	}
});

test('the example approval workflow asks both approvers, waits, and tells the requester the decision', async () => {
	const server = await startSmtpServer();
	const waiting = await startWaitingWebhookServer();
	try {
		const options = await exampleRun('approval-workflow.json', server, { webhookWaitingBaseUrl: waiting.baseUrl });
		const execution = await startExecution(options);
		waiting.register(execution, options);
		expect(execution.status).toBe('waiting');
		const requests = await server.waitFor(2);
		expect(requests.map((m) => m.envelope.to[0]).sort()).toEqual(['anna.schmidt@example.com', 'marc.dubois@example.com']);
		expect(requests[0].parsed.subject).toBe('Approve purchase request PR-1042: Laptops for the new support team');
		expect(requests[0].parsed.text).toMatch(/Amount\s+8,400 EUR/);

		const marc = requests.find((m) => m.envelope.to[0] === 'marc.dubois@example.com')!;
		const approve = [...String(marc.parsed.html).matchAll(/href="([^"]+)"/g)].map((m) => m[1].replace(/&amp;/g, '&')).find((h) => h.includes('decision=approve'))!;
		expect((await fetch(approve, { method: 'POST' })).status).toBe(200);
		await waiting.settled(execution.id);

		expect([execution.status, execution.runs.at(-1)?.data.resultData.error?.message]).toEqual(['success', undefined]);
		const [told] = (await server.waitFor(3)).slice(2);
		expect(told.envelope.to).toEqual(['jonas.weber@example.com']);
		expect(told.parsed.subject).toBe('Approved: Approve purchase request PR-1042: Laptops for the new support team');
		expect(told.parsed.text).toMatch(/^Approved by marc\.dubois@example\.com at \d{4}-/);
	} finally {
		await waiting.close();
		await server.close();
	}
});
