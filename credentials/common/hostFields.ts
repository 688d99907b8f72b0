import type { INodeProperties } from 'n8n-workflow';

import { DEFAULT_PORTS, type ProviderPreset, type SecurityMode } from './providers';

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
			placeholder: 'Empty: the preset\'s server',
			description: `SMTP server. Required for Custom; leave empty to use the server of the preset (${presets.join(', ')}). A host filled in here wins over the preset.`,
		},
	];
}

/** How each preset wants to be logged in to, shown under Provider. */
export function providerNoticesFor(providers: readonly ProviderPreset[]): INodeProperties[] {
	return providers
		.filter((p) => p.authNotice)
		.map((provider) => ({
			displayName: provider.authNotice ?? '',
			name: `${provider.id}Notice`,
			type: 'notice',
			default: '',
			displayOptions: { show: { provider: [provider.id] } },
		}));
}

const SECURITY_TEXT: Record<SecurityMode, string> = {
	starttls: 'STARTTLS, required (nothing is sent if the server does not offer it)',
	tls: 'SSL/TLS from the first byte',
	starttlsOptional: 'STARTTLS if the server offers it, otherwise UNENCRYPTED',
	none: 'UNENCRYPTED (no TLS)',
};

/** A preset's server as the credential form can name it; SES and Mailgun depend on the region field. */
interface PresetServer {
	text: string;
	/** Extra conditions that select this text (a region). */
	when?: Record<string, string[]>;
}

function presetServers(provider: ProviderPreset): PresetServer[] {
	if (provider.id === 'ses') return [{ text: 'email-smtp.<Region above>.amazonaws.com' }];
	if (provider.id === 'mailgun') {
		return [
			{ text: 'smtp.mailgun.org', when: { mailgunRegion: ['us'] } },
			{ text: 'smtp.eu.mailgun.org', when: { mailgunRegion: ['eu'] } },
		];
	}
	return provider.host ? [{ text: provider.host }] : [];
}

/**
 * The connection the node will really make — host, port and security — for every mix of preset and
 * filled-in fields, so that switching Provider with Host, Security or Port still filled in is seen,
 * not hidden behind a description of the preset. n8n's form shows text only through fixed notices with
 * display conditions, so there is one notice per (provider, region, security, host empty?, port empty?).
 */
export function effectiveConnectionNoticesFor(providers: readonly ProviderPreset[]): INodeProperties[] {
	const notices: INodeProperties[] = [];
	for (const provider of providers) {
		const servers: Array<PresetServer | undefined> = provider.id === 'custom' ? [undefined] : presetServers(provider);
		for (const server of servers) {
			for (const security of Object.keys(SECURITY_TEXT) as SecurityMode[]) {
				for (const hostFilled of server ? [false, true] : [true]) {
					for (const portFilled of [false, true]) {
						const where = hostFilled ? 'the Host below' : server!.text;
						const port = portFilled ? 'the Port below' : `port ${DEFAULT_PORTS[security]}`;
						let text = `Mail goes to ${where}, ${port}, ${SECURITY_TEXT[security]}.`;
						if (hostFilled && server) text += ` Host wins over the ${provider.name} preset (${server.text}): clear Host to use the preset.`;
						if (server && (security === 'none' || security === 'starttlsOptional')) text += ` ${provider.name} expects TLS: choose STARTTLS (Required) or SSL/TLS.`;
						const filled = (field: string, yes: boolean) => (yes ? { hide: { [field]: [''] } } : { show: { [field]: [''] } });
						const host = filled('host', hostFilled);
						const portCondition = filled('port', portFilled);
						notices.push({
							displayName: text,
							name: `effectiveConnection_${provider.id}_${server?.when ? Object.values(server.when)[0][0] + '_' : ''}${security}_${hostFilled ? 'host' : 'preset'}_${portFilled ? 'port' : 'usualPort'}`,
							type: 'notice',
							default: '',
							displayOptions: {
								show: { provider: [provider.id], security: [security], ...server?.when, ...host.show, ...portCondition.show },
								...(host.hide || portCondition.hide ? { hide: { ...host.hide, ...portCondition.hide } } : {}),
							},
						});
					}
				}
			}
		}
	}
	if (providers.some((p) => p.id === 'custom')) {
		notices.push({
			displayName: 'Fill in Host: Custom has no server of its own.',
			name: 'effectiveConnection_custom_noHost',
			type: 'notice',
			default: '',
			displayOptions: { show: { provider: ['custom'], host: [''] } },
		});
	}
	return notices;
}
