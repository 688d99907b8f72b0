import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { MessageInputError } from '../message/errors';
import { readParts } from '../reports/read';
import { kindOf, MalformedReport, type ReportReading } from '../reports/reading';
import { statusMeaning } from '../reports/statusCodes';
import { readReportSource, reportPartsOf } from './readReport.input';
import { errorItem } from './session';

/** One item per recipient the report names; an auto-reply or a mail that is not a report gives one item. */
function itemsOf(reading: ReportReading, i: number): INodeExecutionData[] {
	const common = {
		form: reading.form,
		envelopeId: reading.message.envelopeId,
		reportingMta: reading.message.reportingMta,
		arrivalDate: reading.message.arrivalDate,
		originalMessageId: reading.original.messageId,
		originalSubject: reading.original.subject,
		originalFrom: reading.original.from,
		originalTo: reading.original.to,
		report: reading.mail,
	};
	const none = { action: null, status: null, statusMeaning: null, diagnosticCode: null, remoteMta: null, finalRecipient: null, originalRecipient: null, lastAttemptDate: null, willRetryUntil: null };
	if (!reading.recipients.length) {
		const kind = reading.form === 'none' ? 'notReport' : 'autoReply';
		return [{ json: { kind, ...none, ...common, ...(reading.autoReplyBy ? { autoReplyBy: reading.autoReplyBy } : {}) } as IDataObject, pairedItem: { item: i } }];
	}
	return reading.recipients.map((recipient) => ({
		json: { kind: kindOf(recipient), ...recipient, statusMeaning: statusMeaning(recipient.status), ...common } as IDataObject,
		pairedItem: { item: i },
	}));
}

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const out: INodeExecutionData[] = [];
	const items = this.getInputData();
	for (let i = 0; i < items.length; i++) {
		try {
			out.push(...itemsOf(readParts(await reportPartsOf(this, i, readReportSource(this, i))), i));
		} catch (error) {
			const known = error instanceof MalformedReport || error instanceof MessageInputError;
			const nodeError = new NodeOperationError(this.getNode(), known ? error.message : `The mail could not be read: ${error instanceof Error ? error.message : String(error)}`, {
				itemIndex: i,
				description: error instanceof MalformedReport ? `The delivery report is malformed: ${error.part}` : undefined,
			});
			if (!this.continueOnFail()) throw nodeError;
			out.push(errorItem(nodeError, i));
		}
	}
	return out;
}
