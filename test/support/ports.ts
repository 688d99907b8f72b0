import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import path from 'node:path';

/** A port nothing listens on right now, for a server that cannot be told to pick its own. */
export async function freePort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
	const { port } = server.address() as { port: number };
	await new Promise((resolve) => server.close(resolve));
	return port;
}

/** Resolves once something accepts connections on 127.0.0.1:port; throws `failure()` after timeoutMs. */
export async function waitForPort(port: number, failure: () => string, timeoutMs = 10_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const up = await new Promise<boolean>((resolve) => {
			const socket = connect(port, '127.0.0.1', () => {
				socket.destroy();
				resolve(true);
			});
			socket.on('error', () => resolve(false));
		});
		if (up) return;
		if (Date.now() > deadline) throw new Error(failure());
		await new Promise((r) => setTimeout(r, 100));
	}
}

export interface DaemonServer {
	port: number;
	close(): Promise<void>;
}

/**
 * Runs a daemon in the foreground until close(), once it accepts connections on `port`; close() stops
 * it, prints its log when the environment variable `<NAME>_LOG` is set, and removes its directory.
 */
export async function runDaemon(name: string, command: string, args: string[], port: number, dir: string, logFile: string): Promise<DaemonServer> {
	const child = spawn(command, args, { stdio: 'ignore' });
	const log = path.join(dir, logFile);
	await waitForPort(port, () => `${name} did not start; see ${log}`);
	return {
		port,
		close: async () => {
			child.kill('SIGTERM');
			await new Promise((resolve) => child.once('exit', resolve));
			if (process.env[`${name.toUpperCase()}_LOG`]) console.log(readFileSync(log, 'utf8'));
			rmSync(dir, { recursive: true, force: true });
		},
	};
}
