import { NodeOperationError, WAIT_INDEFINITELY, type IExecuteFunctions } from 'n8n-workflow';

export interface WaitLimit {
	limitType?: 'afterTimeInterval' | 'atSpecifiedTime';
	resumeAmount?: number;
	resumeUnit?: 'minutes' | 'hours' | 'days';
	maxDateAndTime?: string;
}

const UNIT_MS = { minutes: 60_000, hours: 3_600_000, days: 86_400_000 };

/** When the wait ends without a decision: the option's interval or date, else never (n8n's WAIT_INDEFINITELY). */
export function waitTill(ctx: IExecuteFunctions, limit: WaitLimit | undefined, now = Date.now()): Date {
	if (!limit?.limitType) return WAIT_INDEFINITELY;
	if (limit.limitType === 'afterTimeInterval') {
		const amount = Number(limit.resumeAmount ?? 1);
		if (!Number.isFinite(amount) || amount <= 0) throw new NodeOperationError(ctx.getNode(), 'Limit Wait Time: the amount must be a positive number');
		return new Date(now + amount * UNIT_MS[limit.resumeUnit ?? 'hours']);
	}
	const at = new Date(String(limit.maxDateAndTime ?? ''));
	if (Number.isNaN(at.getTime())) throw new NodeOperationError(ctx.getNode(), `Limit Wait Time: "${String(limit.maxDateAndTime)}" is not a date and time`);
	return at;
}
