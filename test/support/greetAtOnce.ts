/**
 * smtp-server holds every greeting for 100 ms to catch clients that talk too early. Postfix and most
 * submission servers greet at once; so do our loopback servers, so that connection setup is not
 * penalised in tests and in the benchmark's one-connection-per-item baseline.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { SMTPConnection } = require('smtp-server/lib/smtp-connection') as {
	SMTPConnection: { prototype: { init(): void; _setListeners(cb: () => void): void; connectionReady(): void } };
};

SMTPConnection.prototype.init = function init(this: { _setListeners(cb: () => void): void; connectionReady(): void }) {
	this._setListeners(() => this.connectionReady());
};
