import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

import {
	connectionTuningFields,
	portField,
	securityField,
	senderFields,
	sendingLimitFields,
	tlsFields,
} from './common/connectionFields';
import { hostFields, providerNotices } from './common/hostFields';
import { PROVIDERS, SES_REGIONS } from './common/providers';

export class SmtpConnectorApi implements ICredentialType {
	name = 'smtpConnectorApi';

	displayName = 'SMTP Connector';

	icon: Icon = {
		light: 'file:../nodes/SmtpConnector/smtpConnector.svg',
		dark: 'file:../nodes/SmtpConnector/smtpConnector.dark.svg',
	};

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-smtp-connector#credential';

	properties: INodeProperties[] = [
		{
			displayName: 'Provider',
			name: 'provider',
			type: 'options',
			options: PROVIDERS.map((p) => ({ name: p.name, value: p.id })),
			default: 'custom',
			description: 'Fills in host, port and security for a known provider; you can still change them',
		},
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
		...providerNotices,
		...hostFields,
		securityField,
		portField,
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
				{ name: 'Automatic', value: 'auto', description: "The first mechanism the server offers" },
				{ name: 'PLAIN', value: 'PLAIN' },
				{ name: 'LOGIN', value: 'LOGIN' },
				{ name: 'CRAM-MD5', value: 'CRAM-MD5', description: 'Challenge-response: the password never crosses the wire' },
				{ name: 'DIGEST-MD5', value: 'DIGEST-MD5', description: 'Challenge-response (RFC 2831), for older relays' },
			],
			default: 'auto',
			displayOptions: { show: { authType: ['password'] } },
		},
		...tlsFields,
		...connectionTuningFields,
		...sendingLimitFields,
		...senderFields,
	];
}
