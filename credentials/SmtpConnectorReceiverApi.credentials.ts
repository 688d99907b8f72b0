import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

import { credentialIcon } from './common/connectionFields';

/** Where the SMTP Connector Trigger listens, with which certificate, and who may send through it. */
export class SmtpConnectorReceiverApi implements ICredentialType {
	name = 'smtpConnectorReceiverApi';

	displayName = 'SMTP Connector Receiver';

	icon: Icon = credentialIcon;

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-smtp-connector#relay-for-printers-and-legacy-apps';

	properties: INodeProperties[] = [
		{
			displayName: 'Listen Address',
			name: 'listenAddress',
			type: 'string',
			default: '127.0.0.1',
			required: true,
			placeholder: '192.168.1.20',
			description:
				'The address of this host that devices connect to. 127.0.0.1 accepts only this machine; enter the host’s LAN address for devices on the network, or 0.0.0.0 for every interface (then keep the port behind a firewall).',
		},
		{
			displayName: 'Port',
			name: 'port',
			type: 'number',
			default: 2525,
			required: true,
			description: 'Ports below 1024 (25, 587, 465) need n8n to run with the right to bind them; 2525 does not',
		},
		{
			displayName: 'TLS',
			name: 'tls',
			type: 'options',
			options: [
				{ name: 'None', value: 'none', description: 'Plain text only: for devices that cannot do TLS, on a trusted network' },
				{ name: 'STARTTLS Offered', value: 'starttls', description: 'Clients may upgrade the connection; devices without TLS can still send' },
				{ name: 'STARTTLS Required', value: 'starttlsRequired', description: 'No mail is taken before the client has upgraded the connection' },
				{ name: 'Implicit TLS', value: 'implicit', description: 'TLS from the first byte, as on port 465' },
			],
			default: 'none',
		},
		{
			displayName: 'Certificate',
			name: 'certificate',
			type: 'string',
			typeOptions: { password: true, rows: 4 },
			default: '',
			placeholder: '-----BEGIN CERTIFICATE-----',
			description: 'PEM certificate, with its intermediates after it',
			displayOptions: { hide: { tls: ['none'] } },
		},
		{
			displayName: 'Private Key',
			name: 'privateKey',
			type: 'string',
			typeOptions: { password: true, rows: 4 },
			default: '',
			placeholder: '-----BEGIN PRIVATE KEY-----',
			description: 'Unencrypted PEM key of the certificate',
			displayOptions: { hide: { tls: ['none'] } },
		},
		{
			displayName: 'User',
			name: 'user',
			type: 'string',
			default: '',
			description: 'A login for clients that can log in (PLAIN or LOGIN). Leave empty if only Allowed Client Networks may send.',
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { hide: { user: [''] } },
		},
		{
			displayName: 'More Users',
			name: 'moreUserPasswords',
			type: 'string',
			typeOptions: { password: true, rows: 3 },
			default: '',
			placeholder: 'scanner-2:password\nerp:password',
			description: 'Further logins, one per line as user:password (the first colon separates them): e.g. one per device, so one can be changed alone',
			displayOptions: { hide: { user: [''] } },
		},
		{
			displayName: 'Allow Login Without TLS',
			name: 'allowLoginWithoutTls',
			type: 'boolean',
			default: false,
			description: 'Whether a client may log in over a connection that is not encrypted (its password then crosses the network readable): for a trusted network only',
			displayOptions: { hide: { tls: ['starttlsRequired', 'implicit'], user: [''] } },
		},
		{
			displayName: 'Allowed Client Networks',
			name: 'allowedNetworks',
			type: 'string',
			default: '',
			placeholder: '192.168.1.0/24, 10.0.0.7',
			description:
				'Addresses and networks (CIDR) whose clients may send without logging in: printers and devices that cannot log in. A client that neither logs in nor comes from here is refused: the trigger is never an open relay.',
		},
	];
}
