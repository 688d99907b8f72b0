/**
 * AI agents in a real, running n8n 2.x (scripts/real-n8n-check.sh): n8n's AI Agent with n8n's OpenAI Chat
 * Model, whose credential's Base URL points at a scripted OpenAI-compatible server on loopback. The server
 * answers each request with the next tool call of a fixed script, records what n8n sent it (the tool
 * schemas, the tool results), and serves the "customer records" API the gated tool calls.
 *   1. the agent calls SMTP Connector Tool → the mail arrives with the model's values;
 *   2. malformed arguments → the model reads the error as the tool's result, and its corrected call sends;
 *      the same mail called twice in one run goes out once;
 *   3. a recipient outside Allowed Recipient Domains → refused, nothing sent, the model reads why;
 *   4. the SMTP Connector review gate (Human in the Loop) before an HTTP Request Tool that deletes a record:
 *      the approver's mail names the tool and its arguments; GETs on the links decide nothing; the DELETE
 *      happens only after the approve page's POST, and not after a decline, whose reason the model reads;
 *      nobody answers before the wait limit: it does not run, and the model reads why; two gated calls in
 *      one answer: nothing runs unapproved.
 *   fixtures <out dir> <model port>: the OpenAI credential and the three agent workflows.
 *   verify <sink dir> <n8n URL> <model port>   (AGENT_CHECKS=send,fix,repeat,domain,gate,late,gate2: only those)
 *   serve <model port> <state file>: the scripted model alone, for trying a workflow by hand.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { EMAIL_TOOL, errorOf, GATED_TOOL, startModelServer, toolResults, type Json } from './scriptedModel';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- fixtures

function fixtures(outDir: string, port: number) {
	const credentials = [{ id: 'smtpConnectorOpenAi1', name: 'Scripted model (loopback)', type: 'openAiApi', data: { apiKey: 'sk-loopback-scripted-model', url: `http://127.0.0.1:${port}/v1`, header: false } }];
	writeFileSync(path.join(outDir, 'credentials-agent.json'), JSON.stringify(credentials));
	const smtp = { smtpConnectorApi: { id: 'smtpConnectorCred1', name: 'Loopback SMTP' } };
	const model = {
		id: 'g2',
		name: 'OpenAI Chat Model',
		type: '@n8n/n8n-nodes-langchain.lmChatOpenAi',
		typeVersion: 1.3,
		position: [200, 220],
		parameters: { model: { __rl: true, mode: 'id', value: 'scripted-model' }, responsesApiEnabled: false, options: {} },
		credentials: { openAiApi: { id: 'smtpConnectorOpenAi1', name: 'Scripted model (loopback)' } },
	};
	const agent = { id: 'g3', name: 'AI Agent', type: '@n8n/n8n-nodes-langchain.agent', typeVersion: 3.1, position: [240, 0], parameters: { promptType: 'define', text: '={{ $json.query.prompt }}', options: {} } };
	const webhook = (path: string, webhookId: string, responseMode: string) => ({
		id: 'g1',
		name: 'Webhook',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		position: [0, 0],
		webhookId,
		parameters: { httpMethod: 'GET', path, responseMode, options: {} },
	});
	// The email tool as a person leaves it after adding it to an agent: To, Subject and Message keep their
	// defaults (the model's); the sender and the allowed domains are the person's.
	const emailTool = {
		id: 'g4',
		name: 'Send email',
		type: 'n8n-nodes-smtp-connector.smtpConnectorTool',
		typeVersion: 1,
		position: [420, 220],
		parameters: { authentication: 'smtpConnectorApi', operation: 'send', fromEmail: 'Support <support@example.com>', options: { allowedRecipientDomains: 'example.com' } },
		credentials: smtp,
	};
	const agentWorkflow = {
		id: 'smtpConnectorCheck14',
		name: 'SMTP Connector real-n8n agent check (email tool)',
		active: false,
		nodes: [webhook('smtp-connector-agent', '0a6b8c2d-1e3f-4a5b-8c7d-9e0f1a2b3c4d', 'lastNode'), agent, model, emailTool],
		connections: {
			Webhook: { main: [[{ node: 'AI Agent', type: 'main', index: 0 }]] },
			'OpenAI Chat Model': { ai_languageModel: [[{ node: 'AI Agent', type: 'ai_languageModel', index: 0 }]] },
			'Send email': { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
	const gate = {
		id: 'g5',
		name: 'Human review',
		type: 'n8n-nodes-smtp-connector.smtpConnectorHitlTool',
		typeVersion: 1,
		position: [420, 220],
		webhookId: '1b7c9d3e-2f40-4b6c-9d8e-0f1a2b3c4d5e',
		parameters: {
			authentication: 'smtpConnectorApi',
			fromEmail: 'agents@example.com',
			approvers: 'anna@example.com',
			subject: 'An AI agent asks to run a tool',
			approvalOptions: { askForReason: 'onDecline' },
		},
		credentials: smtp,
	};
	const httpTool = {
		id: 'g6',
		name: 'Delete customer',
		type: 'n8n-nodes-base.httpRequestTool',
		typeVersion: 4.2,
		position: [420, 420],
		parameters: {
			toolDescription: 'Deletes a customer record for good',
			method: 'DELETE',
			url: `=http://127.0.0.1:${port}/records/{{ $fromAI('customerId', 'The id of the customer to delete', 'string') }}`,
			options: {},
		},
	};
	const gateWorkflow = {
		id: 'smtpConnectorCheck15',
		name: 'SMTP Connector real-n8n agent check (review gate)',
		active: false,
		nodes: [webhook('smtp-connector-agent-gate', '2c8d0e4f-3a51-4c7d-8e9f-1a2b3c4d5e6f', 'onReceived'), agent, model, gate, httpTool],
		connections: {
			Webhook: { main: [[{ node: 'AI Agent', type: 'main', index: 0 }]] },
			'OpenAI Chat Model': { ai_languageModel: [[{ node: 'AI Agent', type: 'ai_languageModel', index: 0 }]] },
			'Human review': { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] },
			'Delete customer': { ai_tool: [[{ node: 'Human review', type: 'ai_tool', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
	// The same gate with a wait limit nobody meets: n8n's wait tracker resumes it (it looks every minute).
	const lateGateWorkflow = {
		...gateWorkflow,
		id: 'smtpConnectorCheck16',
		name: 'SMTP Connector real-n8n agent check (review gate, nobody answers)',
		nodes: [
			webhook('smtp-connector-agent-gate-late', '4e0f2a6b-5c73-4e9f-a0b1-3c4d5e6f7a8b', 'onReceived'),
			agent,
			model,
			{
				...gate,
				webhookId: '5f1a3b7c-6d84-4fa0-b1c2-4d5e6f7a8b9c',
				parameters: { ...gate.parameters, approvalOptions: { limitWaitTime: { values: { limitType: 'afterTimeInterval', resumeAmount: 0.1, resumeUnit: 'minutes' } } } },
			},
			httpTool,
		],
	};
	writeFileSync(path.join(outDir, 'workflow-agent.json'), JSON.stringify(agentWorkflow));
	writeFileSync(path.join(outDir, 'workflow-agent-gate.json'), JSON.stringify(gateWorkflow));
	writeFileSync(path.join(outDir, 'workflow-agent-gate-late.json'), JSON.stringify(lateGateWorkflow));
}

// ---------------------------------------------------------------- the sink's mailbox

interface SinkMail {
	envelope: { from: string; to: string[] };
	raw: string;
}

function mails(sinkDir: string): SinkMail[] {
	const dir = path.join(sinkDir, 'mail');
	return readdirSync(dir)
		.filter((f) => f.endsWith('.json'))
		.map((f) => ({ ...(JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as { envelope: SinkMail['envelope'] }), raw: readFileSync(path.join(dir, f.replace('.json', '.eml')), 'utf8') }));
}
const decoded = (raw: string) => raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
const marked = (sinkDir: string, marker: string) => mails(sinkDir).filter((m) => decoded(m.raw).includes(marker));

async function until<T>(what: string, probe: () => T | undefined, seconds = 30): Promise<T> {
	for (let i = 0; i < seconds * 10; i++) {
		const found = probe();
		if (found !== undefined) return found;
		await sleep(100);
	}
	throw new Error(`timed out: ${what}`);
}

// ---------------------------------------------------------------- the checks

async function verify(sinkDir: string, base: string, port: number) {
	// AGENT_CHECKS=gate,gate2 runs only those (while working on one); all by default.
	const only = process.env.AGENT_CHECKS?.split(',');
	const want = (name: string) => !only || only.includes(name);
	const model = await startModelServer(port);
	const failures: string[] = [];
	const check = (label: string, ok: boolean, detail = '') => {
		console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${label}${detail ? `: ${detail}` : ''}`);
		if (!ok) failures.push(label);
	};
	const ask = async (scenario: string, id: string) => {
		const prompt = `[scenario:${scenario} ${id}] Please handle this.`;
		const response = await fetch(`${base}/webhook/smtp-connector-agent?prompt=${encodeURIComponent(prompt)}`);
		const text = await response.text();
		return { status: response.status, text };
	};
	const toolMessages = (id: string) => model.requests.filter((r) => r.id === id).map((r) => toolResults(r.body));
	try {
		// 1. the email tool
		if (want('send')) {
			const sent = await ask('send', 'AG-SEND');
			check('1. the agent run succeeds and answers', sent.status === 200 && sent.text.includes('Finished AG-SEND'), `${sent.status} ${sent.text.slice(0, 300)}`);
			const first = model.requests.find((r) => r.id === 'AG-SEND');
			const tool = first?.body.tools?.find((t) => t.function.name === EMAIL_TOOL);
			console.log(`  the tool schema n8n sent to the model:\n${JSON.stringify(first?.body.tools, null, 2).replace(/^/gm, '    ')}`);
			const parameters = tool?.function.parameters as { properties?: Record<string, { type?: string; description?: string }>; required?: string[] } | undefined;
			check('1. the model is offered one tool, Send_email', first?.body.tools?.length === 1 && !!tool, JSON.stringify(first?.body.tools?.map((t) => t.function.name)));
			check('1. its description is written for a model', tool?.function.description?.startsWith('Sends one email and says whether it went out') === true, tool?.function.description);
			check(
				'1. it asks for To, Subject and Message only, each described for a model',
				JSON.stringify(Object.keys(parameters?.properties ?? {})) === '["To","Subject","Message"]' &&
					JSON.stringify(parameters?.required) === '["To","Subject","Message"]' &&
					Object.values(parameters?.properties ?? {}).every((p) => p.type === 'string' && (p.description ?? '').length > 20),
				JSON.stringify(parameters),
			);
			const mail = await until('the agent’s mail', () => marked(sinkDir, 'AG-SEND')[0]);
			const text = decoded(mail.raw);
			check(
				"1. the mail arrived with the model's values",
				JSON.stringify(mail.envelope.to) === '["jane@example.com"]' && /^Subject: Your refund AG-SEND$/m.test(text) && text.includes('<b>42 EUR</b>') && /^From: Support <support@example\.com>$/m.test(text),
				`${JSON.stringify(mail.envelope)} ${/^Subject: .*$/m.exec(text)?.[0]}`,
			);
			const result = toolMessages('AG-SEND').at(-1)?.[0] ?? '';
			const messageId = /^Message-ID: (<[^>]+>)$/im.exec(text)?.[1] ?? '(none)';
			check('1. the model read a short result: sent, to whom, the Message-ID', result.includes('"sent":true') && result.includes('jane@example.com') && result.includes(messageId) && !result.includes('envelope'), result);
		}

		// 2. malformed arguments, corrected
		if (want('fix')) {
			const fixed = await ask('fix', 'AG-FIX');
			check('2. the agent run succeeds (the error went to the model, not the execution)', fixed.status === 200 && fixed.text.includes('Finished AG-FIX'), `${fixed.status} ${fixed.text.slice(0, 300)}`);
			const fixResults = toolMessages('AG-FIX').at(-1) ?? [];
			check('2. the model read the error of its first call', errorOf(fixResults[0]) === 'To Email: "jane at example.com" is not a valid email address (no "@"). Correct the "To" argument and call the tool again.', fixResults[0]);
			check('2. its corrected call sent', (fixResults[1] ?? '').includes('"sent":true'), fixResults[1]);
			await sleep(500);
			const fixMails = marked(sinkDir, 'AG-FIX');
			check('2. one mail, the second try', fixMails.length === 1 && decoded(fixMails[0].raw).includes('Second try AG-FIX'), String(fixMails.length));
		}

		// 2b. the same mail twice in one run
		if (want('repeat')) {
			const repeated = await ask('repeat', 'AG-ONCE');
			const onceResults = toolMessages('AG-ONCE').at(-1) ?? [];
			check('2b. the same mail twice in one run: the run succeeds', repeated.status === 200 && repeated.text.includes('Finished AG-ONCE'), `${repeated.status} ${repeated.text.slice(0, 200)}`);
			check('2b. the second call reads that it was already sent', (onceResults[0] ?? '').includes('"sent":true') && (onceResults[1] ?? '').includes('"alreadySent":true'), onceResults.join(' | '));
			await sleep(500);
			check('2b. one mail went out', marked(sinkDir, 'AG-ONCE').length === 1, String(marked(sinkDir, 'AG-ONCE').length));
		}

		// 3. a domain the person did not allow
		if (want('domain')) {
			const leak = await ask('domain', 'AG-DOMAIN');
			const leakResult = toolMessages('AG-DOMAIN').at(-1)?.[0] ?? '';
			check('3. the agent run succeeds', leak.status === 200 && leak.text.includes('Finished AG-DOMAIN'), `${leak.status} ${leak.text.slice(0, 300)}`);
			check('3. the model read the refusal', errorOf(leakResult) === 'To Email: "boss@attacker.test" is not in Allowed Recipient Domains (example.com): nothing was sent. Correct the "To" argument and call the tool again.', leakResult);
			await sleep(500);
			check('3. nothing was sent', marked(sinkDir, 'AG-DOMAIN').length === 0 && !mails(sinkDir).some((m) => m.envelope.to.includes('boss@attacker.test')));
		}

		// 4. the review gate: approve, then decline
		if (want('gate')) {
			for (const [id, decision] of [
				['AG-GATE-A', 'Approve'],
				['AG-GATE-D', 'Decline'],
			] as const) {
				const started = await fetch(`${base}/webhook/smtp-connector-agent-gate?prompt=${encodeURIComponent(`[scenario:gate ${id}] Delete that customer.`)}`);
				check(`4. ${id}: the agent run starts`, started.ok, String(started.status));
				const request = await until(`the approval mail of ${id}`, () => marked(sinkDir, id).find((m) => m.envelope.to.includes('anna@example.com')));
				const body = decoded(request.raw);
				if (id === 'AG-GATE-A') {
					const gateTools = model.requests.find((r) => r.id === id)?.body.tools;
					console.log(`  the gated tool as the model sees it:\n${JSON.stringify(gateTools, null, 2).replace(/^/gm, '    ')}`);
					const gated = gateTools?.find((t) => t.function.name === GATED_TOOL)?.function.parameters as { properties?: Json } | undefined;
					check('4. the model sees the gated tool with its own arguments under toolParameters', !!gated && 'toolParameters' in (gated.properties ?? {}), JSON.stringify(gated));
				}
				check(
					`4. ${id}: the mail names the tool and its arguments, escaped`,
					body.includes(`>${GATED_TOOL}</p>`) && body.includes(`&quot;customerId&quot;: &quot;${id}&quot;`) && body.includes(`"customerId": "${id}"`) && !body.includes('[object Object]'),
					/^Subject: .*$/m.exec(body)?.[0],
				);
				const link = new RegExp(`^${decision}: (\\S+)`, 'm').exec(body)?.[1] ?? '';
				const page = await fetch(link);
				await page.text();
				await fetch(new RegExp(`^${decision === 'Approve' ? 'Decline' : 'Approve'}: (\\S+)`, 'm').exec(body)?.[1] ?? '');
				await sleep(1500);
				check(`4. ${id}: GETs on both links decided nothing`, page.status === 200 && !model.deletes.includes(id) && toolMessages(id).length === 1, `${page.status} deletes ${JSON.stringify(model.deletes)}`);
				const posted = await fetch(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: decision === 'Decline' ? new URLSearchParams({ comment: `Customer ${id} has an open order` }).toString() : '' });
				check(`4. ${id}: the page's POST decides`, posted.ok, String(posted.status));
				const final = await until(`the agent's answer after ${id}`, () => model.requests.find((r) => r.id === id && toolResults(r.body).length > 0));
				const said = toolResults(final.body)[0];
				await sleep(500);
				if (decision === 'Approve') check(`4. ${id}: approved → the DELETE ran, once, and the model read its response`, model.deletes.filter((d) => d === id).length === 1 && said.includes(`"deleted":"${id}"`), `${JSON.stringify(model.deletes)} ${said}`);
				else check(`4. ${id}: declined → no DELETE, and the model read who declined and why`, !model.deletes.includes(id) && said.includes(`Declined by anna@example.com: Customer ${id} has an open order`), `${JSON.stringify(model.deletes)} ${said}`);
			}
		}
		// 4c. nobody answers before the wait limit: the tool does not run, and the agent is told why
		if (want('late')) {
			const started = await fetch(`${base}/webhook/smtp-connector-agent-gate-late?prompt=${encodeURIComponent('[scenario:gate AG-LATE] Delete that customer.')}`);
			check('4c. nobody answers: the agent run starts', started.ok, String(started.status));
			await until('the approval mail of AG-LATE', () => marked(sinkDir, '&quot;AG-LATE&quot;')[0]);
			const final = await until('the agent’s answer after the wait limit', () => model.requests.find((r) => r.id === 'AG-LATE' && toolResults(r.body).length > 0), 150);
			const said = toolResults(final.body)[0];
			check(
				'4c. past the wait limit (6 s; n8n looks every minute): no DELETE, and the model read that nobody answered',
				!model.deletes.includes('AG-LATE') && said.includes('Nobody answered the approval request before its time limit, so the tool did not run'),
				`${JSON.stringify(model.deletes)} ${said}`,
			);
		}

		// 4b. two gated calls in one answer (models call tools in parallel). n8n 2.41.1 resumes a waiting execution
		// by disabling the waiting node for the rest of the run, which also skips the second call's review: it is
		// never asked about, and does not run (it would, with the first's approval, if the agent's input item
		// carried `approved: true`). The check holds n8n to the safe half: nothing runs unapproved.
		if (want('gate2')) {
			const both = await fetch(`${base}/webhook/smtp-connector-agent-gate?prompt=${encodeURIComponent('[scenario:gate2 AG-TWO] Delete both customers.')}`);
			check('4b. two gated calls in one answer: the agent run starts', both.ok, String(both.status));
			const first = await until('the approval mail for AG-TWO-1', () => marked(sinkDir, '&quot;AG-TWO-1&quot;')[0]);
			const approve = /^Approve: (\S+)/m.exec(decoded(first.raw))?.[1] ?? '';
			check('4b. the first call is approved by its mail', (await fetch(approve, { method: 'POST' })).status === 200);
			await until('the agent’s answer after the first decision', () => model.requests.find((r) => r.id === 'AG-TWO' && toolResults(r.body).length > 0));
			await sleep(2000);
			check(
				'4b. the first call ran once; the second was not asked about and did not run (n8n 2.41.1)',
				JSON.stringify(model.deletes.filter((d) => d.startsWith('AG-TWO'))) === '["AG-TWO-1"]' && marked(sinkDir, '&quot;AG-TWO-2&quot;').length === 0,
				`deletes ${JSON.stringify(model.deletes)}, mails about AG-TWO-2: ${marked(sinkDir, '&quot;AG-TWO-2&quot;').length}`,
			);
		}
		check('the scripted model was asked nothing it does not serve', model.unknown.length === 0, model.unknown.join(', '));
	} finally {
		await model.close();
	}
	console.log(failures.length ? `REAL N8N AGENT CHECK FAILED (${failures.join('; ')})` : 'REAL N8N AGENT CHECK PASSED');
	if (failures.length) process.exit(1);
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'fixtures') fixtures(args[0], Number(args[1]));
else if (mode === 'serve')
	// The scripted model alone, for trying a workflow by hand: its requests and the DELETEs go to <state file>.
	void startModelServer(Number(args[0])).then((model) => {
		setInterval(() => writeFileSync(args[1], JSON.stringify({ requests: model.requests.map((r) => ({ id: r.id, toolResults: toolResults(r.body) })), deletes: model.deletes })), 500);
	});
else if (mode === 'verify')
	verify(args[0], args[1], Number(args[2])).catch((error: unknown) => {
		console.error(error);
		console.log('REAL N8N AGENT CHECK FAILED');
		process.exit(1);
	});
else {
	console.error('usage: agent-check.js fixtures <out dir> <model port> | verify <sink dir> <n8n URL> <model port>');
	process.exit(2);
}
