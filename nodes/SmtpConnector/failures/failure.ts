import { FAILURE_KINDS, type FailureKind, type RetryRule, type Scope } from './kinds';

export interface FailureFields {
	kind: FailureKind;
	/** Why it failed and what to change, in one or two sentences. */
	hint: string;
	/** The server's reply or the raw error, for the record. */
	detail: string;
	smtpCode?: number;
	/** RFC 3463 enhanced status code from the reply, e.g. 5.7.8. */
	enhancedCode?: string;
	/** Encoded size of the message and the server's SIZE limit, in bytes, when they matter. */
	messageSize?: number;
	serverSizeLimit?: number;
	/** Sending attempts made for the message. */
	attempts?: number;
	/** The server may have the message although no reply said so. */
	possibleDuplicate?: boolean;
}

/** A failure recognised once, with everything retry, item errors and the Test button need. */
export class SmtpFailure extends Error implements FailureFields {
	readonly kind: FailureKind;
	readonly hint: string;
	readonly detail: string;
	readonly smtpCode?: number;
	readonly enhancedCode?: string;
	readonly messageSize?: number;
	readonly serverSizeLimit?: number;
	readonly attempts?: number;
	readonly possibleDuplicate?: boolean;

	constructor(fields: FailureFields) {
		super(`${fields.hint} Server said: ${fields.detail}`);
		this.name = 'SmtpFailure';
		this.kind = fields.kind;
		this.hint = fields.hint;
		this.detail = fields.detail;
		this.smtpCode = fields.smtpCode;
		this.enhancedCode = fields.enhancedCode;
		this.messageSize = fields.messageSize;
		this.serverSizeLimit = fields.serverSizeLimit;
		this.attempts = fields.attempts;
		this.possibleDuplicate = fields.possibleDuplicate;
	}

	get scope(): Scope {
		return FAILURE_KINDS[this.kind].scope;
	}

	get retry(): RetryRule {
		return FAILURE_KINDS[this.kind].retry;
	}

	/** The same failure, with the attempts that led to it. */
	after(tally: Pick<FailureFields, 'attempts' | 'possibleDuplicate'>): SmtpFailure {
		return new SmtpFailure({ ...this.fields(), ...tally });
	}

	/** The same failure, each text passed through `map` (redaction). */
	mapText(map: (text: string) => string): SmtpFailure {
		return new SmtpFailure({ ...this.fields(), hint: map(this.hint), detail: map(this.detail) });
	}

	fields(): FailureFields {
		const { kind, hint, detail, smtpCode, enhancedCode, messageSize, serverSizeLimit, attempts, possibleDuplicate } = this;
		return { kind, hint, detail, smtpCode, enhancedCode, messageSize, serverSizeLimit, attempts, possibleDuplicate };
	}
}
