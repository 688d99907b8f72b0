/**
 * Is the mail an automatic reply (out of office, vacation)? RFC 3834's Auto-Submitted: auto-replied says
 * so; the rest are the marks the common responders set instead (Exchange / Microsoft 365 "Automatic reply:"
 * with auto-generated, X-Autoreply, X-Autorespond, Precedence: auto_reply).
 */
const AUTO_REPLY_SUBJECT = /^\s*(automatic reply|auto(?:matic)?[- ]?(?:reply|response)|out of (?:the )?office|abwesenheitsnotiz|automatische antwort|réponse automatique|risposta automatica|respuesta automática|vacation)\b/i;

export function autoReplyMark(headers: Map<string, string>, subject: string | null): { form: 'rfc3834' | 'autoReplyHeuristic'; by: string } | undefined {
	const submitted = headers.get('auto-submitted')?.toLowerCase().split(';')[0].trim();
	if (submitted === 'auto-replied') return { form: 'rfc3834', by: 'Auto-Submitted: auto-replied' };
	if (headers.get('x-autoreply')?.toLowerCase() === 'yes') return { form: 'autoReplyHeuristic', by: 'X-Autoreply: yes' };
	if (headers.has('x-autorespond')) return { form: 'autoReplyHeuristic', by: 'X-Autorespond' };
	if (headers.get('precedence')?.toLowerCase() === 'auto_reply') return { form: 'autoReplyHeuristic', by: 'Precedence: auto_reply' };
	if (subject && AUTO_REPLY_SUBJECT.test(subject)) return { form: 'autoReplyHeuristic', by: `Subject: ${subject.trim().split(':')[0]}` };
	return undefined;
}
