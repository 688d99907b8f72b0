import type { INodeProperties } from 'n8n-workflow';

import { DEFAULT_MESSAGES_PER_CONNECTION, PROVIDERS } from '../../../credentials/common/providers';

const messagesPerConnection = [
	...PROVIDERS.filter((p) => p.messagesPerConnection).map((p) => `${p.name} ${p.messagesPerConnection!.toLocaleString('en-US')}`),
	`others ${DEFAULT_MESSAGES_PER_CONNECTION}`,
].join(', ');

const show = { show: { operation: ['send'] } };

/** Who a mail goes to, shown between the sender and the Subject. Names match n8n's built-in Send Email node. */
export const recipientProperties: INodeProperties[] = [
	{
		displayName: 'To Email',
		name: 'toEmail',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'info@example.com, Jane Doe <jane@example.com>',
		description: 'Recipients, separated by commas or semicolons. An expression may also return an array.',
		displayOptions: show,
	},
];

/** The rest of Send Email's parameters, after the Subject. */
export const sendProperties: INodeProperties[] = [
	{
		displayName: 'HTML',
		name: 'html',
		type: 'string',
		typeOptions: { rows: 5 },
		default: '',
		description: 'HTML body of the email. A plain-text alternative is generated from it unless you set Text.',
		displayOptions: show,
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: show,
		options: [
			{
				displayName: 'Attachments',
				name: 'attachmentsUi',
				placeholder: 'Add attachment',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true },
				default: {},
				options: [
					{
						displayName: 'Attachment',
						name: 'attachment',
						values: [
							{
						displayName: 'Content ID',
						name: 'cid',
						type: 'string',
						default: '',
						description: 'ID the HTML uses to reference the file as cid:ID. Defaults to the binary field name.',
							},
							{
						displayName: 'Content Type',
						name: 'contentType',
						type: 'string',
						default: '',
						placeholder: 'application/pdf',
						description: 'Overrides the MIME type of the binary data',
							},
							{
						displayName: 'File Name',
						name: 'fileName',
						type: 'string',
						default: '',
						description: 'Overrides the file name of the binary data',
							},
							{
						displayName: 'Inline',
						name: 'inline',
						type: 'boolean',
						default: false,
						description: 'Whether to embed the file in the HTML (reference it as src=\'cid:…\') instead of attaching it',
							},
							{
						displayName: 'Input Binary Field',
						name: 'binaryPropertyName',
						type: 'string',
						default: 'data',
						description: 'Name of the binary field of the input item that holds the file',
							},
						],
					},
				],
			},
			{
				displayName: 'BCC Email',
				name: 'bccEmail',
				type: 'string',
				default: '',
				description: 'Blind copy recipients; they never appear in the message headers',
			},
			{
				displayName: 'CC Email',
				name: 'ccEmail',
				type: 'string',
				default: '',
				description: 'Copy recipients, separated by commas or semicolons',
			},
			{
				displayName: 'Custom Headers',
				name: 'headersUi',
				placeholder: 'Add header',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true },
				default: {},
				options: [
					{
						displayName: 'Header',
						name: 'header',
						values: [
							{ displayName: 'Name', name: 'name', type: 'string', default: '', placeholder: 'X-Campaign' },
							{ displayName: 'Value', name: 'value', type: 'string', default: '' },
						],
					},
				],
			},
			{
				displayName: 'Idempotency Key',
				name: 'idempotencyKey',
				type: 'string',
				default: '',
				placeholder: "{{ $json.orderId }}-receipt",
				description:
					"Sends each key once: an item whose key was sent before is not sent again (its output says skipped, when, and the Message-ID), also when the execution is retried. Kept in the credential's Shared Limits Redis, else in n8n's database.",
			},
			{
				displayName: 'In-Reply-To',
				name: 'inReplyTo',
				type: 'string',
				default: '',
				placeholder: '<original-ID@example.com>',
				description: 'Message-ID of the email this one answers, so mail clients thread them',
			},
			{
				displayName: 'Message ID',
				name: 'messageId',
				type: 'string',
				default: '',
				placeholder: '<order-1234@example.com>',
				description: 'Sets the Message-ID instead of generating one, e.g. to make a later reply thread under it',
			},
			{
				displayName: 'Preview Only',
				name: 'preview',
				type: 'boolean',
				default: false,
				description: 'Whether to build the message and return it as an .eml file without connecting to the server',
			},
			{
				displayName: 'Priority',
				name: 'priority',
				type: 'options',
				options: [
					{ name: 'High', value: 'high' },
					{ name: 'Normal', value: 'normal' },
					{ name: 'Low', value: 'low' },
				],
				default: 'normal',
			},
			{
				displayName: 'Redirect All Recipients To',
				name: 'redirectAllTo',
				type: 'string',
				default: '',
				placeholder: 'qa@example.com',
				description:
					'For testing a workflow: deliver every message to this address only. The original To, CC and BCC go into X-Original-* headers.',
			},
			{
				displayName: 'References',
				name: 'references',
				type: 'string',
				default: '',
				placeholder: '<CAF1x@mail.example.com> <CAF2y@mail.example.com>',
				description: 'Message-IDs of the earlier emails in the thread, separated by spaces',
			},
			{
				displayName: 'Reply To',
				name: 'replyTo',
				type: 'string',
				default: '',
				description: 'Address that replies should go to',
			},
			{
				displayName: 'Text',
				name: 'text',
				type: 'string',
				typeOptions: { rows: 3 },
				default: '',
				description: 'Plain-text version of the email. Leave empty to generate it from the HTML.',
			},
		],
	},
	{
		displayName: 'Delivery Options',
		name: 'deliveryOptions',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: show,
		options: [
			{
				displayName: 'Keep Idempotency Keys (Days)',
				name: 'keepIdempotencyKeysDays',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 7,
				description: "How long a sent key is remembered in Redis. n8n's database keeps the newest 10,000 keys of this node instead.",
			},
			{
				displayName: 'Max Connections',
				name: 'maxConnections',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 20 },
				default: 3,
				description: 'How many SMTP connections may send in parallel for this credential. Output items keep the input order.',
			},
			{
				displayName: 'Max Message Size (MB)',
				name: 'maxMessageSizeMb',
				type: 'number',
				typeOptions: { minValue: 0, numberPrecision: 1 },
				default: 0,
				description:
					"Largest message to send, attachments encoded. 0 uses the provider's limit (Gmail 25, Microsoft 365 35, SES 40, Postmark 10); the server's own SIZE limit is always checked before sending.",
			},
			{
				displayName: 'Max Messages per Connection',
				name: 'maxMessagesPerConnection',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 0,
				description: `A connection is replaced after this many messages. 0: the provider's (${messagesPerConnection}).`,
			},
			{
				displayName: 'Max Recipients per Message',
				name: 'maxRecipients',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 0,
				description:
					"To, CC and BCC together. 0 uses the provider's limit (Gmail 100, Microsoft 365 500, SES and Postmark 50), or 100 for a custom server. An item over the limit fails without sending.",
			},
			{
				displayName: 'Retries',
				name: 'retries',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 10 },
				default: 3,
				description: 'How many times to retry a temporary failure (4xx reply, connection lost before the message was complete). Permanent failures (5xx) are never retried.',
			},
			{
				displayName: 'Retry Delay (Seconds)',
				name: 'retryDelay',
				type: 'number',
				typeOptions: { minValue: 0, numberPrecision: 2 },
				default: 1,
				description: 'Delay before the first retry; it doubles with every further retry (with jitter), up to 30 seconds',
			},
			{
				displayName: 'Retry Possible Duplicates',
				name: 'retryPossibleDuplicates',
				type: 'boolean',
				default: false,
				description:
					'Whether to resend a message whose connection dropped after the whole message went out but before the server answered. The server may already have it, so a retry can deliver it twice; either way the item is marked possibleDuplicate.',
			},
		],
	},
];
