import type { INodeProperties } from 'n8n-workflow';

import { DEFAULT_PORTS, PROVIDERS, SECURITY_LABELS } from './providers';

const presetIds = PROVIDERS.filter((p) => p.id !== 'custom').map((p) => p.id);

/** Custom needs a host; a preset has one, so there the field only overrides it. */
export const hostFields: INodeProperties[] = [
	{
		displayName: 'Host',
		name: 'host',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'smtp.example.com',
		displayOptions: { show: { provider: ['custom'] } },
	},
	{
		displayName: 'Host',
		name: 'host',
		type: 'string',
		default: '',
		placeholder: "Leave empty for the provider's host",
		displayOptions: { show: { provider: presetIds } },
	},
];

/** A notice per preset: the server it implies and how that provider wants to be logged in to. */
export const providerNotices: INodeProperties[] = PROVIDERS.filter((p) => p.id !== 'custom').map((provider) => {
	const host =
		provider.host ??
		(provider.id === 'ses' ? 'email-smtp.<region>.amazonaws.com' : 'smtp.mailgun.org (US) or smtp.eu.mailgun.org (EU)');
	return {
		displayName: `Connects to ${host}, port ${DEFAULT_PORTS[provider.security]} with ${SECURITY_LABELS[provider.security]} unless you change Host, Security or Port below. ${provider.authNotice ?? ''}`.trim(),
		name: 'providerNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { provider: [provider.id] } },
	};
});
