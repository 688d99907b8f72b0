import SMTPConnection from 'nodemailer/lib/smtp-connection';

interface Envelope {
	from?: string | false;
	to?: string[];
}

type Send = (this: SMTPConnection, envelope: Envelope, message: unknown, done: (error: Error | null, info?: unknown) => void) => void;

/** The message needs SMTPUTF8 and the server lacks it. An envelope error to nodemailer's pool, which then keeps the connection. */
export class SmtpUtf8Missing extends Error {
	override name = 'SmtpUtf8Missing';
	readonly code = 'EENVELOPE';
	readonly command = 'MAIL FROM';
}

const nonAsciiLocalPart = (address: string) => /[\u0080-\u{10FFFF}]/u.test(address.slice(0, address.lastIndexOf('@')));

/**
 * RFC 6531: an address with non-ASCII characters before the @ may only be sent to a server that offers
 * SMTPUTF8. nodemailer declares SMTPUTF8 when the server offers it and otherwise sends such an
 * address anyway; this check (on the connection that is about to send, whose EHLO reply is known)
 * fails the message before MAIL FROM instead. Installed once, on the nodemailer copy this package bundles.
 */
export function requireSmtpUtf8ForUnicodeAddresses(): void {
	const prototype = SMTPConnection.prototype as unknown as { send: Send; __smtpUtf8Guard?: true; _supportedExtensions: string[]; options: { host?: string } };
	if (prototype.__smtpUtf8Guard) return;
	const send = prototype.send;
	prototype.send = function (this: SMTPConnection, envelope, message, done) {
		const self = this as unknown as { _supportedExtensions: string[]; options: { host?: string } };
		const unicode = [envelope.from || '', ...(envelope.to ?? [])].find(nonAsciiLocalPart);
		if (unicode && !self._supportedExtensions.includes('SMTPUTF8')) {
			return done(new SmtpUtf8Missing(`"${unicode}" has non-ASCII characters before the @, and ${self.options.host ?? 'the server'} does not offer SMTPUTF8`));
		}
		return send.call(this, envelope, message, done);
	};
	prototype.__smtpUtf8Guard = true;
}
