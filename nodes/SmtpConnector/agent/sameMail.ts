import { createHash } from 'node:crypto';

import type { IExecuteFunctions } from 'n8n-workflow';

import { isEmailTool } from './toolResult';

/**
 * In an agent's run, the email tool sends a mail once: a model that calls it again with the same mail —
 * after an unclear result ("may have been delivered"), or going round in a loop — is told it went, and
 * nothing is sent twice. The same mail: the same recipients, subject and body. Only where the person set no
 * Idempotency Key of their own; undefined outside the email tool.
 */
export function sameMailKey(ctx: IExecuteFunctions, mail: unknown[]): string | undefined {
	if (!isEmailTool(ctx.getNode())) return undefined;
	return `agent-mail:${ctx.getExecutionId()}:${createHash('sha256').update(JSON.stringify(mail)).digest('base64url')}`;
}
