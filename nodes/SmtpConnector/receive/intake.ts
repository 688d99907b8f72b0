import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';

import type { IBinaryData, IDataObject, INodeExecutionData, IRun } from 'n8n-workflow';

import { Reply, type Intake, type ReceivedMessage } from './listener';
import { parseSpooled, UnreadableMessage } from './parse';
import type { SmtpReplyNote } from '../message/errors';
import type { ResentMessages } from './resent';

export type RespondWhen = 'received' | 'workflowFinished';

export interface IntakeOptions {
	respondWhen: RespondWhen;
	/** How long the client waits for the run before it hears 451 (workflowFinished). */
	waitMs: number;
	attachmentPrefix?: string;
	rawProperty?: string;
}

/** What the trigger node gives the intake: n8n's binary storage and a way to start a run. */
export interface TriggerPort {
	store(content: Readable, fileName: string | undefined, mimeType: string): Promise<IBinaryData>;
	/** Starts a run with the item; with `wait`, resolves with the finished run. */
	run(item: INodeExecutionData, wait: boolean): Promise<IRun | undefined>;
}

/** Statuses of a run that has taken the message on: it finished, or it is persisted waiting (a Wait node). */
const TAKEN = new Set(['success', 'waiting']);

export function intakeFor(port: TriggerPort, options: IntakeOptions, resent?: ResentMessages): Intake {
	return async (message) => {
		const key = messageKey(message);
		const earlier = resent?.earlier(key);
		if (earlier) {
			// A run for these bytes was started: it succeeded (250), failed (a new run), or still goes (451, no second run).
			const ok = await within(earlier, options.waitMs).catch((error) => (error instanceof TimeLimit ? 'going' : false));
			if (ok === true) return `2.0.0 Accepted before (the same message was sent again)`;
			if (ok === 'going') throw new Reply(451, '4.4.7 The workflow for this message has not finished yet, try again later');
		}
		if (options.respondWhen === 'received') {
			const item = await itemOf(message, key, port, options);
			if (!message.listening()) throw shuttingDown();
			await port.run(item, false); // resolves once emitted; an emit that throws is a 451, not an unhandled rejection
			return '2.0.0 Accepted';
		}
		// Recorded before the item is built (no await since earlier()): a second connection with the same message waits for this one.
		let started!: (run: Promise<IRun | undefined>) => void;
		const verdict = new Promise<IRun | undefined>((resolve) => (started = resolve)).then(verdictOf);
		resent?.record(
			key,
			verdict.then((v) => v === 'taken'),
		);
		let item: INodeExecutionData;
		try {
			item = await itemOf(message, key, port, options);
		} catch (error) {
			started(Promise.resolve(undefined));
			throw error;
		}
		if (!message.listening()) {
			started(Promise.resolve(undefined));
			throw shuttingDown();
		}
		started(port.run(item, true));
		let outcome: Verdict;
		try {
			outcome = await within(verdict, options.waitMs);
		} catch (error) {
			if (error instanceof TimeLimit) throw new Reply(451, '4.4.7 The workflow has not finished in time, try again later');
			throw new Reply(451, '4.3.0 The workflow did not run, try again later');
		}
		if (outcome instanceof Reply) throw outcome;
		if (outcome !== 'taken') throw new Reply(451, `4.3.0 The workflow did not finish successfully${outcome.why ? ` (${outcome.why})` : ''}, try again later`);
		return '2.0.0 Accepted: the workflow has finished';
	};
}

/** Why a run failed, for the client's log (an admin reads it there): the node and its error, one line. */
type Verdict = 'taken' | { why: string } | Reply;

/**
 * A run that finished (or waits, persisted) has taken the message. One that failed because the message
 * itself was refused for good (the provider's 5xx for it, a mail loop: SMTP Connector's errors say so
 * in their context) is refused to the client too, so it bounces instead of retrying for days; any
 * other failure is temporary for the client, which keeps the message.
 */
function verdictOf(run: IRun | undefined): Verdict {
	if (!run) return { why: '' };
	const error = run.data.resultData.error as { message?: string; node?: { name?: string }; context?: { smtpReply?: SmtpReplyNote } } | undefined;
	if (TAKEN.has(run.status) && !error) return 'taken';
	const reply = error?.context?.smtpReply;
	if (reply?.permanent) {
		const code = reply.code && reply.code >= 500 && reply.code < 600 ? reply.code : 554;
		const enhanced = reply.enhancedCode && /^5\.\d{1,3}\.\d{1,3}$/.test(reply.enhancedCode) ? reply.enhancedCode : '5.0.0';
		return new Reply(code, `${enhanced} ${oneLine(reply.text)}`);
	}
	const node = error?.node?.name ? `${error.node.name}: ` : '';
	return { why: error?.message ? oneLine(`${node}${error.message}`).slice(0, 200) : run.status };
}

/** Provider text in an SMTP reply: one line of printable ASCII. */
const oneLine = (text: string) => text.replace(/[^\x20-\x7e]+/g, ' ').trim().slice(0, 400) || 'Refused';

class TimeLimit extends Error {}

/** The trigger closed while the message was being taken in: no run starts, the client sends it again. */
const shuttingDown = () => new Reply(421, '4.3.2 Server shutting down, try again later');

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	const limit = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new TimeLimit()), ms)));
	return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

/**
 * Envelope and bytes as the client sent them: a client's retry of the same message has the same key. A message
 * without a Message-ID may be sent again on purpose with the same bytes (a script's alert), so its key is its own.
 */
function messageKey(message: ReceivedMessage): string {
	const once = message.spooled.hasMessageId ? [] : [message.sessionId, message.receivedAt.toISOString()];
	return createHash('sha256').update(JSON.stringify([message.mailFrom, message.rcptTo, message.spooled.sha256, ...once])).digest('hex');
}

async function itemOf(message: ReceivedMessage, key: string, port: TriggerPort, options: IntakeOptions): Promise<INodeExecutionData> {
	const prefix = options.attachmentPrefix;
	let parsed;
	try {
		parsed = await parseSpooled(message.spooled.file, (content, fileName, mimeType) => (prefix === undefined ? drain(content) : port.store(content, fileName, mimeType)));
	} catch (error) {
		if (error instanceof UnreadableMessage) throw new Reply(554, `5.6.0 The message cannot be read (${oneLine(error.message).slice(0, 200)})`);
		throw new Reply(451, '4.3.0 The message could not be stored, try again later');
	}
	const binary: Record<string, IBinaryData> = {};
	const attachments = parsed.attachments.map((a, i) => {
		if (a.binary) binary[`${prefix}${i}`] = a.binary;
		return { ...(a.binary ? { binaryProperty: `${prefix}${i}` } : {}), fileName: a.fileName, contentType: a.contentType, size: a.size, contentId: a.contentId, inline: a.inline };
	});
	if (options.rawProperty) binary[options.rawProperty] = await port.store(createReadStream(message.spooled.file), 'message.eml', 'message/rfc822');
	const json = JSON.parse(
		JSON.stringify({
			...parsed.fields,
			text: parsed.text,
			html: parsed.html,
			textAsHtml: parsed.textAsHtml,
			headers: parsed.headers,
			envelope: { mailFrom: message.mailFrom, rcptTo: message.rcptTo },
			client: message.client,
			messageKey: key,
			size: message.spooled.size,
			receivedAt: message.receivedAt,
			attachments,
		}),
	) as IDataObject;
	return { json, ...(Object.keys(binary).length ? { binary } : {}) };
}

/** Attachments not kept: read to the end so the parser goes on. */
async function drain(content: Readable): Promise<undefined> {
	content.resume();
	await finished(content);
	return undefined;
}
