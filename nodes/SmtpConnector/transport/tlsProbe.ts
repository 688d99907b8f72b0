import { connect } from 'node:tls';

import type { ConnectionSettings } from './settings';

/**
 * Whether the port answers a TLS handshake: told apart this way, a port that expects implicit TLS and a
 * server that is slow to greet look the same to a plain connection (both stay silent). Certificates are
 * not checked here — only whether TLS is spoken; nothing is sent. Not through a proxy: no answer then.
 */
export async function answersTls(settings: Pick<ConnectionSettings, 'host' | 'port' | 'proxy' | 'timeoutsMs'>): Promise<boolean> {
	if (settings.proxy) return false;
	return await new Promise((resolve) => {
		const socket = connect({ host: settings.host, port: settings.port, servername: settings.host, rejectUnauthorized: false });
		const done = (answered: boolean) => {
			clearTimeout(timer);
			socket.destroy();
			resolve(answered);
		};
		const timer = setTimeout(() => done(false), Math.min(settings.timeoutsMs.connection, 5000));
		socket.once('secureConnect', () => done(true));
		socket.once('error', () => done(false));
		socket.once('close', () => done(false));
	});
}
