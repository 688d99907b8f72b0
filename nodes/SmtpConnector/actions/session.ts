import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type JsonObject,
} from 'n8n-workflow';

import { DEFAULT_MAX_RECIPIENTS, DEFAULT_MESSAGES_PER_CONNECTION } from '../../../credentials/common/providers';
import { Delivery, type DeliveryConfig } from '../delivery/deliver';
import { SmtpFailure } from '../failures/failure';
import { FAILURE_KINDS } from '../failures/kinds';
import type { MessageLimits } from '../message/compose';
import { MessageInputError, type SmtpReplyNote } from '../message/errors';
import { tokenSourceFor } from '../transport/auth/oauth2';
import { redactorFor, type Redact } from '../transport/secrets';
import { readConnectionSettings, type ConnectionSettings } from '../transport/settings';
import type { CredentialName } from './credentials';

/** What every sending operation needs for one execution: settings, a delivery lease, limits, redaction. */

const unchanged: Redact = (value) => value;

/**
 * Turns whatever failed for item i into the node error n8n shows, naming the field or the SMTP reply.
 * Built only from redacted text: the error's message, description and stack never hold a secret.
 */
export function toNodeError(ctx: IExecuteFunctions, error: unknown, i: number, redact = unchanged) {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	if (error instanceof MessageInputError) {
		const inputError = new NodeOperationError(ctx.getNode(), redact(error.message), { itemIndex: i, description: `Check the "${error.field}" parameter` });
		inputError.context.field = error.field;
		if (error.permanentReply) inputError.context.smtpReply = { ...error.permanentReply };
		return inputError;
	}
	if (!(error instanceof SmtpFailure)) return new NodeOperationError(ctx.getNode(), redact(error instanceof Error ? error.message : String(error)), { itemIndex: i });
	const failure = error.mapText(redact);
	const code = failure.smtpCode ? `SMTP reply code ${failure.smtpCode}${failure.enhancedCode ? ` (${failure.enhancedCode})` : ''}; ` : '';
	const apiError = new NodeApiError(ctx.getNode(), { message: failure.detail } as JsonObject, {
		itemIndex: i,
		description: `${code}failure kind ${failure.kind} (${FAILURE_KINDS[failure.kind].scope})`,
	});
	// Set after construction: NodeApiError swaps a message that mentions ECONNREFUSED & co. for a generic one.
	apiError.message = failure.message;
	const reply: SmtpReplyNote = {
		code: failure.smtpCode ?? null,
		enhancedCode: failure.enhancedCode ?? null,
		// Refused for good by the server (a 5xx for this message or its recipients), not by a setting or a fault here.
		permanent: failure.retry === 'never' && (failure.scope === 'message' || failure.scope === 'recipient') && (failure.smtpCode ?? 0) >= 500,
		text: failure.detail,
	};
	apiError.context.smtpReply = { ...reply };
	return apiError;
}

/** The error output item: the node error, and for an SMTP failure what it was and how often it was tried (never the raw error: it may quote secrets). */
export function errorItem(error: NodeApiError | NodeOperationError, i: number, failure?: SmtpFailure, redact = unchanged): INodeExecutionData {
	const f = failure?.mapText(redact);
	return {
		json: {
			error: {
				message: error.message,
				...(error.description ? { description: error.description } : {}),
				...(f
					? {
							kind: f.kind,
							scope: f.scope,
							retry: f.retry,
							transient: f.retry !== 'never',
							smtpCode: f.smtpCode ?? null,
							enhancedCode: f.enhancedCode ?? null,
							response: f.detail,
							attempts: f.attempts ?? 0,
							possibleDuplicate: f.possibleDuplicate ?? false,
						}
					: {}),
				itemIndex: i,
			},
		},
		pairedItem: { item: i },
	};
}

const number = (value: unknown, fallback: number) => (typeof value === 'number' && Number.isFinite(value) ? value : fallback);

export interface ItemLimits extends MessageLimits {
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

/**
 * Under a rate limit, more connections than the pace keeps busy only sit idle (and count against the
 * provider's connection limit): two per message a second, at least one.
 */
function connectionsForPace({ perSecond, perMinute }: ConnectionSettings['rateLimit']): number {
	const rate = Math.min(perSecond ?? Infinity, perMinute ? perMinute / 60 : Infinity);
	return rate === Infinity ? Infinity : Math.max(1, Math.ceil(rate * 2));
}

function deliveryConfig(ctx: IExecuteFunctions, settings: ConnectionSettings, credentialName: CredentialName): DeliveryConfig {
	const o = ctx.getNodeParameter('deliveryOptions', 0, {}) as IDataObject;
	return {
		pool: {
			maxConnections: Math.min(Math.max(1, Math.floor(number(o.maxConnections, 3))), connectionsForPace(settings.rateLimit)),
			maxMessagesPerConnection: Math.max(0, Math.floor(number(o.maxMessagesPerConnection, 0))) || (settings.provider.messagesPerConnection ?? DEFAULT_MESSAGES_PER_CONNECTION),
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


const credentialIdOf = (ctx: IExecuteFunctions, name: CredentialName) => ctx.getNode().credentials?.[name]?.id ?? undefined;

export interface Session {
	settings: ConnectionSettings;
	delivery: Delivery;
	limits: ItemLimits;
	redact: Redact;
	signal?: AbortSignal;
	/** How many items may be in flight: enough to keep every connection busy. */
	window: number;
}

/** Thrown by openSession: the error, and the redaction to apply to it (the credential was maybe read). */
export interface SessionFailure {
	error: unknown;
	redact: Redact;
}

/** Reads the credential and leases the delivery engine for this execution; close the delivery when done. */
export async function openSession(ctx: IExecuteFunctions, credentialName: CredentialName): Promise<Session> {
	let redact = unchanged;
	try {
		const credential = await ctx.getCredentials(credentialName);
		redact = redactorFor(credential);
		const settings = readConnectionSettings(credential, credentialName);
		const credentialId = credentialIdOf(ctx, credentialName);
		const tokens =
			settings.auth?.kind === 'oauth2'
				? tokenSourceFor(credential, credentialName, { ctx, credentialId: credentialId ?? settings.auth.user })
				: undefined;
		const config = { ...deliveryConfig(ctx, settings, credentialName), tokens };
		const delivery = new Delivery(settings, config);
		config.signal?.addEventListener('abort', () => delivery.close(), { once: true });
		return { settings, delivery, limits: itemLimits(ctx, settings), redact, signal: config.signal, window: config.pool.maxConnections * 2 };
	} catch (error) {
		throw { error, redact } satisfies SessionFailure;
	}
}
