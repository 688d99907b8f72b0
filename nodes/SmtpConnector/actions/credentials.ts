/** The credential types the node's `authentication` parameter can select. */
export type CredentialName = 'smtpConnectorApi';

export const AUTHENTICATION_OPTIONS: Array<{ name: string; value: CredentialName }> = [
	{ name: 'SMTP Account', value: 'smtpConnectorApi' },
];
