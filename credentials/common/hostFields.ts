import type { INodeProperties } from 'n8n-workflow';

import { DEFAULT_PORTS, PROVIDERS, SECURITY_LABELS, type ProviderPreset } from './providers';

/** Custom needs a host; a preset has one, so there the field only overrides it. */
export function hostFieldsFor(providers: readonly ProviderPreset[]): INodeProperties[] {
	const presetIds = providers.filter((p) => p.id !== 'custom').map((p) => p.id);
	return [
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
}

/** A notice per preset: the server it implies and how that provider wants to be logged in to. */
export function providerNoticesFor(providers: readonly ProviderPreset[]): INodeProperties[] {
	return providers
		.filter((p) => p.id !== 'custom')
		.map((provider) => {
			const host =
				provider.host ??
				(provider.id === 'ses' ? 'email-smtp.<region>.amazonaws.com' : 'smtp.mailgun.org (US) or smtp.eu.mailgun.org (EU)');
			const server = `Connects to ${host}, port ${DEFAULT_PORTS[provider.security]} with ${SECURITY_LABELS[provider.security]} unless you change Host, Security or Port below.`;
			return {
				displayName: `${server} ${provider.authNotice ?? ''}`.trim(),
				name: 'providerNotice',
				type: 'notice',
				default: '',
				displayOptions: { show: { provider: [provider.id] } },
			};
		});
}

export const hostFields = hostFieldsFor(PROVIDERS);
export const providerNotices = providerNoticesFor(PROVIDERS);
