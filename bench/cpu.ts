/**
 * `npm run bench:cpu`: the sending process's CPU time per mail — user + system, the resource that runs
 * out first in n8n, where the node shares one thread with expression evaluation — for the built node
 * through n8n-core's engine and for a raw nodemailer pool with the same connections, same mail, same
 * loopback server (in its own process). A fast inner loop for cutting the node's own cost; figures for
 * the README come from `npm run bench:n8n`. BENCH_N (default 3000) mails, median of BENCH_REPEATS (5).
 */
import { writeFileSync } from 'node:fs';
import type { INodeExecutionData } from 'n8n-workflow';

import { testPki } from '../test/support/certs';
import { benchMain, rawPool, ServerProcess } from './sink';
import { itemsOf, sendViaEngine } from './viaEngine';

const N = Number(process.env.BENCH_N ?? 3000);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 5);
const CONNECTIONS = 3;

const raw = (port: number, caCert: string) => rawPool(port, caCert, N, CONNECTIONS);

const ours = (port: number, caCert: string, items: INodeExecutionData[]) => sendViaEngine(port, caCert, items, CONNECTIONS);

async function cpuPerMail(server: ServerProcess, send: () => Promise<void>): Promise<{ cpuUs: number; wallMs: number }> {
	await server.reset();
	global.gc?.();
	const cpu = process.cpuUsage();
	const started = process.hrtime.bigint();
	await send();
	const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
	const used = process.cpuUsage(cpu);
	const { messages } = await server.stats();
	if (messages !== N) throw new Error(`the server received ${messages} of ${N}`);
	return { cpuUs: (used.user + used.system) / N, wallMs };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main() {
	const { key, cert, caCert } = await testPki();
	const server = await ServerProcess.start(key, cert);
	const items = itemsOf(N);
	try {
		await raw(server.port, caCert);
		await ours(server.port, caCert, items);
		const results = { raw: [] as Array<{ cpuUs: number; wallMs: number }>, ours: [] as Array<{ cpuUs: number; wallMs: number }> };
		for (let r = 0; r < REPEATS; r++) {
			results.raw.push(await cpuPerMail(server, () => raw(server.port, caCert)));
			results.ours.push(await cpuPerMail(server, () => ours(server.port, caCert, items)));
		}
		if (process.env.BENCH_PROFILE) {
			// One more run of each, inside a CPU profile of this process: <BENCH_PROFILE>-raw/-ours.cpuprofile.
			const { Session } = await import('node:inspector/promises');
			const session = new Session();
			session.connect();
			await session.post('Profiler.enable');
			for (const [name, send] of [['raw', () => raw(server.port, caCert)], ['ours', () => ours(server.port, caCert, items)]] as const) {
				await session.post('Profiler.start');
				await cpuPerMail(server, send);
				const { profile } = await session.post('Profiler.stop');
				writeFileSync(`${process.env.BENCH_PROFILE}-${name}.cpuprofile`, JSON.stringify(profile));
			}
		}
		if (process.env.BENCH_HEAP) {
			// What outlives the young generation: sampled allocations of the node's run that died only in a full GC or live on.
			const { Session } = await import('node:inspector/promises');
			const session = new Session();
			session.connect();
			await session.post('HeapProfiler.enable');
			await session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: process.env.BENCH_HEAP_LIVE !== '1', includeObjectsCollectedByMinorGC: false } as never);
			await cpuPerMail(server, () => ours(server.port, caCert, items));
			const { profile } = await session.post('HeapProfiler.stopSampling');
			writeFileSync(process.env.BENCH_HEAP, JSON.stringify(profile));
		}
		const rawCpu = median(results.raw.map((r) => r.cpuUs));
		const oursCpu = median(results.ours.map((r) => r.cpuUs));
		console.log(`\nN = ${N}, ${CONNECTIONS} connections, STARTTLS + AUTH PLAIN, Node ${process.version}, medians of ${REPEATS}\n`);
		console.log('| sender | CPU per mail | wall |\n|---|---:|---:|');
		console.log(`| raw nodemailer pool | ${rawCpu.toFixed(0)} µs | ${(median(results.raw.map((r) => r.wallMs)) / 1000).toFixed(2)} s |`);
		console.log(`| this node via n8n-core | ${oursCpu.toFixed(0)} µs (${(oursCpu / rawCpu).toFixed(2)} × raw) | ${(median(results.ours.map((r) => r.wallMs)) / 1000).toFixed(2)} s |`);
	} finally {
		server.stop();
		setTimeout(() => process.exit(), 100).unref();
	}
}

benchMain(main);
