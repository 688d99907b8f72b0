import { isLoopback } from '../transport/settings';

/** Where approvers' links lead: n8n's waiting-webhook URL up to the execution, e.g. http://n8n.example.com/webhook-waiting/. */
export function linkBase(signedUrl: string): string {
	const url = new URL(signedUrl);
	return `${url.origin}${url.pathname.replace(/[^/]*\/[^/]*$/, '')}`;
}

/**
 * A warning when the links lead to this machine only: n8n without WEBHOOK_URL makes them from
 * http://localhost:<port>/, which an approver on another machine cannot open.
 */
export function localLinksWarning(signedUrl: string): string | undefined {
	if (!isLoopback(new URL(signedUrl).hostname)) return undefined;
	return `Approval links point at ${linkBase(signedUrl)}…, which only this machine can open: approvers elsewhere get dead links. Set n8n's WEBHOOK_URL to an address they can reach (e.g. https://n8n.example.com/) and restart n8n.`;
}
