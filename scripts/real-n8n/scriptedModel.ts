/**
 * A scripted OpenAI-compatible chat model on loopback, for n8n's OpenAI Chat Model node (its credential's
 * Base URL): each Chat Completions request (plain or streamed) is answered with the next step of a fixed
 * script, picked by "[scenario:<name> <id>]" in the prompt; it records what n8n sent (tool schemas, tool
 * results) and serves the "customer records" API a gated tool calls (DELETE /records/<id>). Used by
 * scripts/real-n8n/agent-check.ts and bench/agentTool.ts.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

export type Json = Record<string, unknown>;
export interface ToolCall {
	name: string;
	args: Json;
}
export interface ChatMessage {
	role: string;
	content?: unknown;
	tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }>;
	tool_call_id?: string;
}
export interface ChatRequest {
	model: string;
	messages: ChatMessage[];
	tools?: Array<{ type: string; function: { name: string; description?: string; parameters: Json } }>;
	stream?: boolean;
}

export const EMAIL_TOOL = 'Send_email';
export const GATED_TOOL = 'Delete_customer';

/** "[scenario:send AG-1]" in the user's prompt picks the script; the id marks its mails. */
export function scenarioOf(request: ChatRequest): { name: string; id: string } {
	const text = request.messages.map((m) => (typeof m.content === 'string' ? m.content : JSON.stringify(m.content ?? ''))).join('\n');
	const match = /\[scenario:(\w+) ([\w-]+)\]/.exec(text);
	return match ? { name: match[1], id: match[2] } : { name: 'none', id: '' };
}

/** The error a tool's result carries: n8n hands the model the node's error message as `[{ "error": … }]`. */
export function errorOf(result: string | undefined): string | undefined {
	try {
		const parsed = JSON.parse(result ?? '') as Array<{ error?: string }>;
		return parsed[0]?.error;
	} catch {
		return undefined;
	}
}

export const toolResults = (request: ChatRequest) => request.messages.filter((m) => m.role === 'tool').map((m) => (typeof m.content === 'string' ? m.content : JSON.stringify(m.content)));

/** The next step of a scenario's script: tool calls, or the final answer (which quotes what the tools said). */
function nextStep(request: ChatRequest): ToolCall | ToolCall[] | string {
	const { name, id } = scenarioOf(request);
	const results = toolResults(request);
	const done = () => `Finished ${id}. Tool results: ${results.join(' | ')}`;
	const email = (args: Json): ToolCall => ({ name: EMAIL_TOOL, args });
	switch (name) {
		case 'send':
			return results.length === 0 ? email({ To: 'Jane Doe <jane@example.com>', Subject: `Your refund ${id}`, Message: `<p>Hello Jane,</p><p>Your refund of <b>42 EUR</b> is on its way (${id}).</p>` }) : done();
		case 'fix':
			if (results.length === 0) return email({ To: 'jane at example.com', Subject: `Corrected ${id}`, Message: `<p>First try ${id}</p>` });
			if (results.length === 1) return email({ To: 'jane@example.com', Subject: `Corrected ${id}`, Message: `<p>Second try ${id}</p>` });
			return done();
		case 'repeat':
			// The same mail again, as a model does after an unclear result or in a loop.
			return results.length < 2 ? email({ To: 'jane@example.com', Subject: `Once only ${id}`, Message: `<p>Ticket closed (${id}).</p>` }) : done();
		case 'domain':
			return results.length === 0 ? email({ To: 'boss@attacker.test', Subject: `Leak ${id}`, Message: `<p>Internal figures ${id}</p>` }) : done();
		case 'gate':
			return results.length === 0 ? { name: GATED_TOOL, args: { toolParameters: { customerId: id }, hitlParameters: {} } } : done();
		case 'gate2':
			// Two calls of the gated tool in one answer (models call tools in parallel).
			return results.length === 0 ? [1, 2].map((n) => ({ name: GATED_TOOL, args: { toolParameters: { customerId: `${id}-${n}` }, hitlParameters: {} } })) : done();
		default:
			return 'I have no script for this prompt.';
	}
}

export interface ModelServer {
	requests: Array<{ scenario: string; id: string; body: ChatRequest }>;
	deletes: string[];
	unknown: string[];
	close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
	const chunks: Buffer[] = [];
	for await (const chunk of req) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks).toString('utf8');
}

function reply(res: ServerResponse, request: ChatRequest, step: ToolCall | ToolCall[] | string, n: number) {
	const id = `chatcmpl-${n}`;
	const created = Math.floor(Date.now() / 1000);
	const toolCalls = typeof step === 'string' ? undefined : [step].flat().map((call, i) => ({ id: `call_${n}_${i}`, type: 'function', function: { name: call.name, arguments: JSON.stringify(call.args) } }));
	const usage = { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 };
	const finish = toolCalls ? 'tool_calls' : 'stop';
	if (!request.stream) {
		res.writeHead(200, { 'content-type': 'application/json' });
		res.end(JSON.stringify({ id, object: 'chat.completion', created, model: request.model, choices: [{ index: 0, message: { role: 'assistant', content: toolCalls ? null : step, tool_calls: toolCalls }, finish_reason: finish }], usage }));
		return;
	}
	res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
	const chunk = (delta: Json, finishReason: string | null, extra: Json = {}) =>
		res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: request.model, choices: [{ index: 0, delta, finish_reason: finishReason }], ...extra })}\n\n`);
	if (toolCalls) chunk({ role: 'assistant', content: null, tool_calls: toolCalls.map((c, index) => ({ index, ...c })) }, null);
	else chunk({ role: 'assistant', content: step }, null);
	chunk({}, finish, { usage });
	res.end('data: [DONE]\n\n');
}

export async function startModelServer(port: number): Promise<ModelServer> {
	const state: ModelServer = { requests: [], deletes: [], unknown: [], close: async () => {} };
	const server = createServer((req, res) => {
		void (async () => {
			const body = await readBody(req);
			const url = req.url ?? '';
			if (req.method === 'POST' && url.endsWith('/chat/completions')) {
				const request = JSON.parse(body) as ChatRequest;
				const { name, id } = scenarioOf(request);
				state.requests.push({ scenario: name, id, body: request });
				reply(res, request, nextStep(request), state.requests.length);
				return;
			}
			const record = /^\/records\/([\w-]+)$/.exec(url);
			if (req.method === 'DELETE' && record) {
				state.deletes.push(record[1]);
				res.writeHead(200, { 'content-type': 'application/json' });
				res.end(JSON.stringify({ deleted: record[1] }));
				return;
			}
			state.unknown.push(`${req.method} ${url}`);
			res.writeHead(404, { 'content-type': 'application/json' });
			res.end(JSON.stringify({ error: { message: `no such endpoint on the scripted model: ${req.method} ${url}` } }));
		})();
	});
	await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
	state.close = () => new Promise((resolve) => server.close(() => resolve()));
	return state;
}
