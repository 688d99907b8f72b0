// Presses the credential's Test button through a running n8n's REST API (what the editor does):
// sets up the owner, logs in, tests a good and a bad credential. Usage: node credential-test.js <base> <server.json>
const fs = require('node:fs');

async function main() {
	const [base, serverFile] = process.argv.slice(2);
	const s = JSON.parse(fs.readFileSync(serverFile, 'utf8'));
	const owner = { email: 'owner@example.com', firstName: 'Check', lastName: 'Owner', password: 'Check-Passw0rd!' };
	let res;
	// n8n 1.x reports ready a moment before its REST routes are mounted.
	for (let attempt = 0; attempt < 60; attempt++) {
		res = await fetch(`${base}/rest/owner/setup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(owner) });
		if (res.status !== 404) break;
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
	if (!res.ok) throw new Error(`owner setup: ${res.status} ${await res.text()}`);
	const cookie = (res.headers.get('set-cookie') || '').split(';')[0];
	const data = {
		provider: 'custom', host: s.host, port: String(s.port), security: 'starttls', authType: 'password',
		user: s.user, password: s.password, authMethod: 'auto', caCertificate: s.caCert,
	};
	let failed = false;
	for (const [label, overrides, expected] of [
		['good credential', {}, /^OK Connected to 127\.0\.0\.1:\d+: STARTTLS, TLSv1\.3, AUTH PLAIN$/],
		['wrong password', { password: 'wrong' }, /^Error The server refused the user name or password\..*535/],
		['no CA certificate', { caCertificate: '' }, /^Error The certificate of .* is not signed by a CA this machine trusts/],
	]) {
		res = await fetch(`${base}/rest/credentials/test`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', cookie, 'browser-id': 'check' },
			body: JSON.stringify({ credentials: { id: 'smtpConnectorCred1', name: 'Loopback SMTP', type: 'smtpConnectorApi', data: { ...data, ...overrides } } }),
		});
		const body = await res.json();
		const result = body.data ?? body;
		const line = `${result.status} ${result.message}`;
		const ok = expected.test(line);
		failed ||= !ok;
		console.log(`  Test button, ${label}: ${line}${ok ? '' : '   <-- unexpected'}`);
	}
	process.exit(failed ? 1 : 0);
}

main().catch((e) => {
	console.error(e);
	process.exit(1);
});
