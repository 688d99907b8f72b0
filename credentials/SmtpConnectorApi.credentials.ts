import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

import {
	connectionFieldsAfterLogin,
	credentialIcon,
	noSenderNotice,
	USER_NOT_AN_ADDRESS,
	userMaySend,
	portField,
	portSecurityNotices,
	providerField,
	securityField,
} from './common/connectionFields';
import { effectiveConnectionNoticesFor, hostFieldsFor, providerNoticesFor } from './common/hostFields';
import { PROVIDERS, SES_REGIONS } from './common/providers';

export class SmtpConnectorApi implements ICredentialType {
	name = 'smtpConnectorApi';

	displayName = 'SMTP Connector';

	icon: Icon = credentialIcon;

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-smtp-connector#credential';

	properties: INodeProperties[] = [
		providerField(PROVIDERS, 'custom'),
		{
			displayName: 'Region',
			name: 'sesRegion',
			type: 'options',
			options: SES_REGIONS.map((r) => ({ name: r, value: r })),
			default: 'us-east-1',
			displayOptions: { show: { provider: ['ses'] } },
		},
		{
			displayName: 'Region',
			name: 'mailgunRegion',
			type: 'options',
			options: [
				{ name: 'US (smtp.mailgun.org)', value: 'us' },
				{ name: 'EU (smtp.eu.mailgun.org)', value: 'eu' },
			],
			default: 'us',
			displayOptions: { show: { provider: ['mailgun'] } },
		},
		...effectiveConnectionNoticesFor(PROVIDERS),
		...providerNoticesFor(PROVIDERS),
		...hostFieldsFor(PROVIDERS),
		securityField,
		portField,
		...portSecurityNotices,
		{
			displayName: 'Authentication',
			name: 'authType',
			type: 'options',
			options: [
				{ name: 'User and Password', value: 'password' },
				{ name: 'Google Service Account (Domain-Wide Delegation)', value: 'googleServiceAccount' },
				{ name: 'None (Anonymous Relay)', value: 'none' },
			],
			default: 'password',
		},
		{
			displayName: 'User',
			name: 'user',
			type: 'string',
			default: '',
			description: 'SMTP user; for a service account, the mailbox to send as (impersonate)',
			displayOptions: { show: { authType: ['password', 'googleServiceAccount'] } },
		},
		{
			displayName: 'Service Account Email',
			name: 'serviceAccountEmail',
			type: 'string',
			default: '',
			placeholder: 'mailer@project.iam.gserviceaccount.com',
			displayOptions: { show: { authType: ['googleServiceAccount'] } },
		},
		{
			displayName: 'Private Key',
			name: 'privateKey',
			type: 'string',
			typeOptions: { password: true, rows: 4 },
			default: '',
			placeholder: '-----BEGIN PRIVATE KEY-----',
			description:
				'The "private_key" of the service account\'s JSON key. In the Workspace admin console, grant its client ID domain-wide delegation for the scope https://mail.google.com/.',
			displayOptions: { show: { authType: ['googleServiceAccount'] } },
		},
		// eslint-disable-next-line @n8n/community-nodes/credential-password-field -- a URL from the JSON key, not a secret
		{
			displayName: 'Token URI',
			name: 'serviceAccountTokenUri',
			type: 'string',
			default: 'https://oauth2.googleapis.com/token',
			description: 'The "token_uri" of the JSON key',
			displayOptions: { show: { authType: ['googleServiceAccount'] } },
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { authType: ['password'] } },
		},
		{
			displayName: 'SASL Mechanism',
			name: 'authMethod',
			type: 'options',
			options: [
				{ name: 'Automatic', value: 'auto', description: 'PLAIN, LOGIN or CRAM-MD5, whichever the server offers; choose NTLM or DIGEST-MD5 explicitly' },
				{ name: 'PLAIN', value: 'PLAIN' },
				{ name: 'LOGIN', value: 'LOGIN' },
				{ name: 'CRAM-MD5', value: 'CRAM-MD5', description: 'Challenge-response: the password never crosses the wire' },
				{ name: 'DIGEST-MD5', value: 'DIGEST-MD5', description: 'Challenge-response (RFC 2831), for older relays' },
				{ name: 'NTLM', value: 'NTLM', description: 'NTLMv2, for on-prem Exchange and Windows relays; User may be DOMAIN\\user' },
			],
			default: 'auto',
			displayOptions: { show: { authType: ['password'] } },
		},
		// n8n's conditions cannot say "password and not NTLM" in one notice, hence one per kind of login.
		noSenderNotice('noSenderNotice', USER_NOT_AN_ADDRESS, { authType: ['password'] }, { ...userMaySend, authMethod: ['NTLM'] }),
		noSenderNotice('noSenderServiceAccountNotice', USER_NOT_AN_ADDRESS, { authType: ['googleServiceAccount'] }, userMaySend),
		noSenderNotice('noSenderNtlmNotice', "with NTLM, User is a Windows account, which need not be the mailbox's address.", { authType: ['password'], authMethod: ['NTLM'] }),
		noSenderNotice('noSenderWithoutLoginNotice', 'a relay without login has no User to send as.', { authType: ['none'] }),
		...connectionFieldsAfterLogin({ authType: ['none'] }),
	];
}
