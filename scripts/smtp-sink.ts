/**
 * A loopback SMTP server for manual and real-n8n checks (STARTTLS + AUTH, throwaway CA).
 * Writes its CA certificate and port to <dir>/server.json and every message it receives to <dir>/mail/.
 * Usage: node out/smtp-sink.js <dir>   (stops on SIGTERM)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { testPki } from '../test/support/certs';
import { startSmtpServer, TEST_PASSWORD, TEST_USER } from '../test/support/smtpServer';

async function main() {
	const dir = path.resolve(process.argv[2] ?? 'out/smtp-sink');
	mkdirSync(path.join(dir, 'mail'), { recursive: true });
	const server = await startSmtpServer();
	const { caCert } = await testPki();
	let written = 0;
	setInterval(() => {
		for (; written < server.received.length; written++) {
			const mail = server.received[written];
			writeFileSync(path.join(dir, 'mail', `${written + 1}.eml`), mail.raw);
			writeFileSync(path.join(dir, 'mail', `${written + 1}.json`), JSON.stringify({ envelope: mail.envelope, connectionId: mail.connectionId }));
		}
		writeFileSync(path.join(dir, 'stats.json'), JSON.stringify({ connections: server.connections, logins: server.logins, received: written }));
	}, 100);
	writeFileSync(path.join(dir, 'server.json'), JSON.stringify({ host: server.host, port: server.port, user: TEST_USER, password: TEST_PASSWORD, caCert }));
	console.log(`smtp-sink listening on 127.0.0.1:${server.port}`);
	process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
}

void main();
