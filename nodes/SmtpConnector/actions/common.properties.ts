import type { INodeProperties } from 'n8n-workflow';

import { MODEL_FIELDS, modelFillsInTools } from '../agent/fields';

/** From Email and From Name mean the same in both operations: one definition each. */
const bothOperations = { show: { operation: ['send', 'sendAndWait'] } };

export const senderProperties: INodeProperties[] = [
	{
		displayName: 'From Email',
		name: 'fromEmail',
		type: 'string',
		default: '',
		placeholder: 'admin@example.com',
		description: 'Sender address, e.g. admin@example.com or Nathan Doe &lt;admin@example.com&gt;',
		hint: "Empty: the credential's Default From Email, else its User when that is one email address (as for Gmail and Microsoft 365; not for an NTLM login)",
		displayOptions: bothOperations,
	},
	{
		displayName: 'From Name',
		name: 'fromName',
		type: 'string',
		default: '',
		placeholder: 'Nathan Doe',
		description: 'Display name of the sender',
		displayOptions: bothOperations,
	},
];

/**
 * Subject, per operation: an approval request needs one (the editor marks it missing before a run), a
 * mail may go without. Two definitions of one name: n8n keeps the value when the operation changes.
 */
export const subjectProperties: INodeProperties[] = [
	...modelFillsInTools(
		{
			displayName: 'Subject',
			name: 'subject',
			type: 'string',
			default: '',
			placeholder: 'Order #1042 has shipped',
			displayOptions: { show: { operation: ['send'], messageSource: ['fields'] } },
		},
		MODEL_FIELDS.subject,
	),
	{
		displayName: 'Subject',
		name: 'subject',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'Approve purchase request #123',
		description: 'Subject of the email, and the question on the confirmation page',
		displayOptions: { show: { operation: ['sendAndWait'] } },
	},
];

/** RFC 3461 delivery status notifications, asked for with the mail: for Send Email (either source) and approval requests. */
export const deliveryNotificationsProperty: INodeProperties = {
	displayName: 'Delivery Notifications',
	name: 'deliveryNotifications',
	type: 'collection',
	placeholder: 'Ask for Delivery Reports',
	default: {},
	description:
		'Ask the servers on the way to send a delivery report (DSN, RFC 3461) to the sender: read it back with the Read Delivery Report operation. Only asked when the server offers DSN; the output says whether it did.',
	displayOptions: bothOperations,
	options: [
		{
			displayName: 'Envelope ID',
			name: 'envelopeId',
			type: 'string',
			default: '',
			placeholder: 'order-1042',
			description:
				'Comes back in every report for this mail, to join it to the item that sent it: 1 to 100 printable ASCII characters without spaces. Empty: the Idempotency Key when it fits, else the Message-ID without brackets.',
		},
		{
			displayName: 'Notify On',
			name: 'notify',
			type: 'multiOptions',
			default: ['failure', 'delay'],
			description: 'Which events send a report. None selected: the server decides (usually failures).',
			options: [
				{ name: 'Failure', value: 'failure', description: 'The mail could not be delivered (a bounce)' },
				{ name: 'Delay', value: 'delay', description: 'Delivery is delayed and still being tried' },
				{ name: 'Success', value: 'success', description: 'The mail reached the recipient’s mailbox (or left DSN-aware servers)' },
				{ name: 'Never', value: 'never', description: 'No report, not even a bounce' },
			],
		},
		{
			displayName: 'Report Content',
			name: 'report',
			type: 'options',
			default: 'headers',
			description: 'What of the mail a failure report returns',
			options: [
				{ name: 'Headers Only', value: 'headers', description: 'Enough to find the mail (Message-ID, Subject); keeps its content out of the report' },
				{ name: 'Full Message', value: 'full' },
			],
		},
	],
};
