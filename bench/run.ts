/**
 * `npm run bench`: mails per second on a loopback SMTP server (STARTTLS + AUTH, TLS 1.3), all in one run:
 *   - ceiling:  raw nodemailer pool (3 connections) — what the transport itself can do;
 *   - baseline: one connection per item, sequentially, with nodemailer 8.0.10 — what n8n's built-in
 *               Send Email node does;
 *   - ours:     the built node (dist/) through n8n's execution engine, N = 2,000 and 20,000 items.
 * The SMTP server runs in a child process so it does not share the event loop it is measured against.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { INodeExecutionData, INodeType } from 'n8n-workflow';
import { SMTPServer } from 'smtp-server';

import '../test/support/greetAtOnce';
import { testPki } from '../test/support/certs';
import { outputOf, runWorkflow } from '../test/support/engine';

const USER = 'bench@example.test';
const PASSWORD = 'bench-password';
const N = Number(process.env.BENCH_N ?? 2000);
const N_LARGE = Number(process.env.BENCH_N_LARGE ?? 20000);
const N_BASELINE = Number(process.env.BENCH_N_BASELINE ?? 300);
const CONNECTIONS = 3;
const root = path.resolve(__dirname, '..');

const html = (n: number) =>
	`<div style="font-family:Arial"><h2>Order ${n} approved</h2><p>Hello, your order <b>#${n}</b> was approved.</p>` +
	`<table><tr><td>Amount</td><td>${(n * 13.37).toFixed(2)} EUR</td></tr></table><p><a href="https://example.test/o/${n}">Open</a></p></div>`;

// ---------- the SMTP server (child process) ----------

function serve() {
	let messages = 0;
	let connections = 0;
	process.once('message', ({ key, cert }: { key: string; cert: string }) => {
		const server = new SMTPServer({
			key,
			cert,
			authMethods: ['PLAIN', 'LOGIN'],
			logger: false,
			disableReverseLookup: true,
			size: 50 * 1024 * 1024,
			onConnect: (_s, cb) => {
				connections++;
				cb();
			},
			onAuth: (auth, _s, cb) => (auth.username === USER && auth.password === PASSWORD ? cb(null, { user: USER }) : cb(new Error('bad'))),
			onData: (stream, _s, cb) => {
				stream.on('data', () => {});
				stream.on('end', () => {
					messages++;
					cb();
				});
			},
		});
		server.listen(0, '127.0.0.1', () => {
			process.send?.({ port: (server.server.address() as { port: number }).port });
			process.on('message', (m: string) => {
				if (m === 'stats') process.send?.({ messages, connections });
				if (m === 'reset') {
					messages = 0;
					connections = 0;
					process.send?.({ reset: true });
				}
			});
		});
	});
}

// ---------- the client side ----------

class ServerProcess {
	private constructor(
		private readonly child: ChildProcess,
		readonly port: number,
	) {}

	static async start(key: string, cert: string): Promise<ServerProcess> {
		const child = fork(__filename, ['server'], { stdio: 'inherit' });
		child.send({ key, cert });
		const { port } = await new Promise<{ port: number }>((resolve) => child.once('message', resolve as never));
		return new ServerProcess(child, port);
	}

	private ask<T>(message: string): Promise<T> {
		return new Promise((resolve) => {
			this.child.once('message', resolve as never);
			this.child.send(message);
		});
	}

	reset = () => this.ask('reset');
	stats = () => this.ask<{ messages: number; connections: number }>('stats');
	stop = () => this.child.kill();
}

interface Result {
	name: string;
	n: number;
	seconds: number;
	connections: number;
	peakRssGrowthMb?: number;
}

async function measure(server: ServerProcess, name: string, n: number, run: () => Promise<void>, trackMemory = false): Promise<Result> {
	await server.reset();
	global.gc?.();
	const rssBefore = process.memoryUsage().rss;
	let peak = rssBefore;
	const sampler = trackMemory ? setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20) : undefined;
	const started = process.hrtime.bigint();
	await run();
	const seconds = Number(process.hrtime.bigint() - started) / 1e9;
	clearInterval(sampler);
	const { messages, connections } = await server.stats();
	if (messages !== n) throw new Error(`${name}: server received ${messages} of ${n} messages`);
	return { name, n, seconds, connections, peakRssGrowthMb: trackMemory ? (peak - rssBefore) / 2 ** 20 : undefined };
}

function transportOptions(port: number, caCert: string) {
	return {
		host: '127.0.0.1',
		port,
		secure: false,
		requireTLS: true,
		auth: { user: USER, pass: PASSWORD },
		tls: { ca: [caCert], minVersion: 'TLSv1.2' as const },
	};
}

async function ceiling(port: number, caCert: string, count = N) {
	const transport = nodemailer.createTransport({ ...transportOptions(port, caCert), pool: true, maxConnections: CONNECTIONS });
	await Promise.all(
		Array.from({ length: count }, (_, n) =>
			transport.sendMail({ from: 'ops@example.test', to: `user${n}@example.test`, subject: `Order ${n}`, html: html(n), text: `Order ${n}` }),
		),
	);
	transport.close();
}

/**
 * What n8n's built-in Send Email node (n8n-nodes-base 2.41, EmailSend v2 utils.configureTransport) does
 * for every item, with the nodemailer version it ships (8.0.10): a new transport — TCP, STARTTLS, AUTH —
 * per message, one item after the other. It cannot trust a private CA, so it skips verification.
 */
async function baseline(port: number) {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const builtin = require('nodemailer-n8n-builtin') as typeof nodemailer;
	for (let n = 0; n < N_BASELINE; n++) {
		const transport = builtin.createTransport(
			{ host: '127.0.0.1', port, secure: false, auth: { user: USER, pass: PASSWORD }, tls: { rejectUnauthorized: false } },
			{ disableFileAccess: true, disableUrlAccess: true },
		);
		await transport.sendMail({ from: 'ops@example.test', to: `user${n}@example.test`, subject: `Order ${n}`, html: html(n) });
	}
}

async function ours(port: number, caCert: string, items: INodeExecutionData[]) {
	const { SmtpConnector } = require(path.join(root, 'dist/nodes/SmtpConnector/SmtpConnector.node.js')) as {
		SmtpConnector: new () => INodeType;
	};
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
						deliveryOptions: { maxConnections: CONNECTIONS },
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
			},
		},
		input: items,
	});
	const out = outputOf(run, 'Send Email');
	const failed = out.filter((i) => i.json.error);
	if (out.length !== items.length || failed.length) throw new Error(`ours: ${failed.length} failed, e.g. ${JSON.stringify(failed[0]?.json)}`);
}

const itemsOf = (count: number): INodeExecutionData[] =>
	Array.from({ length: count }, (_, n) => ({ json: { n, to: `user${n}@example.test`, html: html(n) } }));

async function main() {
	const { key, cert, caCert } = await testPki();
	const server = await ServerProcess.start(key, cert);
	try {
		// Warm up both contenders (JIT, TLS, the engine) alike, unmeasured.
		await ceiling(server.port, caCert, 500);
		await ours(server.port, caCert, itemsOf(500));
		const results: Result[] = [];
		results.push(await measure(server, 'ceiling: nodemailer pool, 3 connections', N, () => ceiling(server.port, caCert)));
		results.push(await measure(server, 'baseline: new connection per item (built-in node)', N_BASELINE, () => baseline(server.port)));
		const small = itemsOf(N);
		results.push(await measure(server, `ours: SMTP Connector via n8n engine`, N, () => ours(server.port, caCert, small)));
		const large = itemsOf(N_LARGE);
		results.push(await measure(server, `ours: SMTP Connector via n8n engine`, N_LARGE, () => ours(server.port, caCert, large), true));

		const rate = (r: Result) => r.n / r.seconds;
		const [top, base, mine, big] = results;
		console.log(`\nLoopback SMTP, STARTTLS (TLS 1.3) + AUTH PLAIN, HTML mail; Node ${process.version}, ${require('node:os').cpus().length} cores\n`);
		console.log('| sender | N | mails/s | × ceiling | × baseline | TCP connections | peak RSS growth |');
		console.log('|---|---:|---:|---:|---:|---:|---:|');
		for (const r of results) {
			console.log(
				`| ${r.name} | ${r.n} | ${rate(r).toFixed(0)} | ${(rate(r) / rate(top)).toFixed(2)} | ${(rate(r) / rate(base)).toFixed(1)} | ${r.connections} | ${r.peakRssGrowthMb === undefined ? '' : `${r.peakRssGrowthMb.toFixed(0)} MB`} |`,
			);
		}
		const checks = [
			[`ours ≥ 0.7 × ceiling (N=${N})`, rate(mine) / rate(top) >= 0.7],
			[`ours ≥ 20 × baseline (N=${N})`, rate(mine) / rate(base) >= 20],
			[`RSS growth ≤ 150 MB at N=${N_LARGE}`, (big.peakRssGrowthMb ?? 0) <= 150],
		] as const;
		console.log('');
		for (const [label, ok] of checks) console.log(`${ok ? 'PASS' : 'FAIL'}  ${label}`);
		if (checks.some(([, ok]) => !ok)) process.exitCode = 1;
	} finally {
		server.stop();
		// The node's warm pool would keep the process alive for its idle timeout.
		setTimeout(() => process.exit(), 100).unref();
	}
}

if (process.argv[2] === 'server') serve();
else
	main().catch((error: unknown) => {
		console.error(error);
		process.exit(1);
	});
