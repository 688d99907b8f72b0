import type { IDataObject } from 'n8n-workflow';

import { MessageInputError } from '../message/errors';
import { COLORS, FONT, escapeHtml } from './html';

/** The form elements of n8n's Form node that a response page can hold (files need a multipart upload: not here). */
export const FIELD_TYPES = ['text', 'textarea', 'number', 'email', 'password', 'date', 'dropdown', 'radio', 'checkbox', 'hiddenField', 'html'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export interface FormField {
	type: FieldType;
	label: string;
	/** The field's key in the output's `data`: its Field Name, else its label (as n8n's forms do). */
	key: string;
	required: boolean;
	placeholder: string;
	defaultValue: string;
	options: string[];
	/** A dropdown that takes several options. */
	multiple: boolean;
	/** What an HTML element shows, or what a hidden field carries. */
	content: string;
}

/** The longest answer kept per field: text fields hold a line, text areas a few paragraphs. */
const MAX_LENGTH: Partial<Record<FieldType, number>> = { text: 1_000, email: 320, password: 1_000, textarea: 10_000, number: 40 };

const str = (value: unknown) => (typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : '');

/** One field as n8n's Form node describes it (in its Form Elements list, or in its JSON). */
function fieldOf(raw: IDataObject, index: number, where: string): FormField {
	const type = FIELD_TYPES.find((t) => t === raw.fieldType) ?? (raw.fieldType === undefined ? 'text' : undefined);
	if (!type) {
		const hint = raw.fieldType === 'file' ? ': file uploads are not offered on a response page' : `; use one of ${FIELD_TYPES.join(', ')}`;
		throw new MessageInputError(where, `${where}: element ${index + 1} has the type "${str(raw.fieldType)}"${hint}`);
	}
	const label = str(raw.fieldLabel).trim();
	const name = str(raw.fieldName).trim();
	const key = name || label || (type === 'html' ? str(raw.elementName).trim() : '');
	if (!key && type !== 'html') throw new MessageInputError(where, `${where}: element ${index + 1} has no label (a ${type} field needs one)`);
	const options = (((raw.fieldOptions as IDataObject | undefined)?.values as IDataObject[] | undefined) ?? []).map((o) => str(o.option).trim()).filter(Boolean);
	if (['dropdown', 'radio', 'checkbox'].includes(type) && !options.length) throw new MessageInputError(where, `${where}: "${label}" offers no options`);
	return {
		type,
		label: label || key,
		key,
		required: raw.requiredField === true && !['hiddenField', 'html'].includes(type),
		placeholder: str(raw.placeholder),
		defaultValue: str(raw.defaultValue),
		options,
		multiple: type === 'checkbox' || (type === 'dropdown' && raw.multiselect === true),
		content: type === 'html' ? str(raw.html) : str(raw.fieldValue),
	};
}

function parseJson(json: unknown): { value: unknown } | { problem: string } {
	if (typeof json !== 'string') return { value: json };
	try {
		return { value: JSON.parse(json) };
	} catch (error) {
		return { problem: (error as Error).message };
	}
}

/** The form the operation defines: its Form Elements, or the same as JSON (n8n's Form node's shape). */
export function formFieldsOf(defineForm: unknown, formFields: unknown, json: unknown): FormField[] {
	let list: unknown;
	const where = defineForm === 'json' ? 'Form Fields (JSON)' : 'Form Elements';
	if (defineForm === 'json') {
		const parsed = parseJson(json);
		if ('problem' in parsed) throw new MessageInputError(where, `${where} is not valid JSON: ${parsed.problem}`);
		list = parsed.value;
		if (!Array.isArray(list)) throw new MessageInputError(where, `${where} must be a JSON array of fields, e.g. [{ "fieldLabel": "Amount", "fieldType": "number", "requiredField": true }]`);
	} else {
		list = ((formFields as IDataObject | undefined)?.values as unknown[] | undefined) ?? [];
	}
	const fields = (list as unknown[]).map((raw, i) => {
		if (!raw || typeof raw !== 'object') throw new MessageInputError(where, `${where}: element ${i + 1} is not an object`);
		return fieldOf(raw as IDataObject, i, where);
	});
	if (!fields.some((f) => f.type !== 'html' && f.type !== 'hiddenField')) throw new MessageInputError(where, `${where}: the form has no field to answer`);
	const keys = new Set<string>();
	for (const field of fields) {
		if (field.type === 'html') continue;
		if (keys.has(field.key)) throw new MessageInputError(where, `${where}: two fields are named "${field.key}"; give one a Field Name of its own`);
		keys.add(field.key);
	}
	return fields;
}

/** n8n's Send and Wait's Free Text form: one required text area, answered as `data.text`. */
export const FREE_TEXT_FIELDS: FormField[] = [
	{ type: 'textarea', label: 'Response', key: 'text', required: true, placeholder: '', defaultValue: '', options: [], multiple: false, content: '' },
];

export type Answers = Record<string, string | string[]>;
export type FormReading = { ok: true; data: IDataObject } | { ok: false; problems: Record<string, string>; typed: Answers };

const asList = (value: unknown): string[] => (Array.isArray(value) ? value.map(str) : value === undefined ? [] : [str(value)]);
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const EMAIL = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]+$/;

/** A POSTed form, checked field by field. A form with any problem records nothing. */
export function readForm(fields: FormField[], body: IDataObject): FormReading {
	const data: IDataObject = {};
	const problems: Record<string, string> = {};
	const typed: Answers = {};
	fields.forEach((field, i) => {
		if (field.type === 'html') return;
		if (field.type === 'hiddenField') {
			data[field.key] = field.content;
			return;
		}
		const name = inputName(i);
		if (field.multiple) {
			const chosen = [...new Set(asList(body[name]))];
			typed[name] = chosen;
			if (chosen.some((c) => !field.options.includes(c))) problems[name] = 'Choose among the options shown.';
			else if (field.required && !chosen.length) problems[name] = 'Choose at least one.';
			else data[field.key] = field.options.filter((o) => chosen.includes(o));
			return;
		}
		const values = asList(body[name]);
		const value = (values[0] ?? '').replace(/\r\n?/g, '\n');
		typed[name] = value;
		const trimmed = field.type === 'password' ? value : value.trim();
		const max = MAX_LENGTH[field.type];
		if (values.length > 1) problems[name] = 'Give one answer.';
		else if (!trimmed) {
			if (field.required) problems[name] = 'This field is required.';
			else data[field.key] = field.type === 'number' ? null : '';
		} else if (max !== undefined && trimmed.length > max) problems[name] = `At most ${max} characters (this is ${trimmed.length}).`;
		else if (field.type === 'number') {
			const n = Number(trimmed);
			if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(trimmed) || !Number.isFinite(n)) problems[name] = 'Enter a number, e.g. 1240.50';
			else data[field.key] = n;
		} else if (field.type === 'email' && !EMAIL.test(trimmed)) problems[name] = 'Enter an email address, e.g. anna@example.com';
		else if (field.type === 'date' && !isDate(trimmed)) problems[name] = 'Enter a date as YYYY-MM-DD.';
		else if ((field.type === 'dropdown' || field.type === 'radio') && !field.options.includes(trimmed)) problems[name] = 'Choose one of the options shown.';
		else data[field.key] = trimmed;
	});
	return Object.keys(problems).length ? { ok: false, problems, typed } : { ok: true, data };
}

function isDate(text: string): boolean {
	const m = DATE.exec(text);
	if (!m) return false;
	const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
	return date.toISOString().slice(0, 10) === text;
}

/** Inputs are named by position: labels may hold any character, and a page must not depend on them. */
const inputName = (index: number) => `field-${index}`;

const labelStyle = `display:block;margin:0 0 6px;font-size:14px;font-weight:600;color:${COLORS.text};`;
const inputStyle = `box-sizing:border-box;width:100%;padding:8px 10px;font:15px/22px ${FONT};color:${COLORS.text};border:1px solid #d1d5db;border-radius:6px;background:#fff;`;

/** The form's fields as HTML: escaped, no script, each with its label, what was typed, and its problem. */
export function renderFields(fields: FormField[], typed: Answers = {}, problems: Record<string, string> = {}): string {
	return fields
		.map((field, i) => {
			if (field.type === 'hiddenField') return '';
			if (field.type === 'html') return `<div style="margin:0 0 16px;font-size:15px;line-height:22px;color:${COLORS.body};">${field.content}</div>`;
			const name = inputName(i);
			const id = `f${i}`;
			const problem = problems[name];
			const given = typed[name];
			const initial = given === undefined ? (field.multiple ? field.defaultValue.split(',').map((v) => v.trim()).filter(Boolean) : field.defaultValue) : given;
			const required = field.required ? ' required' : '';
			const optional = field.required ? '' : ` <span style="font-weight:400;color:${COLORS.muted};">(optional)</span>`;
			const label = `<label for="${id}" style="${labelStyle}">${escapeHtml(field.label)}${optional}</label>`;
			const invalid = problem ? ` aria-invalid="true" aria-describedby="${id}-problem"` : '';
			const placeholder = field.placeholder ? ` placeholder="${escapeHtml(field.placeholder)}"` : '';
			const value = typeof initial === 'string' ? initial : '';
			let control: string;
			switch (field.type) {
				case 'textarea':
					control = `<textarea id="${id}" name="${name}" rows="5" maxlength="${MAX_LENGTH.textarea}"${required}${placeholder}${invalid} style="${inputStyle}">${escapeHtml(value)}</textarea>`;
					break;
				case 'dropdown':
					control = `<select id="${id}" name="${name}"${field.multiple ? ' multiple' : ''}${required}${invalid} style="${inputStyle}">${field.multiple ? '' : '<option value="">Choose…</option>'}${field.options
						// value as written: a browser sends an option's text with its white space collapsed.
						.map((o) => `<option value="${escapeHtml(o)}"${(Array.isArray(initial) ? initial.includes(o) : initial === o) ? ' selected' : ''}>${escapeHtml(o)}</option>`)
						.join('')}</select>`;
					break;
				case 'radio':
				case 'checkbox': {
					const chosen = Array.isArray(initial) ? initial : [initial];
					const boxes = field.options
						.map(
							(o, j) =>
								`<label style="display:block;margin:0 0 4px;font-size:15px;line-height:22px;"><input type="${field.type}" id="${j === 0 ? id : `${id}-${j}`}" name="${name}" value="${escapeHtml(o)}"${chosen.includes(o) ? ' checked' : ''}${field.type === 'radio' ? required : ''}> ${escapeHtml(o)}</label>`,
						)
						.join('');
					control = `<div role="group"${invalid}>${boxes}</div>`;
					break;
				}
				default: {
					const typed = field.type === 'number' ? 'number" step="any' : field.type;
					const maxLength = field.type !== 'number' && MAX_LENGTH[field.type] ? ` maxlength="${MAX_LENGTH[field.type]}"` : '';
					control = `<input type="${typed}" id="${id}" name="${name}" value="${escapeHtml(value)}"${maxLength}${required}${placeholder}${invalid} style="${inputStyle}">`;
				}
			}
			const note = problem ? `<p id="${id}-problem" style="margin:6px 0 0;font-size:14px;line-height:20px;color:${COLORS.decline};">${escapeHtml(problem)}</p>` : '';
			return `<div style="margin:0 0 16px;">${label}${control}${note}</div>`;
		})
		.join('\n');
}
