import { hostname } from 'node:os';

import {
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type INodeType,
	type INodeTypeDescription,
	type IRun,
	type ITriggerFunctions,
	type ITriggerResponse,
} from 'n8n-workflow';

import { bindProblem, smtpConnectorReceiverTest } from './methods/receiverTest';
import { intakeFor, type RespondWhen } from './receive/intake';
import { listen } from './receive/listener';
import { domainList } from './receive/policy';
import { ResentMessages } from './receive/resent';
import { ReceiverSettingsError, receiverSettingsFrom } from './receive/settings';
import { triggerProperties } from './receive/trigger.properties';

export class SmtpConnectorTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'SMTP Connector Trigger',
		name: 'smtpConnectorTrigger',
		icon: { light: 'file:smtpConnector.svg', dark: 'file:smtpConnector.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ $parameter["respondWhen"] === "received" ? "SMTP · accept on receipt" : "SMTP · accept when the workflow has finished" }}',
		description: 'Receive email over SMTP: printers, scanners and apps send to n8n, which can relay it on with OAuth2',
		defaults: { name: 'SMTP Connector Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'smtpConnectorReceiverApi', required: true, testedBy: 'smtpConnectorReceiverTest' }],
		properties: triggerProperties,
	};

	methods = { credentialTest: { smtpConnectorReceiverTest } };

	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		let settings;
		try {
			settings = receiverSettingsFrom(await this.getCredentials('smtpConnectorReceiverApi'));
		} catch (error) {
			throw new NodeOperationError(this.getNode(), error as Error, { description: error instanceof ReceiverSettingsError ? 'Check the SMTP Connector Receiver credential' : undefined });
		}
		const respondWhen = this.getNodeParameter('respondWhen', 'workflowFinished') as RespondWhen;
		const options = this.getNodeParameter('options', {}) as IDataObject;
		const waitMs = Number(options.waitSeconds ?? 120) * 1000;
		const policy = {
			senderDomains: domainList(options.allowedSenderDomains),
			recipientDomains: domainList(options.allowedRecipientDomains),
			maxBytes: Math.round(Number(options.maxSizeMb ?? 25) * 1024 * 1024),
			maxRecipients: Number(options.maxRecipients ?? 100),
			maxConnectionsPerClient: Number(options.maxConnectionsPerClient ?? 10),
			maxMessagesPerMinute: Number(options.maxMessagesPerMinute ?? 120),
		};
		const intake = intakeFor(
			{
				store: (content, fileName, mimeType) => this.helpers.prepareBinaryData(content, fileName, mimeType),
				run: async (item, wait) => {
					const done = wait ? this.helpers.createDeferredPromise<IRun>() : undefined;
					// n8n replaces `emit` after trigger() has returned (manual runs): look it up at each message.
					this.emit([[item]], undefined, done);
					return done?.promise;
				},
			},
			{
				respondWhen,
				waitMs,
				attachmentPrefix: options.downloadAttachments === false ? undefined : String(options.attachmentPrefix ?? 'attachment_'),
				rawProperty: options.includeRawMessage === false ? undefined : String(options.rawMessageProperty ?? 'message'),
			},
			options.recogniseResent === false ? undefined : new ResentMessages(),
		);
		let listener;
		try {
			listener = await listen(settings, policy, intake, {
				name: String(options.serverName || hostname()),
				drainMs: respondWhen === 'received' ? 5_000 : waitMs,
				onError: (error) => this.logger.warn(`SMTP Connector Trigger: ${error.message}`),
			});
		} catch (error) {
			throw new NodeOperationError(this.getNode(), bindProblem(error as NodeJS.ErrnoException, `${settings.host}:${settings.port}`, settings.host));
		}
		return { closeFunction: async () => listener.close() };
	}
}
