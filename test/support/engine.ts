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
}

const quiet = () => {};
LoggerProxy.init({ error: quiet, warn: quiet, info: quiet, debug: quiet });

/** Runs a workflow through n8n-core's WorkflowExecute, the engine n8n itself uses. */
export async function runWorkflow(options: RunOptions): Promise<IRun> {
	const nodeTypes = new TestNodeTypes(options.nodeTypes);
	const workflow = new Workflow({
		id: 'test',
		nodes: options.workflow.nodes,
		connections: options.workflow.connections,
		active: false,
		nodeTypes,
		settings: options.workflow.settings,
	});
	const hooks = new ExecutionLifecycleHooks('manual', '1', {
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

	const additionalData = {
		hooks,
		credentialsHelper: new StaticCredentialsHelper(options.credentials ?? {}),
		ssrfBridge: undefined,
		executionId: '1',
		currentNodeExecutionIndex: 0,
		restApiUrl: 'http://127.0.0.1:5678/rest',
		instanceBaseUrl: 'http://127.0.0.1:5678/',
		formBaseUrl: 'http://127.0.0.1:5678/form',
		formWaitingBaseUrl: 'http://127.0.0.1:5678/form-waiting',
		formTestBaseUrl: 'http://127.0.0.1:5678/form-test',
		webhookBaseUrl: 'http://127.0.0.1:5678/webhook',
		webhookWaitingBaseUrl: 'http://127.0.0.1:5678/webhook-waiting',
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

	const startNode = workflow.getStartNode();
	if (!startNode) throw new Error('workflow has no start node');
	const runExecutionData = createRunExecutionData({
		resultData: { pinData: options.pinData },
		executionData: {
			nodeExecutionStack: [
				{ node: startNode, data: { main: [options.input ?? [{ json: {} }]] }, source: null },
			],
		},
	});
	const execute = new WorkflowExecute(additionalData, 'manual', runExecutionData);
	const running = execute.processRunExecutionData(workflow);
	void options.cancelWhen?.then(() => running.cancel());
	await running;
	return await done;
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
