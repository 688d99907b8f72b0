import type {
	ICredentialDataDecryptedObject,
	ICredentialTestFunctions,
	ICredentialsDecrypted,
	INodeCredentialTestResult,
} from 'n8n-workflow';

import { presetHost } from '../../../credentials/common/providers';
import { checkRedis, describeRedis } from '../coordination/redis';
import { tokenSourceFor } from '../transport/auth/oauth2';
import type { TokenSource } from '../transport/auth/tokens';
import { probeConnection } from '../transport/probe';
import { describeProxy } from '../transport/proxy';
import { redactorFor } from '../transport/secrets';
import { CredentialSettingError, readConnectionSettings, type ConnectionSettings } from '../transport/settings';
import { recogniseProbing } from '../failures/recognise';

async function test(
	credential: ICredentialsDecrypted,
	credentialType: 'smtpConnectorApi' | 'smtpConnectorOAuth2Api',
): Promise<INodeCredentialTestResult> {
	const redact = redactorFor(credential.data ?? {});
	return redact(await unredactedTest(credential, credentialType));
}

async function unredactedTest(
	credential: ICredentialsDecrypted,
	credentialType: 'smtpConnectorApi' | 'smtpConnectorOAuth2Api',
): Promise<INodeCredentialTestResult> {
	let settings: ConnectionSettings;
	try {
		settings = readConnectionSettings(credential.data ?? {}, credentialType);
	} catch (error) {
		return { status: 'Error', message: error instanceof CredentialSettingError ? error.message : String(error) };
	}
	const tokens: TokenSource | undefined = settings.auth?.kind === 'oauth2' ? tokenSourceFor(credential.data ?? {}, credentialType) : undefined;
	let connected: string;
	try {
		const session = await probeConnection(settings, tokens);
		const parts = [session.encryption, session.tlsVersion, session.auth ? `AUTH ${session.auth}` : 'no AUTH'];
		const as = settings.auth?.kind === 'oauth2' ? ` as ${settings.auth.user}` : '';
		connected = `Connected to ${settings.host}:${settings.port}${settings.proxy ? ` via ${describeProxy(settings.proxy)}` : ''}: ${parts.filter(Boolean).join(', ')}${as}`;
	} catch (error) {
		return { status: 'Error', message: (await recogniseProbing(error, settings)).message };
	}
	const shared = await sharedLimitsCheck(settings);
	if (shared.failed) return { status: 'Error', message: `${connected}, but ${shared.text}` };
	return { status: 'OK', message: `${connected}${shared.text}${presetOverridden(credential.data ?? {}, settings)}` };
}

/** Shared Limits in Redis: the Test logs in and PINGs, so a wrong URL or password shows here rather than at the first send. */
async function sharedLimitsCheck(settings: ConnectionSettings): Promise<{ failed: boolean; text: string }> {
	const store = settings.sharedStore;
	if (!store) return { failed: false, text: '' };
	try {
		await checkRedis(store);
		return { failed: false, text: `; Shared Limits: Redis at ${describeRedis(store)} answers` };
	} catch (error) {
		const said = error instanceof Error ? error.message : String(error);
		return { failed: true, text: `the Redis of Shared Limits (${describeRedis(store)}) cannot be used, so messages would wait and then fail: ${said}. Check Redis URL, Redis Password and Redis TLS.` };
	}
}

/** A preset chosen while Host points elsewhere: a success must not read as "Gmail works". */
function presetOverridden(data: ICredentialDataDecryptedObject, settings: ConnectionSettings): string {
	const preset = presetHost(settings.provider, data);
	if (settings.provider.id === 'custom' || !preset || preset === settings.host) return '';
	return `. Note: Host is filled in, so this is not the ${settings.provider.name} preset's server (${preset}); clear Host to use it.`;
}

/** The Test button of the password credential: connect, negotiate TLS, log in, close — and explain any failure. */
export async function smtpConnectorTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	return await test(credential, 'smtpConnectorApi');
}

/** The Test button of the OAuth2 credential: get a token, then connect and log in with it (XOAUTH2 or OAUTHBEARER). */
export async function smtpConnectorOAuth2Test(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	return await test(credential, 'smtpConnectorOAuth2Api');
}
