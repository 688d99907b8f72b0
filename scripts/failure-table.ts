/**
 * The README's troubleshooting table, made from the failure table the node itself uses
 * (nodes/SmtpConnector/failures/kinds.ts). `npm run docs` writes it into README.md between the
 * failures markers; a test checks that the README holds what this makes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { FAILURE_KINDS, type HintContext } from '../nodes/SmtpConnector/failures/kinds';

const sample: HintContext = {
	where: 'host:port',
	host: 'host',
	port: 587,
	security: 'starttls',
	minTlsVersion: 'TLSv1.2',
	maxTlsVersion: 'TLSv1.3',
	serverName: 'host',
	proxy: 'proxy',
	sharedStore: 'redis://host:6379',
	waitedSeconds: 30,
	idempotencyKey: 'key',
	heldSince: 'time',
	freeAt: 'time + 15 min',
};

const RETRIED = { never: 'no', transient: 'yes', ambiguous: 'only with *Retry Possible Duplicates*' };
const cell = (text: string) => text.replace(/\|/g, '\\|');
const firstSentence = (text: string) => /^.*?[.:](?=\s|$)/.exec(text)?.[0] ?? text;

export function troubleshootingTable(): string {
	const rows = Object.entries(FAILURE_KINDS).map(
		([kind, k]) =>
			`| ${cell(firstSentence(k.hint(sample)))} | \`${kind}\` | ${k.scope} | ${RETRIED[k.retry]} | ${cell(k.recognisedBy)} | ${cell(k.cause)} | ${cell(k.fix)} |`,
	);
	return ['| you see (starts with) | kind | scope | retried | recognised by | cause | fix |', '|---|---|---|---|---|---|---|', ...rows].join('\n');
}

export const MARKERS = ['<!-- failures:start (made by npm run docs from failures/kinds.ts) -->', '<!-- failures:end -->'] as const;

export function withTable(readme: string): string {
	const [start, end] = MARKERS;
	const a = readme.indexOf(start);
	const b = readme.indexOf(end);
	if (a < 0 || b < a) throw new Error(`README.md lacks the markers ${start} … ${end}`);
	return `${readme.slice(0, a + start.length)}\n${troubleshootingTable()}\n${readme.slice(b)}`;
}

if (require.main === module) {
	const file = path.join(__dirname, '..', 'README.md');
	writeFileSync(file, withTable(readFileSync(file, 'utf8')));
	console.log('README.md: troubleshooting table written from failures/kinds.ts');
}
