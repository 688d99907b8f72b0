// n8n's lint for community nodes: the config @n8n/node-cli ships (recommended rules of
// @n8n/eslint-plugin-community-nodes with n8n Cloud support, eslint-plugin-n8n-nodes-base, typescript-eslint).
// The rules switched off below conflict with what this package must do; the README's "Lint" section says why.
import { config } from '@n8n/node-cli/eslint';

export default [
	...config,
	{
		// An SMTP client opens TCP and TLS sockets and streams messages (node:net, node:tls, node:stream), and
		// keeps pools warm with timers; n8n Cloud runs no node that does, so its restrictions cannot apply.
		files: ['nodes/**/*.ts'],
		rules: {
			'@n8n/community-nodes/no-restricted-imports': 'off',
			'@n8n/community-nodes/no-restricted-globals': 'off',
		},
	},
	{
		// The transport and coordination rooms raise their own errors (CredentialSettingError, OAuth2TokenError,
		// SharedStoreUnavailable); the operation turns every one into a NodeApiError / NodeOperationError with the
		// item index, where the node is known. The receive room's errors are SMTP replies to a client
		// (Reply) and credential problems the trigger turns into a NodeOperationError.
		files: ['nodes/SmtpConnector/transport/**/*.ts', 'nodes/SmtpConnector/coordination/**/*.ts', 'nodes/SmtpConnector/receive/**/*.ts'],
		rules: { '@n8n/community-nodes/require-node-api-error': 'off' },
	},
	{
		// The display name was fixed by the issue that introduced the credential ("SMTP Connector OAuth2").
		files: ['credentials/SmtpConnectorOAuth2Api.credentials.ts'],
		rules: { 'n8n-nodes-base/cred-class-field-display-name-missing-oauth2': 'off' },
	},
	{
		// overrides only steer the development install on registry mirrors that lack some versions of test
		// dependencies; the published package has no dependencies for them to act on.
		files: ['package.json'],
		rules: { '@n8n/community-nodes/no-overrides-field': 'off' },
	},
];
