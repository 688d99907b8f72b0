import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type JsonObject,
} from 'n8n-workflow';

import { DeliverySession } from '../delivery/session';
import { diagnose, explainToUser } from '../methods/diagnose';
import type { AttachmentInput } from '../message/attachments';
import { composeMail, type MailInput } from '../message/compose';
import { MessageInputError } from '../message/errors';
import { renderMessage } from '../message/render';
import { readConnectionSettings, type ConnectionSettings } from '../transport/settings';
import type { CredentialName } from './credentials';

export { sendProperties as description } from './send.properties';

interface AttachmentParameter {
	binaryPropertyName: string;
	inline?: boolean;
	cid?: string;
	fileName?: string;
	contentType?: string;
}

async function readAttachments(ctx: IExecuteFunctions, i: number, entries: AttachmentParameter[]) {
	const result: AttachmentInput[] = [];
	for (const entry of entries) {
		for (const property of String(entry.binaryPropertyName ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
			const binary = ctx.helpers.assertBinaryData(i, property);
			result.push({
				content: await ctx.helpers.getBinaryDataBuffer(i, property),
				fileName: entry.fileName || binary.fileName || property,
				contentType: entry.contentType || binary.mimeType,
				cid: entry.inline ? entry.cid || property : undefined,
			});
		}
	}
	return result;
}

async function readMailInput(ctx: IExecuteFunctions, i: number): Promise<MailInput & { preview: boolean }> {
	const options = ctx.getNodeParameter('options', i, {}) as IDataObject;
	const attachments = (options.attachmentsUi as { attachment?: AttachmentParameter[] } | undefined)?.attachment ?? [];
	const headers = (options.headersUi as { header?: Array<{ name: string; value: string }> } | undefined)?.header ?? [];
	return {
		fromEmail: ctx.getNodeParameter('fromEmail', i, ''),
		fromName: String(ctx.getNodeParameter('fromName', i, '') ?? ''),
		toEmail: ctx.getNodeParameter('toEmail', i),
		subject: String(ctx.getNodeParameter('subject', i, '') ?? ''),
		html: String(ctx.getNodeParameter('html', i, '') ?? ''),
		text: options.text ? String(options.text) : undefined,
		ccEmail: options.ccEmail,
		bccEmail: options.bccEmail,
		replyTo: options.replyTo,
		attachments: await readAttachments(ctx, i, attachments),
		headers: headers.map((h) => ({ name: String(h.name ?? ''), value: String(h.value ?? '') })),
		priority: options.priority as MailInput['priority'],
		inReplyTo: options.inReplyTo ? String(options.inReplyTo) : undefined,
		references: options.references,
		messageId: options.messageId ? String(options.messageId) : undefined,
		redirectAllTo: options.redirectAllTo ? String(options.redirectAllTo) : undefined,
		preview: options.preview === true,
	};
}

/** Turns whatever failed for item i into the node error n8n shows, naming the field or the SMTP reply. */
function toNodeError(ctx: IExecuteFunctions, error: unknown, i: number, settings?: ConnectionSettings) {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	if (error instanceof MessageInputError) {
		return new NodeOperationError(ctx.getNode(), error.message, { itemIndex: i, description: `Check the "${error.field}" parameter` });
	}
	if (!settings) return new NodeOperationError(ctx.getNode(), error as Error, { itemIndex: i });
	const diagnosis = diagnose(error, settings);
	const apiError = new NodeApiError(ctx.getNode(), { message: diagnosis.detail } as JsonObject, {
		itemIndex: i,
		description: diagnosis.smtpCode ? `SMTP reply code ${diagnosis.smtpCode}` : undefined,
	});
	// Set after construction: NodeApiError swaps a message that mentions ECONNREFUSED & co. for a generic one.
	apiError.message = explainToUser(diagnosis);
	return Object.assign(apiError, { diagnosis });
}

function errorItem(error: NodeApiError | NodeOperationError, i: number): INodeExecutionData {
	const diagnosis = (error as { diagnosis?: ReturnType<typeof diagnose> }).diagnosis;
	return {
		json: {
			error: {
				message: error.message,
				...(error.description ? { description: error.description } : {}),
				...(diagnosis
					? { kind: diagnosis.kind, smtpCode: diagnosis.smtpCode ?? null, response: diagnosis.detail, transient: diagnosis.transient }
					: {}),
				itemIndex: i,
			},
		},
		pairedItem: { item: i },
	};
}

export async function execute(this: IExecuteFunctions, credentialName: CredentialName): Promise<INodeExecutionData[]> {
	const items = this.getInputData();
	const out: INodeExecutionData[] = [];
	let settings: ConnectionSettings | undefined;
	let settingsError: unknown;
	try {
		settings = readConnectionSettings(await this.getCredentials(credentialName));
	} catch (error) {
		settingsError = error;
	}
	const session = settings && new DeliverySession(settings);
	this.getExecutionCancelSignal()?.addEventListener('abort', () => session?.close());

	try {
		for (let i = 0; i < items.length; i++) {
			try {
				if (!settings || !session) throw new NodeOperationError(this.getNode(), settingsError as Error, { itemIndex: i });
				const { preview, ...input } = await readMailInput(this, i);
				const mail = composeMail(input, settings.sender);
				if (preview) {
					const rendered = await renderMessage(mail);
					out.push({
						json: { preview: true, messageId: rendered.messageId, envelope: rendered.envelope },
						binary: { data: await this.helpers.prepareBinaryData(rendered.eml, 'message.eml', 'message/rfc822') },
						pairedItem: { item: i },
					});
					continue;
				}
				const sent = await session.send(mail);
				const { rejectedReplies, ...json } = sent;
				out.push({
					json: { ...json, ...(rejectedReplies.length ? { rejectedReplies } : {}) },
					pairedItem: { item: i },
				});
			} catch (error) {
				const nodeError = toNodeError(this, error, i, settings);
				if (!this.continueOnFail()) throw nodeError;
				out.push(errorItem(nodeError, i));
			}
		}
	} finally {
		session?.close();
	}
	return out;
}
