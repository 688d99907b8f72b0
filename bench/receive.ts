/**
 * `npm run bench:receive`: the SMTP Connector Trigger taking mail in real n8n 2.41.1 (`n8n start`, default
 * settings: SQLite, binary data on the filesystem), beside postfix receiving the same load on the same machine.
 *   - load: 10 concurrent clients (nodemailer, one connection each, no TLS, allowed by network), messages of
 *     10 KB (400 in all) and 10 MB (a 10 MB PDF attachment; 20 in all);
 *   - n8n: an active workflow SMTP Connector Trigger → No Operation, with Accept "When the Message Is
 *     Received" and "When the Workflow Has Finished Successfully";
 *   - n8n's floor: an active workflow Webhook (respond when the last node has finished) → No Operation, the
 *     same 10 clients POSTing a 10 KB body: what n8n itself spends on one execution a client waits for;
 *   - postfix: Debian's postfix, loopback smtpd, its delivery transports deferred (`defer_transports`): it
 *     writes each message to its queue on disk and fsyncs it before answering 250, and delivers nothing.
 * Figures: messages accepted per second (the 250s the clients heard, over the wall time of the batch), and
 * the server's peak RSS above its RSS when the batch started (n8n: its one process; postfix: master and every
 * child), and the peak itself. n8n's V8 heap grows lazily, so a row's start includes the rows before it.
 * Not part of `npm test`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';

import { testPki } from '../test/support/certs';
import { freePort } from '../test/support/ports';
import { postfixUnavailable, startPostfix } from '../test/support/postfix';
import { installForBench, n8nBin, node24, root, run } from './realN8n';

const CLIENTS = 10;
const LOADS = [
	{ label: '10 KB', bytes: 10 * 1024, total: Number(process.env.BENCH_RECEIVE_SMALL ?? 400) },
	{ label: '10 MB', bytes: 10 * 1024 * 1024, total: Number(process.env.BENCH_RECEIVE_LARGE ?? 20) },
];
const MODES = [
	{ mode: 'received', name: 'n8n, accept when received' },
	{ mode: 'workflowFinished', name: 'n8n, accept when the workflow has finished' },
] as const;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));



/** RSS in KB of a process and, with `children`, of every process below it. */
function rssKb(pid: number, children = false): number {
	const own = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
	if (!children) return own;
	let total = own;
	for (const entry of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
		try {
			const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
			if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) total += rssKb(Number(entry), true);
		} catch {
			// the process ended while we looked
		}
	}
	return total;
}

async function message(bytes: number, n: number): Promise<Buffer> {
	const attachment = Buffer.alloc(Math.max(0, bytes - 2000));
	for (let i = 0; i < attachment.length; i += 4096) attachment.writeUInt32LE((i * 2654435761 + n) >>> 0, i);
	return await new MailComposer({
		from: 'scanner@office.example',
		to: 'ops@example.com',
		subject: `Scan ${n}`,
		text: 'Scanned document attached.',
		attachments: attachment.length ? [{ filename: `scan-${n}.pdf`, content: attachment, contentType: 'application/pdf' }] : [],
	})
		.compile()
		.build();
}

/** CLIENTS clients at once, each sending its share in turn; the rate of acceptances and the server's peak RSS. */
async function measure(total: number, rss: () => number, send: (client: number, i: number) => Promise<void>) {
	const idle = rss();
	let peak = idle;
	const sampler = setInterval(() => (peak = Math.max(peak, rss())), 50);
	let accepted = 0;
	let refused = 0;
	const started = process.hrtime.bigint();
	await Promise.all(
		Array.from({ length: CLIENTS }, async (_, c) => {
			for (let i = c; i < total; i += CLIENTS) {
				try {
					await send(c, i);
					accepted++;
				} catch {
					refused++;
				}
			}
		}),
	);
	const seconds = Number(process.hrtime.bigint() - started) / 1e9;
	clearInterval(sampler);
	return { perSecond: accepted / seconds, seconds, accepted, refused, rssGrowthMb: (peak - idle) / 1024, idleMb: idle / 1024, peakMb: peak / 1024 };
}

async function load(port: number, bytes: number, total: number, rss: () => number) {
	const mails = await Promise.all(Array.from({ length: CLIENTS }, (_, c) => message(bytes, c)));
	const clients = mails.map(() => nodemailer.createTransport({ host: '127.0.0.1', port, ignoreTLS: true, pool: true, maxConnections: 1, maxMessages: Infinity, socketTimeout: 600_000 }));
	try {
		return await measure(total, rss, async (c) => void (await clients[c].sendMail({ envelope: { from: 'scanner@office.example', to: ['ops@example.com'] }, raw: mails[c] })));
	} finally {
		for (const client of clients) client.close();
	}
}

function workflow(id: string, mode: string, credentialId: string) {
	return {
		id,
		name: id,
		active: false,
		nodes: [
			{
				id: 't',
				name: 'SMTP Connector Trigger',
				type: 'n8n-nodes-smtp-connector.smtpConnectorTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: {
					respondWhen: mode,
					options: {
						maxSizeMb: 30,
						maxConnectionsPerClient: 20,
						maxMessagesPerMinute: 100_000,
						// BENCH_RECEIVE_NO_BINARY=1: items without binary data, to see what storing it costs.
						...(process.env.BENCH_RECEIVE_NO_BINARY ? { includeRawMessage: false, downloadAttachments: false } : {}),
					},
				},
				credentials: { smtpConnectorReceiverApi: { id: credentialId, name: credentialId } },
			},
			{ id: 'n', name: 'No Operation', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [200, 0], parameters: {} },
		],
		connections: { 'SMTP Connector Trigger': { main: [[{ node: 'No Operation', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}

/** n8n's floor: a webhook whose caller waits for the run, as a device waits for "when the workflow has finished". */
const webhookWorkflow = {
	id: 'benchReceive-webhook',
	name: 'benchReceive-webhook',
	active: false,
	nodes: [
		{ id: 'w', name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId: 'bench-receive', parameters: { httpMethod: 'POST', path: 'bench-receive', responseMode: 'lastNode', options: {} } },
		{ id: 'n', name: 'No Operation', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [200, 0], parameters: {} },
	],
	connections: { Webhook: { main: [[{ node: 'No Operation', type: 'main', index: 0 }]] } },
	settings: { executionOrder: 'v1' },
};

/** n8n's own trigger, for what a trigger-mode execution costs in n8n: a file added to a folder starts a run. */
const fileTriggerWorkflow = (folder: string) => ({
	id: 'benchReceive-files',
	name: 'benchReceive-files',
	active: false,
	nodes: [
		{ id: 'f', name: 'Local File Trigger', type: 'n8n-nodes-base.localFileTrigger', typeVersion: 1, position: [0, 0], parameters: { triggerOn: 'folder', path: folder, events: ['add'], options: {} } },
		{ id: 'n', name: 'No Operation', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [200, 0], parameters: {} },
	],
	connections: { 'Local File Trigger': { main: [[{ node: 'No Operation', type: 'main', index: 0 }]] } },
	settings: { executionOrder: 'v1' },
});

const row = (label: string, name: string, total: number, r: Awaited<ReturnType<typeof measure>>) =>
	`| ${label} | ${name} | ${r.perSecond.toFixed(1)} | ${r.accepted}/${total} in ${r.seconds.toFixed(1)} s${r.refused ? `, ${r.refused} refused` : ''} | +${r.rssGrowthMb.toFixed(0)} MB (from ${r.idleMb.toFixed(0)} to ${r.peakMb.toFixed(0)} MB) |`;

async function main() {
	const unavailable = postfixUnavailable();
	if (unavailable) throw new Error(`the reference needs postfix: ${unavailable}`);
	const { work, env } = installForBench('bench-receive-', {
		N8N_RUNNERS_ENABLED: 'false',
		N8N_PORT: String(await freePort()),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		// n8n 2.x leaves out the Local File Trigger unless told otherwise; it is the reference trigger here.
		NODES_EXCLUDE: '[]',
	});
	const watched = path.join(work, 'watched');
	mkdirSync(watched);
	const ports = { received: await freePort(), workflowFinished: await freePort() };
	const credentials = MODES.map(({ mode }) => ({ id: `listen-${mode}`, name: `listen-${mode}`, type: 'smtpConnectorReceiverApi', data: { listenAddress: '127.0.0.1', port: ports[mode], tls: 'none', allowedNetworks: '127.0.0.1' } }));
	writeFileSync(path.join(work, 'credentials.json'), JSON.stringify(credentials));
	writeFileSync(path.join(work, 'workflows.json'), JSON.stringify([...MODES.map(({ mode }) => workflow(`benchReceive-${mode}`, mode, `listen-${mode}`)), webhookWorkflow, fileTriggerWorkflow(watched)]));
	run(node24, [n8nBin, 'import:credentials', `--input=${path.join(work, 'credentials.json')}`], env);
	run(node24, [n8nBin, 'import:workflow', `--input=${path.join(work, 'workflows.json')}`], env);
	for (const id of [...MODES.map(({ mode }) => `benchReceive-${mode}`), webhookWorkflow.id, 'benchReceive-files']) run(node24, [n8nBin, 'publish:workflow', `--id=${id}`], env);

	const rows: string[] = [];
	let n8n: ChildProcess | undefined;
	if (process.env.BENCH_RECEIVE_ONLY !== 'postfix')
	try {
		// BENCH_RECEIVE_NODE_ARGS: options for the Node running n8n, e.g. --max-old-space-size=512 to see whether
		// RSS is garbage V8 has not collected yet or memory that is held.
		const nodeArgs = (process.env.BENCH_RECEIVE_NODE_ARGS ?? '').split(' ').filter(Boolean);
		n8n = spawn(node24, [...nodeArgs, n8nBin, 'start'], { cwd: root, env, stdio: ['ignore', 'ignore', 'inherit'] });
		for (let i = 0; i < 120; i++) {
			if (await fetch(`http://127.0.0.1:${env.N8N_PORT}/healthz/readiness`).then((r) => r.ok, () => false)) break;
			await sleep(1000);
		}
		await sleep(3000); // the triggers listen once their workflows are activated, after readiness
		const n8nRss = () => rssKb(n8n!.pid!);
		const body = JSON.stringify({ text: 'x'.repeat(10 * 1024) });
		const floor = await measure(LOADS[0].total, n8nRss, async () => {
			const res = await fetch(`http://127.0.0.1:${env.N8N_PORT}/webhook/bench-receive`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
			if (!res.ok) throw new Error(`webhook ${res.status}`);
			await res.arrayBuffer();
		});
		rows.push(row('10 KB', "n8n's floor: Webhook → No Operation, the caller waits for the run", LOADS[0].total, floor));
		console.log(rows[rows.length - 1]);
		await sleep(5000);
		// n8n's own Local File Trigger: 400 files of 10 KB, written at once; RSS over the 20 s its runs take.
		const files = await measure(LOADS[0].total, n8nRss, async (_c, i) => {
			writeFileSync(path.join(watched, `scan-${i}.txt`), Buffer.alloc(10 * 1024, 65));
			if (i >= LOADS[0].total - CLIENTS) await sleep(20_000);
		});
		rows.push(row('10 KB', "n8n's own trigger: Local File Trigger → No Operation, 400 files at once (runs over the next 20 s)", LOADS[0].total, files));
		console.log(rows[rows.length - 1]);
		await sleep(5000);
		for (const { label, bytes, total } of LOADS) {
			for (const { mode, name } of MODES) {
				rows.push(row(label, name, total, await load(ports[mode], bytes, total, n8nRss)));
				console.log(rows[rows.length - 1]);
				await sleep(5000); // runs a device did not wait for finish
			}
		}
	} finally {
		n8n?.kill('SIGTERM');
		await new Promise((r) => n8n?.once('exit', r) ?? r(undefined));
	}

	if (process.env.BENCH_RECEIVE_ONLY === 'n8n') return void console.log(rows.join('\n'));
	const queueOnly = ['mynetworks = 127.0.0.0/8', 'smtpd_relay_restrictions = permit_mynetworks, reject', 'smtpd_recipient_restrictions = permit_mynetworks, reject', 'defer_transports = smtp relay', 'message_size_limit = 31457280', ''].join('\n');
	const postfix = await startPostfix(await freePort(), await testPki(), 'PLAIN LOGIN', queueOnly);
	try {
		const master = Number(/"master",pid=(\d+)/.exec(run('ss', ['-ltnpH', `sport = :${postfix.port}`]))?.[1]);
		for (const { label, bytes, total } of LOADS) {
			rows.push(row(label, 'postfix 3.7 (reference)', total, await load(postfix.port, bytes, total, () => rssKb(master, true))));
			console.log(rows[rows.length - 1]);
		}
	} finally {
		await postfix.close();
	}
	console.log(`\n${CLIENTS} clients at once, ${new Date().toISOString().slice(0, 10)}\n\n| message | server | accepted / s | messages | peak RSS |\n|---|---|---:|---|---|\n${rows.join('\n')}`);
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
