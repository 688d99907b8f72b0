import {
	NodeConnectionTypes,
	SEND_AND_WAIT_OPERATION,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import { AUTHENTICATION_OPTIONS } from './actions/credentials';
import { operationProperties } from './actions/properties';
import { router } from './actions/router';
import { approvalWebhook } from './approval/webhook';
import { smtpConnectorOAuth2Test, smtpConnectorTest } from './methods/credentialTest';

export class SmtpConnector implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'SMTP Connector',
		name: 'smtpConnector',
		icon: { light: 'file:smtpConnector.svg', dark: 'file:smtpConnector.dark.svg' },
		group: ['output'],
		// A list, not `1`: n8n adds "Custom API Call" (an HTTP request with the node's credential, meaningless
		// for SMTP) to the Operation list of a node whose credential extends oAuth2Api, but only where
		// `defaultVersion === version`; the OAuth2 credential must extend oAuth2Api for n8n's sign-in and refresh.
		version: [1],
		defaultVersion: 1,
		subtitle: '={{ { sendAndWait: "SMTP · approval", readReport: "SMTP · read delivery report" }[$parameter["operation"]] ?? "SMTP · send email" }}',
		description: 'Send email and approval requests over SMTP (Gmail, Microsoft 365, SES, any relay) on warm pooled connections, with retries and rate limits',
		defaults: { name: 'SMTP Connector' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		usableAsTool: true,
		// The approval links: n8n signs them (getSignedResumeUrl) and checks the signature before calling webhook().
		webhooks: (['GET', 'POST'] as const).map((httpMethod) => ({
			name: 'default' as const,
			httpMethod,
			responseMode: 'onReceived',
			responseData: '',
			path: '={{ $nodeId }}',
			restartWebhook: true,
			isFullPath: true,
		})),
		credentials: [
			{
				name: 'smtpConnectorApi',
				required: true,
				testedBy: 'smtpConnectorTest',
				displayOptions: { show: { authentication: ['smtpConnectorApi'], operation: ['send', SEND_AND_WAIT_OPERATION] } },
			},
			{
				name: 'smtpConnectorOAuth2Api',
				required: true,
				testedBy: 'smtpConnectorOAuth2Test',
				displayOptions: { show: { authentication: ['oAuth2'], operation: ['send', SEND_AND_WAIT_OPERATION] } },
			},
		],
		properties: [
			{
				displayName: 'Authentication',
				name: 'authentication',
				type: 'options',
				options: AUTHENTICATION_OPTIONS,
				default: 'smtpConnectorApi',
				displayOptions: { hide: { operation: ['readReport'] } },
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Send Email', value: 'send', action: 'Send an email' },
					{
						name: 'Send Email and Wait for Response',
						value: SEND_AND_WAIT_OPERATION,
						action: 'Send an email and wait for an approval or an answer',
					},
					{
						name: 'Read Delivery Report',
						value: 'readReport',
						action: 'Read a bounce or delivery report',
						description: 'Turn a bounce, a delivery status notification (DSN) or an auto-reply into workflow data',
					},
				],
				default: 'send',
			},
			...operationProperties,
		],
	};

	methods = {
		credentialTest: { smtpConnectorTest, smtpConnectorOAuth2Test },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await approvalWebhook.call(this);
	}
}
