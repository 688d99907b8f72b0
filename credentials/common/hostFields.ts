import type { INodeProperties } from 'n8n-workflow';

import { DEFAULT_PORTS, PROVIDERS, SECURITY_LABELS, type ProviderPreset } from './providers';

/**
 * One Host field: n8n merges a credential's properties by name (with those of `extends`), so two
 * fields named `host` for different providers would lose one. Empty means the preset's host.
 */
export function hostFieldsFor(providers: readonly ProviderPreset[]): INodeProperties[] {
	const presets = providers.filter((p) => p.id !== 'custom').map((p) => p.name);
	return [
		{
			displayName: 'Host',
			name: 'host',
			type: 'string',
			default: '',
			placeholder: 'smtp.example.com',
			description: `SMTP server. Required for Custom; leave empty to use the host of the preset (${presets.join(', ')}).`,
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
				name: `${provider.id}Notice`,
				type: 'notice',
				default: '',
				displayOptions: { show: { provider: [provider.id] } },
			};
		});
}

export const hostFields = hostFieldsFor(PROVIDERS);
export const providerNotices = providerNoticesFor(PROVIDERS);
