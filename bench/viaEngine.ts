/**
 * The inner loops' sender: the built node (dist/) through n8n-core's WorkflowExecute, sending one mail per
 * item ({ n, to, html }) to the benchmarks' sink with the node's default retries. Every item must be accepted.
 */
import path from 'node:path';
import type { INodeExecutionData, INodeType } from 'n8n-workflow';

import { outputOf, runWorkflow } from '../test/support/engine';
import { html, PASSWORD, USER } from './sink';

const root = path.resolve(__dirname, '..');

export const itemsOf = (count: number): INodeExecutionData[] => Array.from({ length: count }, (_, n) => ({ json: { n, to: `user${n}@example.test`, html: html(n) } }));

export async function sendViaEngine(port: number, caCert: string, items: INodeExecutionData[], connections: number): Promise<void> {
	const { SmtpConnector } = require(path.join(root, 'dist/nodes/SmtpConnector/SmtpConnector.node.js')) as { SmtpConnector: new () => INodeType };
	const run = await runWorkflow({
		nodeTypes: { 'n8n-nodes-smtp-connector.smtpConnector': new SmtpConnector() },
		workflow: {
			nodes: [
				{
					id: 'send',
					name: 'Send Email',
					type: 'n8n-nodes-smtp-connector.smtpConnector',
					typeVersion: 1,
					position: [0, 0],
					parameters: {
						authentication: 'smtpConnectorApi',
						operation: 'send',
						fromEmail: 'ops@example.test',
						toEmail: '={{ $json.to }}',
						subject: '=Order {{ $json.n }}',
						html: '={{ $json.html }}',
						deliveryOptions: { maxConnections: connections },
					},
					credentials: { smtpConnectorApi: { id: 'bench', name: 'Bench' } },
				},
			],
			connections: {},
		},
		credentials: {
			smtpConnectorApi: { provider: 'custom', host: '127.0.0.1', port, security: 'starttls', authType: 'password', user: USER, password: PASSWORD, caCertificate: caCert, rateLimitPerSecond: '0', rateLimitPerMinute: '0' },
		},
		input: items,
	});
	const out = outputOf(run, 'Send Email');
	const failed = out.filter((i) => (i.json.accepted as string[] | undefined)?.length !== 1);
	if (out.length !== items.length || failed.length) throw new Error(`ours: ${out.length - failed.length} of ${items.length} accepted, e.g. ${JSON.stringify(failed[0]?.json)}`);
}
