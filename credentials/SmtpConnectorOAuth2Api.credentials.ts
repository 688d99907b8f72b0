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
import { OAUTH2_ENDPOINTS, OAUTH2_PROVIDERS, type OAuth2Endpoints } from './common/providers';

const microsoft = ['microsoft365', 'microsoft365AppOnly'];

// n8n's OAuth2 machinery reads grantType, authUrl, accessTokenUrl, scope and authQueryParameters; each
// is an expression over the preset table, so the user only picks a provider (and a tenant).
const literal = (value: string) => JSON.stringify(value).replace(/\{tenant\}/g, '" + $self["tenantId"] + "');

function fromPreset(field: keyof OAuth2Endpoints, custom: string): string {
	const cases = Object.entries(OAUTH2_ENDPOINTS)
		.map(([id, endpoints]) => `$self["provider"] === "${id}" ? ${literal(endpoints[field] ?? '')} : `)
		.join('');
	return `={{ ${cases}${custom} }}`;
}

export class SmtpConnectorOAuth2Api implements ICredentialType {
	name = 'smtpConnectorOAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'SMTP Connector OAuth2';

	icon: Icon = credentialIcon;

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-smtp-connector#oauth2-microsoft-365-and-google';

	properties: INodeProperties[] = [
		providerField(OAUTH2_PROVIDERS, 'microsoft365'),
		{
			displayName: 'Tenant',
			name: 'tenantId',
			type: 'string',
			default: 'organizations',
			placeholder: 'contoso.onmicrosoft.com or the directory (tenant) ID',
			description: 'Directory (tenant) ID or domain. App-only sending needs your tenant; delegated sign-in may use "organizations".',
			displayOptions: { show: { provider: microsoft } },
		},
		...effectiveConnectionNoticesFor(OAUTH2_PROVIDERS),
		...providerNoticesFor(OAUTH2_PROVIDERS),
		{
			displayName: 'Grant Type',
			name: 'customGrantType',
			type: 'options',
			options: [
				{ name: 'Authorization Code', value: 'authorizationCode' },
				{ name: 'Client Credentials', value: 'clientCredentials' },
			],
			default: 'authorizationCode',
			displayOptions: { show: { provider: ['custom'] } },
		},
		{
			displayName: 'Authorization URL',
			name: 'customAuthUrl',
			type: 'string',
			default: '',
			displayOptions: { show: { provider: ['custom'], customGrantType: ['authorizationCode'] } },
		},
		{
			displayName: 'Access Token URL',
			name: 'customAccessTokenUrl',
			type: 'string',
			default: '',
			displayOptions: { show: { provider: ['custom'] } },
		},
		{
			displayName: 'Scope',
			name: 'customScope',
			type: 'string',
			default: '',
			displayOptions: { show: { provider: ['custom'] } },
		},
		{
			displayName: 'SASL Mechanism',
			name: 'saslMechanism',
			type: 'options',
			options: [
				{ name: 'XOAUTH2', value: 'XOAUTH2', description: 'Google and Microsoft; most servers that take tokens' },
				{ name: 'OAUTHBEARER', value: 'OAUTHBEARER', description: 'The standard one (RFC 7628), e.g. Dovecot, Stalwart, Yahoo' },
			],
			default: 'XOAUTH2',
			description: 'How the access token is presented to the SMTP server',
			displayOptions: { show: { provider: ['custom'] } },
		},
		{
			displayName: 'Grant Type',
			name: 'grantType',
			type: 'hidden',
			default: fromPreset('grantType', '$self["customGrantType"]'),
		},
		{
			displayName: 'Authorization URL',
			name: 'authUrl',
			type: 'hidden',
			default: fromPreset('authUrl', '$self["customAuthUrl"]'),
		},
		{
			displayName: 'Access Token URL',
			name: 'accessTokenUrl',
			type: 'hidden',
			default: fromPreset('tokenUrl', '$self["customAccessTokenUrl"]'),
		},
		{
			displayName: 'Scope',
			name: 'scope',
			type: 'hidden',
			default: fromPreset('scope', '$self["customScope"]'),
		},
		{
			displayName: 'Auth URI Query Parameters',
			name: 'authQueryParameters',
			type: 'hidden',
			default: fromPreset('authQueryParameters', '""'),
		},
		{
			displayName: 'Authentication',
			name: 'authentication',
			type: 'hidden',
			default: 'body',
		},
		{
			displayName: 'Mailbox (User)',
			name: 'user',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'orders@contoso.com',
			description: 'The mailbox to authenticate as in SMTP, and the sender unless Default From Email or the node says otherwise',
		},
		noSenderNotice('noSenderNotice', USER_NOT_AN_ADDRESS, undefined, userMaySend),
		...hostFieldsFor(OAUTH2_PROVIDERS),
		securityField,
		portField,
		...portSecurityNotices,
		...connectionFieldsAfterLogin(),
	];
}
