/** An item's value that cannot become part of a message; names the parameter so the user can find it. */
export class MessageInputError extends Error {
	constructor(
		readonly field: string,
		message: string,
		/** Set when the message itself can never be sent (a relayed message that loops): the reply a relay gives its client. */
		readonly permanentReply?: SmtpReplyNote,
	) {
		super(message);
		this.name = 'MessageInputError';
	}
}

/**
 * What an item's failure means for a client that handed the message to n8n (SMTP Connector Trigger):
 * carried in the node error's context, which n8n keeps with the execution (also in queue mode).
 */
export interface SmtpReplyNote {
	code: number | null;
	enhancedCode: string | null;
	/** The message itself was refused for good (not the account, the connection or the workflow). */
	permanent: boolean;
	text: string;
}
