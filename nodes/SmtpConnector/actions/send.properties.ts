import type { INodeProperties } from 'n8n-workflow';

import { DEFAULT_MESSAGES_PER_CONNECTION, PROVIDERS } from '../../../credentials/common/providers';
import { MODEL_FIELDS, modelFillsInTools } from '../agent/fields';

const messagesPerConnection = [
	...PROVIDERS.filter((p) => p.messagesPerConnection).map((p) => `${p.name} ${p.messagesPerConnection!.toLocaleString('en-US')}`),
	`others ${DEFAULT_MESSAGES_PER_CONNECTION}`,
].join(', ');

const show = { show: { operation: ['send'] } };
/** Parameters of a message built from fields, not of a relayed raw message. */
const showFields = { show: { operation: ['send'], messageSource: ['fields'] } };
const showRaw = { show: { operation: ['send'], messageSource: ['rawBinary'] } };

/** Send Email builds the message from fields, or sends on a received one (SMTP Connector Trigger → relay). */
export const messageSourceProperties: INodeProperties[] = [
	{
		displayName: 'Message Source',
		name: 'messageSource',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Fields Below', value: 'fields', description: 'Build the message from To, Subject, HTML and the options' },
			{
				name: 'Raw Message From Binary (Relay)',
				value: 'rawBinary',
				description: 'Send an .eml as it is, e.g. what the SMTP Connector Trigger received: only the envelope changes, and the From if you choose',
			},
		],
		default: 'fields',
		displayOptions: show,
	},
];

/** Who a mail goes to, shown between the sender and the Subject. Names match n8n's built-in Send Email node. */
export const recipientProperties: INodeProperties[] = [
	...modelFillsInTools(
		{
			displayName: 'To Email',
			name: 'toEmail',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'info@example.com, Jane Doe <jane@example.com>',
			description: 'Recipients, separated by commas or semicolons. An expression may also return an array.',
			displayOptions: showFields,
		},
		MODEL_FIELDS.to,
	),
	{
		displayName: 'Envelope Recipients',
		name: 'envelopeTo',
		type: 'string',
		default: '={{ $json.envelope?.rcptTo }}',
		required: true,
		placeholder: 'ops@example.com, archive@example.com',
		description: 'Who the message is delivered to (RCPT TO); the headers stay as they are. By default the recipients the SMTP Connector Trigger received it for.',
		displayOptions: showRaw,
	},
	{
		displayName: 'Input Binary Field',
		name: 'rawBinaryProperty',
		type: 'string',
		default: 'message',
		required: true,
		description: 'The binary property holding the whole message (.eml, message/rfc822): the SMTP Connector Trigger gives it as "message"',
		displayOptions: showRaw,
	},
	{
		displayName: 'Relay Options',
		name: 'relayOptions',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: showRaw,
		options: [
			{
				displayName: 'From Header',
				name: 'fromHeader',
				type: 'options',
				options: [
					{ name: 'Keep', value: 'keep', description: 'Send the message with the From it has' },
					{
						name: 'Replace With the Sender',
						value: 'sender',
						description: 'Use From Email (or the credential’s) as From, and keep the original as Reply-To: for providers that only send as the signed-in mailbox (Microsoft 365 "SendAsDenied", Gmail)',
					},
				],
				default: 'keep',
			},
			{
				displayName: 'Idempotency Key',
				name: 'idempotencyKey',
				type: 'string',
				default: '={{ $json.messageKey }}',
				description:
					'Sends each key once, also when the execution is retried. The default is the SMTP Connector Trigger’s key of the message (its envelope and bytes), so a message the device sends twice goes out once.',
			},
			{
				displayName: 'Max Received Headers',
				name: 'maxReceivedHeaders',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 30,
				description: 'A message with more Received headers is not sent (it fails naming the loop): each server it passed added one, so many means a mail loop',
			},
			{
				displayName: 'Preview Only',
				name: 'preview',
				type: 'boolean',
				default: false,
				description: 'Whether to return the message as it would be sent, as an .eml file, without connecting to the server',
			},
		],
	},
];

/** The rest of Send Email's parameters, after the Subject. */
export const sendProperties: INodeProperties[] = [
	...modelFillsInTools(
		{
			displayName: 'HTML',
			name: 'html',
			type: 'string',
			typeOptions: { rows: 5 },
			default: '',
			description: 'HTML body of the email. A plain-text alternative is generated from it unless you set Text.',
			displayOptions: showFields,
		},
		MODEL_FIELDS.message,
	),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: showFields,
		options: [
			{
				displayName: 'Allowed Recipient Domains',
				name: 'allowedRecipientDomains',
				type: 'string',
				default: '',
				placeholder: 'example.com, example.org',
				description:
					'Only send to these domains and their subdomains; any other recipient fails the item and nothing is sent. Empty: any domain. Set it when an AI agent or user input fills the recipients.',
			},
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
