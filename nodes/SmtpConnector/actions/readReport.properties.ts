import type { INodeProperties } from 'n8n-workflow';

const readReport = { operation: ['readReport'] };

export const readReportProperties: INodeProperties[] = [
	{
		displayName:
			'Reads a bounce, a delivery report (DSN) or an auto-reply into one item per recipient: kind (hard bounce, soft bounce, delay, delivered, auto-reply, not a report), status and the original Message-ID. Feed it the Email Trigger (IMAP) in Resolved format, or any binary .eml.',
		name: 'readReportNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: readReport },
	},
	{
		displayName: 'Input',
		name: 'reportSource',
		type: 'options',
		noDataExpression: true,
		default: 'auto',
		displayOptions: { show: readReport },
		options: [
			{
				name: 'Detect',
				value: 'auto',
				description: 'A binary .eml (message/rfc822), else the field "raw", else an Email Trigger (IMAP) item (Resolved or Simple format)',
			},
			{ name: 'Binary File (.eml)', value: 'binary', description: 'The whole mail in a binary property' },
			{ name: 'Field With the Message Source', value: 'field', description: 'The whole mail (or its body, as the Email Trigger’s RAW format gives it) as text in a field' },
		],
	},
	{
		displayName: 'Input Binary Field',
		name: 'reportBinaryProperty',
		type: 'string',
		default: 'data',
		displayOptions: { show: { ...readReport, reportSource: ['binary'] } },
	},
	{
		displayName: 'Field Name',
		name: 'reportField',
		type: 'string',
		default: 'raw',
		description: 'A dot separates nested names, e.g. message.source',
		displayOptions: { show: { ...readReport, reportSource: ['field'] } },
	},
];
