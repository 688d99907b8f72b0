import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { AUTHENTICATION_OPTIONS } from './actions/credentials';
import { router } from './actions/router';
import * as send from './actions/send.operation';
import { smtpConnectorOAuth2Test, smtpConnectorTest } from './methods/credentialTest';

export class SmtpConnector implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'SMTP Connector',
		name: 'smtpConnector',
		icon: { light: 'file:smtpConnector.svg', dark: 'file:smtpConnector.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{ $parameter["operation"] === "send" ? "Send Email" : $parameter["operation"] }}',
		description: 'Send email over SMTP with provider presets, TLS control and one connection per execution',
		defaults: { name: 'Send Email' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		usableAsTool: true,
		credentials: [
			{
				name: 'smtpConnectorApi',
				required: true,
				testedBy: 'smtpConnectorTest',
				displayOptions: { show: { authentication: ['smtpConnectorApi'] } },
			},
			{
				name: 'smtpConnectorOAuth2Api',
				required: true,
				testedBy: 'smtpConnectorOAuth2Test',
				displayOptions: { show: { authentication: ['oAuth2'] } },
			},
		],
		properties: [
			{
				displayName: 'Authentication',
				name: 'authentication',
				type: 'options',
				options: AUTHENTICATION_OPTIONS,
				default: 'smtpConnectorApi',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: [{ name: 'Send Email', value: 'send', action: 'Send an email' }],
				default: 'send',
			},
			...send.description,
		],
	};

	methods = {
		credentialTest: { smtpConnectorTest, smtpConnectorOAuth2Test },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
