import { NodeHelpers, type ICredentialDataDecryptedObject, type INodeProperties } from 'n8n-workflow';

import { SmtpConnectorApi } from '../../credentials/SmtpConnectorApi.credentials';
import { SmtpConnectorOAuth2Api } from '../../credentials/SmtpConnectorOAuth2Api.credentials';
import { composeMail } from '../../nodes/SmtpConnector/message/compose';
import { readConnectionSettings } from '../../nodes/SmtpConnector/transport/settings';

/** What n8n's credential form shows for these values: every field starts at its default, as in the editor. */
function form(properties: INodeProperties[], values: ICredentialDataDecryptedObject) {
	const data: ICredentialDataDecryptedObject = {};
	for (const p of properties) if (p.type !== 'notice' && !(p.name in data)) data[p.name] = p.default as string;
	Object.assign(data, values);
	const visible = properties.filter((p) => NodeHelpers.displayParameter(data, p, null, null, data));
	return { data, notices: visible.filter((p) => p.type === 'notice').map((p) => p.displayName) };
}

const effective = (notices: string[]) => notices.filter((n) => n.startsWith('Mail goes to') || n.startsWith('Fill in Host'));

describe('the credential says where mail really goes, whatever mix of preset and filled-in fields', () => {
	const api = new SmtpConnectorApi().properties;

	test('the MailDev credential switched to Gmail says it still goes to the server in Host, unencrypted', () => {
		const { notices } = form(api, { provider: 'gmail', host: '127.0.0.1', port: '1025', security: 'none', authType: 'none' });
		expect(effective(notices)).toEqual([
			'Mail goes to the server in Host, the port in Port, UNENCRYPTED (no TLS). Host wins over the Gmail / Google Workspace preset (smtp.gmail.com): clear Host to use the preset. Gmail / Google Workspace expects TLS: choose STARTTLS (Required) or SSL/TLS.',
		]);
		expect(notices.join(' ')).not.toMatch(/Connects to smtp\.gmail\.com/);
	});

	test('an untouched preset names its server and port', () => {
		expect(effective(form(api, { provider: 'gmail' }).notices)).toEqual([
			'Mail goes to smtp.gmail.com, port 587, STARTTLS, required (nothing is sent if the server does not offer it).',
		]);
		expect(effective(form(api, { provider: 'mailgun', mailgunRegion: 'eu', security: 'tls' }).notices)).toEqual([
			'Mail goes to smtp.eu.mailgun.org, port 465, SSL/TLS from the first byte.',
		]);
		expect(effective(form(api, { provider: 'custom' }).notices)).toEqual(['Fill in Host: Custom has no server of its own.']);
	});

	const hosts = ['', 'relay.example.test'];
	const ports = ['', '2525'];
	const cases = ['custom', 'gmail', 'microsoft365', 'ses', 'mailgun', 'sendgrid', 'postmark'].flatMap((provider) =>
		['starttls', 'tls', 'starttlsOptional', 'none'].flatMap((security) =>
			hosts.flatMap((host) => ports.flatMap((port) => ['us', 'eu'].map((mailgunRegion) => ({ provider, security, host, port, mailgunRegion })))),
		),
	);
	test.each([
		['SMTP Connector', api],
		['SMTP Connector OAuth2', new SmtpConnectorOAuth2Api().properties],
	])('%s: exactly one notice for each mix, and it agrees with the settings the node connects with', (_name, properties) => {
		const providers = new Set(properties.find((p) => p.name === 'provider')!.options!.map((o) => (o as { value: string }).value));
		let checked = 0;
		for (const values of cases.filter((c) => providers.has(c.provider))) {
			const { data, notices } = form(properties, { ...values, authType: 'none', user: 'orders@example.test', allowCredentialsWithoutTls: true });
			const shown = effective(notices);
			expect({ values, shown: shown.length }).toEqual({ values, shown: 1 });
			if (values.provider === 'custom' && !values.host) continue;
			const settings = readConnectionSettings(data, properties === api ? 'smtpConnectorApi' : 'smtpConnectorOAuth2Api');
			const [text] = shown;
			// SES: the form cannot name each of its 20 regions, so it points at the Region field.
			expect(text).toContain(values.host ? 'the server in Host' : settings.host.replace(/^email-smtp\.[a-z0-9-]+\./, 'email-smtp.<Region above>.'));
			if (values.host) expect(settings.host).toBe(values.host);
			expect(text).toContain(values.port ? 'the port in Port' : `port ${settings.port}`);
			expect(String(settings.port)).toBe(values.port || String(settings.port));
			expect(text).toMatch({ starttls: /STARTTLS, required/, tls: /SSL\/TLS from the first byte/, starttlsOptional: /STARTTLS if the server offers it/, none: /UNENCRYPTED \(no TLS\)/ }[settings.security]);
			checked++;
		}
		expect(checked).toBeGreaterThan(40);
	});
});

describe('the credential says before the first run when no sender can be found', () => {
	const noSender = (notices: string[]) => notices.filter((n) => n.startsWith('No sender yet'));
	/** What a mail without From Email gets: sent (as whom), or failed for want of a sender. */
	const outcome = (data: ICredentialDataDecryptedObject, type: 'smtpConnectorApi' | 'smtpConnectorOAuth2Api') => {
		try {
			return (composeMail({ toEmail: 'someone@example.test' }, readConnectionSettings(data, type).sender).mail.from as { address: string }).address;
		} catch (error) {
			expect((error as Error).message).toMatch(/^From Email is empty, and the credential has no Default From Email and its User cannot send/);
			return 'no sender';
		}
	};
	const api = new SmtpConnectorApi().properties;
	const oauth2 = new SmtpConnectorOAuth2Api().properties;
	const users = [
		'me@gmail.test',
		'Me@Gmail.Test',
		'postmaster@mg.example.test',
		'apikey',
		'CORP\\relay',
		'CORP\\jdoe@corp.example',
		'jdoe@',
		'jdoe@corp',
		'a@b.test, c@d.test',
		'first last@corp.test',
		'Jane <jane@example.test>',
	];
	const logins = [
		{ authType: 'password', authMethod: 'auto' },
		{ authType: 'password', authMethod: 'NTLM' },
		{ authType: 'googleServiceAccount', authMethod: 'NTLM' }, // a hidden, stale SASL choice
		{ authType: 'none', authMethod: 'auto' },
	];
	const cases = [
		...logins.flatMap((login) =>
			users.flatMap((user) => ['', 'noreply@example.test'].map((fromEmail) => ({ type: 'smtpConnectorApi' as const, properties: api, values: { ...login, user, fromEmail } }))),
		),
		...users.flatMap((user) => ['', 'noreply@example.test'].map((fromEmail) => ({ type: 'smtpConnectorOAuth2Api' as const, properties: oauth2, values: { user, fromEmail } }))),
	];

	test.each(cases)('$type $values: a notice exactly when a mail without From Email would fail', ({ type, properties, values: given }) => {
		const values: { user: string; fromEmail: string; authType?: string; authMethod?: string } = given;
		const { data, notices } = form(properties, { provider: 'gmail', password: 'x', serviceAccountEmail: 'sa@project.test', ...values });
		const from = outcome(data, type);
		expect({ notices: noSender(notices).length, from }).toEqual({ notices: from === 'no sender' ? 1 : 0, from: expect.any(String) });
		// A User sends as itself only when it is exactly one address, and never for an NTLM login.
		const sendsAsUser = !values.fromEmail && values.authType !== 'none' && !(values.authType === 'password' && values.authMethod === 'NTLM');
		const plain = ['me@gmail.test', 'Me@Gmail.Test', 'postmaster@mg.example.test'].includes(values.user);
		expect(from.toLowerCase()).toBe((values.fromEmail || (sendsAsUser && plain ? values.user : 'no sender')).toLowerCase());
	});

	test('while User is still empty, or is an expression, the form does not nag; nor when Default From Email is an expression', () => {
		expect(noSender(form(api, { provider: 'gmail', user: '' }).notices)).toEqual([]);
		expect(noSender(form(api, { provider: 'gmail', user: '={{ $env.SMTP_USER }}' }).notices)).toEqual([]);
		expect(noSender(form(oauth2, { provider: 'google', user: '={{ $env.SMTP_USER }}' }).notices)).toEqual([]);
		expect(noSender(form(api, { provider: 'custom', authType: 'none', fromEmail: '={{ $env.SMTP_FROM }}' }).notices)).toEqual([]);
		expect(noSender(form(api, { provider: 'gmail', user: 'apikey', fromEmail: '={{ $env.SMTP_FROM }}' }).notices)).toEqual([]);
	});

	test('each reason has its own words', () => {
		expect(noSender(form(api, { provider: 'custom', authType: 'none' }).notices)).toEqual([expect.stringMatching(/^No sender yet: a relay without login has no User/)]);
		expect(noSender(form(api, { provider: 'custom', authMethod: 'NTLM', user: 'jdoe@corp.example' }).notices)).toEqual([expect.stringMatching(/^No sender yet: with NTLM, User is a Windows account/)]);
		expect(noSender(form(api, { provider: 'sendgrid', user: 'apikey' }).notices)).toEqual([expect.stringMatching(/^No sender yet: the node sends as User only when it is one email address/)]);
	});
});
