import type { INodeProperties } from 'n8n-workflow';

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
	{
		displayName: 'Subject',
		name: 'subject',
		type: 'string',
		default: '',
		placeholder: 'Order #1042 has shipped',
		displayOptions: { show: { operation: ['send'], messageSource: ['fields'] } },
	},
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
