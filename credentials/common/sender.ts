/**
 * When the credential's User is the sender of a mail that names none (no From Email, no Default From
 * Email): the credential form's notice and the node read this one rule.
 */

/** One plain address with a dotted domain: not `DOMAIN\user`, an API key, a list or a name with spaces. */
export const SENDER_USER_PATTERN = '^[^\\s@,;<>()"\\\\]+@[^\\s@,;<>()"\\\\.]+(\\.[^\\s@,;<>()"\\\\.]+)+$';

/** SASL mechanisms whose User is a Windows account rather than a mailbox (a UPN is often not the SMTP address). */
export const ACCOUNT_NOT_MAILBOX_METHODS = ['NTLM'];

export function userIsSender(user: string, saslMethod?: string): boolean {
	return !ACCOUNT_NOT_MAILBOX_METHODS.includes(saslMethod ?? '') && new RegExp(SENDER_USER_PATTERN).test(user);
}
