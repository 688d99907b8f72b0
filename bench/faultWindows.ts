/**
 * `npm run bench:faults`: what the delivery thread's ownership of each attempt costs and buys, through
 * n8n-core's engine (the built node in dist/), against the benchmarks' sink in its own process.
 *   - Dropped connections: BENCH_N (default 1000) mails while the sink drops 2.5 % of attempts at RCPT and
 *     2.5 % on the first chunk of DATA, with DKIM off and on: mails delivered once, twice, reported
 *     unknown, lost. The same share must arrive with DKIM on as off (the stage comes from the connection).
 *   - Thread messages per mail (n8n's thread ↔ delivery thread, counted on the Worker), no faults.
 *   - CPU per mail of the whole process (every thread: process.cpuUsage), no faults, beside two
 *     references on the same mail and sink in the same run: a nodemailer 10.6 pool (the copy this
 *     package bundles) and a nodemailer 8.0.10 pool (n8n's own) with TCP_NODELAY. Medians of BENCH_REPEATS (3).
 */
import { generateKeyPairSync } from 'node:crypto';
import { Worker } from 'node:worker_threads';

import type { IDataObject } from 'n8n-workflow';

import { testPki } from '../test/support/certs';
import { benchMain, n8nNodemailer, rawPool, ServerProcess, withNoDelay } from './sink';
import { itemsOf, runViaEngine } from './viaEngine';

const N = Number(process.env.BENCH_N ?? 1000);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const CONNECTIONS = 3;
const dkimKey = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } }).privateKey;

/** Messages between n8n's thread and the delivery thread, both ways. */
const traffic = { posted: 0, received: 0 };
const postMessage = Worker.prototype.postMessage;
Worker.prototype.postMessage = function (this: Worker, ...args: Parameters<Worker['postMessage']>) {
	traffic.posted++;
	return postMessage.apply(this, args);
};
const emit = Worker.prototype.emit;
Worker.prototype.emit = function (this: Worker, event: string | symbol, ...args: unknown[]) {
	if (event === 'message') traffic.received++;
	return emit.call(this, event, ...args);
} as Worker['emit'];

const items = itemsOf(N);

const ours = (port: number, caCert: string, dkim: boolean) =>
	runViaEngine(port, caCert, items, {
		connections: CONNECTIONS,
		retryDelay: 0.05,
		continueOnFail: true,
		credential: dkim ? { dkim: true, dkimDomain: 'example.test', dkimSelector: 'bench', dkimPrivateKey: dkimKey } : {},
	});

function tally(out: IDataObject[]) {
	const unknown = out.filter((j) => (j.error as IDataObject | undefined)?.possibleDuplicate || (j.unknown as string[] | undefined)?.length).length;
	const sent = out.filter((j) => (j.accepted as string[] | undefined)?.length && !(j.unknown as string[] | undefined)?.length).length;
	return { sent, unknown, failed: out.length - sent - unknown };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main() {
	const { key, cert, caCert } = await testPki();
	const server = await ServerProcess.start(key, cert);
	const builtin = n8nNodemailer();
	try {
		console.log(`\nN = ${N}, ${CONNECTIONS} connections, STARTTLS + AUTH PLAIN, Node ${process.version}\n`);
		console.log('Dropped connections (2.5 % of attempts at RCPT, 2.5 % on the first DATA chunk):\n');
		console.log('| DKIM | delivered once | twice | reported sent | reported unknown | failed | dropped connections |\n|---|---:|---:|---:|---:|---:|---:|');
		for (const dkim of [false, true]) {
			await server.withDrops();
			const t = tally(await ours(server.port, caCert, dkim));
			const stats = await server.stats();
			console.log(`| ${dkim ? 'on' : 'off'} | ${stats.distinct - stats.twice} | ${stats.twice} | ${t.sent} | ${t.unknown} | ${t.failed} | ${stats.faults} |`);
		}

		await server.reset();
		await ours(server.port, caCert, false);
		const measured = { ours: [] as number[], v10: [] as number[], v8: [] as number[] };
		let messagesPerMail = 0;
		for (let r = 0; r < REPEATS; r++) {
			for (const [name, send] of [
				['ours', async () => void (await ours(server.port, caCert, false))],
				['v10', async () => await rawPool(server.port, caCert, N, CONNECTIONS)],
				['v8', withNoDelay(async () => await rawPool(server.port, caCert, N, CONNECTIONS, builtin))],
			] as const) {
				await server.reset();
				global.gc?.();
				const before = { ...traffic };
				const cpu = process.cpuUsage();
				await send();
				const used = process.cpuUsage(cpu);
				const { messages } = await server.stats();
				if (messages !== N) throw new Error(`${name}: the server received ${messages} of ${N}`);
				measured[name].push((used.user + used.system) / N);
				if (name === 'ours') messagesPerMail = (traffic.posted - before.posted + traffic.received - before.received) / N;
			}
		}
		const [o, v10, v8] = [median(measured.ours), median(measured.v10), median(measured.v8)];
		console.log(`\nNo faults: ${messagesPerMail.toFixed(2)} thread messages per mail (both ways).\n`);
		console.log('| sender | CPU per mail (all threads) | ratio |\n|---|---:|---:|');
		console.log(`| this node via n8n-core (incl. the engine's own per-item work) | ${(o / 1000).toFixed(2)} ms | ${(o / v8).toFixed(2)} × 8.0.10, ${(o / v10).toFixed(2)} × 10.6 |`);
		console.log(`| nodemailer 10.6 pool (bundled) | ${(v10 / 1000).toFixed(2)} ms | ${(v10 / v8).toFixed(2)} × 8.0.10 |`);
		console.log(`| nodemailer 8.0.10 pool, TCP_NODELAY (n8n's copy) | ${(v8 / 1000).toFixed(2)} ms | 1 |`);
	} finally {
		server.stop();
		setTimeout(() => process.exit(), 100).unref();
	}
}

benchMain(main);
