import type { Answer, DecisionValue } from './decision';
import { COLORS, FONT, escapeHtml } from './html';
import { REASON_MAX_LENGTH } from './reason';

function page(title: string, body: string, css = ''): string {
	// The author's CSS may not end the style element: "<" has no place in CSS outside strings and comments.
	const style = css.trim() ? `<style>${css.replace(/</g, '\\3c ')}</style>` : '';
	return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex, nofollow"><title>${escapeHtml(title)}</title>${style}</head>
<body style="margin:0;padding:48px 16px;background:${COLORS.page};font-family:${FONT};color:${COLORS.text};">
<main style="max-width:480px;margin:0 auto;background:#fff;border:1px solid ${COLORS.border};border-radius:8px;padding:28px;">
${body}
</main></body></html>`;
}

const heading = (text: string) => `<h1 style="margin:0 0 12px;font-size:20px;line-height:28px;font-weight:600;">${text}</h1>`;
const paragraph = (text: string) => `<p style="margin:0 0 16px;font-size:15px;line-height:22px;color:${COLORS.body};">${text}</p>`;

/** "Approve purchase request #123?" for a subject that already says it, else "Approve “Laptop for Jane”?". */
function question(label: string, subject: string): string {
	const trimmed = subject.replace(/[?.!]+$/, '');
	return trimmed.toLowerCase().startsWith(label.toLowerCase()) ? `${escapeHtml(trimmed)}?` : `${escapeHtml(label)} “${escapeHtml(subject)}”?`;
}

/** The page a link opens: it only asks; the decision is the POST of its form. */
export function confirmPage(input: {
	subject: string;
	approver: string;
	decision: DecisionValue;
	label: string;
	actionUrl: string;
	/** A reason field, where the operation asks for one. */
	reason?: { required: boolean };
	/** Why the last POST was not taken, shown above the form with what was typed. */
	problem?: string;
	typed?: string;
}): string {
	const color = COLORS[input.decision];
	const problem = input.problem
		? `<p role="alert" style="margin:0 0 16px;padding:10px 12px;font-size:14px;line-height:20px;color:${COLORS.decline};background:#fef2f2;border:1px solid #fecaca;border-radius:6px;">${escapeHtml(input.problem)}</p>`
		: '';
	const reason = input.reason
		? `<label for="comment" style="display:block;margin:0 0 6px;font-size:14px;font-weight:600;">Reason${input.reason.required ? '' : ' <span style="font-weight:400;color:' + COLORS.muted + ';">(optional)</span>'}</label>
<textarea id="comment" name="comment" rows="4" maxlength="${REASON_MAX_LENGTH}"${input.reason.required ? ' required' : ''} style="box-sizing:border-box;width:100%;margin:0 0 16px;padding:8px 10px;font:15px/22px ${FONT};color:${COLORS.text};border:1px solid #d1d5db;border-radius:6px;">${escapeHtml(input.typed ?? '')}</textarea>
`
		: '';
	return page(
		`${input.label}: ${input.subject}`,
		`${heading(question(input.label, input.subject))}
${paragraph(`You are answering as <strong>${escapeHtml(input.approver)}</strong>. Nothing has been decided yet.`)}
${problem}<form method="post" action="${escapeHtml(input.actionUrl)}" style="margin:0;">
${reason}<button type="submit" style="font:600 15px ${FONT};color:#fff;background:${color};border:0;border-radius:6px;padding:12px 24px;cursor:pointer;">${escapeHtml(input.label)}</button>
</form>`,
	);
}

/** Free Text and Custom Form: the page a link opens, and the same page again with what was wrong. */
export function formPage(input: {
	title: string;
	/** HTML written by the workflow author (the Message, or the Response Form Description). */
	descriptionHtml: string;
	approver: string;
	fieldsHtml: string;
	buttonLabel: string;
	actionUrl: string;
	customCss?: string;
	problem?: string;
}): string {
	const problem = input.problem
		? `<p role="alert" style="margin:0 0 16px;padding:10px 12px;font-size:14px;line-height:20px;color:${COLORS.decline};background:#fef2f2;border:1px solid #fecaca;border-radius:6px;">${escapeHtml(input.problem)}</p>`
		: '';
	const description = input.descriptionHtml.trim() ? `<div style="margin:0 0 16px;font-size:15px;line-height:22px;color:${COLORS.body};">${input.descriptionHtml}</div>` : '';
	return page(
		input.title,
		`${heading(escapeHtml(input.title))}
${description}${paragraph(`You are answering as <strong>${escapeHtml(input.approver)}</strong>. Nothing is recorded until you submit.`)}
${problem}<form method="post" action="${escapeHtml(input.actionUrl)}" enctype="multipart/form-data" style="margin:0;">
${input.fieldsHtml}
<button type="submit" style="font:600 15px ${FONT};color:#fff;background:${COLORS.respond};border:0;border-radius:6px;padding:12px 24px;cursor:pointer;">${escapeHtml(input.buttonLabel)}</button>
</form>`,
		input.customCss,
	);
}

export function decidedPage(input: { subject: string; label: string }): string {
	return page('Thank you', `${heading('Thank you')}${paragraph(`Your answer “${escapeHtml(input.label)}” to “${escapeHtml(input.subject)}” has been recorded.`)}`);
}

export function alreadyDecidedPage(input: { subject: string; by: string; at: Date; decision: Answer }): string {
	const what = PAST[input.decision];
	return page(
		'Already decided',
		`${heading('Already decided')}${paragraph(`“${escapeHtml(input.subject)}” was already ${what} by <strong>${escapeHtml(input.by)}</strong> at ${escapeHtml(input.at.toISOString().replace('T', ' ').slice(0, 19))} UTC. Your answer changed nothing.`)}`,
	);
}

/** The workflow asked again (a loop): this link belongs to an earlier request and decides nothing. */
export function replacedPage(input: { subject: string }): string {
	return page(
		'Request replaced',
		`${heading('This request was replaced')}${paragraph(`The workflow has asked about “${escapeHtml(input.subject)}” again since this email was sent. Your answer here changes nothing: use the buttons in the newest email.`)}`,
	);
}

const when = (iso: string | Date) => escapeHtml(new Date(iso).toISOString().replace('T', ' ').slice(0, 19));
const PAST: Record<Answer, string> = { approve: 'approved', decline: 'declined', respond: 'answered' };

/** The approver answered this request before: their first answer stands. */
export function alreadyAnsweredPage(input: { subject: string; earlier: { answer: Answer; at: string }; outcome: { settled: boolean } }): string {
	const state = input.outcome.settled ? 'The request has been decided.' : 'The request is still waiting for other approvers.';
	return page(
		'Already answered',
		`${heading('You already answered')}${paragraph(`You ${PAST[input.earlier.answer]} “${escapeHtml(input.subject)}” at ${when(input.earlier.at)} UTC; your first answer stands. ${state}`)}`,
	);
}

/** A quorum: this approval is counted, and more are needed. */
export function countedPage(input: { subject: string; label: string; approvals: number; needed: number }): string {
	return page(
		'Thank you',
		`${heading('Thank you')}${paragraph(`Your answer “${escapeHtml(input.label)}” to “${escapeHtml(input.subject)}” has been recorded. ${input.approvals} of the ${input.needed} approvals needed so far: the workflow goes on once the outcome is certain.`)}`,
	);
}

export function invalidLinkPage(reason: string): string {
	return page('Link not valid', `${heading('This link is not valid')}${paragraph(escapeHtml(reason))}`);
}

/** The decision could not be recorded where every webhook process looks: nothing was decided. */
export function notRecordedPage(input: { subject: string; where: string }): string {
	return page(
		'Not recorded',
		`${heading('Your answer was not recorded')}${paragraph(`Answers to “${escapeHtml(input.subject)}” are recorded in ${escapeHtml(input.where)}, which could not be reached. Nothing was decided: try the button again in a minute.`)}`,
	);
}
