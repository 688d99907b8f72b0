import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import { asEmailToolResults, forModel, isEmailTool } from '../agent/toolResult';
import { credentialNameOf } from './credentials';
import * as readReport from './readReport.operation';
import * as send from './send.operation';
import * as sendAndWait from './sendAndWait.operation';

/** The value of the "Custom API Call" option n8n may add to the Operation list (n8n's CUSTOM_API_CALL_KEY). */
const CUSTOM_API_CALL = '__CUSTOM_API_CALL__';

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const operation = this.getNodeParameter('operation', 0) as string;
	// Reading a report needs no server.
	if (operation === 'readReport') return [await readReport.execute.call(this)];
	const credentialName = credentialNameOf(this.getNodeParameter('authentication', 0) as string);
	switch (operation) {
		case 'send': {
			if (!isEmailTool(this.getNode())) return [await send.execute.call(this, credentialName)];
			try {
				return [asEmailToolResults(await send.execute.call(this, credentialName))];
			} catch (error) {
				throw forModel(this.getNode(), error);
			}
		}
		case 'sendAndWait':
			return [await sendAndWait.execute.call(this, credentialName)];
		case CUSTOM_API_CALL:
			throw new NodeOperationError(
				this.getNode(),
				'"Custom API Call" makes HTTP requests, and SMTP is not an HTTP API: choose Send Email, Send Email and Wait for Response, or Read Delivery Report',
			);
		default:
			throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported`);
	}
}
