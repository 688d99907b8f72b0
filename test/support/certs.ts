import { generate } from 'selfsigned';

export interface TestPki {
	caCert: string;
	key: string;
	cert: string;
}

let pki: Promise<TestPki> | undefined;

/** A throwaway CA and a server certificate it signed for localhost / 127.0.0.1, made once per test file. */
export function testPki(): Promise<TestPki> {
	pki ??= (async () => {
		const ca = await generate([{ name: 'commonName', value: 'SMTP Connector Test CA' }], {
			keySize: 2048,
			extensions: [
				{ name: 'basicConstraints', cA: true, critical: true },
				{ name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
			],
		});
		const server = await generate([{ name: 'commonName', value: 'localhost' }], {
			keySize: 2048,
			ca: { key: ca.private, cert: ca.cert },
			extensions: [
				{ name: 'basicConstraints', cA: false },
				{ name: 'extKeyUsage', serverAuth: true },
				{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
			],
		});
		return { caCert: ca.cert, key: server.private, cert: server.cert };
	})();
	return pki;
}
