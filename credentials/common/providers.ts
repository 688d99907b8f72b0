/** Provider presets: where each provider's SMTP submission service lives and how it wants to be logged in to. */
export type ProviderId =
	| 'custom'
	| 'gmail'
	| 'microsoft365'
	| 'ses'
	| 'mailgun'
	| 'sendgrid'
	| 'postmark'
	| 'microsoft365AppOnly'
	| 'google';

export type SecurityMode = 'starttls' | 'tls' | 'starttlsOptional' | 'none';

export interface ProviderPreset {
	id: ProviderId;
	name: string;
	/** Fixed host; SES and Mailgun derive theirs from a region. */
	host?: string;
	security: SecurityMode;
	/** How this provider expects the login, shown as a notice and in failed-login hints. */
	authNotice?: string;
	/** Sending limit applied unless the credential sets its own. */
	rateLimit?: { perSecond?: number; perMinute?: number };
	/** The provider's per-message limits, applied unless the node sets its own. */
	limits?: { recipients?: number; messageMb?: number };
	/** Messages one connection carries before it is replaced, unless the node sets its own. */
	messagesPerConnection?: number;
}

/** Per-message limit on recipients where the provider publishes none: a guard against mailing a whole list by mistake. */
export const DEFAULT_MAX_RECIPIENTS = 100;

/**
 * Messages per connection for a provider that publishes no limit: nodemailer's default, which such services
 * are known to take. A connection replaced costs a new TCP, TLS and AUTH exchange.
 */
export const DEFAULT_MESSAGES_PER_CONNECTION = 100;

type ConnectionFacts = Pick<ProviderPreset, 'host' | 'security' | 'rateLimit' | 'limits'>;

// Where the mailbox is and what the provider allows, the same whether the login is a password or OAuth2.
const MICROSOFT_365: ConnectionFacts = {
	host: 'smtp.office365.com',
	security: 'starttls',
	rateLimit: { perMinute: 30 },
	limits: { recipients: 500, messageMb: 35 },
};
const GMAIL: ConnectionFacts = { host: 'smtp.gmail.com', security: 'starttls', limits: { recipients: 100, messageMb: 25 } };

// Your own server or relay: a new TLS + AUTH exchange every 100 messages costs more than it protects against;
// a server that ends sessions sooner answers 421 or 4xx, which the delivery retries on a new connection.
const CUSTOM: ProviderPreset = { id: 'custom', name: 'Custom', security: 'starttls', messagesPerConnection: 1000 };

export const PROVIDERS: readonly ProviderPreset[] = [
	CUSTOM,
	{
		id: 'gmail',
		name: 'Gmail / Google Workspace',
		...GMAIL,
		authNotice:
			'Google refuses your normal password here. Turn on 2-Step Verification for the account, create an App Password, and use it as the password (or use OAuth2).',
	},
	{
		id: 'microsoft365',
		name: 'Microsoft 365 / Outlook',
		...MICROSOFT_365,
		authNotice:
			'SMTP AUTH must be enabled for this mailbox in the Microsoft 365 admin center. Microsoft is switching basic (password) authentication off by default at the end of 2026: plan to move to OAuth2.',
	},
	{
		id: 'ses',
		name: 'Amazon SES',
		security: 'starttls',
		limits: { recipients: 50, messageMb: 40 },
		rateLimit: { perSecond: 1 },
		authNotice:
			'Use the SES SMTP credentials created in the SES console (SMTP settings), not your IAM access key pair. In the SES sandbox you can only send to verified addresses, 1 message per second.',
	},
	{
		id: 'mailgun',
		name: 'Mailgun',
		security: 'starttls',
		limits: { recipients: 1000, messageMb: 25 },
		authNotice:
			'Use the SMTP credentials of your sending domain (usually postmaster@your-domain). US and EU regions are separate accounts.',
	},
	{
		id: 'sendgrid',
		name: 'SendGrid',
		host: 'smtp.sendgrid.net',
		security: 'starttls',
		limits: { recipients: 1000, messageMb: 30 },
		// SendGrid's SMTP documentation: up to 5,000 messages per SMTP connection.
		messagesPerConnection: 5000,
		authNotice:
			'The user is literally "apikey"; the password is an API key with Mail Send permission (paste it without a trailing newline).',
	},
	{
		id: 'postmark',
		name: 'Postmark',
		host: 'smtp.postmarkapp.com',
		security: 'starttls',
		limits: { recipients: 50, messageMb: 10 },
		authNotice: 'Use your Server API token as both the user and the password.',
	},
];

/** Presets of the OAuth2 credential: where the mailbox is, and how its token is obtained. */
export const OAUTH2_PROVIDERS: readonly ProviderPreset[] = [
	{
		id: 'microsoft365',
		name: 'Microsoft 365 (Delegated, Sign In as the Mailbox)',
		...MICROSOFT_365,
		authNotice:
			'Register an app in Microsoft Entra ID with the delegated permission SMTP.Send (and offline_access), add n8n\'s OAuth redirect URL, then Connect while signed in as the mailbox. SMTP AUTH must be enabled for the mailbox.',
	},
	{
		id: 'microsoft365AppOnly',
		name: 'Microsoft 365 (App-Only, Client Credentials)',
		...MICROSOFT_365,
		authNotice:
			'Grant the app the application permission SMTP.SendAsApp (admin consent), register its service principal in Exchange Online (New-ServicePrincipal) and give it FullAccess to the mailbox (Add-MailboxPermission). Tokens are fetched with the client secret; there is nothing to Connect.',
	},
	{
		id: 'google',
		name: 'Google (Gmail / Workspace)',
		...GMAIL,
		authNotice:
			'Create an OAuth client (type Web application) in Google Cloud, add n8n\'s OAuth redirect URL, enable the Gmail API, then Connect as the mailbox. The scope https://mail.google.com/ is requested with offline access.',
	},
	CUSTOM,
];

/** OAuth2 endpoints per preset; `{tenant}` stands for the credential's tenant. */
export interface OAuth2Endpoints {
	grantType: 'authorizationCode' | 'clientCredentials';
	authUrl?: string;
	tokenUrl: string;
	scope: string;
	authQueryParameters?: string;
}

export const OAUTH2_ENDPOINTS: Record<string, OAuth2Endpoints> = {
	microsoft365: {
		grantType: 'authorizationCode',
		authUrl: 'https://login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize',
		tokenUrl: 'https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token',
		scope: 'https://outlook.office.com/SMTP.Send offline_access',
	},
	microsoft365AppOnly: {
		grantType: 'clientCredentials',
		tokenUrl: 'https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token',
		scope: 'https://outlook.office365.com/.default',
	},
	google: {
		grantType: 'authorizationCode',
		authUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
		tokenUrl: 'https://oauth2.googleapis.com/token',
		scope: 'https://mail.google.com/',
		authQueryParameters: 'access_type=offline&prompt=consent',
	},
};

export const SES_REGIONS = [
	'us-east-1',
	'us-east-2',
	'us-west-1',
	'us-west-2',
	'ca-central-1',
	'eu-west-1',
	'eu-west-2',
	'eu-west-3',
	'eu-central-1',
	'eu-north-1',
	'eu-south-1',
	'ap-south-1',
	'ap-northeast-1',
	'ap-northeast-2',
	'ap-northeast-3',
	'ap-southeast-1',
	'ap-southeast-2',
	'sa-east-1',
	'me-south-1',
	'af-south-1',
] as const;

export const DEFAULT_PORTS: Record<SecurityMode, number> = {
	starttls: 587,
	starttlsOptional: 587,
	tls: 465,
	none: 25,
};

export const SECURITY_LABELS: Record<SecurityMode, string> = {
	starttls: 'STARTTLS',
	starttlsOptional: 'STARTTLS if offered',
	tls: 'SSL/TLS',
	none: 'no encryption',
};

export function findProvider(id: unknown): ProviderPreset {
	return PROVIDERS.find((p) => p.id === id) ?? OAUTH2_PROVIDERS.find((p) => p.id === id) ?? PROVIDERS[0];
}

/** The host a preset implies, given the region fields of the credential. */
export function presetHost(
	provider: ProviderPreset,
	regions: { sesRegion?: unknown; mailgunRegion?: unknown },
): string | undefined {
	if (provider.id === 'ses') return `email-smtp.${String(regions.sesRegion || 'us-east-1')}.amazonaws.com`;
	if (provider.id === 'mailgun') {
		return regions.mailgunRegion === 'eu' ? 'smtp.eu.mailgun.org' : 'smtp.mailgun.org';
	}
	return provider.host;
}
