/**
 * The most arrivals in any `windowMs` (windows that start at each arrival and leave out their end).
 *
 * A sliding window compares two arrivals that load can each delay: a thread that stalls sees several at once,
 * and a late first stamp shortens the window it opens. So it holds on clocks load cannot move (the tests' fake
 * timers) and over windows far wider than any stall (npm run test:queue's minute); per-second limits seen on the
 * machine's clock are checked with aheadOfPace.
 */
export function busiestWindow(times: number[], windowMs: number): number {
	const sorted = [...times].sort((a, b) => a - b);
	let most = 0;
	for (let i = 0, j = 0; i < sorted.length; i++) {
		while (sorted[j] <= sorted[i] - windowMs) j++;
		most = Math.max(most, i - j + 1);
	}
	return most;
}

/**
 * The arrivals that came sooner than a pace allows, each as `#k at +t ms, due from +d ms` (none: []). Counted
 * from `start`, a moment before the first of them could leave: the k-th arrival (from 0) is due no sooner than
 * start + k × stepMs − slackMs. In windows: by any time t after start, at most ⌈(t + slackMs) / stepMs⌉ have
 * arrived, in every window that opens at start.
 *
 * Load delays an arrival, or the moment the test sees it, and never advances it, so no load can make this
 * fail (slackMs also covers a timer that fires a few ms early in wall-clock time: Node starts it from the event
 * loop's cached clock). A per-second limit of N is paced 10 % wide, one per 1100 / N ms
 * (nodes/SmtpConnector/delivery/rateLimit.ts); with slackMs = 100, the tenth of a second that widening leaves,
 * this is "at most N in the first second after start, 2N in the first two, …" and the pace besides.
 */
export function aheadOfPace(times: number[], start: number, stepMs: number, slackMs: number): string[] {
	return [...times]
		.sort((a, b) => a - b)
		.flatMap((at, k) => {
			const due = start + k * stepMs - slackMs;
			return at < due ? [`#${k} at +${at - start} ms, due from +${Math.ceil(due - start)} ms`] : [];
		});
}

/** What `read` returns once it has `count` entries (a mailbox filling up), polled; an error after `timeoutMs`. */
export async function atLeast<T>(read: () => T[], count: number, what: string, timeoutMs = 30_000): Promise<T[]> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const got = read();
		if (got.length >= count) return got;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${count} ${what}, have ${got.length}`);
		await new Promise((r) => setTimeout(r, 200));
	}
}
