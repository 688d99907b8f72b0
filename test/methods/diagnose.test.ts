import { diagnose } from '../../nodes/SmtpConnector/methods/diagnose';
import { readConnectionSettings } from '../../nodes/SmtpConnector/transport/settings';

// Errors shaped as nodemailer reports them, for the classes a loopback server cannot produce
// (a DNS failure would send a query off this machine).
interface SmtpErrorShape { message: string; code: string; originalCode?: string; response?: string; responseCode?: number; command?: string }

const context = readConnectionSettings({ host: 'smtp.example.test', authType: 'none' });

test.each<[SmtpErrorShape, string, boolean, RegExp]>([
	[{ message: 'getaddrinfo ENOTFOUND smtp.example.test', code: 'EDNS', originalCode: 'ENOTFOUND' }, 'hostNotFound', false, /^Host "smtp.example.test" was not found/],
	[{ message: 'Connection timeout', code: 'ETIMEDOUT' }, 'connectionTimeout', true, /outbound port 25 is blocked/],
	[{ message: 'Can\'t send mail - all recipients were rejected: 450 4.2.1 Peak SMTP relay limit exceeded', code: 'EENVELOPE', response: '450 4.2.1 Peak SMTP relay limit exceeded', responseCode: 450, command: 'RCPT TO' }, 'temporary', true, /try again later/],
	[{ message: 'Message failed: 552 5.3.4 Message size exceeds fixed limit', code: 'EMESSAGE', response: '552 5.3.4 Message size exceeds fixed limit', responseCode: 552, command: 'DATA' }, 'messageTooLarge', false, /too large/],
	[{ message: 'Message failed: 554 5.7.1 Rejected by policy', code: 'EMESSAGE', response: '554 5.7.1 Rejected by policy', responseCode: 554, command: 'DATA' }, 'rejected', false, /permanently/],
	[{ message: 'Connection closed unexpectedly', code: 'ECONNECTION' }, 'connectionLost', true, /closed unexpectedly/],
])('%j', (error, kind, transient, hint) => {
	const d = diagnose(error, context);
	expect(d).toMatchObject({ kind, transient });
	expect(d.hint).toMatch(hint);
	expect(d.detail).toBe(error.response ?? error.message);
});

test.each([
	['microsoft365AppOnly', /SMTP.SendAsApp .*New-ServicePrincipal.*Add-MailboxPermission/],
	['microsoft365', /delegated SMTP.Send permission/],
	['google', /scope https:\/\/mail.google.com\//],
])('a refused XOAUTH2 token gets the %s hint', (provider, hint) => {
	const settings = readConnectionSettings({ provider, user: 'orders@contoso.test' }, 'smtpConnectorOAuth2Api');
	const d = diagnose(
		{ message: 'Invalid login: 535 5.7.3 Authentication unsuccessful', code: 'EAUTH', response: '535 5.7.3 Authentication unsuccessful', responseCode: 535, command: 'AUTH XOAUTH2' },
		settings,
	);
	expect(d.kind).toBe('authRejected');
	expect(d.hint).toMatch(hint);
});
