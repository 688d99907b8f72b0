import SMTPConnection from 'nodemailer/lib/smtp-connection';

import { authOptions, connectionOptions } from './options';
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

/** Opens one connection, upgrades and logs in as the settings say, reports what was negotiated, then quits. */
export async function probeConnection(settings: ConnectionSettings): Promise<ProbeResult> {
	const connection = new SMTPConnection(connectionOptions(settings));
	const internals = connection as unknown as ConnectionInternals;
	try {
		await new Promise<void>((resolve, reject) => {
			connection.once('error', reject);
			connection.connect(() => resolve());
		});
		const auth = authOptions(settings);
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
