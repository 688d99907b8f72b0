// Writes the credentials and the OAuth2 variant of the check workflow for scripts/real-n8n-check.sh.
// Usage: node fixtures.js <sink dir> <out dir> <relay port>
const fs = require('node:fs');
const path = require('node:path');

const [sinkDir, outDir, relayPort] = process.argv.slice(2);
const s = JSON.parse(fs.readFileSync(path.join(sinkDir, 'server.json'), 'utf8'));
const o = JSON.parse(fs.readFileSync(path.join(sinkDir, 'oauth.json'), 'utf8'));
const tls = { security: 'starttls', minTlsVersion: 'TLSv1.2', maxTlsVersion: 'TLSv1.3', caCertificate: s.caCert, allowUnauthorizedCerts: false };

const credentials = [
	{
		id: 'smtpConnectorCred1',
		name: 'Loopback SMTP',
		type: 'smtpConnectorApi',
		data: { provider: 'custom', host: s.host, port: s.port, authType: 'password', user: s.user, password: s.password, authMethod: 'auto', ...tls },
	},
	{
		// Custom OAuth2 preset, authorization code, connected earlier: the stored token has expired, so the
		// first send makes n8n refresh it (through the credential's resolved hidden fields).
		id: 'smtpConnectorCred2',
		name: 'Loopback SMTP OAuth2',
		type: 'smtpConnectorOAuth2Api',
		data: {
			provider: 'custom',
			customGrantType: 'authorizationCode',
			customAccessTokenUrl: o.tokenUrl,
			customAuthUrl: 'http://127.0.0.1:1/authorize',
			customScope: 'https://mail.test/smtp',
			clientId: o.clientId,
			clientSecret: o.clientSecret,
			user: o.user,
			host: '127.0.0.1',
			port: o.port,
			...tls,
			oauthTokenData: { access_token: 'expired-token', refresh_token: o.refreshToken, token_type: 'Bearer', n8n_expires_at: '1' },
		},
	},
	{
		id: 'smtpConnectorCred3',
		name: 'Loopback SMTP, 10 per second',
		type: 'smtpConnectorApi',
		data: { provider: 'custom', host: s.host, port: s.port, authType: 'password', user: s.user, password: s.password, authMethod: 'auto', ...tls, rateLimitPerSecond: '10' },
	},
	{
		// Where the relay's SMTP Connector Trigger listens: loopback only, devices on 127.0.0.1 send without a login.
		id: 'smtpConnectorCred4',
		name: 'Relay listener',
		type: 'smtpConnectorReceiverApi',
		data: { listenAddress: '127.0.0.1', port: Number(relayPort), tls: 'none', allowedNetworks: '127.0.0.1' },
	},
];
fs.writeFileSync(path.join(outDir, 'credentials.json'), JSON.stringify(credentials));

// The two-node relay: SMTP Connector Trigger → SMTP Connector, raw message, XOAUTH2 to the stand-in for Microsoft 365.
const relay = JSON.parse(fs.readFileSync(path.join(__dirname, 'workflow-relay.json'), 'utf8'));
relay.nodes.find((n) => n.name === 'Relay to Microsoft 365').parameters.fromEmail = o.user;
fs.writeFileSync(path.join(outDir, 'workflow-relay.json'), JSON.stringify(relay));

const workflow = JSON.parse(fs.readFileSync(path.join(__dirname, 'workflow.json'), 'utf8'));
workflow.id = 'smtpConnectorCheck2';
workflow.name = 'SMTP Connector real-n8n check (OAuth2)';
const send = workflow.nodes.find((n) => n.name === 'Send Email');
send.parameters.authentication = 'oAuth2';
send.parameters.fromEmail = o.user;
send.credentials = { smtpConnectorOAuth2Api: { id: 'smtpConnectorCred2', name: 'Loopback SMTP OAuth2' } };
fs.writeFileSync(path.join(outDir, 'workflow-oauth.json'), JSON.stringify(workflow));

// The same workflow with an Idempotency Key and no Redis: keys go to n8n's own deduplication store.
const idempotent = JSON.parse(fs.readFileSync(path.join(__dirname, 'workflow.json'), 'utf8'));
idempotent.id = 'smtpConnectorCheck4';
idempotent.name = 'SMTP Connector real-n8n check (idempotency key)';
idempotent.nodes.find((n) => n.name === 'Send Email').parameters.options.idempotencyKey = '={{ $json.id }}-approval';
fs.writeFileSync(path.join(outDir, 'workflow-idempotent.json'), JSON.stringify(idempotent));
