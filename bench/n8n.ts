/**
 * `npm run bench:n8n`: the node's own cost per mail in real n8n, with n8n's default settings, all in one run.
 *   - floor:  the same workflow with a Set node evaluating the same three expressions (`$json.to`, `.subject`,
 *             `.html`) — what n8n itself spends per item, the same for every node;
 *   - ours:   the packed package installed as Community Nodes installs it, sending over STARTTLS (TLS 1.3)
 *             + AUTH PLAIN to a loopback server in its own process;
 *   - raw:    a nodemailer pool with the same connection count (TCP_NODELAY on), outside n8n, on the same Node.
 * Each is the median of 3 at N = 2,000 and 20,000, under n8n's default expression engine (`vm`) and
 * `legacy`. The node's own cost per item is the median of (ours − floor) / N over the repeats, from the
 * times n8n reports for the node's run;
 * it is compared with raw's time per message. CPU: user + system time of the whole n8n process (every
 * thread, the delivery thread included), ours minus the floor's, per item, beside the CPU per message of
 * two raw pools on the same Node and mail: nodemailer 10.6 (the copy this package bundles) and 8.0.10
 * (n8n's own) with TCP_NODELAY. RSS growth: peak RSS of the n8n process with ours minus with
 * the floor, at the same N. Exits non-zero below target.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { testPki } from '../test/support/certs';
import { summarise } from './profile';
import { installForBench, n8nBin, node24, root, run, VERSION } from './realN8n';
import { benchMain, n8nNodemailer, PASSWORD, rawPool, ServerProcess, USER, withNoDelay } from './sink';

const SIZES = (process.env.BENCH_N8N_SIZES ?? '2000,20000').split(',').map(Number);
const REPEATS = Number(process.env.BENCH_N8N_REPEATS ?? 3);
const ENGINES = (process.env.BENCH_N8N_ENGINES ?? 'vm,legacy').split(',');
const CONNECTIONS = 3;
const TARGET = 1.5;
/** A folder: each n8n run writes a V8 CPU profile there, and the first of each size is summarised (bench/profile.ts). */
const PROFILE_DIR = process.env.BENCH_N8N_PROFILE;
/** More options for Node running n8n (e.g. --trace-gc), split at spaces. */
const NODE_ARGS = (process.env.BENCH_N8N_NODE_ARGS ?? '').split(' ').filter(Boolean);



/** Manual trigger → N items made by a Set node → Split Out → the measured node. */
function workflow(id: string, n: number, measured: object) {
	// The same HTML as the raw sender's, built inside n8n (not measured: it is the Make node).
	const htmlOf = `'<div style="font-family:Arial"><h2>Order ' + n + ' approved</h2><p>Hello, your order <b>#' + n + '</b> was approved.</p><table><tr><td>Amount</td><td>' + (n * 13.37).toFixed(2) + ' EUR</td></tr></table><p><a href="https://example.test/o/' + n + '">Open</a></p></div>'`;
	const make = `={{ JSON.stringify({ items: Array.from({ length: ${n} }, (_, n) => ({ n, to: 'user' + n + '@example.test', subject: 'Order ' + n, html: ${htmlOf} })) }) }}`;
	return {
		id,
		name: id,
		active: false,
		nodes: [
			{ id: 'a', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{ id: 'b', name: 'Make', type: 'n8n-nodes-base.set', typeVersion: 3.4, position: [200, 0], parameters: { mode: 'raw', jsonOutput: make, options: {} } },
			{ id: 'c', name: 'Split Out', type: 'n8n-nodes-base.splitOut', typeVersion: 1, position: [400, 0], parameters: { fieldToSplitOut: 'items', options: {} } },
			{ id: 'd', position: [600, 0], ...measured },
		],
		connections: {
			Start: { main: [[{ node: 'Make', type: 'main', index: 0 }]] },
			Make: { main: [[{ node: 'Split Out', type: 'main', index: 0 }]] },
			'Split Out': { main: [[{ node: (measured as { name: string }).name, type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}

const floorNode = {
	name: 'Floor',
	type: 'n8n-nodes-base.set',
	typeVersion: 3.4,
	parameters: {
		mode: 'manual',
		assignments: {
			assignments: ['to', 'subject', 'html'].map((field) => ({ id: field, name: field, value: `={{ $json.${field} }}`, type: 'string' })),
		},
		options: {},
	},
};

const oursNode = {
	name: 'Send Email',
	type: 'n8n-nodes-smtp-connector.smtpConnector',
	typeVersion: 1,
	parameters: { authentication: 'smtpConnectorApi', operation: 'send', fromEmail: 'ops@example.test', toEmail: '={{ $json.to }}', subject: '={{ $json.subject }}', html: '={{ $json.html }}' },
	credentials: { smtpConnectorApi: { id: 'benchCredential', name: 'Bench SMTP' } },
};

interface Measurement {
	ms: number;
	peakRssMb: number;
	/** User + system CPU of the whole process, every thread, as its parent's `times` reports it. */
	cpuMs: number;
}

/** Runs a command under bash, which writes `times` (its children's CPU on the last line) to fd 3. */
function timed(args: string[]): string[] {
	return ['bash', '-c', '"$@"; status=$?; times >&3; exit $status', 'timed', ...args];
}

const seconds = (text: string) => {
	const m = /(\d+)m([\d.]+)s/.exec(text);
	return m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
};
/** `times` prints the shell's own line, then its children's: user and system. */
const childCpuMs = (timesOutput: string) => {
	const [user, system] = timesOutput.trim().split('\n').pop()!.trim().split(/\s+/);
	return (seconds(user) + seconds(system)) * 1000;
};

/** One `n8n execute`: the time n8n recorded for `nodeName`'s run, and the process's peak RSS. */
async function execute(env: NodeJS.ProcessEnv, id: string, nodeName: string, work: string, check?: (items: unknown[]) => void, profile?: string): Promise<Measurement> {
	const outFile = path.join(work, `${id}.json`);
	const profiling = profile && PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(PROFILE_DIR)}`, `--cpu-prof-name=${profile}.cpuprofile`] : [];
	// n8n execute prints the run through its logger (nothing at level warn), and a large output written to a
	// pipe is cut when the process exits: it goes to a file.
	const out = openSync(outFile, 'w');
	const [command, ...args] = timed([node24, ...NODE_ARGS, ...profiling, n8nBin, 'execute', `--id=${id}`, '--rawOutput']);
	const child = spawn(command!, args, { cwd: root, env: { ...env, N8N_LOG_LEVEL: 'info' }, stdio: ['ignore', out, 'pipe', 'pipe'] });
	child.stderr!.on('data', (chunk: Buffer) => process.stderr.write(chunk));
	let timesOutput = '';
	(child.stdio[3] as NodeJS.ReadableStream).on('data', (chunk: Buffer) => (timesOutput += chunk.toString()));
	let peakKb = 0;
	const sampler = setInterval(() => {
		try {
			// The n8n process is bash's child.
			const n8nPid = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/)[0];
			const hwm = n8nPid ? /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${n8nPid}/status`, 'utf8')) : null;
			if (hwm) peakKb = Math.max(peakKb, Number(hwm[1]));
		} catch {
			// the process has ended
		}
	}, 50);
	const code = await new Promise<number | null>((resolve) => child.once('close', (status, signal) => resolve(status ?? (signal ? 128 : null))));
	clearInterval(sampler);
	closeSync(out);
	const raw = readFileSync(outFile, 'utf8');
	if (code !== 0) throw new Error(`n8n execute ${id} exited with ${code}; output in ${outFile}`);
	const result = JSON.parse(raw.slice(raw.search(/^\{/m), raw.lastIndexOf('\n}') + 2));
	const [taskData] = result.data.resultData.runData[nodeName];
	check?.(taskData.data.main[0]);
	return { ms: taskData.executionTime, peakRssMb: peakKb / 1024, cpuMs: childCpuMs(timesOutput) };
}

/** A raw nodemailer pool (10.6, or n8n's 8.0.10), in a child on the same Node as n8n: wall and CPU ms for N messages. */
async function rawPoolRun(port: number, caCert: string, n: number, work: string, library: '10' | '8'): Promise<{ ms: number; cpuMs: number }> {
	const caFile = path.join(work, 'ca.pem');
	writeFileSync(caFile, caCert);
	const [ms, cpuMs] = run(node24, [__filename, 'raw', String(port), caFile, String(n), library]).trim().split(' ').map(Number);
	return { ms, cpuMs };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main() {
	run('npx', ['gulp', 'build', '--silent']);
	const { work, env } = installForBench('bench-n8n-');

	const { key, cert, caCert } = await testPki();
	const server = await ServerProcess.start(key, cert);
	try {
		const credential = {
			id: 'benchCredential',
			name: 'Bench SMTP',
			type: 'smtpConnectorApi',
			data: { provider: 'custom', host: '127.0.0.1', port: server.port, security: 'starttls', authType: 'password', user: USER, password: PASSWORD, caCertificate: caCert, rateLimitPerSecond: '0', rateLimitPerMinute: '0' },
		};
		writeFileSync(path.join(work, 'credentials.json'), JSON.stringify([credential]));
		writeFileSync(path.join(work, 'workflows.json'), JSON.stringify(SIZES.flatMap((n) => [workflow(`benchFloor${n}`, n, floorNode), workflow(`benchOurs${n}`, n, oursNode)])));
		run(node24, [n8nBin, 'import:credentials', `--input=${path.join(work, 'credentials.json')}`], env);
		run(node24, [n8nBin, 'import:workflow', `--input=${path.join(work, 'workflows.json')}`], env);

		const rows: string[] = [];
		const cpuRows: string[] = [];
		const checks: Array<[string, boolean]> = [];
		const rawMs: Record<number, number> = {};
		const rawCpu: Record<'10' | '8', Record<number, number>> = { '10': {}, '8': {} };
		for (const n of SIZES) {
			const times: number[] = [];
			const cpu: Record<'10' | '8', number[]> = { '10': [], '8': [] };
			for (let r = 0; r < REPEATS; r++) {
				for (const library of ['10', '8'] as const) {
					await server.reset();
					const measured = await rawPoolRun(server.port, caCert, n, work, library);
					if (library === '10') times.push(measured.ms);
					cpu[library].push(measured.cpuMs / n);
					const { messages } = await server.stats();
					if (messages !== n) throw new Error(`raw ${library}: the server received ${messages} of ${n}`);
				}
			}
			rawMs[n] = median(times);
			rawCpu['10'][n] = median(cpu['10']);
			rawCpu['8'][n] = median(cpu['8']);
		}
		for (const engine of ENGINES) {
			const engineEnv = { ...env, N8N_EXPRESSION_ENGINE: engine };
			for (const n of SIZES) {
				const floor: Measurement[] = [];
				const ours: Measurement[] = [];
				for (let r = 0; r < REPEATS; r++) {
					floor.push(await execute(engineEnv, `benchFloor${n}`, 'Floor', work, undefined, `floor-${engine}-${n}-${r + 1}`));
					await server.reset();
					ours.push(
						await execute(engineEnv, `benchOurs${n}`, 'Send Email', work, (items) => {
							const accepted = (items as Array<{ json: { accepted?: string[] } }>).filter((i) => i.json.accepted?.length === 1).length;
							if (accepted !== n) throw new Error(`ours: ${accepted} of ${n} items accepted`);
						}, `ours-${engine}-${n}-${r + 1}`),
					);
					const { messages } = await server.stats();
					if (messages !== n) throw new Error(`ours: the server received ${messages} of ${n}`);
				}
				if (PROFILE_DIR) console.log(`\n${summarise(path.resolve(PROFILE_DIR, `ours-${engine}-${n}-1.cpuprofile`))}\n`);
				const floorMs = median(floor.map((m) => m.ms));
				const oursMs = median(ours.map((m) => m.ms));
				// Each repeat runs the floor and this node back to back: the median of those differences is steadier
				// than the difference of the medians when the machine's speed drifts between repeats.
				const ownPerItem = median(ours.map((m, r) => m.ms - floor[r].ms)) / n;
				const rawPerMessage = rawMs[n] / n;
				const rssGrowth = median(ours.map((m) => m.peakRssMb)) - median(floor.map((m) => m.peakRssMb));
				// The peak with ours varies by ~140 MB from run to run (965–1103 MB, floor 899–910 MB, on one commit): show each.
				console.log(`peak RSS (${engine}, N=${n}): floor ${floor.map((m) => m.peakRssMb.toFixed(0)).join(', ')} MB; ours ${ours.map((m) => m.peakRssMb.toFixed(0)).join(', ')} MB`);
				const cpuPerItem = median(ours.map((m, r) => m.cpuMs - floor[r].cpuMs)) / n;
				cpuRows.push(
					`| ${engine} | ${n} | ${cpuPerItem.toFixed(3)} ms | ${rawCpu['8'][n].toFixed(3)} ms | ${rawCpu['10'][n].toFixed(3)} ms | ${(cpuPerItem / rawCpu['8'][n]).toFixed(2)} × 8.0.10, ${(cpuPerItem / rawCpu['10'][n]).toFixed(2)} × 10.6 |`,
				);
				rows.push(
					`| ${engine} | ${n} | ${(floorMs / 1000).toFixed(2)} s | ${(oursMs / 1000).toFixed(2)} s (${Math.round((n / oursMs) * 1000)}/s) | ${ownPerItem.toFixed(3)} ms | ${(rawMs[n] / 1000).toFixed(2)} s | ${rawPerMessage.toFixed(3)} ms | ${(ownPerItem / rawPerMessage).toFixed(2)} | ${rssGrowth.toFixed(0)} MB |`,
				);
				if (engine === 'vm' && n === SIZES[0]) checks.push([`node's own cost ≤ ${TARGET} × raw per message (vm, N=${n})`, ownPerItem / rawPerMessage <= TARGET]);
				if (n >= 20000) checks.push([`RSS growth ≤ 150 MB (${engine}, N=${n})`, rssGrowth <= 150]);
			}
		}
		console.log(`\nReal n8n ${VERSION} on Node ${run(node24, ['--version']).trim()}, n8n execute, loopback STARTTLS (TLS 1.3) + AUTH PLAIN, ${CONNECTIONS} connections, medians of ${REPEATS}\n`);
		console.log('| engine | N | floor (Set node) | ours | node\'s own per item | raw nodemailer | raw per message | own ÷ raw | RSS growth |');
		console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
		for (const row of rows) console.log(row);
		console.log('\nCPU (user + system, every thread): the n8n process with ours minus with the floor, per item; the raw pools per message\n');
		console.log('| engine | N | node\'s own CPU per item | nodemailer 8.0.10 + TCP_NODELAY (n8n\'s) | nodemailer 10.6 (bundled) | own ÷ reference |');
		console.log('|---|---:|---:|---:|---:|---:|');
		for (const row of cpuRows) console.log(row);
		console.log('');
		for (const [label, ok] of checks) console.log(`${ok ? 'PASS' : 'FAIL'}  ${label}`);
		if (checks.some(([, ok]) => !ok)) process.exitCode = 1;
	} finally {
		server.stop();
	}
}

benchMain(main, {
	raw: ([port, caFile, n, library]) => {
		const started = process.hrtime.bigint();
		const cpu = process.cpuUsage();
		const send = async () => await rawPool(Number(port), readFileSync(caFile, 'utf8'), Number(n), CONNECTIONS, library === '8' ? n8nNodemailer() : undefined);
		void (library === '8' ? withNoDelay(send) : send)().then(() => {
			const used = process.cpuUsage(cpu);
			console.log(`${Number(process.hrtime.bigint() - started) / 1e6} ${(used.user + used.system) / 1000}`);
		});
	},
	profile: ([file, part]) => console.log(summarise(file, part, 40)),
});
