/**
 * `npm run bench`: mails per second on a loopback SMTP server (STARTTLS + AUTH, TLS 1.3), all in one run:
 *   - ceiling:  raw nodemailer pool (3 connections) — what the transport itself can do;
 *   - baseline: one connection per item, sequentially, with nodemailer 8.0.10 — what n8n's built-in
 *               Send Email node does;
 *   - ours:     the built node (dist/) through n8n's execution engine, N = 2,000 and 20,000 items;
 *   - faults:   the node at N = 10,000 against the same server injecting 5 % transient faults (451 at RCPT or
 *               after DATA for 5 % of the attempts, 421 at the greeting for 5 % of the connections), as a
 *               ratio to a fault-free run of the same N.
 * The SMTP server runs in a child process so it does not share the event loop it is measured against.
 */
import nodemailer from 'nodemailer';
import type { INodeExecutionData } from 'n8n-workflow';

import '../test/support/greetAtOnce';
import { testPki } from '../test/support/certs';
import { benchMain, FAULT_RATE, html, rawPool, ServerProcess, USER, PASSWORD } from './sink';
import { itemsOf, sendViaEngine } from './viaEngine';

const N = Number(process.env.BENCH_N ?? 2000);
const N_LARGE = Number(process.env.BENCH_N_LARGE ?? 20000);
const N_BASELINE = Number(process.env.BENCH_N_BASELINE ?? 300);
const N_FAULTS = Number(process.env.BENCH_N_FAULTS ?? 10000);
const CONNECTIONS = 3;


interface Result {
	name: string;
	n: number;
	seconds: number;
	connections: number;
	peakRssGrowthMb?: number;
	faults?: number;
}

async function measure(server: ServerProcess, name: string, n: number, run: () => Promise<void>, trackMemory = false, faults = false): Promise<Result> {
	await (faults ? server.withFaults() : server.reset());
	global.gc?.();
	const rssBefore = process.memoryUsage().rss;
	let peak = rssBefore;
	const sampler = trackMemory ? setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20) : undefined;
	const started = process.hrtime.bigint();
	await run();
	const seconds = Number(process.hrtime.bigint() - started) / 1e9;
	clearInterval(sampler);
	const stats = await server.stats();
	if (stats.messages !== n) throw new Error(`${name}: server received ${stats.messages} of ${n} messages`);
	return { name, n, seconds, connections: stats.connections, peakRssGrowthMb: trackMemory ? (peak - rssBefore) / 2 ** 20 : undefined, faults: faults ? stats.faults : undefined };
}

const ceiling = (port: number, caCert: string, count = N) => rawPool(port, caCert, count, CONNECTIONS);

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

const ours = (port: number, caCert: string, items: INodeExecutionData[]) => sendViaEngine(port, caCert, items, CONNECTIONS);

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
		const faulty = itemsOf(N_FAULTS);
		const clean = await measure(server, 'ours, fault-free', N_FAULTS, () => ours(server.port, caCert, faulty));
		const withFaults = await measure(server, `ours, ${FAULT_RATE * 100} % transient faults`, N_FAULTS, () => ours(server.port, caCert, faulty), false, true);

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
			[`with ${FAULT_RATE * 100} % transient faults ≥ 0.8 × fault-free (N=${N_FAULTS})`, rate(withFaults) / rate(clean) >= 0.8],
		] as const;
		console.log(`\nFaults (N = ${N_FAULTS}): ${rate(clean).toFixed(0)} mails/s fault-free, ${rate(withFaults).toFixed(0)} mails/s with ${withFaults.faults} injected faults (${FAULT_RATE * 100} %): ${(rate(withFaults) / rate(clean)).toFixed(2)} × fault-free`);
		console.log('');
		for (const [label, ok] of checks) console.log(`${ok ? 'PASS' : 'FAIL'}  ${label}`);
		if (checks.some(([, ok]) => !ok)) process.exitCode = 1;
	} finally {
		server.stop();
		// The node's warm pool would keep the process alive for its idle timeout.
		setTimeout(() => process.exit(), 100).unref();
	}
}

benchMain(main);
