import { TriggerContext, TriggersAndPollers, WorkflowExecute } from 'n8n-core';
import {
	createRunExecutionData,
	Workflow,
	type ICredentialDataDecryptedObject,
	type INodeParameters,
	type INode,
	type INodeExecutionData,
	type INodeType,
	type IRun,
	type ITriggerResponse,
} from 'n8n-workflow';

import type { IDeferredPromise } from '@n8n/utils/promise/deferred-promise';

import { SmtpConnectorTrigger } from '../../nodes/SmtpConnector/SmtpConnectorTrigger.node';
import { additionalDataFor, hooksFor, TestNodeTypes, type RunOptions } from './engine';

export const TRIGGER_TYPE = 'n8n-nodes-smtp-connector.smtpConnectorTrigger';
const STEP_TYPE = 'test.step';

/** What the step after the trigger does with each item: return normally to succeed, throw to fail the run. */
export type Step = (item: INodeExecutionData) => Promise<void> | void;

export interface ActiveTrigger {
	/** Items the trigger emitted, one per run, in order. */
	items: INodeExecutionData[];
	/** Each run, settled when it has finished (as n8n's donePromise). */
	runs: Array<Promise<IRun>>;
	/** Errors the trigger reported to n8n (emitError). */
	errors: Error[];
	close(): Promise<void>;
}

let executionCounter = 0;

/**
 * Activates the SMTP Connector Trigger in a workflow Trigger → Step, as n8n's active workflows do: each
 * emit starts a run through n8n-core's WorkflowExecute, and its done promise settles with the run.
 */
export interface NextNode {
	name: string;
	type: string;
	nodeType: INodeType;
	parameters: INodeParameters;
	credentials: INode['credentials'];
	/** Credential data by credential type, for the engine. */
	credentialData: Record<string, ICredentialDataDecryptedObject>;
}

export async function activateTrigger(opts: { parameters?: INodeParameters; credential: ICredentialDataDecryptedObject; step?: Step; next?: NextNode }): Promise<ActiveTrigger> {
	const step = opts.step ?? (() => {});
	const stepType = {
		description: { displayName: 'Step', name: STEP_TYPE, group: ['transform'], version: 1, description: '', defaults: { name: 'Step' }, inputs: ['main'], outputs: ['main'], properties: [] },
		async execute(this: { getInputData(): INodeExecutionData[] }) {
			const items = this.getInputData();
			for (const item of items) await step(item);
			return [items];
		},
	} as unknown as INodeType;
	const next = opts.next;
	const nodes: INode[] = [
		{ id: 't', name: 'SMTP Trigger', type: TRIGGER_TYPE, typeVersion: 1, position: [0, 0], parameters: opts.parameters ?? {}, credentials: { smtpConnectorReceiverApi: { id: '1', name: 'Receiver' } } },
		next
			? { id: 'n', name: next.name, type: next.type, typeVersion: 1, position: [200, 0], parameters: next.parameters, credentials: next.credentials }
			: { id: 's', name: 'Step', type: STEP_TYPE, typeVersion: 1, position: [200, 0], parameters: {} },
	];
	const options: RunOptions = {
		workflow: { nodes, connections: { 'SMTP Trigger': { main: [[{ node: next?.name ?? 'Step', type: 'main', index: 0 }]] } } },
		nodeTypes: { [TRIGGER_TYPE]: new SmtpConnectorTrigger(), ...(next ? { [next.type]: next.nodeType } : { [STEP_TYPE]: stepType }) },
		credentials: { smtpConnectorReceiverApi: opts.credential, ...next?.credentialData },
	};
	const workflowOf = () => new Workflow({ id: 'test', nodes, connections: options.workflow.connections, active: true, nodeTypes: new TestNodeTypes(options.nodeTypes), settings: {} });
	const workflow = workflowOf();
	const node = workflow.getNode('SMTP Trigger')!;
	const active: ActiveTrigger = { items: [], runs: [], errors: [], close: async () => {} };
	const emit = (data: INodeExecutionData[][], _response?: IDeferredPromise<unknown>, done?: IDeferredPromise<IRun>) => {
		active.items.push(...data[0]);
		const id = `trigger-${++executionCounter}`;
		const { hooks } = hooksFor(options, id);
		const execution = new WorkflowExecute(additionalDataFor(options, id, hooks), 'trigger', createRunExecutionData({ executionData: { nodeExecutionStack: [{ node, data: { main: data }, source: null }] } }));
		const run = Promise.resolve(execution.processRunExecutionData(workflowOf()));
		active.runs.push(run);
		run.then(
			(r) => done?.resolve(r),
			(e: Error) => done?.reject(e),
		);
	};
	const base = additionalDataFor(options, undefined as never, hooksFor(options, 'activation').hooks);
	const context = new TriggerContext(workflow, node, base, 'trigger', 'activate', emit as never, (e) => active.errors.push(e), undefined, { registerCron: () => {} } as never);
	const response = (await new TriggersAndPollers().runTriggerFunction(workflow, node, () => context, base, 'trigger', 'activate')) as ITriggerResponse | undefined;
	active.close = async () => response?.closeFunction?.();
	return active;
}
