import { randomBytes } from 'node:crypto';

import {
	NodeOperationError,
	WAIT_INDEFINITELY,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

import { forAgent, isReviewGate, keepsN8nGateMessage, REVIEW_GATE_MESSAGE, reviewMessageHtml, toolCallOf } from '../agent/reviewGate';
import { formTimeoutResult, responseTypeOf, timeoutResult, type Answer, type ApprovalResult, type ResponseType } from '../approval/decision';
import { approvalsNeeded, quorumRuleOf } from '../approval/quorum';
import { reasonFieldFor, reasonRuleOf } from '../approval/reason';
import { formFieldsOf } from '../approval/responseForm';
import { approvalEmail, type ApprovalLink } from '../approval/emailCard';
import { linkBase, localLinksWarning } from '../approval/linkBase';
import { waitTill, type WaitLimit } from '../approval/waitLimit';
import { parseAddresses, type Address } from '../message/addresses';
import { composeMail } from '../message/compose';
import { askForDsn, dsnOutcome } from '../message/dsn';
import { SmtpFailure } from '../failures/failure';
import { MessageInputError } from '../message/errors';
import { textValue } from '../message/values';
import type { CredentialName } from './credentials';
import { deliveryNotificationsOf } from './send.input';
import { errorItem, openSession, toNodeError, type Session, type SessionFailure } from './session';

/** The longest subject carried in a link, where the confirmation page reads it back. */
const TITLE_IN_LINK = 200;

interface ApprovalRequest {
	approvers: Address[];
	subject: string;
	messageHtml: string;
	responseType: ResponseType;
	/** One link per entry in each approver's mail: the decisions, or (Free Text, Custom Form) the form. */
	decisions: Array<{ decision: Answer; label: string; style?: 'primary' | 'secondary' }>;
	/**
	 * What the answer page needs from the node's settings, resolved now and carried in the signed links:
	 * when an approver answers, n8n evaluates the node's parameters against the waiting item, not this input.
	 */
	linkSettings: (decision: Answer) => Record<string, string>;
	limit?: WaitLimit;
	/** Carried in every link and in the waiting item, so an answer to an earlier request decides nothing. */
	approvalId: string;
}

/** The author's HTML; at an agent's review gate, the message as text and the tool call below it. */
function messageHtmlOf(ctx: IExecuteFunctions): string {
	const node = ctx.getNode();
	if (!isReviewGate(node)) return textValue(ctx.getNodeParameter('message', 0, ''), 'Message');
	// n8n's default message for a review gate prints the arguments as "[object Object]": ours says what the block below shows.
	const message = keepsN8nGateMessage(node.parameters.message) ? REVIEW_GATE_MESSAGE : textValue(ctx.getNodeParameter('message', 0, ''), 'Message');
	return reviewMessageHtml(message, toolCallOf(ctx.getInputData()[0]?.json ?? {}));
}

function readRequest(ctx: IExecuteFunctions): ApprovalRequest {
	// One mail and one vote per mailbox, however often (and in whatever case) it is listed.
	const approvers = parseAddresses(ctx.getNodeParameter('approvers', 0), 'Approvers').filter(
		(a, i, all) => all.findIndex((b) => b.address.toLowerCase() === a.address.toLowerCase()) === i,
	);
	if (!approvers.length) throw new MessageInputError('Approvers', 'Approvers is empty: give at least one address');
	const subject = textValue(ctx.getNodeParameter('subject', 0, ''), 'Subject').trim();
	if (!subject) throw new MessageInputError('Subject', 'Subject is empty: it is the question the approvers answer');
	const label = (name: string, fallback: string) => textValue(ctx.getNodeParameter(name, 0, fallback), name).trim() || fallback;
	// n8n reads only a decision from a review gate (`approved`): a form's answer would reach the agent as a rejection.
	const responseType = isReviewGate(ctx.getNode()) ? 'approval' : responseTypeOf(ctx.getNodeParameter('responseType', 0, 'approval'));
	const decisions: ApprovalRequest['decisions'] = [];
	let options: IDataObject;
	let linkSettings: ApprovalRequest['linkSettings'] = () => ({});
	if (responseType === 'approval') {
		options = ctx.getNodeParameter('approvalOptions', 0, {}) as IDataObject;
		const quorum = quorumRuleOf(options);
		const reason = reasonRuleOf(options);
		linkSettings = (decision) => {
			const field = decision === 'respond' ? undefined : reasonFieldFor(reason, decision);
			return {
				need: String(approvalsNeeded(quorum, approvers.length)),
				declines: quorum.decline,
				reason: field ? (field.required ? 'required' : 'optional') : 'none',
			};
		};
		const style = (value: unknown, fallback: 'primary' | 'secondary') => (value === 'primary' || value === 'secondary' ? value : fallback);
		decisions.push({ decision: 'approve', label: label('approveLabel', 'Approve'), style: style(options.buttonApprovalStyle, 'primary') });
		if (ctx.getNodeParameter('approvalType', 0, 'approveOrDecline') === 'approveOrDecline') {
			decisions.push({ decision: 'decline', label: label('declineLabel', 'Decline'), style: style(options.buttonDeclineStyle, 'secondary') });
		}
	} else {
		options = ctx.getNodeParameter('formOptions', 0, {}) as IDataObject;
		decisions.push({ decision: 'respond', label: textValue(options.messageButtonLabel ?? '', 'Message Button Label').trim() || 'Respond' });
		// Checked now, as the page will read it: a form that cannot be shown fails the node, not the approver.
		if (responseType === 'customForm') formFieldsOf(ctx.getNodeParameter('defineForm', 0, 'fields'), ctx.getNodeParameter('formFields', 0, {}), ctx.getNodeParameter('jsonOutput', 0, '[]'));
	}
	return {
		approvers,
		subject,
		messageHtml: messageHtmlOf(ctx),
		responseType,
		decisions,
		linkSettings,
		limit: (options.limitWaitTime as { values?: WaitLimit } | undefined)?.values,
		approvalId: randomBytes(12).toString('base64url'),
	};
}

/** One email per approver, each with links signed by n8n for that approver and decision. */
async function sendRequests(ctx: IExecuteFunctions, session: Session, request: ApprovalRequest) {
	const { settings, delivery, limits } = session;
	return await Promise.all(
		request.approvers.map(async (approver) => {
			const links: ApprovalLink[] = request.decisions.map(({ decision, label, style }) => ({
				decision,
				label,
				style,
				url: ctx.getSignedResumeUrl({
					approver: approver.address,
					decision,
					title: request.subject.slice(0, TITLE_IN_LINK),
					label,
					...request.linkSettings(decision),
					approvalId: request.approvalId,
				}),
			}));
			const { html, text } = approvalEmail({
				subject: request.subject,
				messageHtml: request.messageHtml,
				approver: approver.address,
				links,
				approverCount: request.approvers.length,
				asks: request.responseType === 'approval' ? 'decision' : 'form',
			});
			const { mail } = composeMail(
				{ fromEmail: ctx.getNodeParameter('fromEmail', 0, ''), fromName: ctx.getNodeParameter('fromName', 0, ''), toEmail: [approver], subject: request.subject, html, text },
				settings.sender,
				limits,
			);
			if (settings.dkim) mail.dkim = settings.dkim;
			const dsn = askForDsn(mail, deliveryNotificationsOf(ctx, 0));
			return { approver: approver.address, dsn, outcome: await delivery.deliver(mail) };
		}),
	);
}

/**
 * Sends the approval request to every approver, then puts the execution to wait. The webhook
 * (approval/webhook.ts) resumes it with the first decision; at the wait limit n8n resumes it with
 * this node's input, which is set here to the timed-out result.
 */
export async function execute(this: IExecuteFunctions, credentialName: CredentialName): Promise<INodeExecutionData[]> {
	if (typeof this.getSignedResumeUrl !== 'function') {
		throw new NodeOperationError(this.getNode(), 'This n8n version cannot sign approval links (getSignedResumeUrl is missing): update n8n to use Send Email and Wait for Response.');
	}
	let session: Session;
	try {
		session = await openSession(this, credentialName);
	} catch (failure) {
		const { error, redact } = failure as SessionFailure;
		if (this.continueOnFail()) return [errorItem(toNodeError(this, error, 0, redact), 0)];
		throw toNodeError(this, error, 0, redact);
	}
	const { redact } = session;
	try {
		const request = readRequest(this);
		// Said before the mails go out, so that it is said even when one of them fails.
		const linksPointAt = linkBase(this.getSignedResumeUrl(), this.getExecutionId());
		const warning = localLinksWarning(linksPointAt);
		if (warning) this.addExecutionHints({ message: warning, type: 'warning', location: 'outputPane' });
		const sent = await sendRequests(this, session, request);
		const failed = sent.find((s) => !s.outcome.ok);
		if (failed && !failed.outcome.ok) {
			const { failure } = failed.outcome;
			throw new SmtpFailure({ ...failure.fields(), hint: `The approval request to ${failed.approver} was not sent, so the workflow does not wait: ${failure.hint}` });
		}
		// n8n 1.x checks the links' signatures only when asked to (2.x always does for send-and-wait nodes).
		(this as { setSignatureValidationRequired?: () => void }).setSignatureValidationRequired?.();
		const until = waitTill(this, request.limit);
		const gated = (result: ApprovalResult) => (isReviewGate(this.getNode()) ? forAgent(result) : result);
		// The waiting item: what the time limit resumes with, and what the webhook reads the current request from.
		const timedOut = request.responseType === 'approval' ? gated(timeoutResult(request.subject, request.approvalId, request.approvers.map((a) => a.address))) : formTimeoutResult(request.subject, request.approvalId);
		this.getExecuteData().data.main = [[{ json: { ...timedOut }, pairedItem: { item: 0 } }]];
		await this.putExecutionToWait(until);
		return [
			{
				json: {
					waitingFor: request.approvers.map((a) => a.address),
					messageIds: sent.map((s) => (s.outcome.ok ? s.outcome.sent.messageId : null)),
					...(sent.some((s) => s.dsn) ? { deliveryNotifications: sent.map((s) => (s.dsn && s.outcome.ok ? { approver: s.approver, ...dsnOutcome(s.dsn, s.outcome.sent.dsnOffered) } : null)) } : {}),
					waitTill: until.getTime() === WAIT_INDEFINITELY.getTime() ? null : until.toISOString(),
					linksPointAt,
					...(warning ? { warning } : {}),
				},
				pairedItem: { item: 0 },
			},
		];
	} catch (error) {
		const nodeError = toNodeError(this, error, 0, redact);
		if (this.continueOnFail()) return [errorItem(nodeError, 0, error instanceof SmtpFailure ? error : undefined, redact)];
		throw nodeError;
	} finally {
		session.delivery.close();
	}
}
