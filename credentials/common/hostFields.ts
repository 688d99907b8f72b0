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
			placeholder: 'smtp.example.com',
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
interface Mix {
	provider: ProviderPreset;
	/** The preset's server; none for Custom, whose host is always the Host field. */
	server?: PresetServer;
	security: SecurityMode;
	hostFilled: boolean;
	portFilled: boolean;
}

function mixesOf(providers: readonly ProviderPreset[]): Mix[] {
	const both = [false, true];
	return providers.flatMap((provider) =>
		(provider.id === 'custom' ? [undefined] : presetServers(provider)).flatMap((server) =>
			(Object.keys(SECURITY_TEXT) as SecurityMode[]).flatMap((security) =>
				(server ? both : [true]).flatMap((hostFilled) => both.map((portFilled) => ({ provider, server, security, hostFilled, portFilled }))),
			),
		),
	);
}

/** A condition on a field being empty (show) or filled in (hide the empty case). */
const emptiness = (field: string, filled: boolean) => (filled ? { hide: { [field]: [''] } } : { show: { [field]: [''] } });

function noticeFor({ provider, server, security, hostFilled, portFilled }: Mix): INodeProperties {
	const where = hostFilled || !server ? 'the server in Host' : server.text;
	const port = portFilled ? 'the port in Port' : `port ${DEFAULT_PORTS[security]}`;
	let text = `Mail goes to ${where}, ${port}, ${SECURITY_TEXT[security]}.`;
	if (hostFilled && server) text += ` Host wins over the ${provider.name} preset (${server.text}): clear Host to use the preset.`;
	if (server && (security === 'none' || security === 'starttlsOptional')) text += ` ${provider.name} expects TLS: choose STARTTLS (Required) or SSL/TLS.`;
	const host = emptiness('host', hostFilled);
	const portCondition = emptiness('port', portFilled);
	const region = server?.when ? `${Object.values(server.when)[0][0]}_` : '';
	return {
		displayName: text,
		name: `effectiveConnection_${provider.id}_${region}${security}_${hostFilled ? 'host' : 'preset'}_${portFilled ? 'port' : 'usualPort'}`,
		type: 'notice',
		default: '',
		displayOptions: {
			show: { provider: [provider.id], security: [security], ...server?.when, ...host.show, ...portCondition.show },
			...(host.hide || portCondition.hide ? { hide: { ...host.hide, ...portCondition.hide } } : {}),
		},
	};
}

export function effectiveConnectionNoticesFor(providers: readonly ProviderPreset[]): INodeProperties[] {
	const notices = mixesOf(providers).map(noticeFor);
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
