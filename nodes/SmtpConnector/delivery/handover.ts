import SMTPConnection from 'nodemailer/lib/smtp-connection';

type Send = (this: SMTPConnection, envelope: object, message: unknown, done: (error: Error | null, info?: unknown) => void) => void;

/** A wait this long on an idle connection sends RSET first, so neither side times the session out. */
const KEEP_WARM_MS = 20_000;

const permits = new WeakMap<object, () => Promise<void>>();

/** `permit` runs when a connection of the pool is about to send the message with this envelope, and the connection waits for it. */
export function awaitPermitAtHandover(envelope: object, permit: () => Promise<void>): void {
	permits.set(envelope, permit);
}

/**
 * nodemailer's pool queues a message until a connection is free, then calls the connection's send.
 * A rate limit's permit is taken there, not before the queue, so the message reaches the server when
 * the limiter said it may. Installed once, on the nodemailer copy this package bundles.
 */
export function takePermitsAtHandover(): void {
	const prototype = SMTPConnection.prototype as unknown as { send: Send; __permitAtHandover?: true };
	if (prototype.__permitAtHandover) return;
	const send = prototype.send;
	prototype.send = function (this: SMTPConnection, envelope, message, done) {
		const permit = permits.get(envelope);
		if (!permit) return send.call(this, envelope, message, done);
		permits.delete(envelope);
		const keepWarm = setInterval(() => this.reset(() => {}), KEEP_WARM_MS);
		permit().then(
			() => {
				clearInterval(keepWarm);
				send.call(this, envelope, message, done);
			},
			(error: Error) => {
				clearInterval(keepWarm);
				done(error);
			},
		);
	};
	prototype.__permitAtHandover = true;
}
