import { createPrivateKey, X509Certificate } from 'node:crypto';
import { BlockList, isIP } from 'node:net';

import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

export type ReceiverTls = 'none' | 'starttls' | 'starttlsRequired' | 'implicit';

/** A receiver credential, read and checked once: where to listen, with which certificate, and who may send. */
export interface ReceiverSettings {
	host: string;
	port: number;
	tls: ReceiverTls;
	certificate?: string;
	privateKey?: string;
	/** Who may log in: user → password. Empty when only allowed networks may send. */
	logins: Map<string, string>;
	/** Login over a connection without TLS (a trusted network only). */
	plainLogin: boolean;
	/** Clients that may send without logging in; undefined when none may. */
	networks?: BlockList;
	networkList: string[];
}

export class ReceiverSettingsError extends Error {}

const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '');

export function receiverSettingsFrom(credential: ICredentialDataDecryptedObject): ReceiverSettings {
	const host = text(credential.listenAddress);
	if (!host) throw new ReceiverSettingsError('Listen Address is empty: enter 127.0.0.1, this host’s LAN address, or 0.0.0.0 for every interface');
	if (!isIP(host) && host !== 'localhost') throw new ReceiverSettingsError(`Listen Address "${host}" is not an IP address of this host`);
	const port = Number(credential.port);
	if (!Number.isInteger(port) || port < 1 || port > 65535) throw new ReceiverSettingsError(`Port ${String(credential.port)} is not a port number (1–65535)`);
	const tls = (text(credential.tls) || 'none') as ReceiverTls;
	const logins = loginsOf(credential);
	const plainLogin = credential.allowLoginWithoutTls === true;
	const networkList = text(credential.allowedNetworks).split(/[\s,;]+/).filter(Boolean);
	const settings: ReceiverSettings = {
		host,
		port,
		tls,
		logins,
		plainLogin,
		networks: networkList.length ? blockListOf(networkList) : undefined,
		networkList,
	};
	if (tls !== 'none') Object.assign(settings, keyPairOf(credential));
	if (!logins.size && !settings.networks) {
		throw new ReceiverSettingsError('No one may send: enter a User and Password for clients that log in, or Allowed Client Networks for devices that cannot');
	}
	if (logins.size && tls === 'none' && !plainLogin) {
		throw new ReceiverSettingsError('A login needs TLS: choose a TLS mode with a certificate, or turn on Allow Login Without TLS for a trusted network');
	}
	return settings;
}

/** User and Password, then More Users ("user:password" per line). */
function loginsOf(credential: ICredentialDataDecryptedObject): Map<string, string> {
	const logins = new Map<string, string>();
	const user = text(credential.user);
	if (!user) return logins;
	const password = typeof credential.password === 'string' ? credential.password : '';
	if (!password) throw new ReceiverSettingsError(`User "${user}" has no password`);
	logins.set(user, password);
	const lines = (typeof credential.moreUserPasswords === 'string' ? credential.moreUserPasswords : '').split(/\r?\n/);
	lines.forEach((line, i) => {
		if (!line.trim()) return;
		const colon = line.indexOf(':');
		const name = line.slice(0, Math.max(colon, 0)).trim();
		// The line is not shown: it holds a password.
		if (colon < 1 || !name || colon === line.length - 1) throw new ReceiverSettingsError(`More Users, line ${i + 1}: write it as user:password`);
		if (logins.has(name)) throw new ReceiverSettingsError(`More Users, line ${i + 1}: user "${name}" is listed twice`);
		logins.set(name, line.slice(colon + 1));
	});
	return logins;
}

/** "192.168.1.0/24, 10.0.0.7, fd00::/8" as a list node:net can check addresses against. */
function blockListOf(entries: string[]): BlockList {
	const list = new BlockList();
	for (const entry of entries) {
		const [address, prefix, extra] = entry.split('/');
		const family = isIP(address);
		const bits = prefix === undefined ? (family === 6 ? 128 : 32) : Number(prefix);
		if (!family || extra !== undefined || !/^\d+$/.test(prefix ?? '0') || bits > (family === 6 ? 128 : 32)) {
			throw new ReceiverSettingsError(`Allowed Client Networks: "${entry}" is not an address or network (e.g. 192.168.1.0/24, 10.0.0.7, fd00::/8)`);
		}
		list.addSubnet(address, bits, family === 6 ? 'ipv6' : 'ipv4');
	}
	return list;
}

export function isAllowedClient(settings: ReceiverSettings, remoteAddress: string): boolean {
	if (!settings.networks) return false;
	const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(remoteAddress);
	const address = mapped ? mapped[1] : remoteAddress;
	const family = isIP(address);
	return family !== 0 && settings.networks.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

function keyPairOf(credential: ICredentialDataDecryptedObject): { certificate: string; privateKey: string } {
	const certificate = text(credential.certificate);
	const privateKey = text(credential.privateKey);
	if (!certificate || !privateKey) throw new ReceiverSettingsError('TLS needs a Certificate and a Private Key (PEM); choose None to listen without TLS');
	let cert: X509Certificate;
	try {
		cert = new X509Certificate(certificate);
	} catch {
		throw new ReceiverSettingsError('Certificate is not a PEM certificate ("-----BEGIN CERTIFICATE-----")');
	}
	let key;
	try {
		key = createPrivateKey(privateKey);
	} catch {
		throw new ReceiverSettingsError('Private Key is not an unencrypted PEM private key ("-----BEGIN PRIVATE KEY-----")');
	}
	if (!cert.checkPrivateKey(key)) throw new ReceiverSettingsError('Private Key does not belong to the Certificate');
	return { certificate, privateKey };
}
