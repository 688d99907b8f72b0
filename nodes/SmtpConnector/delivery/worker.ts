/**
 * The delivery worker: one per n8n process, started by delivery/workerChannel.ts. It holds the pooled
 * connections and owns each attempt from handover to result: it builds the MIME message, takes the
 * rate-limit permit, sends, writes the attempt's stage into memory n8n's thread shares, and answers
 * with one message when the attempt ended. Retries and outcomes are decided on n8n's thread.
 */
import { parentPort } from 'node:worker_threads';
import type Mailer from 'nodemailer/lib/mailer';

import { withTextAlternative } from '../message/content';
import type { TokenSource } from '../transport/auth/tokens';
import { createMailer, tuneMailer, type AttemptHooks } from './mailer';
import { rateLimiterFor } from './rateLimit';
import { StageWriter, type StageCell, type StageValue } from './stage';
import { fromWire, plainRejections, toWire, withBuffers, type FromWorker, type ToWorker, type WireEnvelope } from './wire';

const port = parentPort!;
const post = (message: FromWorker) => port.postMessage(message);

const mailers = new Map<string, Mailer>();
const stages = new StageWriter();
/** Each attempt's stage is in its shared cell, where n8n's thread reads it too. */
const attempts = new Map<number, { controller: AbortController; cell: StageCell }>();
const tokenRequests = new Map<number, { resolve: (token: string) => void; reject: (error: Error) => void }>();
let nextTokenRequest = 0;

/** Tokens come from the caller's thread, which holds the credential and n8n's OAuth2 helpers. */
const tokensOf = (pool: string): TokenSource => ({
	token: (renew, refused) =>
		new Promise((resolve, reject) => {
			const request = nextTokenRequest++;
			tokenRequests.set(request, { resolve, reject });
			post({ type: 'token', request, pool, renew, refused });
		}),
});

type SendMessage = Extract<ToWorker, { type: 'send' }>;

function send(message: SendMessage) {
	const { id, stage: cell, rate } = message;
	const controller = new AbortController();
	attempts.set(id, { controller, cell });
	let envelope: WireEnvelope | undefined;
	let dsnOffered = false;
	const snapshot = () => envelope && { accepted: envelope.accepted && [...envelope.accepted], rejectedErrors: plainRejections(envelope.rejectedErrors) };
	const finish = (result: FromWorker) => {
		attempts.delete(id);
		post(result);
	};
	const hooks: AttemptHooks = {
		reached: (stage) => stages.reach(cell, stage),
		envelope: (e) => (envelope = e),
		offered: (extensions) => (dsnOffered = extensions.includes('DSN')),
		permit: rate && (async () => await rateLimiterFor(rate.store).acquire(rate.key, rate.limit, controller.signal, rate.storeWaitMs)),
	};
	try {
		const mailer = mailers.get(message.pool);
		if (!mailer) throw Object.assign(new Error(`The delivery worker has no pool ${message.pool}`), { code: 'ECONFIG' });
		const mail = Object.assign(withTextAlternative(withBuffers(message.mail)), { signal: controller.signal, hooks });
		mailer.sendMail(mail).then(
			(info: { messageId: string; accepted?: unknown[]; rejectedErrors?: WireEnvelope['rejectedErrors']; response?: string }) => {
				const sent = { messageId: info.messageId, accepted: info.accepted?.map(String), rejectedErrors: plainRejections(info.rejectedErrors), response: info.response, dsnOffered };
				finish({ type: 'sent', id, info: sent, envelope: snapshot() });
			},
			(error: unknown) => finish({ type: 'failed', id, error: toWire(error), envelope: snapshot() }),
		);
	} catch (error) {
		// Building the message threw before any connection had it: nothing was sent.
		finish({ type: 'failed', id, error: toWire(error), envelope: snapshot() });
	}
}

/**
 * Ends an attempt that has not reached `before`. A stop or a cancel asks before the final dot (after
 * it, the server may have the message and its reply decides); a withdrawal before a connection took it.
 */
function abort(id: number, before: StageValue) {
	const attempt = attempts.get(id);
	if (attempt && stages.read(attempt.cell) < before) attempt.controller.abort();
}

/** The pool's connections follow the options of whoever uses it now (the lowest of them). */
function open(pool: string, message: Extract<ToWorker, { type: 'open' }>) {
	const mailer = mailers.get(pool);
	if (mailer) tuneMailer(mailer, message.options);
	else mailers.set(pool, createMailer(message.settings, message.options, () => tokensOf(pool)));
}

function receive(message: ToWorker) {
	switch (message.type) {
		case 'open':
			return open(message.pool, message);
		case 'close':
			mailers.get(message.pool)?.close();
			mailers.delete(message.pool);
			return;
		case 'stages':
			return stages.adopt(message.buffers);
		case 'send':
			return send(message);
		case 'abort':
			return abort(message.id, message.before);
		case 'token': {
			const request = tokenRequests.get(message.request);
			tokenRequests.delete(message.request);
			if (message.error) request?.reject(fromWire(message.error));
			else request?.resolve(message.token ?? '');
			return;
		}
	}
}

port.on('message', (message: ToWorker) => {
	try {
		receive(message);
	} catch (error) {
		// Nothing a message asks may end the thread: an attempt that could not start failed in send().
		process.emitWarning(error instanceof Error ? error : String(error), 'SmtpConnectorDeliveryWorker');
	}
});
