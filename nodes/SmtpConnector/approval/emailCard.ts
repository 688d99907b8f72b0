import { textAlternative } from '../message/content';
import type { Answer } from './decision';
import { COLORS, FONT, escapeHtml } from './html';

export interface ApprovalLink {
	decision: Answer;
	label: string;
	url: string;
	/** Filled or outlined; by default the first button is filled. */
	style?: 'primary' | 'secondary';
}

export interface ApprovalEmailInput {
	subject: string;
	/** The request, as HTML written by the workflow author. */
	messageHtml: string;
	approver: string;
	links: ApprovalLink[];
	/** How many approvers got the request. */
	approverCount: number;
	/** A decision per button, or a form that the one button opens. */
	asks?: 'decision' | 'form';
}

function button(link: ApprovalLink, primary: boolean): string {
	const color = COLORS[link.decision];
	const cell = primary ? `bgcolor="${color}" style="border-radius:6px;"` : `bgcolor="#ffffff" style="border:1px solid #d1d5db;border-radius:6px;"`;
	return `<td ${cell}><a href="${escapeHtml(link.url)}" target="_blank" style="display:inline-block;padding:12px 24px;font-family:${FONT};font-size:15px;font-weight:600;line-height:20px;color:${primary ? '#ffffff' : color};text-decoration:none;border-radius:6px;">${escapeHtml(link.label)}</a></td>`;
}

/**
 * The approval request: a card built from tables with inline styles (what Outlook, Gmail and Apple
 * Mail all render), with one button per decision, and its plain-text alternative.
 */
export function approvalEmail(input: ApprovalEmailInput): { html: string; text: string } {
	const td = (style: string, content: string) => `<tr><td style="font-family:${FONT};${style}">${content}</td></tr>`;
	const buttons = input.links.map((link, i) => button(link, (link.style ?? (i === 0 ? 'primary' : 'secondary')) === 'primary')).join('<td width="12" style="width:12px;">&nbsp;</td>');
	const who =
		input.approverCount > 1
			? `Sent to ${escapeHtml(input.approver)} and ${input.approverCount - 1} other approver${input.approverCount > 2 ? 's' : ''}; the first answer decides.`
			: `Sent to ${escapeHtml(input.approver)}.`;
	const form = input.asks === 'form';
	const opens = form
		? 'The button opens a page with the form: nothing is recorded until you submit it there.'
		: 'A button opens a page where you confirm your choice: nothing is decided until you press the button there.';
	const html = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(input.subject)}</title></head>
<body style="margin:0;padding:0;background-color:${COLORS.page};">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" bgcolor="${COLORS.page}" style="background-color:${COLORS.page};">
<tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="560" cellpadding="0" cellspacing="0" border="0" bgcolor="#ffffff" style="width:560px;max-width:100%;background-color:#ffffff;border:1px solid ${COLORS.border};border-radius:8px;">
${td(`padding:24px 28px 4px 28px;font-size:12px;letter-spacing:0.06em;text-transform:uppercase;color:${COLORS.muted};`, form ? 'Response requested' : 'Approval requested')}
${td(`padding:0 28px;font-size:20px;line-height:28px;font-weight:600;color:${COLORS.text};`, escapeHtml(input.subject))}
${td(`padding:16px 28px 8px 28px;font-size:15px;line-height:22px;color:${COLORS.body};`, input.messageHtml)}
<tr><td style="padding:12px 28px 24px 28px;"><table role="presentation" cellpadding="0" cellspacing="0" border="0"><tr>${buttons}</tr></table></td></tr>
${td(`padding:16px 28px 24px 28px;border-top:1px solid ${COLORS.border};font-size:12px;line-height:18px;color:${COLORS.muted};`, `${opens} ${who}`)}
</table>
</td></tr>
</table>
</body></html>`;
	const text = [
		input.subject,
		'',
		textAlternative(input.messageHtml, undefined) ?? '',
		'',
		...input.links.map((link) => `${link.label}: ${link.url}`),
		'',
		form ? 'The link opens a page with the form; nothing is recorded until you submit it there.' : 'Each link opens a page where you confirm your choice; nothing is decided until you press the button there.',
	].join('\n');
	return { html, text };
}
