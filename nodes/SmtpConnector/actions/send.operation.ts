import type { IDataObject, IExecuteFunctions, INodeExecutionData, NodeApiError, NodeOperationError } from 'n8n-workflow';

import { IdempotencyKeyHeld, type Claim, type ClaimedKey, type KeyStore } from '../coordination/idempotency';
import { keyStoreFor } from '../coordination/keyStores';
import { IN_THIS_RUN, RunKeyStore } from '../coordination/runKeyStore';
import type { Delivery, Outcome, Slot } from '../delivery/deliver';
import { Slots } from '../delivery/slots';
import { SmtpFailure } from '../failures/failure';
import { recognise } from '../failures/recognise';
import { composeMail, type ComposedMail } from '../message/compose';
import { askForDsn, dsnOutcome } from '../message/dsn';
import { renderMessage } from '../message/render';
import { checkedSize } from '../message/size';
import type { Redact } from '../transport/secrets';
import type { ConnectionSettings } from '../transport/settings';
import type { CredentialName } from './credentials';
import { ReadAhead } from './readAhead';
import { relayMail } from './relay.input';
import { readAttachments, readMailParameters, type SendParameters } from './send.input';
import { errorItem, openSession, toNodeError, type ItemLimits, type Session, type SessionFailure } from './session';

/** The email tool's keys for "the same mail in this run" (agent/sameMail). */
const RUN_KEYS = new RunKeyStore();

/** How one item's key is kept: the store, and whether a send that ended unknown is tried again. */
interface Idempotency {
	keys: KeyStore;
	retryUnknown: boolean;
}

/** The output of an item whose key was sent before: no mail, and what is known of the earlier one. */
function skippedItem(key: string, claim: Extract<Claim, { kind: 'sent' }>, i: number): INodeExecutionData {
	const record = claim.record;
	const json: IDataObject = { skipped: true, idempotencyKey: key, reason: record?.outcome === 'unknown' ? 'sentBeforeOutcomeUnknown' : 'alreadySent', keptIn: claim.store };
	if (record?.sentAt) json.sentAt = record.sentAt;
	if (record?.messageId) json.messageId = record.messageId;
	if (record?.accepted) json.accepted = record.accepted;
	return { json, pairedItem: { item: i } };
}

/** Claims the item's key; a store that cannot be used stops the batch, as wrong settings do. */
async function claimKey(key: string, idempotency: Idempotency, settings: ConnectionSettings, delivery: Delivery): Promise<Claim> {
	try {
		return await idempotency.keys.claim(key, { retryUnknown: idempotency.retryUnknown });
	} catch (error) {
		const failure = recognise(error, settings);
		if (failure.scope === 'configuration') delivery.stop(failure);
		throw failure;
	}
}

/** After the send: a mail that went out is recorded, one whose end is unknown too; one that surely did not releases the key. Resolves to why a record did not take. */
async function settleClaim(claim: ClaimedKey, outcome: Outcome): Promise<string | undefined> {
	const sentAt = new Date().toISOString();
	try {
		if (outcome.ok) return await claim.record({ outcome: 'sent', sentAt, messageId: outcome.sent.messageId, accepted: outcome.sent.accepted });
		if (outcome.possibleDuplicate) return await claim.record({ outcome: 'unknown', sentAt, messageId: outcome.messageId });
		await claim.release();
		return undefined;
	} catch (error) {
		return error instanceof Error ? error.message : String(error);
	}
}

/** The item's message: built from its fields, or the received message it carries, sent on. */
async function messageOf(ctx: IExecuteFunctions, i: number, parameters: SendParameters, settings: ConnectionSettings, limits: ItemLimits): Promise<ComposedMail> {
	if (parameters.source === 'rawBinary') return await relayMail(ctx, i, parameters, settings.sender, limits);
	if (parameters.attachmentSources.length) parameters.attachments = await readAttachments(ctx, i, parameters.attachmentSources);
	return composeMail(parameters, settings.sender, limits);
}

/** The output item for one input item: sent, previewed, skipped (its key was sent before), or (with continueOnFail) failed. */
async function processItem(
	ctx: IExecuteFunctions,
	i: number,
	settings: ConnectionSettings,
	delivery: Delivery,
	limits: ItemLimits,
	redact: Redact,
	slot: Slot,
	parameters: SendParameters,
	idempotency: Idempotency,
): Promise<INodeExecutionData> {
	const { mail, duplicates } = await messageOf(ctx, i, parameters, settings, limits);
	if (settings.dkim) mail.dkim = settings.dkim;
	const dsn = askForDsn(mail, parameters.dsn, parameters.idempotencyKey);
	const size = await checkedSize(mail, limits.maxMessageBytes, limits.sizeLimitName);
	if (parameters.preview) {
		const rendered = await renderMessage(mail);
		return {
			json: { preview: true, messageId: rendered.messageId, envelope: rendered.envelope, ...(dsn ? { deliveryNotifications: { ...dsn } } : {}) },
			binary: { data: await ctx.helpers.prepareBinaryData(rendered.eml, 'message.eml', 'message/rfc822') },
			pairedItem: { item: i },
		};
	}
	const key = parameters.idempotencyKey;
	const runScoped = parameters.source === 'fields' && parameters.keyScope === 'run';
	const claim = key ? await claimKey(key, runScoped ? { ...idempotency, keys: RUN_KEYS } : idempotency, settings, delivery) : undefined;
	if (key && claim?.kind === 'sent') return redact(skippedItem(key, claim, i));
	// The email tool's own key, held: the model called it twice at once with the same mail; one call sends it.
	if (key && claim?.kind === 'held' && runScoped) return { json: { skipped: true, reason: 'sendingNow', keptIn: IN_THIS_RUN }, pairedItem: { item: i } };
	if (key && claim?.kind === 'held') throw recognise(new IdempotencyKeyHeld(key, claim.since, claim.freeAt), settings);
	const send = async () => await delivery.deliver(mail, { size, slot });
	const outcome = claim?.kind === 'claimed' ? await claim.holding(send) : await send();
	const unrecorded = claim?.kind === 'claimed' ? await settleClaim(claim, outcome) : undefined;
	if (!outcome.ok) throw outcome.failure;
	const { attempts, durationMs, possibleDuplicate, recipients, sent } = outcome;
	const json: IDataObject = {
		messageId: sent.messageId,
		accepted: sent.accepted,
		rejected: sent.rejected,
		rejectedReplies: sent.rejectedReplies as unknown as IDataObject[],
		response: sent.response,
		envelope: sent.envelope,
	};
	if (sent.deferred.length) json.deferred = sent.deferred;
	if (sent.unknown.length) json.unknown = sent.unknown;
	if (sent.deferred.length || sent.unknown.length) json.recipients = recipients as unknown as IDataObject[];
	json.attempts = attempts;
	json.durationMs = durationMs;
	if (possibleDuplicate) json.possibleDuplicate = possibleDuplicate;
	if (duplicates.length) json.duplicateRecipients = duplicates;
	if (dsn) json.deliveryNotifications = dsnOutcome(dsn, sent.dsnOffered);
	if (key) json.idempotencyKey = key;
	// Sent, but the store did not take the record: a later run may send it again.
	if (unrecorded) json.idempotencyNotRecorded = unrecorded;
	return {
		json: redact(json),
		pairedItem: { item: i },
	};
}

/** The execution fails, but these items went out: the error names them (index and Message-ID), so a retry can leave them out. */
function withSentItems(error: NodeApiError | NodeOperationError, out: INodeExecutionData[], maybeSent: number[]) {
	const sent = out.flatMap((item, i) => (item?.json.messageId && !item.json.skipped && !item.json.preview ? [`item ${i} (${String(item.json.messageId)})`] : []));
	const notes = [
		...(sent.length ? [`Sent before the execution stopped, and sent again by a retry unless they carry an Idempotency Key: ${sent.join(', ')}`] : []),
		...(maybeSent.length ? [`May have been sent (the connection ended after the whole message went out): ${maybeSent.map((i) => `item ${i}`).join(', ')}`] : []),
	];
	if (!notes.length) return error;
	error.description = [error.description, ...notes].filter(Boolean).join('. ');
	return error;
}

export async function execute(this: IExecuteFunctions, credentialName: CredentialName): Promise<INodeExecutionData[]> {
	const items = this.getInputData();
	let session: Session;
	try {
		session = await openSession(this, credentialName);
	} catch (failure) {
		const { error, redact } = failure as SessionFailure;
		if (!this.continueOnFail()) throw toNodeError(this, error, 0, redact);
		return items.map((_, i) => errorItem(toNodeError(this, error, i, redact), i));
	}
	const { settings, delivery, limits, redact, signal, window: windowSize } = session;
	const out: INodeExecutionData[] = new Array(items.length);
	const stop: { first?: { index: number; error: NodeApiError | NodeOperationError } } = {};
	/** Without continueOnFail: failed items whose mail may have reached the server all the same. */
	const maybeSent: number[] = [];
	// Without continueOnFail the execution fails with the earliest failed item, as a sequential run would;
	// messages no connection has taken yet are not sent, the ones on the wire finish.
	const recordFailure = (index: number, error: NodeApiError | NodeOperationError) => {
		if (!stop.first || index < stop.first.index) stop.first = { index, error };
		delivery.halt();
	};

	const deliveryOptions = this.getNodeParameter('deliveryOptions', 0, {}) as IDataObject;
	const idempotency: Idempotency = {
		keys: keyStoreFor(this, settings.sharedStore, Number(deliveryOptions.keepIdempotencyKeysDays ?? 7)),
		retryUnknown: deliveryOptions.retryPossibleDuplicates === true,
	};
	// A bounded number of items in flight: enough to keep every connection busy, while only a few
	// composed messages exist at any time however many items the execution has. An item waiting out a
	// retry's backoff gives its place up (see Delivery).
	const slots = new Slots(windowSize);
	const running = new Set<Promise<void>>();
	const parameters = new ReadAhead(items.length, (i) => readMailParameters(this, i));
	const run = async (i: number) => {
		try {
			const read = parameters.take(i);
			// Wrong settings stopped the delivery: the items not yet sent fail at once, with its diagnosis.
			if (delivery.stoppedBy) throw delivery.stoppedBy.after({ attempts: 0, possibleDuplicate: false });
			if (!read.ok) throw read.error;
			out[i] = await processItem(this, i, settings, delivery, limits, redact, slots, read.value, idempotency);
		} catch (error) {
			// Not sent because an earlier item failed: the execution fails with that item's error.
			if (error instanceof SmtpFailure && error.kind === 'withdrawn') return;
			const nodeError = toNodeError(this, error, i, redact);
			if (this.continueOnFail()) out[i] = errorItem(nodeError, i, error instanceof SmtpFailure ? error : undefined, redact);
			else {
				if (error instanceof SmtpFailure && error.possibleDuplicate) maybeSent.push(i);
				recordFailure(i, nodeError);
			}
		} finally {
			slots.release();
		}
	};
	try {
		for (let i = 0; i < items.length && !stop.first && !signal?.aborted; i++) {
			await slots.acquire();
			if (stop.first || signal?.aborted) {
				slots.release();
				break;
			}
			const task = run(i);
			running.add(task);
			void task.finally(() => running.delete(task));
		}
		await Promise.all(running);
	} finally {
		delivery.close();
	}
	if (stop.first) throw withSentItems(stop.first.error, out, maybeSent.sort((a, b) => a - b));
	// A cancelled execution leaves the items it never reached without output; n8n discards it anyway.
	return signal?.aborted ? out.filter(Boolean) : out;
}
