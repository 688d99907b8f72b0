import type { INodeProperties } from 'n8n-workflow';

import { PROVIDERS } from './providers';

/**
 * One `host` field per provider preset, prefilled with the preset's host so the user sees it and can
 * still change it. Region-based presets leave it empty: the region decides the host.
 */
export function hostFields(): INodeProperties[] {
	return PROVIDERS.map((provider) => ({
		displayName: 'Host',
		name: 'host',
		type: 'string',
		default: provider.host ?? '',
		required: provider.id === 'custom',
		placeholder: provider.id === 'custom' ? 'smtp.example.com' : 'Leave empty to use the region endpoint',
		displayOptions: { show: { provider: [provider.id] } },
	}));
}

/** A notice per preset that explains how that provider wants to be logged in to. */
export function providerNotices(): INodeProperties[] {
	return PROVIDERS.filter((p) => p.authNotice).map((provider) => ({
		displayName: provider.authNotice as string,
		name: 'providerNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { provider: [provider.id] } },
	}));
}
