import nodemailer, { type SendMailOptions, type Transporter } from 'nodemailer';

import { authOptions, connectionOptions } from '../transport/options';
import type { ConnectionSettings } from '../transport/settings';

export interface SentMessage {
	messageId: string;
	accepted: string[];
	rejected: string[];
	/** The server's reply to each rejected recipient, when it refused some and accepted others. */
	rejectedReplies: Array<{ recipient: string; reply: string; code?: number }>;
	response: string;
	envelope: { from: string | false; to: string[] };
}

interface RejectedError {
	recipient?: string;
	response?: string;
	responseCode?: number;
}

const addressOf = (a: unknown) => (typeof a === 'string' ? a : String((a as { address?: string })?.address ?? ''));

/**
 * One SMTP session for an execution: a single connection opened on the first message and reused for
 * every item, closed when the execution is done.
 */
export class DeliverySession {
	private transporter?: Transporter;

	constructor(private readonly settings: ConnectionSettings) {}

	private get transport(): Transporter {
		this.transporter ??= nodemailer.createTransport({
			...connectionOptions(this.settings),
			auth: authOptions(this.settings),
			pool: true,
			maxConnections: 1,
			maxMessages: Infinity,
			disableFileAccess: true,
			disableUrlAccess: true,
		});
		return this.transporter;
	}

	async send(mail: SendMailOptions): Promise<SentMessage> {
		const info = await this.transport.sendMail(mail);
		const rejectedErrors = ((info as { rejectedErrors?: RejectedError[] }).rejectedErrors ?? []).map((e) => ({
			recipient: e.recipient ?? '',
			reply: e.response ?? '',
			code: e.responseCode,
		}));
		return {
			messageId: info.messageId,
			accepted: (info.accepted ?? []).map(addressOf),
			rejected: (info.rejected ?? []).map(addressOf),
			rejectedReplies: rejectedErrors,
			response: info.response ?? '',
			envelope: info.envelope as SentMessage['envelope'],
		};
	}

	close(): void {
		this.transporter?.close();
		this.transporter = undefined;
	}
}
