import type { SendMailOptions } from 'nodemailer';
import Mailer from 'nodemailer/lib/mailer';
import StreamTransport from 'nodemailer/lib/stream-transport';

export interface RenderedMessage {
	eml: Buffer;
	messageId: string;
	envelope: { from: string | false; to: string[] };
}

const options = { streamTransport: true, buffer: true, newline: 'crlf', disableFileAccess: true, disableUrlAccess: true } as const;
const renderer = new Mailer(new StreamTransport(options), options);

/** Builds the exact RFC 5322 message, without connecting anywhere (the node's preview). */
export async function renderMessage(mail: SendMailOptions): Promise<RenderedMessage> {
	const info = await renderer.sendMail(mail);
	return { eml: info.message as Buffer, messageId: info.messageId, envelope: info.envelope as RenderedMessage['envelope'] };
}
