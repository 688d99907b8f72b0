import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import { credentialNameOf } from './credentials';
import * as send from './send.operation';
import * as sendAndWait from './sendAndWait.operation';

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const operation = this.getNodeParameter('operation', 0) as string;
	const credentialName = credentialNameOf(this.getNodeParameter('authentication', 0) as string);
	switch (operation) {
		case 'send':
			return [await send.execute.call(this, credentialName)];
		case 'sendAndWait':
			return [await sendAndWait.execute.call(this, credentialName)];
		default:
			throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported`);
	}
}
