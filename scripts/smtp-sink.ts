/**
 * A loopback SMTP server for manual and real-n8n checks (STARTTLS + AUTH, throwaway CA).
 * Writes its CA certificate and port to <dir>/server.json and every message it receives to <dir>/mail/.
 * Beside it: an OAuth2 token endpoint and an XOAUTH2 SMTP server, described in <dir>/oauth.json, with
 * their counters in <dir>/oauth-stats.json and the messages it received in <dir>/oauth-mail/. While the file
 * <dir>/oauth-down exists, the XOAUTH2 server answers every message with 451 (the provider is down).
 * Usage: node out/smtp-sink.js <dir>   (stops on SIGTERM)
 */
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { testPki } from '../test/support/certs';
import { startSmtpServer, TEST_PASSWORD, TEST_USER } from '../test/support/smtpServer';
import { startTokenServer } from '../test/support/tokenServer';

/** Whole or not at all: the checks read these files while the sink rewrites them. */
function writeJson(file: string, value: unknown) {
	writeFileSync(`${file}.tmp`, JSON.stringify(value));
	renameSync(`${file}.tmp`, file);
}

const OAUTH_USER = 'orders@contoso.test';

async function main() {
	const dir = path.resolve(process.argv[2] ?? 'out/smtp-sink');
	mkdirSync(path.join(dir, 'mail'), { recursive: true });
	mkdirSync(path.join(dir, 'oauth-mail'), { recursive: true });
	const server = await startSmtpServer();
	const { caCert } = await testPki();
	let written = 0;
	setInterval(() => {
		for (; written < server.received.length; written++) {
			const mail = server.received[written];
			writeFileSync(path.join(dir, 'mail', `${written + 1}.eml`), mail.raw);
			writeJson(path.join(dir, 'mail', `${written + 1}.json`), { envelope: mail.envelope, connectionId: mail.connectionId });
		}
		writeJson(path.join(dir, 'stats.json'), { connections: server.connections, logins: server.logins, received: written });
	}, 100);
	writeJson(path.join(dir, 'server.json'), { host: server.host, port: server.port, user: TEST_USER, password: TEST_PASSWORD, caCert });
	const tokens = await startTokenServer();
	const oauthServer = await startSmtpServer({
		oauth2: (user, token) => user === OAUTH_USER && tokens.valid(token),
		afterDotReply: () => (existsSync(path.join(dir, 'oauth-down')) ? [451, '4.3.2 Service temporarily unavailable, try again later'] : undefined),
	});
	let oauthWritten = 0;
	writeJson(path.join(dir, 'oauth.json'), { port: oauthServer.port, tokenUrl: tokens.url, clientId: tokens.clientId, clientSecret: tokens.clientSecret, refreshToken: tokens.refreshToken, user: OAUTH_USER });
	setInterval(() => {
		const { received, logins, rejectedTokens } = oauthServer;
		for (; oauthWritten < received.length; oauthWritten++) {
			writeFileSync(path.join(dir, 'oauth-mail', `${oauthWritten + 1}.eml`), received[oauthWritten].raw);
			writeJson(path.join(dir, 'oauth-mail', `${oauthWritten + 1}.json`), { envelope: received[oauthWritten].envelope });
		}
		writeJson(path.join(dir, 'oauth-stats.json'), { received: received.length, logins, rejectedTokens: rejectedTokens.length, tokenRequests: tokens.requests });
	}, 100);
	console.log(`smtp-sink listening on 127.0.0.1:${server.port}, XOAUTH2 on ${oauthServer.port}`);
	process.on('SIGTERM', () => void Promise.all([server.close(), oauthServer.close(), tokens.close()]).then(() => process.exit(0)));
}

void main();
