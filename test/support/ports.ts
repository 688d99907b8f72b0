import { connect, createServer } from 'node:net';

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
