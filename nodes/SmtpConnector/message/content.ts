import { compile } from 'html-to-text';

// Compiled once: building the converter costs more than converting a typical email.
const htmlToText = compile({
	wordwrap: 78,
	selectors: [
		{ selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
		{ selector: 'img', format: 'skip' },
		{ selector: 'table', format: 'dataTable' },
	],
});

/** The plain-text alternative: the user's own, or one generated from the HTML. */
export function textAlternative(html: string, text: string | undefined): string | undefined {
	if (text) return text;
	if (!html) return undefined;
	return htmlToText(html);
}
