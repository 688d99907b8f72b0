import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { forAgent, isReviewGate } from '../agent/reviewGate';
import { credentialNameOf } from '../actions/credentials';
import { describeRedis } from '../coordination/redis';
import { readConnectionSettings, type RedisSettings } from '../transport/settings';
import { approverAnswers, DECISIONS, decisionResult, formAnswerResult, responseTypeOf, type DecisionValue } from './decision';
import { readReason, reasonFieldFor, reasonRuleOf, type ReasonRule } from './reason';
import { claimResume, recordAnswer, type RecordedAnswer, type Recording } from './decisions';
import { alreadyAnsweredPage, alreadyDecidedPage, confirmPage, countedPage, decidedPage, formPage, invalidLinkPage, notRecordedPage, replacedPage } from './pages';
import { approvalsNeeded, outcomeOf, quorumRuleOf, type QuorumRule, type Vote } from './quorum';
import { FREE_TEXT_FIELDS, formFieldsOf, readForm, renderFields, type FormField } from './responseForm';

const DEFAULT_LABELS: Record<DecisionValue, string> = { approve: 'Approve', decline: 'Decline' };

/** A parameter as the waiting node has it, or `fallback` where it cannot be read now. */
function parameter<T>(ctx: IWebhookFunctions, name: string, fallback: T): T {
	try {
		return (ctx.getNodeParameter(name, fallback) as T) ?? fallback;
	} catch {
		return fallback;
	}
}

function labelFor(ctx: IWebhookFunctions, decision: DecisionValue): string {
	const label = parameter<unknown>(ctx, decision === 'approve' ? 'approveLabel' : 'declineLabel', DEFAULT_LABELS[decision]);
	return typeof label === 'string' && label.trim() ? label : DEFAULT_LABELS[decision];
}

const reasonRule = (ctx: IWebhookFunctions): ReasonRule => reasonRuleOf(parameter<IDataObject>(ctx, 'approvalOptions', {}));

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

type Respond = (status: number, html: string) => IWebhookResponseData;

function responder(ctx: IWebhookFunctions): Respond {
	const res = ctx.getResponseObject();
	return (status, html) => {
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
}

interface Request {
	ctx: IWebhookFunctions;
	respond: Respond;
	approver: string;
	subject: string;
	approvalId: string;
	/** The link's URL, which its page's form posts back to. */
	url: string;
	/** The link's signed parameters. */
	query: IDataObject;
	body: IDataObject;
}

/**
 * Adds this approver's answer to the request's list (their first only), or answers that the record
 * cannot be reached (503): nothing is decided then.
 */
async function record({ ctx, respond, subject, approvalId, url }: Request, answer: RecordedAnswer): Promise<Recording | IWebhookResponseData> {
	const store = await sharedStoreOf(ctx);
	try {
		return await recordAnswer(requestKey(url, approvalId), answer, store);
	} catch {
		return respond(503, notRecordedPage({ subject, where: store ? describeRedis(store) : 'the record' }));
	}
}

const requestKey = (url: string, approvalId: string) => `${url.split('?')[0]}#${approvalId}`;

/**
 * Whether this answer, which decided, may resume the workflow: once per request (a double-click on the
 * deciding link resumes nothing more), again only after the claim lapsed (its process ended first).
 */
async function mayResume({ ctx, url, approvalId }: Request): Promise<boolean> {
	try {
		return await claimResume(requestKey(url, approvalId), await sharedStoreOf(ctx));
	} catch {
		return false;
	}
}

const isRecording = (value: Recording | IWebhookResponseData): value is Recording => 'answers' in value;

/** The approvers of the waiting request, as its waiting item lists them (requests from before quorums: the one answering). */
function approversOf(ctx: IWebhookFunctions, fallback: string): string[] {
	try {
		const listed = ctx.evaluateExpression('{{ $json.approvers }}', 0);
		const approvers = Array.isArray(listed) ? listed.map((a) => (a && typeof a === 'object' ? String((a as IDataObject).approver ?? '') : '')).filter(Boolean) : [];
		return approvers.length ? approvers : [fallback];
	} catch {
		return [fallback];
	}
}

const votesOf = (answers: RecordedAnswer[]): Vote[] =>
	answers.flatMap((a) => (a.answer === 'respond' ? [] : [{ approver: a.approver, decision: a.answer, comment: a.comment, at: a.at }]));

const resume = (json: object): IWebhookResponseData => ({ noWebhookResponse: true, workflowData: [[{ json: { ...json }, pairedItem: { item: 0 } }]] });

/** Approval: the link's page asks to confirm (with a reason where asked for); its POST decides. */
async function decide(request: Request, decision: DecisionValue): Promise<IWebhookResponseData> {
	const { ctx, respond, approver, subject, approvalId, url, body, query } = request;
	// The settings the request was sent with, from its signed link; links from before they were carried
	// there fall back to the node's parameters.
	const label = typeof query.label === 'string' && query.label.trim() ? query.label : labelFor(ctx, decision);
	const reason = query.reason === 'required' || query.reason === 'optional' ? { required: query.reason === 'required' } : query.reason === 'none' ? undefined : reasonFieldFor(reasonRule(ctx), decision);
	const confirm = { subject, approver, decision, label, actionUrl: url, reason };
	if (ctx.getRequestObject().method !== 'POST') return respond(200, confirmPage(confirm));

	const given = readReason(reason, body);
	if (!given.ok) return respond(422, confirmPage({ ...confirm, problem: given.problem, typed: typeof body.comment === 'string' ? body.comment : '' }));
	const at = new Date();
	const recording = await record(request, { approver, answer: decision, comment: given.comment, at: at.toISOString() });
	if (!isRecording(recording)) return recording;
	const approvers = approversOf(ctx, approver);
	const need = Number(query.need);
	const rule: QuorumRule =
		Number.isInteger(need) && need >= 1
			? { needed: 'atLeast', atLeast: need, decline: query.declines === 'vote' ? 'vote' : 'decides' }
			: quorumRuleOf(parameter<IDataObject>(ctx, 'approvalOptions', {}));
	const votes = votesOf(recording.answers);
	const outcome = outcomeOf(rule, approvers.length, votes);
	const decidedHere = outcome.settled && votes[outcome.deciderIndex].approver === approver;
	// An approver's second answer changes nothing — unless their first decided and the workflow is still
	// waiting for it (the process that recorded it ended before resuming): then it resumes now.
	if (!recording.recorded && !decidedHere) return respond(409, alreadyAnsweredPage({ subject, earlier: recording.earlier, outcome }));
	if (!outcome.settled) return respond(200, countedPage({ subject, label, approvals: outcome.approvals, needed: approvalsNeeded(rule, approvers.length) }));
	const { decider, deciderIndex } = outcome;
	// Only the answer that made the outcome certain resumes the workflow; any after it changes nothing.
	if (!decidedHere || !(await mayResume(request))) return respond(409, alreadyDecidedPage({ subject, by: decider.approver, at: new Date(decider.at), decision: decider.decision }));
	respond(200, decidedPage({ subject, label: decider.decision === decision ? label : labelFor(ctx, decider.decision) }));
	const everyone = approverAnswers(approvers, votes.slice(0, deciderIndex + 1));
	const result = decisionResult({ decision: decider.decision, by: approver, at: new Date(decider.at), comment: decider.comment }, subject, approvalId, everyone);
	return resume(isReviewGate(ctx.getNode()) ? forAgent(result) : result);
}

/** Free Text and Custom Form: the link's page is the form; its POST, checked field by field, answers. */
async function answer(request: Request, fields: FormField[]): Promise<IWebhookResponseData> {
	const { ctx, respond, approver, subject, approvalId, url, body } = request;
	const options = parameter<IDataObject>(ctx, 'formOptions', {});
	const text = (value: unknown, fallback: string) => (typeof value === 'string' && value.trim() ? value : fallback);
	const page = {
		title: text(options.responseFormTitle, subject),
		descriptionHtml: text(options.responseFormDescription, String(parameter<unknown>(ctx, 'message', '') ?? '')),
		approver,
		buttonLabel: text(options.responseFormButtonLabel, 'Submit'),
		actionUrl: url,
		customCss: typeof options.responseFormCustomCss === 'string' ? options.responseFormCustomCss : '',
	};
	if (ctx.getRequestObject().method !== 'POST') return respond(200, formPage({ ...page, fieldsHtml: renderFields(fields) }));

	const reading = readForm(fields, body);
	if (!reading.ok) {
		const problem = 'Some answers need another look: see the fields marked below. Nothing was recorded.';
		return respond(422, formPage({ ...page, problem, fieldsHtml: renderFields(fields, reading.typed, reading.problems) }));
	}
	const at = new Date();
	const recording = await record(request, { approver, answer: 'respond', comment: null, at: at.toISOString() });
	if (!isRecording(recording)) return recording;
	// The first answer counts.
	const [first] = recording.answers;
	// A second submission of the first answerer gets here only while the workflow still waits for it (the
	// process that recorded the first ended before resuming): it resumes with this one.
	if (first.approver !== approver || !(await mayResume(request))) return respond(409, alreadyDecidedPage({ subject, by: first.approver, at: new Date(first.at), decision: 'respond' }));
	respond(200, decidedPage({ subject, label: page.buttonLabel }));
	return resume(formAnswerResult(approver, at, reading.data, subject, approvalId));
}

/** The form the waiting node asks for, read as it was checked when the mails went out. */
function fieldsOf(ctx: IWebhookFunctions, responseType: 'freeText' | 'customForm'): FormField[] {
	if (responseType === 'freeText') return FREE_TEXT_FIELDS;
	return formFieldsOf(parameter<unknown>(ctx, 'defineForm', 'fields'), parameter<unknown>(ctx, 'formFields', {}), parameter<unknown>(ctx, 'jsonOutput', '[]'));
}

/**
 * The fields a page posted. The form pages post multipart/form-data — n8n 2.x accepts nothing else for a
 * send-and-wait node with a custom form — which n8n parses into { data, files }; the approval pages post
 * application/x-www-form-urlencoded, which it parses into the fields themselves.
 */
function formBody(body: unknown): IDataObject {
	if (!body || typeof body !== 'object') return {};
	const { data } = body as IDataObject;
	return data && typeof data === 'object' && !Array.isArray(data) ? (data as IDataObject) : (body as IDataObject);
}

/**
 * The links of the request mails. n8n has checked the link's signature before this runs (it binds
 * execution, node, approver, decision and request). A GET — what link scanners and previews do — only
 * shows a page; the POST of that page answers, once: the first answer resumes the workflow.
 */
export async function approvalWebhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const req = this.getRequestObject();
	const respond = responder(this);
	const query = this.getQueryData() as IDataObject;
	const approver = typeof query.approver === 'string' ? query.approver : '';
	const responseType = responseTypeOf(parameter<unknown>(this, 'responseType', 'approval'));
	const decision = responseType === 'approval' ? DECISIONS.find((d) => d === query.decision) : query.decision === 'respond' ? 'respond' : undefined;
	const subject = typeof query.title === 'string' && query.title ? query.title : 'this request';
	if (!approver || !decision) return respond(400, invalidLinkPage('It lacks the approver or what it answers. Use a button in the email.'));
	const approvalId = typeof query.approvalId === 'string' ? query.approvalId : '';
	if (approvalId !== currentApprovalId(this)) return respond(410, replacedPage({ subject }));
	const request: Request = { ctx: this, respond, approver, subject, approvalId, url: req.originalUrl ?? req.url ?? '', query, body: formBody(this.getBodyData()) };
	if (decision !== 'respond') return await decide(request, decision);
	let fields: FormField[];
	try {
		fields = fieldsOf(this, responseType as 'freeText' | 'customForm');
	} catch (error) {
		return respond(500, invalidLinkPage(`The form cannot be shown: ${(error as Error).message}. Tell the workflow's owner.`));
	}
	return await answer(request, fields);
}
