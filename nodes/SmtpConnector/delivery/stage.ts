/**
 * How far one attempt got on its SMTP connection. The delivery thread sets it from the connection
 * itself, and only forward; what ends the attempt is judged by the last stage that was certain.
 */
export const Stage = {
	/** Handed to the delivery thread, waiting for a connection. */
	queued: 0,
	/** A connection took it: MAIL FROM, RCPT TO and DATA may be under way. Nothing can have been delivered. */
	envelope: 1,
	/** The server said 354 and the body is flowing. Cut now, the server throws the part away. */
	body: 2,
	/** The final dot was handed to the socket: the server may have the message, even without a reply. */
	dot: 3,
} as const;

export type StageValue = (typeof Stage)[keyof typeof Stage];

/** Cells of one shared page; a page is added when every cell of the others is in use. */
const PAGE_CELLS = 1024;

export interface StageCell {
	page: number;
	index: number;
}

/**
 * Each attempt's stage in memory shared by n8n's thread and the delivery thread: the delivery thread
 * writes it with no message, and n8n's thread can still read it after that thread died.
 */
export class StageBoard {
	private readonly pages: Int32Array[] = [];
	private readonly free: StageCell[] = [];

	/** The pages' memory, to hand to a delivery thread when it starts or a page is added. */
	get buffers(): SharedArrayBuffer[] {
		return this.pages.map((page) => page.buffer as SharedArrayBuffer);
	}

	/** A cell set to `queued`; `added` is true when a new page was made for it. */
	take(): { cell: StageCell; added: boolean } {
		let added = false;
		if (!this.free.length) {
			const page = this.pages.length;
			this.pages.push(new Int32Array(new SharedArrayBuffer(PAGE_CELLS * Int32Array.BYTES_PER_ELEMENT)));
			for (let index = PAGE_CELLS - 1; index >= 0; index--) this.free.push({ page, index });
			added = true;
		}
		const cell = this.free.pop()!;
		Atomics.store(this.pages[cell.page], cell.index, Stage.queued);
		return { cell, added };
	}

	read(cell: StageCell): StageValue {
		return Atomics.load(this.pages[cell.page], cell.index) as StageValue;
	}

	give(cell: StageCell): void {
		this.free.push(cell);
	}
}

/** The delivery thread's side: writes stages into the pages n8n's thread shared. */
export class StageWriter {
	private pages: Int32Array[] = [];

	adopt(buffers: SharedArrayBuffer[]): void {
		this.pages = buffers.map((buffer) => new Int32Array(buffer));
	}

	/** Moves the cell forward to `stage`; never back. */
	reach(cell: StageCell, stage: StageValue): void {
		const page = this.pages[cell.page];
		if (page && Atomics.load(page, cell.index) < stage) Atomics.store(page, cell.index, stage);
	}

	read(cell: StageCell): StageValue {
		const page = this.pages[cell.page];
		return (page ? Atomics.load(page, cell.index) : 0) as StageValue;
	}
}
