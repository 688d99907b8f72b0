import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { credentialNameOf } from '../actions/credentials';
import { describeRedis } from '../coordination/redis';
import { readConnectionSettings, type RedisSettings } from '../transport/settings';
import { DECISIONS, decisionResult, type DecisionValue } from './decision';
import { readReason, reasonFieldFor, reasonRuleOf, type ReasonRule } from './reason';
import { recordFirstDecision, type FirstDecision } from './decisions';
import { alreadyDecidedPage, confirmPage, decidedPage, invalidLinkPage, notRecordedPage, replacedPage } from './pages';

const DEFAULT_LABELS: Record<DecisionValue, string> = { approve: 'Approve', decline: 'Decline' };

function labelFor(ctx: IWebhookFunctions, decision: DecisionValue): string {
	try {
		const label = ctx.getNodeParameter(decision === 'approve' ? 'approveLabel' : 'declineLabel', DEFAULT_LABELS[decision]);
		return typeof label === 'string' && label.trim() ? label : DEFAULT_LABELS[decision];
	} catch {
		return DEFAULT_LABELS[decision];
	}
}

function reasonRule(ctx: IWebhookFunctions): ReasonRule {
	try {
		return reasonRuleOf(ctx.getNodeParameter('approvalOptions', {}) as IDataObject);
	} catch {
		return reasonRuleOf({});
	}
}

/** The Redis of the credential's Shared Limits, where decisions are recorded for every webhook process. */
async function sharedStoreOf(ctx: IWebhookFunctions): Promise<RedisSettings | undefined> {
	try {
		const name = credentialNameOf(String(ctx.getNodeParameter('authentication', 'smtpConnectorApi')));
		return readConnectionSettings(await ctx.getCredentials(name), name).sharedStore;
	} catch {
		// A credential that cannot be read now was readable when the mails went out; this process's record decides.
		return undefined;
	}
}

/**
 * The request the execution waits for now: n8n runs this webhook with the waiting node's input, which the
 * node set to its waiting item. Executions that began waiting before requests had ids have none, like
 * their links.
 */
function currentApprovalId(ctx: IWebhookFunctions): string {
	try {
		const id = ctx.evaluateExpression('{{ $json.approvalId }}', 0);
		return typeof id === 'string' ? id : '';
	} catch {
		return '';
	}
}

/**
 * The approval links. n8n has checked the link's signature before this runs (it binds execution, node,
 * approver and decision). A GET — what link scanners and previews do — only shows a confirmation page;
 * the POST of that page decides, once: the first decision resumes the workflow.
 */
export async function approvalWebhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const req = this.getRequestObject();
	const res = this.getResponseObject();
	const query = this.getQueryData() as IDataObject;
	const approver = typeof query.approver === 'string' ? query.approver : '';
	const decision = DECISIONS.find((d) => d === query.decision);
	const subject = typeof query.title === 'string' && query.title ? query.title : 'this request';
	const respond = (status: number, html: string): IWebhookResponseData => {
		res.statusCode = status;
		res.setHeader('Content-Type', 'text/html; charset=utf-8');
		res.setHeader('Cache-Control', 'no-store');
		res.setHeader('Referrer-Policy', 'no-referrer');
		res.setHeader('X-Robots-Tag', 'noindex, nofollow');
		// No scripts, no framing (an approve button must not be clickjacked), forms only to this origin.
		res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
		res.setHeader('X-Frame-Options', 'DENY');
		res.end(html);
		return { noWebhookResponse: true };
	};
	if (!approver || !decision) return respond(400, invalidLinkPage('It lacks the approver or the decision. Use a button in the approval email.'));
	const approvalId = typeof query.approvalId === 'string' ? query.approvalId : '';
	if (approvalId !== currentApprovalId(this)) return respond(410, replacedPage({ subject }));
	const label = labelFor(this, decision);
	const url = req.originalUrl ?? req.url ?? '';
	const reason = reasonFieldFor(reasonRule(this), decision);
	const confirm = { subject, approver, decision, label, actionUrl: url, reason };
	if (req.method !== 'POST') return respond(200, confirmPage(confirm));

	const body = (this.getBodyData() ?? {}) as IDataObject;
	const given = readReason(reason, body);
	if (!given.ok) return respond(422, confirmPage({ ...confirm, problem: given.problem, typed: typeof body.comment === 'string' ? body.comment : '' }));
	const at = new Date();
	const store = await sharedStoreOf(this);
	let recorded: FirstDecision;
	try {
		recorded = await recordFirstDecision(`${url.split('?')[0]}#${approvalId}`, { decision, by: approver, at }, store);
	} catch {
		return respond(503, notRecordedPage({ subject, where: store ? describeRedis(store) : 'the record' }));
	}
	if (!recorded.first) return respond(409, alreadyDecidedPage({ subject, ...recorded.earlier }));
	respond(200, decidedPage({ subject, label }));
	const result = decisionResult({ decision, by: approver, at, comment: given.comment }, subject, approvalId);
	return { noWebhookResponse: true, workflowData: [[{ json: { ...result }, pairedItem: { item: 0 } }]] };
}
