import { MessageInputError } from './errors';

const preview = (value: unknown) => {
	const json = JSON.stringify(value) ?? String(value);
	return json.length > 60 ? `${json.slice(0, 57)}...` : json;
};

/**
 * An item value as message text. Strings pass as they are; numbers, booleans and bigints become their
 * usual text; dates their ISO form; null and undefined empty. Objects and arrays are refused: turning
 * them into "[object Object]" or JSON in a subject would be a guess, so the error names the field.
 */
export function textValue(value: unknown, field: string): string {
	if (value === undefined || value === null) return '';
	if (typeof value === 'string') return value;
	if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
	if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString();
	const kind = Array.isArray(value) ? 'a list' : `an ${typeof value}`;
	throw new MessageInputError(
		field,
		`${field} is ${kind} (${preview(value)}), not text: map one of its values, or wrap it in JSON.stringify() in the expression`,
	);
}
