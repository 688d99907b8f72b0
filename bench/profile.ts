/**
 * Reads a V8 CPU profile of an n8n process (`BENCH_N8N_PROFILE=dir npm run bench:n8n`) and prints where the
 * time went while the measured node ran: self time by part — this package's own rooms and each library it
 * bundles (told apart by the bundle's `// path` section comments), n8n's packages, Node's internals, garbage
 * collection, idle. The window is from the first to the last sample inside the frames matching --window
 * (default: this package's bundle). `node out/bench-n8n.js profile <file.cpuprofile> [url part]` prints one.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
	id: number;
	callFrame: { functionName: string; url: string; lineNumber: number };
	children?: number[];
}
interface Profile {
	nodes: ProfileNode[];
	samples: number[];
	timeDeltas: number[];
}

const BUNDLE = 'dist/nodes/SmtpConnector/SmtpConnector.node.js';

/** The bundle's sections: esbuild starts each module with a `// <path>` comment line. */
function sectionsOf(url: string): Array<{ line: number; name: string }> {
	const lines = readFileSync(url.startsWith('file:') ? fileURLToPath(url) : url, 'utf8').split('\n');
	const sections: Array<{ line: number; name: string }> = [];
	lines.forEach((text, line) => {
		const match = /^\/\/ ((?:node_modules|nodes|credentials)\/\S+)$/.exec(text);
		if (match) sections.push({ line, name: match[1] });
	});
	return sections;
}

function bundlePart(path: string): string {
	const lib = /^node_modules\/((?:@[^/]+\/)?[^/]+)(?:\/node_modules\/((?:@[^/]+\/)?[^/]+))?/.exec(path);
	if (lib) return `bundled ${lib[2] ?? lib[1]}`;
	const room = /^nodes\/SmtpConnector\/([^/]+)\//.exec(path);
	return `ours: ${room ? room[1] : path}`;
}

function partOf(url: string, line: number, sections: Map<string, Array<{ line: number; name: string }>>): string {
	if (!url) return '';
	if (url.includes(BUNDLE)) {
		if (!sections.has(url)) sections.set(url, sectionsOf(url));
		const list = sections.get(url)!;
		let name = 'ours: bundle';
		for (const s of list) if (s.line <= line) name = s.name;
		return name === 'ours: bundle' ? name : bundlePart(name);
	}
	if (url.startsWith('node:')) return `node: ${url.slice(5).replace(/^internal\//, '').split('/')[0]}`;
	const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules)/.exec(url);
	return pkg ? pkg[1] : url;
}

/** The summary of one profile, as Markdown tables. */
export function summarise(file: string, windowPart = BUNDLE, top = 25): string {
	const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
	const byId = new Map(profile.nodes.map((n) => [n.id, n]));
	const parent = new Map<number, number>();
	for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
	const inWindowFrames = (id: number) => {
		for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) if (byId.get(at)!.callFrame.url.includes(windowPart)) return true;
		return false;
	};
	const times: number[] = [];
	let t = 0;
	for (const d of profile.timeDeltas) times.push((t += d));
	const marked = profile.samples.map((id) => inWindowFrames(id));
	const first = marked.indexOf(true);
	const last = marked.lastIndexOf(true);
	if (first < 0) throw new Error(`no sample inside ${windowPart}`);

	const sections = new Map<string, Array<{ line: number; name: string }>>();
	const self = new Map<string, number>();
	const functions = new Map<string, number>();
	for (let i = first; i <= last; i++) {
		const node = byId.get(profile.samples[i])!;
		const { functionName, url, lineNumber } = node.callFrame;
		const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
		const part = partOf(url, lineNumber, sections) || functionName;
		self.set(part, (self.get(part) ?? 0) + dt);
		const fn = `${functionName || '(anonymous)'} — ${part}:${lineNumber + 1}`;
		functions.set(fn, (functions.get(fn) ?? 0) + dt);
	}
	const total = (times[last] - times[first]) / 1000;
	const lines = [`${file}: ${total.toFixed(0)} ms from the first to the last sample inside ${windowPart}`, '', '| part | self ms | share |', '|---|---:|---:|'];
	for (const [part, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`| ${part} | ${ms.toFixed(0)} | ${((ms / total) * 100).toFixed(1)} % |`);
	lines.push('', '| function | self ms |', '|---|---:|');
	for (const [fn, ms] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`| ${fn} | ${ms.toFixed(0)} |`);
	return lines.join('\n');
}
