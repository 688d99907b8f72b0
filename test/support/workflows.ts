import type { IConnections, INode, INodeExecutionData, INodeParameters, INodeType, IRun } from 'n8n-workflow';

import { SmtpConnector } from '../../nodes/SmtpConnector/SmtpConnector.node';
import { runWorkflow } from './engine';

export const NODE_TYPE = 'n8n-nodes-smtp-connector.smtpConnector';

/** The variants n8n derives for AI agents: the email tool ("…Tool") and the review gate ("…HitlTool"). */
export type AgentVariant = 'Tool' | 'HitlTool';

/** The node as n8n serves one of its agent variants: the same class under a name ending in the suffix (what "@tool" reads). */
export function agentVariant(variant: AgentVariant, nodeType: INodeType = new SmtpConnector()): { type: string; nodeType: INodeType } {
	const description = { ...nodeType.description, name: `${nodeType.description.name}${variant}` };
	return { type: `${NODE_TYPE}${variant}`, nodeType: Object.assign(Object.create(Object.getPrototypeOf(nodeType) as object) as INodeType, nodeType, { description }) };
}

/** Runs `items` through a single SMTP Connector node ("Send Email") on n8n's engine. */
export async function runSendNode(opts: {
	parameters: INodeParameters;
	items: INodeExecutionData[];
	credential: Record<string, unknown>;
	onError?: INode['onError'];
	continueOnFail?: boolean;
	credentialId?: string;
	cancelWhen?: Promise<unknown>;
	/** OAuth2 runs: the credential store, which n8n updates when it refreshes a token. */
	oauth2Store?: Record<string, Record<string, unknown>>;
	/** The node class to run; by default the one built from the sources. */
	nodeType?: INodeType;
	/** Run it as one of n8n's agent variants of the node. */
	variant?: AgentVariant;
	executionId?: string;
}): Promise<IRun> {
	const variant = opts.variant ? agentVariant(opts.variant, opts.nodeType) : undefined;
	const node: INode = {
		id: 'send',
		name: 'Send Email',
		type: variant?.type ?? NODE_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: { authentication: opts.oauth2Store ? 'oAuth2' : 'smtpConnectorApi', operation: 'send', ...opts.parameters },
		credentials: {
			[opts.oauth2Store ? 'smtpConnectorOAuth2Api' : 'smtpConnectorApi']: { id: opts.credentialId ?? '1', name: 'Test SMTP' },
		},
		...(opts.onError ? { onError: opts.onError } : {}),
		...(opts.continueOnFail ? { continueOnFail: true } : {}),
	};
	const connections: IConnections = {};
	return await runWorkflow({
		nodeTypes: variant ? { [variant.type]: variant.nodeType } : { [NODE_TYPE]: opts.nodeType ?? new SmtpConnector() },
		workflow: { nodes: [node], connections },
		credentials: (opts.oauth2Store ?? { smtpConnectorApi: opts.credential }) as never,
		input: opts.items,
		cancelWhen: opts.cancelWhen,
		executionId: opts.executionId,
	});
}
