import { isLoopback } from '../transport/settings';

/**
 * Where approvers' links lead: n8n's waiting-webhook URL up to the execution, e.g.
 * http://n8n.example.com/webhook-waiting/ (what follows the execution ID differs between n8n versions).
 */
export function linkBase(signedUrl: string, executionId: string): string {
	const { origin, pathname } = new URL(signedUrl);
	const segments = pathname.split('/');
	const execution = segments.lastIndexOf(executionId);
	return `${origin}${execution < 0 ? pathname : `${segments.slice(0, execution).join('/')}/`}`;
}

/**
 * A warning when the links lead to this machine only: n8n without WEBHOOK_URL makes them from
 * http://localhost:<port>/, which an approver on another machine cannot open.
 */
export function localLinksWarning(base: string): string | undefined {
	const host = new URL(base).hostname;
	// 0.0.0.0 and :: (an N8N_HOST meant as a listen address) reach this machine only, too.
	if (!isLoopback(host) && host !== '0.0.0.0' && host !== '[::]') return undefined;
	return `Approval links point at ${base}…, which only this machine can open: approvers elsewhere get dead links. Set n8n's WEBHOOK_URL to an address they can reach (e.g. https://n8n.example.com/) and restart n8n.`;
}
