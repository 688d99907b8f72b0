import Mailer from 'nodemailer/lib/mailer';
import StreamTransport from 'nodemailer/lib/stream-transport';

import { withTextAlternative, type MailDraft } from './content';

export interface RenderedMessage {
	eml: Buffer;
	messageId: string;
	envelope: { from: string | false; to: string[] };
}

const options = { streamTransport: true, buffer: true, newline: 'crlf', disableFileAccess: true, disableUrlAccess: true } as const;
const renderer = new Mailer(new StreamTransport(options), options);

/** Builds the exact RFC 5322 message, without connecting anywhere (the node's preview). */
export async function renderMessage(mail: MailDraft): Promise<RenderedMessage> {
	const info = await renderer.sendMail(withTextAlternative({ ...mail }));
	return { eml: info.message as Buffer, messageId: info.messageId, envelope: info.envelope as RenderedMessage['envelope'] };
}
