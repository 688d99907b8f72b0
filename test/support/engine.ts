import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import {
	createRunExecutionData,
	ICredentialsHelper,
	LoggerProxy,
	Workflow,
	type ICredentialDataDecryptedObject,
	type ICredentialType,
	type ICredentials,
	type INodeExecutionData,
	type INodeType,
	type INodeTypes,
	type IRun,
	type IRunExecutionData,
	type IWorkflowBase,
	type IWorkflowExecuteAdditionalData,
	type IVersionedNodeType,
	type INodeProperties,
	type IPinData,
} from 'n8n-workflow';

/** Credentials for the engine, keyed by credential type name. */
class StaticCredentialsHelper extends ICredentialsHelper {
	constructor(private readonly byType: Record<string, ICredentialDataDecryptedObject>) {
		super();
	}
	getParentTypes(): string[] {
		return [];
	}
	isCredentialUsableByNode(): boolean {
		return true;
	}
	async authenticate(): Promise<never> {
		throw new Error('HTTP authentication is not used by this package');
	}
	async preAuthentication() {
		return undefined;
	}
	async runPreAuthentication() {
		return undefined;
	}
	async getCredentials(): Promise<ICredentials> {
		throw new Error('not used in tests');
	}
	async getDecrypted(_a: unknown, _n: unknown, type: string) {
		const data = this.byType[type];
		if (!data) throw new Error(`No test credentials of type ${type}`);
		return structuredClone(data);
	}
	async updateCredentials() {}
	/** n8n stores a refreshed OAuth2 token in the credential; so does this helper, for the next read. */
	async updateCredentialsOauthTokenData(_n: unknown, type: string, data: ICredentialDataDecryptedObject) {
		this.byType[type] = { ...this.byType[type], oauthTokenData: data.oauthTokenData };
	}
	getCredentialsProperties(): INodeProperties[] {
		return [];
	}
}

export class TestNodeTypes implements INodeTypes {
	private readonly types: Record<string, INodeType>;

	constructor(types: Record<string, INodeType>) {
		this.types = types;
	}
	getByName(name: string): INodeType | IVersionedNodeType {
		return this.getByNameAndVersion(name);
	}
	getByNameAndVersion(name: string): INodeType {
		const type = this.types[name];
		if (!type) throw new Error(`Unknown node type ${name}`);
		return type;
	}
	getKnownTypes() {
		return {};
	}
}

export interface RunOptions {
	workflow: Pick<IWorkflowBase, 'nodes' | 'connections'> & { settings?: IWorkflowBase['settings'] };
	nodeTypes: Record<string, INodeType>;
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	credentialTypes?: ICredentialType[];
	input?: INodeExecutionData[];
	/** Pinned output per node name, used instead of running that node, as n8n does for manual runs. */
	pinData?: IPinData;
	/** Cancels the execution when this settles, as the Stop button in n8n does. */
	cancelWhen?: Promise<unknown>;
	/** The node that gets `input`; by default the workflow's start node. */
	startNode?: string;
	/** Where n8n's waiting webhooks live (signed resume URLs point there). */
	webhookWaitingBaseUrl?: string;
	/** The execution's id: by default a new one. The same id stands for another node run of one execution (an agent's second tool call). */
	executionId?: string;
}

const quiet = () => {};
LoggerProxy.init({ error: quiet, warn: quiet, info: quiet, debug: quiet });

/** An execution that may wait and be resumed, as n8n persists and resumes it. */
export interface Execution {
	id: string;
	workflow: Workflow;
	additionalData: IWorkflowExecuteAdditionalData;
	/** The run data as n8n would have saved it after the last run. */
	data: IRunExecutionData;
	status: 'running' | 'waiting' | 'success' | 'error';
	runs: IRun[];
}

let executionCounter = 0;

export function additionalDataFor(options: RunOptions, id: string, hooks: ExecutionLifecycleHooks): IWorkflowExecuteAdditionalData {
	const waiting = options.webhookWaitingBaseUrl ?? 'http://127.0.0.1:5678/webhook-waiting';
	return {
		hooks,
		credentialsHelper: new StaticCredentialsHelper(options.credentials ?? {}),
		ssrfBridge: undefined,
		executionId: id,
		currentNodeExecutionIndex: 0,
		restApiUrl: 'http://127.0.0.1:5678/rest',
		instanceBaseUrl: 'http://127.0.0.1:5678/',
		formBaseUrl: 'http://127.0.0.1:5678/form',
		formWaitingBaseUrl: 'http://127.0.0.1:5678/form-waiting',
		formTestBaseUrl: 'http://127.0.0.1:5678/form-test',
		webhookBaseUrl: 'http://127.0.0.1:5678/webhook',
		webhookWaitingBaseUrl: waiting,
		webhookTestBaseUrl: 'http://127.0.0.1:5678/webhook-test',
		mcpBaseUrl: 'http://127.0.0.1:5678/mcp',
		mcpTestBaseUrl: 'http://127.0.0.1:5678/mcp-test',
		variables: {},
		logAiEvent: () => {},
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		executeWorkflow: async () => {
			throw new Error('sub-workflows are not used in tests');
		},
	} as unknown as IWorkflowExecuteAdditionalData;
}

export function hooksFor(options: RunOptions, id: string) {
	const hooks = new ExecutionLifecycleHooks('manual', id, {
		id: 'test',
		name: 'test',
		nodes: options.workflow.nodes,
		connections: options.workflow.connections,
		active: false,
		activeVersionId: null,
		isArchived: false,
		createdAt: new Date(),
		updatedAt: new Date(),
	} as IWorkflowBase);
	let finished: (run: IRun) => void = () => {};
	const done = new Promise<IRun>((resolve) => (finished = resolve));
	hooks.addHandler('workflowExecuteAfter', (run) => finished(run));
	return { hooks, done };
}

/** Runs (or resumes) the execution once, until it finishes or waits, as n8n's workflow runner does. */
async function runOnce(execution: Execution, options: RunOptions): Promise<IRun> {
	const { hooks, done } = hooksFor(options, execution.id);
	execution.additionalData.hooks = hooks;
	execution.status = 'running';
	const running = new WorkflowExecute(execution.additionalData, 'manual', execution.data).processRunExecutionData(execution.workflow);
	void options.cancelWhen?.then(() => running.cancel());
	await running;
	const run = await done;
	execution.runs.push(run);
	// What n8n saves: a JSON copy, so a later resume starts from the stored state, not live objects.
	execution.data = JSON.parse(JSON.stringify(run.data)) as IRunExecutionData;
	execution.data.waitTill = run.waitTill ?? undefined;
	execution.status = run.waitTill ? 'waiting' : run.data.resultData.error ? 'error' : 'success';
	return run;
}

/** Starts a workflow through n8n-core's WorkflowExecute, the engine n8n itself uses. */
export async function startExecution(options: RunOptions): Promise<Execution> {
	const nodeTypes = new TestNodeTypes(options.nodeTypes);
	const workflow = new Workflow({
		id: 'test',
		nodes: options.workflow.nodes,
		connections: options.workflow.connections,
		active: false,
		nodeTypes,
		settings: options.workflow.settings,
	});
	const id = options.executionId ?? String(++executionCounter);
	const startNode = options.startNode ? workflow.getNode(options.startNode) : workflow.getStartNode();
	if (!startNode) throw new Error('workflow has no start node');
	const execution: Execution = {
		id,
		workflow,
		additionalData: additionalDataFor(options, id, hooksFor(options, id).hooks),
		data: createRunExecutionData({
			resultData: { pinData: options.pinData },
			executionData: {
				nodeExecutionStack: [{ node: startNode, data: { main: [options.input ?? [{ json: {} }]] }, source: null }],
			},
		}),
		status: 'running',
		runs: [],
	};
	await runOnce(execution, options);
	return execution;
}

/** Resumes a waiting execution as n8n's wait tracker does when its wait time has passed. */
export async function resumeAfterWait(execution: Execution, options: RunOptions): Promise<IRun> {
	if (execution.status !== 'waiting') throw new Error(`execution ${execution.id} is ${execution.status}, not waiting`);
	return await runOnce(execution, options);
}

/**
 * Resumes a waiting execution with what a waiting webhook returned, as n8n's waiting-webhooks handler
 * does: the waiting node is disabled and forwards the webhook's data.
 */
export async function resumeWithWebhookData(execution: Execution, data: IRunExecutionData, workflowData: INodeExecutionData[][], options: RunOptions) {
	const entry = data.executionData!.nodeExecutionStack[0];
	entry.data.main = workflowData;
	entry.metadata = { ...entry.metadata, forwardAllOutputs: true };
	execution.data = data;
	return await runOnce(execution, options);
}

/** Runs a workflow through n8n-core's WorkflowExecute, the engine n8n itself uses. */
export async function runWorkflow(options: RunOptions): Promise<IRun> {
	const execution = await startExecution(options);
	return execution.runs[execution.runs.length - 1];
}

/** The items a node put on one of its outputs in its first run. */
export function outputOf(run: IRun, nodeName: string, outputIndex = 0): INodeExecutionData[] {
	const task = run.data.resultData.runData[nodeName]?.[0];
	if (!task) {
		const error = run.data.resultData.error;
		throw new Error(`node "${nodeName}" did not run${error ? `: ${error.message}` : ''}`);
	}
	return task.data?.main?.[outputIndex] ?? [];
}

/**
 * Stand-in for n8n-nodes-base's Manual Trigger (not installed here): it emits one empty item, and in the
 * examples its output is pinned, so the engine uses the pinned items instead.
 */
export const manualTrigger: INodeType = {
	description: {
		displayName: 'Manual Trigger',
		name: 'manualTrigger',
		group: ['trigger'],
		version: 1,
		description: '',
		defaults: { name: 'Manual Trigger' },
		inputs: [],
		outputs: ['main'],
		properties: [],
	},
	async execute() {
		return [[{ json: {} }]];
	},
} as unknown as INodeType;
