import { connectionOptions } from '../../nodes/SmtpConnector/transport/options';
import { readConnectionSettings } from '../../nodes/SmtpConnector/transport/settings';

const base = { authType: 'password', user: 'u', password: 'p' };

describe('a preset fills what the user leaves empty, and the user can still override it', () => {
	test.each([
		[{ provider: 'gmail' }, 'smtp.gmail.com', 587],
		[{ provider: 'microsoft365' }, 'smtp.office365.com', 587],
		[{ provider: 'sendgrid' }, 'smtp.sendgrid.net', 587],
		[{ provider: 'postmark' }, 'smtp.postmarkapp.com', 587],
		[{ provider: 'ses', sesRegion: 'eu-central-1' }, 'email-smtp.eu-central-1.amazonaws.com', 587],
		[{ provider: 'mailgun', mailgunRegion: 'eu' }, 'smtp.eu.mailgun.org', 587],
		[{ provider: 'mailgun' }, 'smtp.mailgun.org', 587],
		[{ provider: 'gmail', security: 'tls' }, 'smtp.gmail.com', 465],
		[{ provider: 'gmail', host: 'smtp-relay.gmail.com', port: '2525' }, 'smtp-relay.gmail.com', 2525],
		[{ provider: 'custom', host: 'relay.internal', security: 'none', authType: 'none' }, 'relay.internal', 25],
	])('%j → %s:%i', (credential, host, port) => {
		const settings = readConnectionSettings({ ...base, ...credential });
		expect([settings.host, settings.port]).toEqual([host, port]);
	});
});

describe('security modes become nodemailer options', () => {
	const options = (security: string, login: Record<string, unknown> = base) =>
		connectionOptions(readConnectionSettings({ ...login, host: 'smtp.example.com', security }));
	const anonymous = { authType: 'none' };
	test('STARTTLS required refuses to stay in plain text', () => {
		expect(options('starttls')).toMatchObject({ secure: false, requireTLS: true, ignoreTLS: false, port: 587 });
	});
	test('implicit TLS', () => expect(options('tls')).toMatchObject({ secure: true, requireTLS: false, port: 465 }));
	test('STARTTLS if offered, for a relay without login', () =>
		expect(options('starttlsOptional', anonymous)).toMatchObject({ secure: false, requireTLS: false, ignoreTLS: false }));
	test('STARTTLS if offered becomes required when a login would otherwise cross the network unencrypted', () => {
		expect(options('starttlsOptional')).toMatchObject({ requireTLS: true });
		expect(options('starttlsOptional', { ...base, allowCredentialsWithoutTls: true })).toMatchObject({ requireTLS: false });
	});
	test('none never upgrades and sends no TLS options', () => {
		expect(options('none', anonymous)).toMatchObject({ secure: false, requireTLS: false, ignoreTLS: true, tls: undefined, port: 25 });
	});
	test('TLS range, verification, SNI and timeouts', () => {
		const o = connectionOptions(
			readConnectionSettings({ ...base, host: '10.1.2.3', minTlsVersion: 'TLSv1.3', servername: 'smtp.corp.test', connectionTimeout: 2, greetingTimeout: 3, socketTimeout: 4 }),
		);
		expect(o.tls).toMatchObject({ minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3', rejectUnauthorized: true, servername: 'smtp.corp.test' });
		expect([o.connectionTimeout, o.greetingTimeout, o.socketTimeout]).toEqual([2000, 3000, 4000]);
	});
});

describe('settings the connection cannot use are named', () => {
	test.each([
		[{ provider: 'custom' }, 'Host is empty: enter the SMTP server name'],
		[{ host: 'h', port: '70000' }, 'Port must be a whole number from 1 to 65535, got "70000"'],
		[{ host: 'h', port: 'abc' }, 'Port must be a whole number from 1 to 65535, got "abc"'],
		[{ host: 'h', minTlsVersion: 'TLSv1.3', maxTlsVersion: 'TLSv1.2' }, 'Minimum TLS version TLSv1.3 is above the maximum TLSv1.2'],
		[{ host: 'h', user: '' }, 'User is empty: enter the SMTP user, or set Authentication to None'],
		[{ host: 'h', connectionTimeout: -1 }, 'connectionTimeout must be a positive number of seconds'],
	])('%j', (credential, message) => {
		expect(() => readConnectionSettings({ ...base, ...credential })).toThrow(message);
	});
});
