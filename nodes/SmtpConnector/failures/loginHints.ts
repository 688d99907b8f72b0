import type { ProviderPreset } from '../../../credentials/common/providers';

/** The sentence for a refused login: the provider's own conventions, then its enhanced status code. */
export function loginHint(reply: string, command: string, provider: ProviderPreset): string | undefined {
	if (/XOAUTH2|OAUTHBEARER/i.test(command)) {
		if (provider.id === 'microsoft365AppOnly') {
			return 'Microsoft 365 refused the app-only token: the app needs the SMTP.SendAsApp permission with admin consent, its service principal registered in Exchange Online (New-ServicePrincipal), and FullAccess to this mailbox (Add-MailboxPermission); SMTP AUTH must be enabled for the mailbox.';
		}
		if (provider.id === 'microsoft365') {
			return 'Microsoft 365 refused the token: the app needs the delegated SMTP.Send permission, the account you connected must be this mailbox (or have Send As), and SMTP AUTH must be enabled for the mailbox.';
		}
		if (provider.id === 'google') return 'Google refused the token: the credential must be connected with the scope https://mail.google.com/ as this mailbox.';
		return 'The server refused the OAuth2 token, even after getting a new one: check the scope and that the token is for this mailbox.';
	}
	if (/5\.7\.139|SmtpClientAuthentication is disabled/i.test(reply)) {
		return 'Microsoft 365 has SMTP AUTH switched off for this mailbox or tenant: an admin must enable "Authenticated SMTP" for the mailbox — or use the OAuth2 credential.';
	}
	if (/5\.7\.30|Basic authentication is not supported/i.test(reply)) {
		return 'Microsoft 365 no longer accepts passwords (basic authentication) here: use the SMTP Connector OAuth2 credential.';
	}
	if (/5\.7\.9|application-specific password/i.test(reply)) return 'Google requires an App Password: turn on 2-Step Verification and create one for this account.';
	const byProvider: Record<string, string> = {
		gmail: 'Google refused the login: use an App Password (needs 2-Step Verification), not the account password.',
		microsoft365: 'Microsoft 365 refused the login: check the password and that SMTP AUTH is enabled for the mailbox; basic authentication is being switched off — use OAuth2.',
		sendgrid: 'SendGrid refused the login: the user must be literally "apikey" and the password an API key with Mail Send permission.',
		ses: 'Amazon SES refused the login: use the SES SMTP credentials (SES console → SMTP settings), not the IAM access key, and the same region as the host.',
		mailgun: "Mailgun refused the login: use the sending domain's SMTP credentials and the right region (US or EU).",
		postmark: 'Postmark refused the login: use the Server API token as both user and password.',
	};
	return byProvider[provider.id];
}
