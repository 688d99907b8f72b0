import type { INodeProperties } from 'n8n-workflow';

/**
 * The marker n8n's editor writes before a "let the model define this parameter" value: the editor shows
 * such a value as the model's, with its description editable.
 */
const FROM_AI_OVERRIDE = '/*n8n-auto-generated-fromAI-override*/';

/** A value the model fills, described for the model (backticks: a description may hold quotes). */
export function fromAi(key: string, description: string, fallback?: string): string {
	const extra = fallback === undefined ? '' : `, \`${fallback}\``;
	return `={{ ${FROM_AI_OVERRIDE} $fromAI('${key}', \`${description}\`, 'string'${extra}) }}`;
}

/**
 * One parameter twice: as the person fills it in the node, and in the agent-tool variants n8n derives
 * from it (SMTP Connector Tool, its human-review variant: "@tool"), where the default is the model's.
 * n8n keeps the value of a parameter shown under one name when the other is shown instead.
 */
export function modelFillsInTools(property: INodeProperties, toolDefault: string): INodeProperties[] {
	const { show = {}, hide = {} } = property.displayOptions ?? {};
	return [
		{ ...property, displayOptions: { ...property.displayOptions, hide: { ...hide, '@tool': [true] } } },
		{ ...property, default: toolDefault, displayOptions: { ...property.displayOptions, show: { ...show, '@tool': [true] } } },
	];
}

/** What the model is told about each value it fills (n8n sends it as the argument's description). */
export const MODEL_FIELDS = {
	to: fromAi('To', 'Recipient email addresses, separated by commas, e.g. jane@example.com or Jane Doe <jane@example.com>'),
	subject: fromAi('Subject', 'Subject line of the email: one line of plain text'),
	message: fromAi('Message', 'Body of the email as HTML: <p> for paragraphs, <a href="https://…"> for links, <ul><li> for lists'),
} as const;

/**
 * What the agent's model reads about the tool, written for a model. Defined here, n8n adds no description of
 * its own (it would be the node's, written for people choosing a node). For Send Email only: under one name
 * for several operations, the editor would carry one operation's text over to the next; the other operations
 * get n8n's description from their action ("Read a bounce or delivery report in SMTP Connector").
 */
export const toolDescriptionProperty: INodeProperties = {
	displayName: 'Tool Description',
	name: 'toolDescription',
	type: 'string',
	typeOptions: { rows: 2 },
	default: 'Sends one email and says whether it went out, to which recipients, and its Message-ID. Give the recipients (To), a Subject and the Message as HTML.',
	required: true,
	description: 'What the AI agent’s model is told this tool does: a clear, specific description helps it call the tool when it should',
	displayOptions: { show: { '@tool': [true], operation: ['send'] } },
};
