/** A message no connection had taken yet when an earlier item failed the execution: it was not sent. */
export class WithdrawnAfterFailure extends Error {
	constructor() {
		super('Not sent: an earlier item failed, and the execution stops with its error');
		this.name = 'WithdrawnAfterFailure';
	}
}
