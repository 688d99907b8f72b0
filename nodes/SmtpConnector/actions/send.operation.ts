import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type JsonObject,
} from 'n8n-workflow';

import { Delivery, type DeliveryConfig, type Outcome } from '../delivery/deliver';
import { diagnose, explainToUser } from '../methods/diagnose';
import { DEFAULT_MAX_RECIPIENTS } from '../../../credentials/common/providers';
import { composeMail, type MessageLimits } from '../message/compose';
import { MessageInputError } from '../message/errors';
import { renderMessage } from '../message/render';
import { checkedSize } from '../message/size';
import { tokenSourceFor } from '../transport/auth/oauth2';
import type { TokenSource } from '../transport/auth/tokens';
import { redactorFor, type Redact } from '../transport/secrets';
import { readConnectionSettings, type ConnectionSettings } from '../transport/settings';
import type { CredentialName } from './credentials';
import { readMailInput } from './send.input';

export { sendProperties as description } from './send.properties';

const unchanged: Redact = (value) => value;

/**
 * Turns whatever failed for item i into the node error n8n shows, naming the field or the SMTP reply.
 * Built only from redacted text: the error's message, description and stack never hold a secret.
 */
function toNodeError(ctx: IExecuteFunctions, error: unknown, i: number, settings?: ConnectionSettings, redact = unchanged) {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	if (error instanceof MessageInputError) {
		return new NodeOperationError(ctx.getNode(), redact(error.message), { itemIndex: i, description: `Check the "${error.field}" parameter` });
	}
	if (!settings) return new NodeOperationError(ctx.getNode(), redact(error instanceof Error ? error.message : String(error)), { itemIndex: i });
	const diagnosis = redact(diagnose(error, settings));
	const apiError = new NodeApiError(ctx.getNode(), { message: diagnosis.detail } as JsonObject, {
		itemIndex: i,
		description: diagnosis.smtpCode ? `SMTP reply code ${diagnosis.smtpCode}` : undefined,
	});
	// Set after construction: NodeApiError swaps a message that mentions ECONNREFUSED & co. for a generic one.
	apiError.message = explainToUser(diagnosis);
	return Object.assign(apiError, { diagnosis });
}

/** What a failed delivery adds to its error: how often it was tried, never the raw error (it may quote secrets). */
type Attempts = Pick<Outcome, 'attempts' | 'possibleDuplicate'>;

function errorItem(error: NodeApiError | NodeOperationError, i: number, outcome?: Attempts): INodeExecutionData {
	const diagnosis = (error as { diagnosis?: ReturnType<typeof diagnose> }).diagnosis;
	return {
		json: {
			error: {
				message: error.message,
				...(error.description ? { description: error.description } : {}),
				...(diagnosis
					? { kind: diagnosis.kind, smtpCode: diagnosis.smtpCode ?? null, response: diagnosis.detail, transient: diagnosis.transient }
					: {}),
				...(outcome ? { attempts: outcome.attempts, possibleDuplicate: outcome.possibleDuplicate } : {}),
				itemIndex: i,
			},
		},
		pairedItem: { item: i },
	};
}

const number = (value: unknown, fallback: number) => (typeof value === 'number' && Number.isFinite(value) ? value : fallback);

interface ItemLimits extends MessageLimits {
	maxMessageBytes?: number;
	/** Where the size limit comes from, for the error. */
	sizeLimitName: string;
}

/** Per-message limits: the node's own, else the provider's. */
function itemLimits(ctx: IExecuteFunctions, settings: ConnectionSettings): ItemLimits {
	const o = ctx.getNodeParameter('deliveryOptions', 0, {}) as IDataObject;
	const provider = settings.provider.limits ?? {};
	const ownMb = number(o.maxMessageSizeMb, 0);
	const mb = ownMb > 0 ? ownMb : provider.messageMb;
	return {
		maxRecipients: Math.floor(number(o.maxRecipients, 0)) || provider.recipients || DEFAULT_MAX_RECIPIENTS,
		maxMessageBytes: mb ? mb * 1024 * 1024 : undefined,
		sizeLimitName: ownMb > 0 ? 'Max Message Size' : `limit of ${settings.provider.name}`,
	};
}

function deliveryConfig(ctx: IExecuteFunctions, settings: ConnectionSettings, credentialName: CredentialName): DeliveryConfig {
	const o = ctx.getNodeParameter('deliveryOptions', 0, {}) as IDataObject;
	return {
		pool: {
			maxConnections: Math.max(1, Math.floor(number(o.maxConnections, 3))),
			maxMessagesPerConnection: Math.max(1, Math.floor(number(o.maxMessagesPerConnection, 100))),
		},
		retry: {
			retries: Math.max(0, Math.floor(number(o.retries, 3))),
			baseDelayMs: Math.max(0, number(o.retryDelay, 1) * 1000),
			maxDelayMs: 30_000,
			retryAmbiguous: o.retryPossibleDuplicates === true,
		},
		rateLimit: settings.rateLimit,
		credentialId: credentialIdOf(ctx, credentialName),
		signal: ctx.getExecutionCancelSignal(),
	};
}

/** The output item for one input item: sent, previewed, or (with continueOnFail) failed. */
async function processItem(
	ctx: IExecuteFunctions,
	i: number,
	settings: ConnectionSettings,
	delivery: Delivery,
	limits: ItemLimits,
	redact: Redact,
): Promise<INodeExecutionData> {
	const { preview, ...input } = await readMailInput(ctx, i);
	const { mail, duplicates } = composeMail(input, settings.sender, limits);
	if (settings.dkim) mail.dkim = settings.dkim;
	const size = await checkedSize(mail, limits.maxMessageBytes, limits.sizeLimitName);
	if (preview) {
		const rendered = await renderMessage(mail);
		return {
			json: { preview: true, messageId: rendered.messageId, envelope: rendered.envelope },
			binary: { data: await ctx.helpers.prepareBinaryData(rendered.eml, 'message.eml', 'message/rfc822') },
			pairedItem: { item: i },
		};
	}
	const outcome = await delivery.deliver(mail, { size });
	if (!outcome.ok) {
		const attempts: Attempts = { attempts: outcome.attempts, possibleDuplicate: outcome.possibleDuplicate };
		throw Object.assign(toNodeError(ctx, outcome.error, i, settings, redact), { outcome: attempts });
	}
	const { attempts, durationMs, possibleDuplicate } = outcome;
	return {
		json: redact({
			...outcome.sent,
			attempts,
			durationMs,
			...(possibleDuplicate ? { possibleDuplicate } : {}),
			...(duplicates.length ? { duplicateRecipients: duplicates } : {}),
		}),
		pairedItem: { item: i },
	};
}

const credentialIdOf = (ctx: IExecuteFunctions, name: CredentialName) => ctx.getNode().credentials?.[name]?.id ?? undefined;

export async function execute(this: IExecuteFunctions, credentialName: CredentialName): Promise<INodeExecutionData[]> {
	const items = this.getInputData();
	let settings: ConnectionSettings;
	let tokens: TokenSource | undefined;
	let redact = unchanged;
	try {
		const credential = await this.getCredentials(credentialName);
		redact = redactorFor(credential);
		settings = readConnectionSettings(credential, credentialName);
		if (settings.auth?.kind === 'oauth2') {
			tokens = tokenSourceFor(credential, credentialName, { ctx: this, credentialId: credentialIdOf(this, credentialName) ?? settings.auth.user });
		}
	} catch (error) {
		if (!this.continueOnFail()) throw toNodeError(this, error, 0, undefined, redact);
		return items.map((_, i) => errorItem(toNodeError(this, error, i, undefined, redact), i));
	}
	const config = { ...deliveryConfig(this, settings, credentialName), tokens };
	const limits = itemLimits(this, settings);
	const delivery = new Delivery(settings, config);
	config.signal?.addEventListener('abort', () => delivery.close(), { once: true });
	const out: INodeExecutionData[] = new Array(items.length);
	const stop: { first?: { index: number; error: NodeApiError | NodeOperationError } } = {};
	// Without continueOnFail the execution fails with the earliest failed item, as a sequential run would.
	const recordFailure = (index: number, error: NodeApiError | NodeOperationError) => {
		if (!stop.first || index < stop.first.index) stop.first = { index, error };
	};
	let next = 0;

	// A bounded window of items in flight: enough to keep every connection busy, while only a few
	// composed messages exist at any time however many items the execution has.
	const worker = async () => {
		while (next < items.length && !stop.first && !config.signal?.aborted) {
			const i = next++;
			try {
				out[i] = await processItem(this, i, settings, delivery, limits, redact);
			} catch (error) {
				const nodeError = toNodeError(this, error, i, settings, redact);
				if (this.continueOnFail()) out[i] = errorItem(nodeError, i, (error as { outcome?: Attempts }).outcome);
				else recordFailure(i, nodeError);
			}
		}
	};
	try {
		const window = Math.min(items.length, config.pool.maxConnections * 2);
		await Promise.all(Array.from({ length: window }, worker));
	} finally {
		delivery.close();
	}
	if (stop.first) throw stop.first.error;
	// A cancelled execution leaves the items it never reached without output; n8n discards it anyway.
	return config.signal?.aborted ? out.filter(Boolean) : out;
}
