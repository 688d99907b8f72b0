import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { freePort, runDaemon, type DaemonServer } from './ports';

/** Debian's redis-server on 127.0.0.1, without persistence; `unavailable` says why it cannot run here. */
export function redisUnavailable(): string | undefined {
	if (spawnSync('redis-server', ['--version']).status !== 0) return 'redis-server is not installed (apt-get install redis-server)';
	return undefined;
}

export interface RedisServer extends DaemonServer {
	url: string;
}

export async function startRedis(options: { password?: string } = {}): Promise<RedisServer> {
	const dir = mkdtempSync(path.join(tmpdir(), 'redis-'));
	const port = await freePort();
	const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--logfile', path.join(dir, 'redis.log')];
	if (options.password) args.push('--requirepass', options.password);
	const daemon = await runDaemon('redis', 'redis-server', args, port, dir, 'redis.log');
	return { ...daemon, url: `redis://127.0.0.1:${port}` };
}
