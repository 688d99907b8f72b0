import { WebhookContext, validateUrlSignature, WAITING_TOKEN_QUERY_PARAM } from 'n8n-core';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { parse } from 'node:querystring';
import { SEND_AND_WAIT_OPERATION, type INodeType, type IRunExecutionData, type IWebhookData, type IWebhookDescription } from 'n8n-workflow';

import { resumeWithWebhookData, type Execution, type RunOptions } from './engine';

/**
 * n8n's waiting-webhook endpoint (`/webhook-waiting/:executionId/:nodeId`) on 127.0.0.1, doing what
 * n8n 2.x's WaitingWebhooks does for a send-and-wait node: check the URL's HMAC signature with
 * n8n-core's validateUrlSignature, answer for executions that are running or finished, otherwise run
 * the node's webhook() in n8n-core's WebhookContext and resume the execution with what it returns.
 */
export interface WaitingWebhookServer {
	baseUrl: string;
	register(execution: Execution, options: RunOptions): void;
	/**
	 * The next `count` requests all load the execution before any of them goes on, as requests that
	 * arrive together do in n8n (each reads the waiting execution from the database first).
	 */
	simultaneous(count: number): void;
	/** Resolves when the resumed run of this execution (if any) has finished. */
	settled(executionId: string): Promise<void>;
	close(): Promise<void>;
}

const page = (res: ServerResponse, status: number, text: string) => {
	res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' }).end(`<!DOCTYPE html><p>${text}</p>`);
};

/**
 * The body as n8n 2.x parses a waiting webhook's: urlencoded with querystring.parse (a repeated name gives
 * a list); multipart/form-data into { data, files }, a field sent once as its value, several times as a list.
 */
async function parsedBody(contentType: string, raw: Buffer): Promise<unknown> {
	if (contentType === 'application/x-www-form-urlencoded') return parse(raw.toString('utf8'));
	if (!contentType.startsWith('multipart/form-data')) return {};
	const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
	const data: Record<string, string | string[]> = {};
	for (const name of new Set(form.keys())) {
		const values = form.getAll(name).map(String);
		data[name] = values.length === 1 ? values[0] : values;
	}
	return { data, files: {} };
}

export async function startWaitingWebhookServer(): Promise<WaitingWebhookServer> {
	const executions = new Map<string, { execution: Execution; options: RunOptions; resumed?: Promise<unknown> }>();
	let barrier: { waiting: number; release: () => void; reached: Promise<void> } | undefined;
	const server = createServer((req, res) => void handle(req, res).catch((error) => page(res, 500, String(error))));

	async function handle(req: IncomingMessage, res: ServerResponse) {
		const url = new URL(req.url ?? '/', 'http://127.0.0.1');
		const [, prefix, executionId, nodeId] = url.pathname.split('/');
		const entry = executions.get(executionId ?? '');
		if (prefix !== 'webhook-waiting' || !entry) return page(res, 404, 'The execution does not exist.');
		await new Promise((resolve) => setImmediate(resolve)); // n8n loads the execution from its database here
		const { execution, options } = entry;
		const loadedStatus = execution.status;
		if (barrier) {
			const current = barrier;
			if (--current.waiting === 0) {
				barrier = undefined;
				current.release();
			}
			await current.reached;
		}
		const node = Object.values(execution.workflow.nodes).find((n) => n.id === nodeId);
		if (!node || node.parameters.operation !== SEND_AND_WAIT_OPERATION) return page(res, 404, 'No send-and-wait node.');
		const signature = url.searchParams.get(WAITING_TOKEN_QUERY_PARAM) ?? '';
		if (!signature || !validateUrlSignature(signature, url, process.env.N8N_HMAC_SIGNATURE_SECRET!)) return page(res, 401, 'Invalid token');
		if (loadedStatus === 'running') return page(res, 409, `The execution "${executionId}" is running already.`);
		if (loadedStatus !== 'waiting') return page(res, 200, 'No action required');

		// A working copy, as n8n's is loaded from the database: only a resume replaces the stored data.
		const data = JSON.parse(JSON.stringify(execution.data)) as IRunExecutionData;
		data.executionData!.nodeExecutionStack[0].node.disabled = true;
		data.waitTill = undefined;
		const nodeType = execution.workflow.nodeTypes.getByNameAndVersion(node.type, node.typeVersion) as INodeType;
		const description = nodeType.description.webhooks?.find((w) => w.httpMethod === req.method) as IWebhookDescription | undefined;
		if (!description) return page(res, 404, 'The workflow does not contain a waiting webhook with a matching path/method.');
		const raw = await new Promise<Buffer>((resolve) => {
			const chunks: Buffer[] = [];
			req.on('data', (c: Buffer) => chunks.push(c));
			req.on('end', () => resolve(Buffer.concat(chunks)));
		});
		const request = Object.assign(req, {
			query: Object.fromEntries(url.searchParams),
			body: await parsedBody(req.headers['content-type'] ?? '', raw),
			originalUrl: req.url,
			params: {},
		});
		const additionalData = { ...execution.additionalData, httpRequest: request, httpResponse: res };
		const webhookData = {
			httpMethod: req.method,
			node: node.name,
			path: nodeId,
			webhookDescription: description,
			workflowId: execution.workflow.id,
			workflowExecuteAdditionalData: additionalData,
			isFullPath: true,
		} as unknown as IWebhookData;
		const context = new WebhookContext(execution.workflow, node, additionalData as never, 'manual', webhookData, [], data);
		const result = await nodeType.webhook!.call(context);
		if (!res.writableEnded) page(res, 200, 'Webhook call received');
		if (result.workflowData) entry.resumed = resumeWithWebhookData(execution, data, result.workflowData, options);
	}

	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
	const port = (server.address() as { port: number }).port;
	return {
		baseUrl: `http://127.0.0.1:${port}/webhook-waiting`,
		register: (execution, options) => void executions.set(execution.id, { execution, options }),
		simultaneous(count) {
			let release = () => {};
			const reached = new Promise<void>((resolve) => (release = resolve));
			barrier = { waiting: count, release, reached };
		},
		settled: async (executionId) => void (await executions.get(executionId)?.resumed),
		close: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
}
