export { domainAllowed, domainList } from '../message/addresses';

/** What the trigger accepts, beyond who may connect (the credential): domains and limits. */
export interface ReceivePolicy {
	senderDomains: string[];
	recipientDomains: string[];
	maxBytes: number;
	maxRecipients: number;
	maxConnectionsPerClient: number;
	maxMessagesPerMinute: number;
}

/** Counts per client address: open connections and messages in the last minute. */
export class ClientCounters {
	private readonly connections = new Map<string, number>();
	private readonly messages = new Map<string, number[]>();

	constructor(private readonly policy: ReceivePolicy) {}

	/** False when the client already has as many connections as it may. */
	connect(address: string): boolean {
		const open = this.connections.get(address) ?? 0;
		if (open >= this.policy.maxConnectionsPerClient) return false;
		this.connections.set(address, open + 1);
		return true;
	}

	disconnect(address: string): void {
		const open = (this.connections.get(address) ?? 1) - 1;
		if (open > 0) this.connections.set(address, open);
		else this.connections.delete(address);
	}

	/** False when the client has started as many messages in the last minute as it may. */
	startMessage(address: string, now = Date.now()): boolean {
		const recent = (this.messages.get(address) ?? []).filter((t) => t > now - 60_000);
		if (recent.length >= this.policy.maxMessagesPerMinute) {
			this.messages.set(address, recent);
			return false;
		}
		recent.push(now);
		this.messages.set(address, recent);
		return true;
	}

	/** Forgets clients with no message in the last minute, so the map does not grow with every address seen. */
	prune(now = Date.now()): void {
		for (const [address, times] of this.messages) if (!times.some((t) => t > now - 60_000)) this.messages.delete(address);
	}
}
