import type Mailer from 'nodemailer/lib/mailer';
import * as socks from 'socks';

/**
 * Routes a mailer's connections through the credential's proxy: nodemailer speaks HTTP CONNECT itself
 * and SOCKS through the `socks` client, which it is handed here.
 */
export function useProxy(mailer: Mailer, proxyUrl: string | undefined): void {
	if (!proxyUrl) return;
	mailer.setupProxy(proxyUrl);
	mailer.set('proxy_socks_module', socks);
}

const PROTOCOLS = new Set(['http:', 'https:', 'socks:', 'socks4:', 'socks4a:', 'socks5:']);

/** The reason a proxy URL cannot be used, or undefined when it can. */
export function proxyUrlProblem(value: string): string | undefined {
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		return 'Proxy must be a URL such as http://proxy.example.com:3128 or socks5://user:password@proxy.example.com:1080';
	}
	if (!PROTOCOLS.has(url.protocol)) return `Proxy protocol "${url.protocol.replace(/:$/, '')}" is not supported: use http, https or socks5`;
	if (!url.hostname || !url.port) return 'Proxy needs a host and a port, e.g. http://proxy.example.com:3128';
	return undefined;
}

/** The proxy URL with its password hidden, for messages. */
export function describeProxy(value: string): string {
	const url = new URL(value);
	return `${url.protocol.replace(/:$/, '').toUpperCase()} proxy ${url.hostname}:${url.port}`;
}
