// SIGTERM while an execution sends 200 mails at 10 per second: n8n waits for running executions, and the
// pools keep sending for them, so every mail arrives once.
//   node shutdown-check.js start <base> <sink dir>        starts the execution, returns once 30 mails arrived
//   node shutdown-check.js count <sink dir> <n8n's exit code> <seconds from SIGTERM to exit>   each of the 200 once?
const fs = require('node:fs');
const path = require('node:path');

const TOTAL = 200;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// The numbers in the subjects of this check's mails, one per mail received (the earlier checks wrote other mails).
const numbersReceived = (sinkDir) =>
	fs
		.readdirSync(path.join(sinkDir, 'mail'))
		.filter((f) => f.endsWith('.eml'))
		.map((f) => /^Subject: Shutdown check (\d+)\r?$/m.exec(fs.readFileSync(path.join(sinkDir, 'mail', f), 'utf8'))?.[1])
		.filter(Boolean)
		.map(Number);

async function start(base, sinkDir) {
	const started = await fetch(`${base}/webhook/smtp-connector-shutdown-check`);
	if (!started.ok) throw new Error(`the webhook answered ${started.status}`);
	for (let i = 0; i < 300 && numbersReceived(sinkDir).length < 30; i++) await sleep(100);
	console.log(`Shutdown: ${numbersReceived(sinkDir).length} of ${TOTAL} mails arrived before SIGTERM`);
}

async function count(sinkDir, exitCode, seconds) {
	await sleep(500); // the sink writes what it received every 100 ms
	const numbers = numbersReceived(sinkDir);
	const distinct = new Set(numbers);
	const missing = Array.from({ length: TOTAL }, (_, i) => i + 1).filter((n) => !distinct.has(n));
	console.log(`Shutdown: n8n exited with ${exitCode} ${seconds} s after SIGTERM; the server got ${numbers.length} mails, ${distinct.size} distinct, ${missing.length} missing`);
	const ok = numbers.length === TOTAL && distinct.size === TOTAL && exitCode === '0';
	console.log(ok ? 'REAL N8N SHUTDOWN CHECK PASSED' : 'REAL N8N SHUTDOWN CHECK FAILED');
	if (!ok) process.exit(1);
}

const [mode, ...args] = process.argv.slice(2);
(mode === 'start' ? start(...args) : count(...args)).catch((e) => {
	console.error(e);
	process.exit(1);
});
