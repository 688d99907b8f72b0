import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { IWorkflowBase } from 'n8n-workflow';

import { SmtpConnector } from '../nodes/SmtpConnector/SmtpConnector.node';
import { manualTrigger, outputOf, runWorkflow } from './support/engine';
import { credentialFor, startSmtpServer } from './support/smtpServer';

test('the example approval-notification workflow delivers every item over the pool', async () => {
	const workflow = JSON.parse(
		readFileSync(path.join(__dirname, '../examples/approval-notification.json'), 'utf8'),
	) as IWorkflowBase;
	const server = await startSmtpServer();
	try {
		const run = await runWorkflow({
			workflow,
			nodeTypes: {
				'n8n-nodes-base.manualTrigger': manualTrigger,
				'n8n-nodes-smtp-connector.smtpConnector': new SmtpConnector(),
			},
			credentials: { smtpConnectorApi: await credentialFor(server) },
			pinData: workflow.pinData,
		});
		const items = outputOf(run, 'Send Email');
		expect(items.map((i) => i.json.accepted)).toEqual([
			['anna.schmidt@example.com'],
			['marc.dubois@example.com'],
			['anna.schmidt@example.com'],
		]);
		expect(items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		const received = await server.waitFor(3);
		expect(server.connections).toBeLessThanOrEqual(3);
		expect(received[0].parsed.subject).toBe('Approval needed: Laptops for the new support team (8,400 EUR)');
		expect(received[0].parsed.replyTo?.text).toBe('jonas.weber@example.com');
		expect(received[0].parsed.text).toMatch(/Amount\s+8,400 EUR/);
	} finally {
		await server.close();
	}
});
