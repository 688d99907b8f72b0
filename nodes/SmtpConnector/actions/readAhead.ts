/**
 * Reads the items' parameters a run at a time, ahead of sending. n8n evaluates every expression on the
 * calling thread (in 2.x through its isolated-vm engine by default); a run of evaluations back to back
 * costs less than the same evaluations interleaved with composing and sending, measured in real n8n
 * (bench/n8n.ts). The runs are short, so the connections wait little while one is read.
 */
const READ_AHEAD = 16;

export type Read<T> = { ok: true; value: T } | { ok: false; error: unknown };

export class ReadAhead<T> {
	private readonly read = new Map<number, Read<T>>();

	constructor(
		private readonly count: number,
		private readonly readOne: (i: number) => T,
		private readonly run = READ_AHEAD,
	) {}

	/** Item i's parameters, or what reading them threw; items are taken in order, each once. */
	take(i: number): Read<T> {
		if (!this.read.has(i)) {
			for (let j = i; j < Math.min(this.count, i + this.run); j++) {
				try {
					this.read.set(j, { ok: true, value: this.readOne(j) });
				} catch (error) {
					this.read.set(j, { ok: false, error });
				}
			}
		}
		const result = this.read.get(i)!;
		this.read.delete(i);
		return result;
	}
}
