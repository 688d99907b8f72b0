/** The most arrivals in any `windowMs` (windows that start at each arrival and leave out their end). */
export function busiestWindow(times: number[], windowMs: number): number {
	const sorted = [...times].sort((a, b) => a - b);
	let most = 0;
	for (let i = 0, j = 0; i < sorted.length; i++) {
		while (sorted[j] <= sorted[i] - windowMs) j++;
		most = Math.max(most, i - j + 1);
	}
	return most;
}
