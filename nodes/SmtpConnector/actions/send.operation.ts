import type { NodeApiError, NodeOperationError, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { Delivery } from '../delivery/deliver';
import { composeMail } from '../message/compose';
import { renderMessage } from '../message/render';
import { checkedSize } from '../message/size';
import type { Redact } from '../transport/secrets';
import type { ConnectionSettings } from '../transport/settings';
import type { CredentialName } from './credentials';
import { readMailInput } from './send.input';
import { errorItem, openSession, toNodeError, type Attempts, type ItemLimits, type Session, type SessionFailure } from './session';

export { sendProperties as description } from './send.properties';

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

export async function execute(this: IExecuteFunctions, credentialName: CredentialName): Promise<INodeExecutionData[]> {
	const items = this.getInputData();
	let session: Session;
	try {
		session = await openSession(this, credentialName);
	} catch (failure) {
		const { error, redact } = failure as SessionFailure;
		if (!this.continueOnFail()) throw toNodeError(this, error, 0, undefined, redact);
		return items.map((_, i) => errorItem(toNodeError(this, error, i, undefined, redact), i));
	}
	const { settings, delivery, limits, redact, signal, window: windowSize } = session;
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
		while (next < items.length && !stop.first && !signal?.aborted) {
			const i = next++;
			try {
				out[i] = await processItem(this, i, settings, delivery, limits, redact);
			} catch (error) {
				// Delivery failures arrive as node errors already; anything else (an expression, the input) is not an SMTP matter.
				const nodeError = toNodeError(this, error, i, undefined, redact);
				if (this.continueOnFail()) out[i] = errorItem(nodeError, i, (error as { outcome?: Attempts }).outcome);
				else recordFailure(i, nodeError);
			}
		}
	};
	try {
		await Promise.all(Array.from({ length: Math.min(items.length, windowSize) }, worker));
	} finally {
		delivery.close();
	}
	if (stop.first) throw stop.first.error;
	// A cancelled execution leaves the items it never reached without output; n8n discards it anyway.
	return signal?.aborted ? out.filter(Boolean) : out;
}
