import { FAILURE_KINDS } from '../../nodes/SmtpConnector/failures/kinds';
import { recognise } from '../../nodes/SmtpConnector/failures/recognise';
import { readConnectionSettings } from '../../nodes/SmtpConnector/transport/settings';

// Errors shaped as nodemailer reports them, for the cases a loopback server cannot produce (a DNS failure
// would send a query off this machine) and to pin the recognition order. The real-server tests cover the rest.
interface Shape { message: string; code?: string; originalCode?: string; response?: string; responseCode?: number; command?: string }

const context = readConnectionSettings({ host: 'smtp.example.test', authType: 'none' });

test.each<[string, Shape, string, string, string, RegExp]>([
	['DNS', { message: 'getaddrinfo ENOTFOUND smtp.example.test', code: 'EDNS', originalCode: 'ENOTFOUND' }, 'hostNotFound', 'configuration', 'never', /^Host "smtp.example.test" was not found/],
	['DNS resolver down', { message: 'getaddrinfo EAI_AGAIN smtp.example.test', code: 'EDNS', originalCode: 'EAI_AGAIN' }, 'connectionTimeout', 'connection', 'transient', /in time/],
	['connect timeout', { message: 'Connection timeout', code: 'ETIMEDOUT', command: 'CONN' }, 'connectionTimeout', 'connection', 'transient', /outbound port 25 is blocked/],
	['421 at the greeting', { message: 'Invalid greeting', code: 'EPROTOCOL', response: '421 4.3.2 Service not available', responseCode: 421, command: 'CONN' }, 'serviceUnavailable', 'connection', 'transient', /not taking mail right now/],
	['450 for every recipient', { message: "Can't send mail - all recipients were rejected", code: 'EENVELOPE', response: '450 4.2.1 Peak SMTP relay limit exceeded', responseCode: 450, command: 'RCPT TO' }, 'recipientDeferred', 'recipient', 'transient', /again later/],
	['552 after DATA', { message: 'Message failed', code: 'EMESSAGE', response: '552 5.3.4 Message size exceeds fixed limit', responseCode: 552, command: 'DATA' }, 'messageTooLarge', 'message', 'never', /too large/],
	['554 after DATA', { message: 'Message failed', code: 'EMESSAGE', response: '554 5.7.1 Rejected by policy', responseCode: 554, command: 'DATA' }, 'messageRefused', 'message', 'never', /permanently/],
	['451 after DATA', { message: 'Message failed', code: 'EMESSAGE', response: '451 4.3.0 Try again', responseCode: 451, command: 'DATA' }, 'messageDeferred', 'message', 'transient', /again later/],
	['503 after DATA', { message: 'Message failed', code: 'EMESSAGE', response: '503 5.5.1 Bad sequence', responseCode: 503, command: 'DATA' }, 'messageDeferred', 'message', 'transient', /again later/],
	['550 to MAIL FROM', { message: 'Mail command failed', code: 'EENVELOPE', response: '550 5.7.1 Sender not allowed', responseCode: 550, command: 'MAIL FROM' }, 'senderRefused', 'message', 'never', /refused the sender/],
	['530 to MAIL FROM', { message: 'Mail command failed', code: 'EENVELOPE', response: '530 5.7.0 Authentication required', responseCode: 530, command: 'MAIL FROM' }, 'authRequired', 'configuration', 'never', /wants a login/],
	['504 to AUTH', { message: 'Invalid login', code: 'EAUTH', response: '504 5.5.4 Unrecognized authentication type', responseCode: 504, command: 'AUTH NTLM' }, 'mechanismUnsupported', 'configuration', 'never', /SASL mechanism NTLM/],
	['502 to AUTH', { message: 'Invalid login', code: 'EAUTH', response: '502 5.5.1 Command not implemented', responseCode: 502, command: 'AUTH PLAIN' }, 'authNotOffered', 'configuration', 'never', /takes no login/],
	['454 to STARTTLS', { message: 'Error upgrading connection with STARTTLS', code: 'ETLS', response: '454 4.7.0 TLS not available', responseCode: 454, command: 'STARTTLS' }, 'starttlsRefused', 'configuration', 'never', /refused it/],
	['expired certificate', { message: 'certificate has expired', code: 'ESOCKET', originalCode: 'CERT_HAS_EXPIRED', command: 'CONN' }, 'certificateExpired', 'configuration', 'never', /has expired/],
	['lost mid-session', { message: 'Connection closed unexpectedly', code: 'ECONNECTION', command: 'DATA' }, 'connectionLost', 'message', 'transient', /lost before the message was complete/],
	['reset before the greeting', { message: 'read ECONNRESET', code: 'ESOCKET', originalCode: 'ECONNRESET', command: 'CONN' }, 'connectionReset', 'connection', 'transient', /closed the connection before greeting/],
])('%s', (_label, error, kind, scope, retry, hint) => {
	const failure = recognise(error, context);
	expect({ kind: failure.kind, scope: failure.scope, retry: failure.retry }).toEqual({ kind, scope, retry });
	expect(failure.hint).toMatch(hint);
	expect(failure.detail).toBe(error.response ?? error.message);
	expect(failure.smtpCode).toBe(error.responseCode);
	if (error.response) expect(failure.enhancedCode).toBe(/^\d{3} (\d\.\d\.\d)/.exec(error.response)?.[1]);
});

test('the same connection loss after the final dot is ambiguous: the server may have the message', () => {
	const failure = recognise({ message: 'Connection closed unexpectedly', code: 'ECONNECTION', command: 'DATA' }, { ...context, bodySent: true });
	expect([failure.kind, failure.retry]).toEqual(['connectionLostAfterData', 'ambiguous']);
});

test.each([
	['microsoft365AppOnly', /SMTP.SendAsApp .*New-ServicePrincipal.*Add-MailboxPermission/],
	['microsoft365', /delegated SMTP.Send permission/],
	['google', /scope https:\/\/mail.google.com\//],
])('a refused XOAUTH2 token gets the %s hint', (provider, hint) => {
	const settings = readConnectionSettings({ provider, user: 'orders@contoso.test' }, 'smtpConnectorOAuth2Api');
	const failure = recognise(
		{ message: 'Invalid login: 535 5.7.3 Authentication unsuccessful', code: 'EAUTH', response: '535 5.7.3 Authentication unsuccessful', responseCode: 535, command: 'AUTH XOAUTH2' },
		settings,
	);
	expect(failure.kind).toBe('authRejected');
	expect(failure.hint).toMatch(hint);
});

test('a body handed to a connection whose writes failed did not reach the server: not ambiguous', () => {
	// The peer had gone: every write of the rest of the message failed, the final dot's included.
	const writeFailed = { message: 'write EPIPE', code: 'ESOCKET', originalCode: 'EPIPE', syscall: 'write', command: 'DATA' };
	expect(recognise(writeFailed, { ...context, bodySent: true }).kind).toBe('connectionLost');
	const readFailed = { message: 'read ECONNRESET', code: 'ESOCKET', originalCode: 'ECONNRESET', syscall: 'read', command: 'DATA' };
	expect(recognise(readFailed, { ...context, bodySent: true }).kind).toBe('connectionLostAfterData');
});

test('every kind has a scope, a retry rule, how it is recognised, a hint, a cause and a fix', () => {
	for (const [kind, spec] of Object.entries(FAILURE_KINDS)) {
		expect({ kind, ok: ['configuration', 'connection', 'message', 'recipient'].includes(spec.scope) && ['never', 'transient', 'ambiguous'].includes(spec.retry) }).toEqual({ kind, ok: true });
		expect(spec.recognisedBy && spec.cause && spec.fix).toBeTruthy();
		expect(spec.hint({ where: 'h:1', host: 'h', port: 1, security: 'starttls', minTlsVersion: 'TLSv1.2', maxTlsVersion: 'TLSv1.3', serverName: 'h' })).toMatch(/\S/);
	}
});

test("the README's troubleshooting table is the one made from the failure table (npm run docs)", () => {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { withTable } = require('../../scripts/failure-table') as typeof import('../../scripts/failure-table');
	const readme = require('node:fs').readFileSync(require('node:path').join(__dirname, '../../README.md'), 'utf8') as string;
	expect(readme).toBe(withTable(readme));
});
