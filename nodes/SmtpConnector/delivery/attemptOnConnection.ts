import type { Transform } from 'node:stream';

import SMTPConnection from 'nodemailer/lib/smtp-connection';

import { Stage, type StageValue } from './stage';

type Done = (error: Error | null, info?: unknown) => void;

interface Connection extends SMTPConnection {
	_destroyed: boolean;
	/** The extensions of the server's EHLO reply, as nodemailer recognised them. */
	_supportedExtensions: string[];
	__attempt?: AttemptWatch;
}

interface Prototype {
	send(this: Connection, envelope: object, message: unknown, done: Done): void;
	_createSendStream(this: Connection, callback: unknown): Transform;
	__attemptsWatched?: true;
}

/** A permit wait this long on a connection sends RSET, so neither side times the session out. */
export const keepWarmTuning = { ms: 20_000 };

/** What one attempt hears from the connection that sends it. */
export interface AttemptWatch {
	/** Waited for once a connection is ready to send the attempt (a rate limit's permit). */
	permit?: () => Promise<void>;
	/** The attempt reached `stage` on its connection. */
	reached(stage: StageValue): void;
	/** The extensions the connection's server offered, once the connection takes the attempt. */
	offered?(extensions: readonly string[]): void;
}

const watches = new WeakMap<object, AttemptWatch>();

/** `watch` hears about the message with this envelope once a connection of the pool takes it. */
export function watchAttempt(envelope: object, watch: AttemptWatch): void {
	watches.set(envelope, watch);
}

/**
 * RSET every `keepWarmTuning.ms` while the connection waits for a permit. `settled()` resolves once no RSET
 * reply is pending (or the connection is gone): a reply that came after MAIL FROM would clear the
 * envelope nodemailer is reading the MAIL reply into.
 */
function keepWarm(connection: Connection): { settled(): Promise<void> } {
	let resetting: Promise<void> | undefined;
	const timer = setInterval(() => {
		resetting ??= new Promise<void>((resolve) => {
			const done = () => {
				connection.off('end', done);
				resetting = undefined;
				resolve();
			};
			connection.once('end', done);
			connection.reset(done);
		});
	}, keepWarmTuning.ms);
	return {
		settled: async () => {
			clearInterval(timer);
			await resetting;
		},
	};
}

/**
 * nodemailer's pool queues a message until a connection is free, then calls the connection's send.
 * There the attempt waits for its permit, so the message reaches the server when the limiter said it
 * may, and from there its stage is read off the connection: the envelope, the body once the server
 * said 354, the final dot as the data stream writes it. No stream event of the message stands in
 * for a stage (a DKIM signer reads the whole message before MAIL FROM). Installed once, on the
 * nodemailer copy this package bundles.
 */
export function watchAttemptsOnConnections(): void {
	const prototype = SMTPConnection.prototype as unknown as Prototype;
	if (prototype.__attemptsWatched) return;
	const { send, _createSendStream: createSendStream } = prototype;
	prototype.send = function (envelope, message, done) {
		const watch = watches.get(envelope);
		if (!watch) return send.call(this, envelope, message, done);
		watches.delete(envelope);
		const go = () => {
			watch.reached(Stage.envelope);
			watch.offered?.(this._supportedExtensions);
			this.__attempt = watch;
			send.call(this, envelope, message, (error, info) => {
				if (this.__attempt === watch) this.__attempt = undefined;
				done(error, info);
			});
		};
		if (!watch.permit) return go();
		const warm = keepWarm(this);
		watch.permit().then(
			() => void warm.settled().then(go),
			(error: Error) => void warm.settled().then(() => done(error)),
		);
	};
	prototype._createSendStream = function (callback) {
		const stream = createSendStream.call(this, callback);
		const watch = this.__attempt;
		if (watch) {
			watch.reached(Stage.body);
			const flush = stream._flush.bind(stream);
			stream._flush = (done) => {
				watch.reached(Stage.dot);
				flush(done);
			};
		}
		return stream;
	};
	prototype.__attemptsWatched = true;
}
