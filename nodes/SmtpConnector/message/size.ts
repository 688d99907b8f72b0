import MailComposer from 'nodemailer/lib/mail-composer';

import { withTextAlternative, type MailDraft } from './content';
import { MessageInputError } from './errors';

// Below this bound no server's size limit is near, so the message is not built an extra time to measure it.
const MEASURE_FROM_BYTES = 512 * 1024;

const bytes = (value: unknown) => (typeof value === 'string' ? Buffer.byteLength(value) : Buffer.isBuffer(value) ? value.length : 0);

/**
 * More than the encoded message can be: quoted-printable may triple a byte, base64 adds a third and line
 * breaks; a text alternative generated from the HTML is not longer than the HTML.
 */
function upperBound(mail: MailDraft): number {
	const attachments = (mail.attachments ?? []).reduce((sum, a) => sum + bytes(a.content), 0);
	const text = mail.textFromHtml ? bytes(mail.html) : bytes(mail.text);
	return 3 * (bytes(mail.html) + text) + Math.ceil(attachments * 1.4) + 64 * 1024;
}

/** Bytes as megabytes with one decimal, as size errors show them. */
export const megabytes = (n: number) => (n / 1024 / 1024).toFixed(1);

/**
 * The message's size as it goes over the wire, for messages large enough to matter (undefined for
 * small ones). Over `maxBytes` the item fails before a connection is used; the size is also handed to
 * the server's SIZE check, which runs before MAIL FROM.
 */
export async function checkedSize(mail: MailDraft, maxBytes?: number, limitName = 'the limit'): Promise<number | undefined> {
	if (upperBound(mail) < MEASURE_FROM_BYTES) return undefined;
	const size = (await new MailComposer(withTextAlternative({ ...mail })).compile().build()).length;
	if (maxBytes && size > maxBytes) {
		const field = mail.attachments?.length ? 'Attachments' : 'HTML';
		throw new MessageInputError(
			field,
			`The message is ${megabytes(size)} MB once encoded, more than the ${megabytes(maxBytes)} MB ${limitName} allows: send smaller or fewer attachments, or a link to them`,
		);
	}
	return size;
}
