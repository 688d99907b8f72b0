/**
 * `npm run bench:agent`: what one email tool call costs an AI agent in real n8n 2.41.1 (default settings),
 * beside n8n's own Send Email Tool in the same run. Each agent run is a published Webhook → AI Agent with
 * n8n's OpenAI Chat Model (credential Base URL → the scripted model on loopback: a tool call, then the
 * answer) → one tool call that sends one mail over STARTTLS (TLS 1.3) + AUTH PLAIN to a loopback server in
 * its own process. Runs one after another (a person's chat, not a batch); rounds alternate ours and n8n's.
 * Reported per agent run: wall time (request to answer) and the n8n process's CPU (user + system, every
 * thread), medians over the rounds; the tool's difference is ours minus n8n's.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { testPki } from '../test/support/certs';
import { freePort } from '../test/support/ports';
import { startModelServer } from '../scripts/real-n8n/scriptedModel';
import { installForBench, n8nBin, node24, run, VERSION } from './realN8n';
import { benchMain, PASSWORD, ServerProcess, USER } from './sink';

const RUNS = Number(process.env.BENCH_AGENT_RUNS ?? 100);
const ROUNDS = Number(process.env.BENCH_AGENT_ROUNDS ?? 3);
const TICK_MS = 10; // /proc/<pid>/stat counts CPU in clock ticks of 1/100 s

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** User + system CPU of a process, in ms. */
function cpuMs(pid: number): number {
	const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
	return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

function agentWorkflow(id: string, path: string, tool: object) {
	return {
		id,
		name: id,
		active: false,
		nodes: [
			{ id: 'b1', name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId: `${id}-hook`, parameters: { httpMethod: 'GET', path, responseMode: 'lastNode', options: {} } },
			{ id: 'b2', name: 'AI Agent', type: '@n8n/n8n-nodes-langchain.agent', typeVersion: 3.1, position: [240, 0], parameters: { promptType: 'define', text: '={{ $json.query.prompt }}', options: {} } },
			{
				id: 'b3',
				name: 'OpenAI Chat Model',
				type: '@n8n/n8n-nodes-langchain.lmChatOpenAi',
				typeVersion: 1.3,
				position: [200, 220],
				parameters: { model: { __rl: true, mode: 'id', value: 'scripted-model' }, responsesApiEnabled: false, options: {} },
				credentials: { openAiApi: { id: 'benchOpenAi', name: 'Scripted model' } },
			},
			{ id: 'b4', name: 'Send email', position: [420, 220], ...tool },
		],
		connections: {
			Webhook: { main: [[{ node: 'AI Agent', type: 'main', index: 0 }]] },
			'OpenAI Chat Model': { ai_languageModel: [[{ node: 'AI Agent', type: 'ai_languageModel', index: 0 }]] },
			'Send email': { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}

/** The same three values, asked of the model the same way, for both tools. */
const fromAi = {
	to: "={{ $fromAI('To', `Recipient email addresses, separated by commas`, 'string') }}",
	subject: "={{ $fromAI('Subject', `Subject line of the email`, 'string') }}",
	message: "={{ $fromAI('Message', `Body of the email as HTML`, 'string') }}",
};

async function main() {
	run('npx', ['gulp', 'build', '--silent']);
	const { work, env } = installForBench('bench-agent-');
	const { key, cert, caCert } = await testPki();
	const smtp = await ServerProcess.start(key, cert);
	const modelPort = await freePort();
	const model = await startModelServer(modelPort);
	const port = await freePort();
	let n8n: ReturnType<typeof spawn> | undefined;
	try {
		const credentials = [
			{ id: 'benchOpenAi', name: 'Scripted model', type: 'openAiApi', data: { apiKey: 'sk-loopback', url: `http://127.0.0.1:${modelPort}/v1`, header: false } },
			{
				id: 'benchOurs',
				name: 'Bench SMTP (SMTP Connector)',
				type: 'smtpConnectorApi',
				data: { provider: 'custom', host: '127.0.0.1', port: smtp.port, security: 'starttls', authType: 'password', user: USER, password: PASSWORD, caCertificate: caCert, rateLimitPerSecond: '0', rateLimitPerMinute: '0' },
			},
			{ id: 'benchN8n', name: 'Bench SMTP (n8n)', type: 'smtp', data: { user: USER, password: PASSWORD, host: '127.0.0.1', port: smtp.port, secure: false, disableStartTls: false } },
		];
		const ours = {
			type: 'n8n-nodes-smtp-connector.smtpConnectorTool',
			typeVersion: 1,
			parameters: { authentication: 'smtpConnectorApi', operation: 'send', fromEmail: 'ops@example.test', toEmail: fromAi.to, subject: fromAi.subject, html: fromAi.message, options: {} },
			credentials: { smtpConnectorApi: { id: 'benchOurs', name: 'Bench SMTP (SMTP Connector)' } },
		};
		// n8n's Send Email Tool trusts no private CA: it skips the certificate check instead (the TLS work is the same).
		const theirs = {
			type: 'n8n-nodes-base.emailSendTool',
			typeVersion: 2.1,
			parameters: { fromEmail: 'ops@example.test', toEmail: fromAi.to, subject: fromAi.subject, emailFormat: 'html', html: fromAi.message, options: { allowUnauthorizedCerts: true } },
			credentials: { smtp: { id: 'benchN8n', name: 'Bench SMTP (n8n)' } },
		};
		writeFileSync(path.join(work, 'credentials.json'), JSON.stringify(credentials));
		writeFileSync(path.join(work, 'workflows.json'), JSON.stringify([agentWorkflow('benchAgentOurs', 'bench-agent-ours', ours), agentWorkflow('benchAgentN8n', 'bench-agent-n8n', theirs)]));
		run(node24, [n8nBin, 'import:credentials', `--input=${path.join(work, 'credentials.json')}`], env);
		run(node24, [n8nBin, 'import:workflow', `--input=${path.join(work, 'workflows.json')}`], env);
		for (const id of ['benchAgentOurs', 'benchAgentN8n']) run(node24, [n8nBin, 'publish:workflow', `--id=${id}`], env);
		n8n = spawn(node24, [n8nBin, 'start'], { env: { ...env, N8N_PORT: String(port), N8N_LISTEN_ADDRESS: '127.0.0.1', WEBHOOK_URL: `http://127.0.0.1:${port}/` }, stdio: 'ignore' });
		// Ready, and the published workflows' webhooks registered (n8n activates them after it is ready).
		const registered = async () => {
			for (const which of ['ours', 'n8n']) {
				const response = await fetch(`http://127.0.0.1:${port}/webhook/bench-agent-${which}?prompt=warm-up`).catch(() => undefined);
				if (!response || response.status === 404 || response.status === 503) return false;
				await response.text();
			}
			return true;
		};
		for (let i = 0; !(await registered()); i++) {
			if (i === 300) throw new Error('n8n did not serve the two workflows within 5 minutes');
			await new Promise((r) => setTimeout(r, 1000));
		}
		const pid = n8n.pid!;
		let call = 0;
		/** `runs` agent runs one after another; each must have sent its mail. */
		const measure = async (which: 'ours' | 'n8n', runs: number) => {
			await smtp.reset();
			const cpu0 = cpuMs(pid);
			const t0 = performance.now();
			for (let i = 0; i < runs; i++) {
				const prompt = `[scenario:send BENCH-${++call}] Tell Jane.`;
				const response = await fetch(`http://127.0.0.1:${port}/webhook/bench-agent-${which}?prompt=${encodeURIComponent(prompt)}`);
				const text = await response.text();
				if (!response.ok || !text.includes('Finished')) throw new Error(`${which}: ${response.status} ${text.slice(0, 300)}`);
			}
			const wall = (performance.now() - t0) / runs;
			const cpu = (cpuMs(pid) - cpu0) / runs;
			const { messages } = await smtp.stats();
			if (messages !== runs) throw new Error(`${which}: the server received ${messages} of ${runs}`);
			return { wall, cpu };
		};
		await measure('ours', 10);
		await measure('n8n', 10);
		const rows = { ours: [] as Array<{ wall: number; cpu: number }>, n8n: [] as Array<{ wall: number; cpu: number }> };
		for (let r = 0; r < ROUNDS; r++) {
			rows.ours.push(await measure('ours', RUNS));
			rows.n8n.push(await measure('n8n', RUNS));
		}
		const m = (which: 'ours' | 'n8n', field: 'wall' | 'cpu') => median(rows[which].map((row) => row[field]));
		console.log(`\nReal n8n ${VERSION} (default settings), published Webhook → AI Agent → one email tool call, ${RUNS} runs one after another × ${ROUNDS} rounds, medians\n`);
		console.log('| tool | wall per agent run | n8n CPU per agent run |');
		console.log('|---|---:|---:|');
		console.log(`| SMTP Connector Tool | ${m('ours', 'wall').toFixed(1)} ms | ${m('ours', 'cpu').toFixed(1)} ms |`);
		console.log(`| n8n's Send Email Tool (reference) | ${m('n8n', 'wall').toFixed(1)} ms | ${m('n8n', 'cpu').toFixed(1)} ms |`);
		console.log(`| difference (ours − n8n's) | ${(m('ours', 'wall') - m('n8n', 'wall')).toFixed(1)} ms | ${(m('ours', 'cpu') - m('n8n', 'cpu')).toFixed(1)} ms |`);
		console.log(`\nrounds (wall / CPU ms): ours ${rows.ours.map((x) => `${x.wall.toFixed(0)}/${x.cpu.toFixed(0)}`).join(', ')}; n8n's ${rows.n8n.map((x) => `${x.wall.toFixed(0)}/${x.cpu.toFixed(0)}`).join(', ')}`);
		console.log(`model requests: ${model.requests.length}, unknown endpoints: ${model.unknown.length}`);
	} finally {
		n8n?.kill();
		smtp.stop();
		await model.close();
	}
}

benchMain(main);
