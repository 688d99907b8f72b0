import { createServer } from 'node:net';

import type { ICredentialsDecrypted, ICredentialTestFunctions, INodeCredentialTestResult } from 'n8n-workflow';

import { receiverSettingsFrom, type ReceiverSettings } from '../receive/settings';

const TLS_WORDS = { none: 'no TLS', starttls: 'STARTTLS offered', starttlsRequired: 'STARTTLS required', implicit: 'implicit TLS' } as const;

/** The Test button of the receiver credential: the settings hold together, and n8n can listen where they say. */
export async function smtpConnectorReceiverTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	let settings: ReceiverSettings;
	try {
		settings = receiverSettingsFrom(credential.data ?? {});
	} catch (error) {
		return { status: 'Error', message: (error as Error).message };
	}
	const where = `${settings.host}:${settings.port}`;
	const problem = await new Promise<string | undefined>((resolve) => {
		const server = createServer();
		server.once('error', (error: NodeJS.ErrnoException) => resolve(bindProblem(error, where, settings.host)));
		server.listen(settings.port, settings.host, () => server.close(() => resolve(undefined)));
	});
	if (problem) return { status: 'Error', message: problem };
	const who = [
		settings.logins.size ? `clients that log in as ${[...settings.logins.keys()].map((u) => `"${u}"`).join(', ')}` : '',
		settings.networkList.length ? `clients from ${settings.networkList.join(', ')} without a login` : '',
	].filter(Boolean);
	return { status: 'OK', message: `n8n can listen on ${where} (${TLS_WORDS[settings.tls]}); ${who.join(' and ')} may send` };
}

export function bindProblem(error: NodeJS.ErrnoException, where: string, host: string): string {
	if (error.code === 'EADDRINUSE') return `Port ${where} is in use: by an active workflow with this credential, or another program. Choose another port if it is not that workflow.`;
	if (error.code === 'EACCES') return `n8n may not listen on ${where}: ports below 1024 need extra rights; use 2525 or another port above 1024`;
	if (error.code === 'EADDRNOTAVAIL') return `${host} is not an address of this host: choose one of its addresses, or 0.0.0.0`;
	return `n8n cannot listen on ${where}: ${error.message}`;
}
