import type { INodeProperties } from 'n8n-workflow';

const show = { show: { operation: ['sendAndWait'] } };
const BUTTON_STYLES = [
	{ name: 'Primary', value: 'primary', description: 'A filled button' },
	{ name: 'Secondary', value: 'secondary', description: 'An outlined button' },
];

/** Saved workflows from before Response Type have none: they are approvals. */
const approval = { show: { operation: ['sendAndWait'], responseType: ['approval'] } };

/** Shown above the Credential: n8n puts the credential under a node's first callout. */
export const linksCallout: INodeProperties = {
	// eslint-disable-next-line n8n-nodes-base/node-param-display-name-miscased -- a callout's text is a sentence, as a notice's is
	displayName:
		"Approvers open links that start with n8n's webhook URL (its WEBHOOK_URL setting). Without it n8n makes them from its own host and port (http://localhost:5678/ by default), which approvers on other machines may not reach; a run warns when they lead to this machine only.",
	name: 'linksNotice',
	type: 'callout',
	default: '',
	displayOptions: show,
};

/** Without an answer by then, the workflow resumes with timedOut = true: the shape of n8n's own send-and-wait. */
export const limitWaitTimeOption: INodeProperties = {
	displayName: 'Limit Wait Time',
	name: 'limitWaitTime',
	type: 'fixedCollection',
	default: { values: { limitType: 'afterTimeInterval', resumeAmount: 1, resumeUnit: 'days' } },
	description: 'Without an answer by then, the workflow resumes with timedOut = true (and approved = null)',
	options: [
		{
			displayName: 'Values',
			name: 'values',
			values: [
				{
					displayName: 'Limit Type',
					name: 'limitType',
					type: 'options',
					default: 'afterTimeInterval',
					options: [
						{ name: 'After Time Interval', value: 'afterTimeInterval' },
						{ name: 'At Specified Time', value: 'atSpecifiedTime' },
					],
				},
				{
					displayName: 'Amount',
					name: 'resumeAmount',
					type: 'number',
					default: 1,
					typeOptions: { minValue: 0, numberPrecision: 2 },
					displayOptions: { show: { limitType: ['afterTimeInterval'] } },
				},
				{
					displayName: 'Unit',
					name: 'resumeUnit',
					type: 'options',
					default: 'days',
					options: [
						{ name: 'Minutes', value: 'minutes' },
						{ name: 'Hours', value: 'hours' },
						{ name: 'Days', value: 'days' },
					],
					displayOptions: { show: { limitType: ['afterTimeInterval'] } },
				},
				{
					displayName: 'Max Date and Time',
					name: 'maxDateAndTime',
					type: 'dateTime',
					default: '',
					displayOptions: { show: { limitType: ['atSpecifiedTime'] } },
				},
			],
		},
	],
};

/** Who decides, shown between the sender and the Subject. */
export const approverProperties: INodeProperties[] = [
	{
		displayName: 'Approvers',
		name: 'approvers',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'anna@example.com, Ben Miller <ben@example.com>',
		description: 'Who may decide, separated by commas. Each gets their own email and links; the first decision resumes the workflow.',
		displayOptions: show,
	},
];

/** The rest of Send Email and Wait for Response's parameters, after the Subject. The wait limit has the shape of n8n's own send-and-wait. */
export const sendAndWaitProperties: INodeProperties[] = [
	{
		displayName: 'Message',
		name: 'message',
		type: 'string',
		typeOptions: { rows: 5 },
		default: '',
		placeholder: '<p>Laptop for Jane, 1,240 EUR.</p>',
		description: 'What is to be approved. HTML is allowed.',
		displayOptions: show,
	},
	{
		displayName: 'Response Type',
		name: 'responseType',
		type: 'options',
		options: [
			{ name: 'Approval', value: 'approval', description: 'Approve or decline with a button in the email' },
			{ name: 'Free Text', value: 'freeText', description: 'Answer in a text box on a page the email links to' },
			{ name: 'Custom Form', value: 'customForm', description: 'Fill in a form of your fields on a page the email links to' },
		],
		default: 'approval',
		displayOptions: show,
	},
	{
		displayName: 'Approval Type',
		name: 'approvalType',
		type: 'options',
		options: [
			{ name: 'Approve or Decline', value: 'approveOrDecline' },
			{ name: 'Approve Only', value: 'approveOnly' },
		],
		default: 'approveOrDecline',
		displayOptions: approval,
	},
	{
		displayName: 'Approve Button Label',
		name: 'approveLabel',
		type: 'string',
		default: 'Approve',
		displayOptions: approval,
	},
	{
		displayName: 'Decline Button Label',
		name: 'declineLabel',
		type: 'string',
		default: 'Decline',
		displayOptions: { show: { ...approval.show, approvalType: ['approveOrDecline'] } },
	},
	{
		displayName: 'Options',
		name: 'approvalOptions',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: approval,
		options: [
			{
				displayName: 'A Decline',
				name: 'declineRule',
				type: 'options',
				default: 'decides',
				options: [
					{ name: 'Counts as One Vote', value: 'vote', description: 'Declined once the approvals needed can no longer come' },
					{ name: 'Decides at Once', value: 'decides', description: 'The first decline declines the request' },
				],
				description: 'What a decline does when several approvers are asked',
			},
			{
				displayName: 'Approvals Needed',
				name: 'approvalsNeeded',
				type: 'options',
				default: 'one',
				options: [
					{ name: 'All Approvers', value: 'all' },
					{ name: 'Any One', value: 'one', description: 'The first approval approves' },
					{ name: 'At Least', value: 'atLeast', description: 'Minimum Approvals of the approvers (all of them if there are fewer)' },
				],
				description: 'How many approvals approve the request; the workflow resumes once the outcome is certain, with every approver in the output',
			},
			{
				displayName: 'Approve Button Style',
				name: 'buttonApprovalStyle',
				type: 'options',
				default: 'primary',
				options: BUTTON_STYLES,
			},
			{
				displayName: 'Ask for a Reason',
				name: 'askForReason',
				type: 'options',
				default: 'never',
				options: [
					{ name: 'Never', value: 'never' },
					{ name: 'On Decline', value: 'onDecline', description: 'The decline page has a reason field' },
					{ name: 'Always', value: 'always', description: 'Every answer page has a reason field' },
				],
				description: 'A reason field on the page where the approver confirms; the reason is in the output as comment',
			},
			{
				displayName: 'Decline Button Style',
				name: 'buttonDeclineStyle',
				type: 'options',
				default: 'secondary',
				options: BUTTON_STYLES,
			},
			{
				displayName: 'Minimum Approvals',
				name: 'minApprovals',
				type: 'number',
				default: 2,
				typeOptions: { minValue: 1 },
				description: 'With Approvals Needed: At Least',
			},
			{
				displayName: 'Reason Required',
				name: 'reasonRequired',
				type: 'boolean',
				default: false,
				description: 'Whether an answer that asks for a reason is refused without one (the page says so and nothing is decided)',
			},
			limitWaitTimeOption,
		],
	},
];
