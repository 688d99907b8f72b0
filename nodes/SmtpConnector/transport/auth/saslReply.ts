import type { SMTPConnectionCustomAuthResponse as Reply } from 'nodemailer/lib/smtp-connection';

/** The error a refused login reply becomes, with the reply code the diagnosis reads. */
export function loginRefused(reply: Reply): Error {
	return Object.assign(new Error(`Invalid login: ${reply.response}`), { responseCode: reply.status, response: reply.response });
}
