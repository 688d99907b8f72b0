import type {
	ICredentialTestFunctions,
	ICredentialsDecrypted,
	INodeCredentialTestResult,
} from 'n8n-workflow';

import { CredentialSettingError, readConnectionSettings } from '../transport/settings';
import { probeConnection } from '../transport/probe';
import { describeProxy } from '../transport/proxy';
import { diagnose, explainToUser } from './diagnose';

/** The credential's Test button: connect, negotiate TLS, log in, close — and explain any failure. */
export async function smtpConnectorTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	let settings;
	try {
		settings = readConnectionSettings(credential.data ?? {});
	} catch (error) {
		return { status: 'Error', message: error instanceof CredentialSettingError ? error.message : String(error) };
	}
	try {
		const session = await probeConnection(settings);
		const parts = [session.encryption, session.tlsVersion, session.auth ? `AUTH ${session.auth}` : 'no AUTH'];
		return {
			status: 'OK',
			message: `Connected to ${settings.host}:${settings.port}${settings.proxy ? ` via ${describeProxy(settings.proxy)}` : ''}: ${parts.filter(Boolean).join(', ')}`,
		};
	} catch (error) {
		return { status: 'Error', message: explainToUser(diagnose(error, settings)) };
	}
}
