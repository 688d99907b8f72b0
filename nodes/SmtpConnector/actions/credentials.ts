/** The credential types the node's `authentication` parameter can select. */
export type CredentialName = 'smtpConnectorApi' | 'smtpConnectorOAuth2Api';

export const AUTHENTICATION_OPTIONS: Array<{ name: string; value: string }> = [
	{ name: 'SMTP Account', value: 'smtpConnectorApi' },
	{ name: 'OAuth2 (Microsoft 365, Google)', value: 'oAuth2' },
];

/** `authentication` value → credential type. */
export function credentialNameOf(authentication: string): CredentialName {
	return authentication === 'oAuth2' ? 'smtpConnectorOAuth2Api' : 'smtpConnectorApi';
}
