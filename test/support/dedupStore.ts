import type { DeduplicationItemTypes, ICheckProcessedContextData, IDataDeduplicator } from 'n8n-workflow';

/** n8n's deduplication store (DataDeduplicationService), in memory: one list of entries per workflow node. */
export class EntriesStore implements IDataDeduplicator {
	readonly rows = new Map<string, string[]>();
	constructor(private readonly entryOf: (key: string) => string = (key) => key) {}
	private row(c: ICheckProcessedContextData) {
		return `${c.workflow.id}:${c.node?.id}`;
	}
	async checkProcessedAndRecord(items: DeduplicationItemTypes[], _: unknown, c: ICheckProcessedContextData) {
		const list = this.rows.get(this.row(c)) ?? [];
		const fresh = items.filter((i) => !list.includes(String(i)));
		this.rows.set(this.row(c), [...list, ...fresh.map(String)]);
		return { new: fresh, processed: items.filter((i) => !fresh.includes(i)) };
	}
	async removeProcessed(items: DeduplicationItemTypes[], _: unknown, c: ICheckProcessedContextData) {
		this.rows.set(this.row(c), (this.rows.get(this.row(c)) ?? []).filter((e) => !items.map(String).includes(e)));
	}
	async clearAllProcessedItems() {}
	async getProcessedDataCount(_: unknown, c: ICheckProcessedContextData) {
		return this.rows.get(this.row(c))?.length ?? 0;
	}
	/** Whether the store holds the entry of `key`. */
	holds(key: string) {
		return [...this.rows.values()].flat().includes(this.entryOf(key));
	}
}
