import type { IExecuteFunctions } from 'n8n-workflow';

import { parseAddresses, withoutDuplicates } from '../message/addresses';
import { sender, type ComposedMail, type MessageLimits, type SenderDefaults } from '../message/compose';
import { MessageInputError } from '../message/errors';
import { relayMessage } from '../message/raw';
import type { RelayParameters } from './send.input';

/**
 * The mail for a raw message sent on: its bytes as received (see message/raw), the envelope from the
 * parameters — sender as for any mail (From Email, else the credential's), recipients from Envelope Recipients.
 */
export async function relayMail(ctx: IExecuteFunctions, i: number, parameters: RelayParameters, defaults: SenderDefaults, limits: MessageLimits): Promise<ComposedMail> {
	const from = sender(parameters, defaults);
	const {
		lists: [to],
		duplicates,
	} = withoutDuplicates([parseAddresses(parameters.envelopeTo, 'Envelope Recipients')]);
	if (!to.length) throw new MessageInputError('Envelope Recipients', 'Envelope Recipients is empty: give at least one recipient (the SMTP Connector Trigger gives them as envelope.rcptTo)');
	if (limits.maxRecipients && to.length > limits.maxRecipients) {
		throw new MessageInputError('Envelope Recipients', `${to.length} recipients is more than the ${limits.maxRecipients} allowed per message: raise Max Recipients per Message`);
	}
	const source = await ctx.helpers.getBinaryDataBuffer(i, parameters.property);
	const relayed = await relayMessage(source, { maxReceived: parameters.maxReceived, from: parameters.replaceFrom ? from : undefined, messageIdDomain: from.address.split('@')[1] || 'localhost' });
	return {
		mail: { raw: relayed.raw, from: from.address, to: to.map((a) => a.address), messageId: relayed.messageId, disableFileAccess: true, disableUrlAccess: true },
		duplicates,
	};
}
