import { compile } from 'html-to-text';
import type { SendMailOptions } from 'nodemailer';

// Compiled once: building the converter costs more than converting a typical email. Lines of at most 76
// characters let an ASCII text part go out as 7bit, as written, rather than quoted-printable.
const htmlToText = compile({
	wordwrap: 76,
	selectors: [
		{ selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
		{ selector: 'img', format: 'skip' },
		// Text as the user wrote it: html-to-text upper-cases headings and table header cells by default.
		{ selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } },
		...['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((selector) => ({ selector, options: { uppercase: false } })),
	],
});

/** The plain-text alternative: the user's own, or one generated from the HTML. */
export function textAlternative(html: string, text: string | undefined): string | undefined {
	if (text) return text;
	if (!html) return undefined;
	return htmlToText(html);
}

/**
 * A mail whose plain-text alternative is still to be generated from its HTML. It is generated where the
 * message is built — in the delivery worker, for the preview, for the size check — rather than where the
 * item is read.
 */
export type MailDraft = SendMailOptions & { textFromHtml?: true };

/** The mail with its generated text alternative in place (the mail itself, changed). */
export function withTextAlternative(mail: MailDraft): SendMailOptions {
	if (!mail.textFromHtml) return mail;
	delete mail.textFromHtml;
	mail.text = textAlternative(String(mail.html ?? ''), undefined);
	return mail;
}
