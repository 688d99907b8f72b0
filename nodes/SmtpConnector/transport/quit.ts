import SMTPConnection from 'nodemailer/lib/smtp-connection';

/** How long a closing connection waits for the server's answer to QUIT. */
const QUIT_GRACE_MS = 1000;

interface ConnectionState {
	stage: string;
	upgrading?: boolean;
	_destroyed: boolean;
	_closing: boolean;
	_currentDataStream: unknown;
	_pendingSend: unknown;
	_responseActions: unknown[];
	_socket?: { destroyed?: boolean };
	_sendCommand(command: string): void;
	__quitSent?: true;
}

/** Greeted, and waiting for no reply: the session can take a command. */
const canTakeQuit = (c: ConnectionState) =>
	c.stage === 'connected' && !c._destroyed && !c._closing && !c.upgrading && !c._currentDataStream && !c._pendingSend && c._responseActions.length === 0 && c._socket?.destroyed === false;

/**
 * Every close says QUIT first when the session can take it: nodemailer's pool drops idle connections,
 * connections of a retired pool and connections after a refused login without one, which servers log
 * as broken sessions ("TLS connection was non-properly terminated"). Wraps close() of the bundled
 * copy's SMTPConnection: nodemailer has no option for it. A server that does not answer QUIT within
 * a second is closed on anyway.
 */
export function quitBeforeClose(): void {
	const prototype = SMTPConnection.prototype as unknown as { close: (this: ConnectionState) => void; __quitBeforeClose?: true };
	if (prototype.__quitBeforeClose) return;
	const close = prototype.close;
	prototype.close = function (this: ConnectionState) {
		if (this.__quitSent || !canTakeQuit(this)) return close.call(this);
		this.__quitSent = true;
		this._sendCommand('QUIT');
		this._responseActions.push(() => close.call(this));
		setTimeout(() => close.call(this), QUIT_GRACE_MS).unref();
	};
	prototype.__quitBeforeClose = true;
}
