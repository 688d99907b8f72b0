/**
 * The inner loops' sender: the built node (dist/) through n8n-core's WorkflowExecute, sending one mail per
 * item ({ n, to, html }) to the benchmarks' sink with the node's default retries. sendViaEngine requires every item accepted; runViaEngine returns what each said.
 */
import path from 'node:path';
import type { IDataObject, INodeExecutionData, INodeType } from 'n8n-workflow';

import { outputOf, runWorkflow } from '../test/support/engine';
import { html, PASSWORD, USER } from './sink';

const root = path.resolve(__dirname, '..');

export const itemsOf = (count: number): INodeExecutionData[] => Array.from({ length: count }, (_, n) => ({ json: { n, to: `user${n}@example.test`, html: html(n) } }));

export interface EngineRunOptions {
	connections: number;
	/** Seconds between retries (the node's default otherwise). */
	retryDelay?: number;
	continueOnFail?: boolean;
	/** Fields added to the credential (e.g. DKIM). */
	credential?: IDataObject;
}

/** The built node (dist/) sends `items` through n8n-core's engine; its output items' json. */
export async function runViaEngine(port: number, caCert: string, items: INodeExecutionData[], options: EngineRunOptions): Promise<IDataObject[]> {
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
					...(options.continueOnFail ? { continueOnFail: true } : {}),
					parameters: {
						authentication: 'smtpConnectorApi',
						operation: 'send',
						fromEmail: 'ops@example.test',
						toEmail: '={{ $json.to }}',
						subject: '=Order {{ $json.n }}',
						html: '={{ $json.html }}',
						deliveryOptions: { maxConnections: options.connections, ...(options.retryDelay === undefined ? {} : { retryDelay: options.retryDelay }) },
					},
					credentials: { smtpConnectorApi: { id: 'bench', name: 'Bench' } },
				},
			],
			connections: {},
		},
		credentials: {
			smtpConnectorApi: {
				provider: 'custom',
				host: '127.0.0.1',
				port,
				security: 'starttls',
				authType: 'password',
				user: USER,
				password: PASSWORD,
				caCertificate: caCert,
				rateLimitPerSecond: '0',
				rateLimitPerMinute: '0',
				...options.credential,
			},
		},
		input: items,
	});
	return outputOf(run, 'Send Email').map((i) => i.json);
}

/** Sends `items` and throws unless every one was accepted. */
export async function sendViaEngine(port: number, caCert: string, items: INodeExecutionData[], connections: number): Promise<void> {
	const out = await runViaEngine(port, caCert, items, { connections });
	const failed = out.filter((json) => (json.accepted as string[] | undefined)?.length !== 1);
	if (out.length !== items.length || failed.length) throw new Error(`ours: ${out.length - failed.length} of ${items.length} accepted, e.g. ${JSON.stringify(failed[0])}`);
}
