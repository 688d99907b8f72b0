/**
 * The delivery worker: one per n8n process, started by delivery/workerChannel.ts. It holds the pooled
 * connections and does the work of each send — building the MIME message, TLS, SMTP — on a thread of
 * its own, so none of it runs on (or allocates in) the thread n8n evaluates expressions on. Every
 * decision (retry, rate limit, outcome) stays with the caller; this thread only sends what it is told.
 */
import { parentPort } from 'node:worker_threads';
import type Mailer from 'nodemailer/lib/mailer';

import { withTextAlternative } from '../message/content';
import type { TokenSource } from '../transport/auth/tokens';
import { createMailer } from './mailer';
import { fromWire, plainRejections, toWire, withBuffers, type FromWorker, type ToWorker, type WireEnvelope, type WireError } from './wire';

const port = parentPort!;
const post = (message: FromWorker) => port.postMessage(message);

const mailers = new Map<string, Mailer>();
const attempts = new Map<number, { controller: AbortController; granted?: (ok: boolean) => void }>();
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

/** A permit the caller refused; the caller keeps the real reason and fails the attempt with it. */
class PermitRefused extends Error {
	readonly code = 'EPERMIT';
}

function send(id: number, mailer: Mailer, message: Extract<ToWorker, { type: 'send' }>) {
	const controller = new AbortController();
	const attempt: { controller: AbortController; granted?: (ok: boolean) => void } = { controller };
	attempts.set(id, attempt);
	let envelope: WireEnvelope | undefined;
	// Told with the outcome (the caller reads it once the attempt ended: did the server get the whole message?).
	let bodySent = false;
	const snapshot = () => envelope && { accepted: envelope.accepted && [...envelope.accepted], rejectedErrors: plainRejections(envelope.rejectedErrors) };
	const hooks = {
		dataStarted: () => post({ type: 'progress', id, dataStarted: true }),
		bodySent: () => (bodySent = true),
		envelope: (e: WireEnvelope) => (envelope = e),
		permit: message.permit
			? () =>
					new Promise<void>((resolve, reject) => {
						attempt.granted = (ok) => (ok ? resolve() : reject(new PermitRefused('The rate limit gave no permit')));
						post({ type: 'permit', id });
					})
			: undefined,
	};
	mailer.sendMail(Object.assign(withTextAlternative(withBuffers(message.mail)), { signal: controller.signal, hooks })).then(
		(info: { messageId: string; accepted?: unknown[]; rejectedErrors?: WireEnvelope['rejectedErrors']; response?: string }) => {
			attempts.delete(id);
			const sent = { messageId: info.messageId, accepted: info.accepted?.map(String), rejectedErrors: plainRejections(info.rejectedErrors), response: info.response };
			post({ type: 'sent', id, info: sent, envelope: snapshot(), bodySent });
		},
		(error: unknown) => {
			attempts.delete(id);
			post({ type: 'failed', id, error: toWire(error), envelope: snapshot(), bodySent });
		},
	);
}

port.on('message', (message: ToWorker) => {
	switch (message.type) {
		case 'open':
			if (!mailers.has(message.pool)) mailers.set(message.pool, createMailer(message.settings, message.options, () => tokensOf(message.pool)));
			return;
		case 'close':
			mailers.get(message.pool)?.close();
			mailers.delete(message.pool);
			return;
		case 'send': {
			const mailer = mailers.get(message.pool);
			if (mailer) return send(message.id, mailer, message);
			const error: WireError = { name: 'Error', message: `The delivery worker has no pool ${message.pool}`, fields: { code: 'ECONFIG' } };
			return post({ type: 'failed', id: message.id, error, bodySent: false });
		}
		case 'abort':
			return attempts.get(message.id)?.controller.abort();
		case 'permit':
			return attempts.get(message.id)?.granted?.(message.granted);
		case 'token': {
			const request = tokenRequests.get(message.request);
			tokenRequests.delete(message.request);
			if (message.error) request?.reject(fromWire(message.error));
			else request?.resolve(message.token ?? '');
			return;
		}
	}
});
