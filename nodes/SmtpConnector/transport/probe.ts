import type { Socket } from 'node:net';
import type { SMTPConnectionOptions } from 'nodemailer';
import Mailer from 'nodemailer/lib/mailer';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import SMTPTransport from 'nodemailer/lib/smtp-transport';
import XOAuth2 from 'nodemailer/lib/xoauth2';

import { provisionFrom, type TokenSource } from './auth/tokens';
import { authOptions, connectionOptions } from './options';
import { useProxy } from './proxy';
import type { ConnectionSettings } from './settings';

export interface ProbeResult {
	encryption: 'implicit TLS' | 'STARTTLS' | 'no TLS';
	tlsVersion?: string;
	/** The SASL mechanism that logged in, or undefined for an anonymous relay. */
	auth?: string;
}

/** nodemailer's connection exposes what it negotiated only on fields it does not type. */
interface ConnectionInternals {
	secure: boolean;
	_socket?: { getProtocol?: () => string | null };
	_authMethod?: string | false;
}

/** The socket through the credential's proxy, opened the way the delivery pool opens it; none without a proxy. */
async function proxiedSocket(settings: ConnectionSettings, options: SMTPConnectionOptions): Promise<Socket | undefined> {
	if (!settings.proxy) return undefined;
	const mailer = new Mailer(new SMTPTransport(options), options);
	useProxy(mailer, settings.proxy);
	const getSocket = (mailer as unknown as { getSocket: ProxySocketFactory }).getSocket;
	return await new Promise((resolve, reject) =>
		getSocket({ ...options, connectStartedAt: Date.now() }, (error, info) => (error ? reject(error) : resolve(info?.connection))),
	);
}

type ProxySocketFactory = (
	options: SMTPConnectionOptions & { connectStartedAt: number },
	callback: (error: Error | null, info?: { connection: Socket }) => void,
) => void;

/** What SMTPConnection.login needs: a password, or an XOAuth2 object that asks the token source. */
function loginFor(settings: ConnectionSettings, tokens?: TokenSource) {
	const auth = authOptions(settings);
	if (!auth || !('type' in auth)) return auth;
	const oauth2 = new XOAuth2({ user: auth.user, provisionCallback: provisionFrom(() => tokens) });
	return { type: 'OAuth2', user: auth.user, oauth2 };
}

/** Opens one connection, upgrades and logs in as the settings say, reports what was negotiated, then quits. */
export async function probeConnection(settings: ConnectionSettings, tokens?: TokenSource): Promise<ProbeResult> {
	const options = connectionOptions(settings, () => tokens);
	const connection = new SMTPConnection({ ...options, connection: await proxiedSocket(settings, options) });
	const internals = connection as unknown as ConnectionInternals;
	try {
		await new Promise<void>((resolve, reject) => {
			connection.once('error', reject);
			connection.connect(() => resolve());
		});
		const auth = loginFor(settings, tokens);
		if (auth) {
			await new Promise<void>((resolve, reject) =>
				connection.login(auth, (error) => (error ? reject(error) : resolve())),
			);
		}
		return {
			encryption: !internals.secure ? 'no TLS' : settings.security === 'tls' ? 'implicit TLS' : 'STARTTLS',
			tlsVersion: internals.secure ? (internals._socket?.getProtocol?.() ?? undefined) : undefined,
			auth: auth ? String(internals._authMethod) : undefined,
		};
	} finally {
		connection.removeAllListeners('error');
		connection.on('error', () => {});
		connection.quit();
		connection.close();
	}
}
