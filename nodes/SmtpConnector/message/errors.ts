/** An item's value that cannot become part of a message; names the parameter so the user can find it. */
export class MessageInputError extends Error {
	constructor(
		readonly field: string,
		message: string,
	) {
		super(message);
		this.name = 'MessageInputError';
	}
}
