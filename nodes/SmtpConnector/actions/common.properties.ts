import type { INodeProperties } from 'n8n-workflow';

/** Shown for both operations: one definition each, so a value stays when the operation changes. */
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

export const subjectProperty: INodeProperties = {
	displayName: 'Subject',
	name: 'subject',
	type: 'string',
	default: '',
	placeholder: 'Order #1042 has shipped',
	description: 'Subject of the email. An approval request needs one: it is also the question on the confirmation page.',
	displayOptions: bothOperations,
};
