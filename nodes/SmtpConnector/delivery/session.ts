import type { SendMailOptions } from 'nodemailer';
import Mailer from 'nodemailer/lib/mailer';
import SMTPPool, { type SMTPPoolOptions } from 'nodemailer/lib/smtp-pool';

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
	private transporter?: Mailer;

	constructor(private readonly settings: ConnectionSettings) {}

	private get transport(): Mailer {
		if (!this.transporter) {
			const options: SMTPPoolOptions = {
				...connectionOptions(this.settings),
				auth: authOptions(this.settings),
				pool: true,
				maxConnections: 1,
				maxMessages: Infinity,
				disableFileAccess: true,
				disableUrlAccess: true,
			};
			// Built from its parts rather than nodemailer.createTransport, so the bundle leaves out the
			// sendmail transport and its child_process.
			this.transporter = new Mailer(new SMTPPool(options), options);
		}
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
