import type { INodeProperties } from 'n8n-workflow';

import { limitWaitTimeOption } from './sendAndWait.properties';

const forms = { show: { operation: ['sendAndWait'], responseType: ['freeText', 'customForm'] } };
const customForm = { operation: ['sendAndWait'], responseType: ['customForm'] };

/** The form elements, in the shape of n8n's Form node (so a definition can be copied from one to the other). */
export const customFormProperties: INodeProperties[] = [
	{
		displayName: 'Define Form',
		name: 'defineForm',
		type: 'options',
		options: [
			{ name: 'Using Fields Below', value: 'fields' },
			{ name: 'Using JSON', value: 'json' },
		],
		default: 'fields',
		displayOptions: { show: customForm },
	},
	{
		displayName: 'Form Fields',
		name: 'jsonOutput',
		type: 'json',
		typeOptions: { rows: 5 },
		default: '[\n  {\n    "fieldLabel": "Approved Amount",\n    "fieldType": "number",\n    "requiredField": true\n  }\n]',
		description: "The fields as n8n's Form node takes them in JSON: fieldLabel, fieldName, fieldType, requiredField, placeholder, defaultValue, fieldOptions",
		displayOptions: { show: { ...customForm, defineForm: ['json'] } },
	},
	{
		displayName: 'Form Elements',
		name: 'formFields',
		placeholder: 'Add Form Element',
		type: 'fixedCollection',
		default: {},
		typeOptions: { multipleValues: true, sortable: true },
		displayOptions: { show: { ...customForm, defineForm: ['fields'] } },
		options: [
			{
				displayName: 'Values',
				name: 'values',
				values: [
					{ displayName: 'Default Value', name: 'defaultValue', type: 'string', default: '', description: 'Pre-filled; for checkboxes, option labels separated by commas', displayOptions: { hide: { fieldType: ['html', 'hiddenField', 'password'] } } },
					{
						displayName: 'Element Type',
						name: 'fieldType',
						type: 'options',
						default: 'text',
						options: [
							{ name: 'Checkboxes', value: 'checkbox' },
							{ name: 'Custom HTML', value: 'html' },
							{ name: 'Date', value: 'date' },
							{ name: 'Dropdown', value: 'dropdown' },
							{ name: 'Email', value: 'email' },
							{ name: 'Hidden Field', value: 'hiddenField' },
							{ name: 'Number', value: 'number' },
							{ name: 'Password', value: 'password' },
							{ name: 'Radio Buttons', value: 'radio' },
							{ name: 'Text', value: 'text' },
							{ name: 'Textarea', value: 'textarea' },
						],
					},
					{ displayName: 'Field Name', name: 'fieldName', type: 'string', default: '', description: "The answer's key in the output's data (the label when empty)", displayOptions: { hide: { fieldType: ['html'] } } },
					{
						displayName: 'Field Options',
						name: 'fieldOptions',
						placeholder: 'Add Field Option',
						type: 'fixedCollection',
						default: { values: [{ option: '' }] },
						typeOptions: { multipleValues: true, sortable: true },
						displayOptions: { show: { fieldType: ['dropdown', 'radio', 'checkbox'] } },
						options: [{ displayName: 'Values', name: 'values', values: [{ displayName: 'Option', name: 'option', type: 'string', default: '' }] }],
					},
					{ displayName: 'Field Value', name: 'fieldValue', type: 'string', default: '', description: 'What the hidden field puts into the answer', displayOptions: { show: { fieldType: ['hiddenField'] } } },
					{ displayName: 'HTML', name: 'html', type: 'string', typeOptions: { editor: 'htmlEditor' }, default: '', description: 'Shown on the page as written (no scripts run there)', displayOptions: { show: { fieldType: ['html'] } } },
					{ displayName: 'Label', name: 'fieldLabel', type: 'string', default: '', placeholder: 'e.g. Approved amount', displayOptions: { hide: { fieldType: ['hiddenField', 'html'] } } },
					{ displayName: 'Multiple Choice', name: 'multiselect', type: 'boolean', default: false, description: 'Whether several options may be chosen', displayOptions: { show: { fieldType: ['dropdown'] } } },
					{ displayName: 'Placeholder', name: 'placeholder', type: 'string', default: '', displayOptions: { show: { fieldType: ['text', 'textarea', 'number', 'email', 'password'] } } },
					{ displayName: 'Required Field', name: 'requiredField', type: 'boolean', default: false, description: 'Whether the form is refused without an answer here', displayOptions: { hide: { fieldType: ['hiddenField', 'html'] } } },
				],
			},
		],
	},
];

/** The page and button of Free Text and Custom Form, as n8n's own send-and-wait names them. */
export const formOptionsProperty: INodeProperties = {
	displayName: 'Options',
	name: 'formOptions',
	type: 'collection',
	placeholder: 'Add option',
	default: {},
	displayOptions: forms,
	options: [
		limitWaitTimeOption,
		{ displayName: 'Message Button Label', name: 'messageButtonLabel', type: 'string', default: 'Respond' },
		{ displayName: 'Response Form Button Label', name: 'responseFormButtonLabel', type: 'string', default: 'Submit' },
		{ displayName: 'Response Form Custom Styling', name: 'responseFormCustomCss', type: 'string', typeOptions: { rows: 6, editor: 'cssEditor' }, default: '', description: 'CSS added to the page after its own' },
		{ displayName: 'Response Form Description', name: 'responseFormDescription', type: 'string', default: '', description: 'Shown above the fields (the Message when empty)' },
		{ displayName: 'Response Form Title', name: 'responseFormTitle', type: 'string', default: '', description: 'The heading of the page (the Subject when empty)' },
	],
};
