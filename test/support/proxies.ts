import { createServer as createHttpServer } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * Proxies on 127.0.0.1 for the proxy tests: an HTTP CONNECT proxy (node:http) and a SOCKS5 proxy with
 * username/password authentication (RFC 1928 / RFC 1929), written here because no maintained SOCKS
 * *server* package is available; both only tunnel to loopback targets.
 */
export interface TestProxy {
	port: number;
	/** host:port of every tunnel opened. */
	tunnels: string[];
	url(credentials?: string): string;
	close(): Promise<void>;
}

const USER = 'proxy-user';
const PASSWORD = 'CANARY-proxy-pass-3c9d';
export const PROXY_CREDENTIALS = `${USER}:${PASSWORD}`;

/**
 * A name that looks remote to the node (not loopback) but that the proxies resolve to 127.0.0.1, for
 * tests of what may be sent to a remote host. No DNS is involved: the proxy gets the name.
 */
export const REMOTE_LOOKING_HOST = 'relay.remote-looking.test';

function tunnel(client: Socket, host: string, port: number, tunnels: string[], onOpen: () => void) {
	const target = host === REMOTE_LOOKING_HOST ? '127.0.0.1' : host;
	if (target !== '127.0.0.1' && target !== 'localhost') {
		client.destroy();
		return;
	}
	tunnels.push(`${host}:${port}`);
	const upstream = connect(port, target, () => {
		onOpen();
		upstream.pipe(client);
		client.pipe(upstream);
	});
	upstream.on('error', () => client.destroy());
	client.on('error', () => upstream.destroy());
}

async function listen(server: Server, scheme: string, tunnels: string[]): Promise<TestProxy> {
	const sockets = new Set<Socket>();
	server.on('connection', (s: Socket) => {
		sockets.add(s);
		s.on('close', () => sockets.delete(s));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
	const port = (server.address() as { port: number }).port;
	return {
		port,
		tunnels,
		url: (credentials) => `${scheme}://${credentials ? `${credentials}@` : ''}127.0.0.1:${port}`,
		close: () =>
			new Promise<void>((resolve) => {
				server.close(() => resolve());
				for (const s of sockets) s.destroy();
			}),
	};
}

export async function startHttpProxy(): Promise<TestProxy> {
	const tunnels: string[] = [];
	const server = createHttpServer((_req, res) => res.writeHead(405).end());
	server.on('connect', (req, client: Socket, head: Buffer) => {
		const expected = `Basic ${Buffer.from(PROXY_CREDENTIALS).toString('base64')}`;
		if (req.headers['proxy-authorization'] !== expected) {
			client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\n\r\n');
			return;
		}
		const [host, port] = String(req.url).split(':');
		tunnel(client, host, Number(port), tunnels, () => {
			client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
			if (head.length) client.unshift(head);
		});
	});
	return await listen(server, 'http', tunnels);
}

export async function startSocks5Proxy(): Promise<TestProxy> {
	const tunnels: string[] = [];
	const server = createServer((client) => {
		let stage: 'greeting' | 'auth' | 'request' = 'greeting';
		let buffer = Buffer.alloc(0);
		const onData = (chunk: Buffer) => {
			buffer = Buffer.concat([buffer, chunk]);
			if (stage === 'greeting' && buffer.length >= 2 && buffer.length >= 2 + buffer[1]) {
				const methods = [...buffer.subarray(2, 2 + buffer[1])];
				buffer = buffer.subarray(2 + buffer[1]);
				if (!methods.includes(0x02)) return void client.end(Buffer.from([0x05, 0xff]));
				client.write(Buffer.from([0x05, 0x02]));
				stage = 'auth';
			}
			if (stage === 'auth' && buffer.length >= 2) {
				const ulen = buffer[1];
				if (buffer.length < 3 + ulen || buffer.length < 3 + ulen + buffer[2 + ulen]) return;
				const user = buffer.subarray(2, 2 + ulen).toString();
				const plen = buffer[2 + ulen];
				const password = buffer.subarray(3 + ulen, 3 + ulen + plen).toString();
				buffer = buffer.subarray(3 + ulen + plen);
				if (`${user}:${password}` !== PROXY_CREDENTIALS) return void client.end(Buffer.from([0x01, 0x01]));
				client.write(Buffer.from([0x01, 0x00]));
				stage = 'request';
			}
			if (stage === 'request' && buffer.length >= 5) {
				const atyp = buffer[3];
				const addressLength = atyp === 0x01 ? 4 : atyp === 0x04 ? 16 : 1 + buffer[4];
				if (buffer.length < 4 + addressLength + 2) return;
				const host =
					atyp === 0x01 ? [...buffer.subarray(4, 8)].join('.') : atyp === 0x03 ? buffer.subarray(5, 5 + buffer[4]).toString() : '::1';
				const port = buffer.readUInt16BE(4 + addressLength);
				client.removeListener('data', onData);
				tunnel(client, host, port, tunnels, () => client.write(Buffer.from([0x05, 0x00, 0x00, 0x01, 127, 0, 0, 1, 0, 0])));
			}
		};
		client.on('data', onData);
		client.on('error', () => {});
	});
	return await listen(server, 'socks5', tunnels);
}
