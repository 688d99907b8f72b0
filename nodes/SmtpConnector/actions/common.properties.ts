import type { INodeProperties } from 'n8n-workflow';

/** From Email and From Name, the same for every operation that sends. */
export function senderProperties(operation: string): INodeProperties[] {
	const displayOptions = { show: { operation: [operation] } };
	return [
		{
			displayName: 'From Email',
			name: 'fromEmail',
			type: 'string',
			default: '',
			placeholder: 'admin@example.com',
			description: 'Sender address, e.g. admin@example.com or Nathan Doe &lt;admin@example.com&gt;. Leave empty to use the default sender of the credential.',
			displayOptions,
		},
		{
			displayName: 'From Name',
			name: 'fromName',
			type: 'string',
			default: '',
			placeholder: 'Nathan Doe',
			description: 'Display name of the sender',
			displayOptions,
		},
	];
}
