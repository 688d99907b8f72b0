import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { outputOf } from './support/engine';
import { credentialFor, startSmtpServer } from './support/smtpServer';
import { runSendNode } from './support/workflows';

const root = path.join(__dirname, '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

describe('the published package', () => {
	test('declares its node and credential for n8n and has no runtime dependencies', () => {
		expect(pkg.name).toBe('n8n-nodes-smtp-connector');
		expect(pkg.license).toBe('MIT');
		expect(pkg.keywords).toContain('n8n-community-node-package');
		expect(pkg.dependencies ?? {}).toEqual({});
		expect(pkg.peerDependencies).toEqual({ 'n8n-workflow': '*' });
		expect(pkg.n8n).toEqual({
			n8nNodesApiVersion: 1,
			strict: true,
			credentials: [
				'dist/credentials/SmtpConnectorApi.credentials.js',
				'dist/credentials/SmtpConnectorOAuth2Api.credentials.js',
				'dist/credentials/SmtpConnectorReceiverApi.credentials.js',
			],
			nodes: ['dist/nodes/SmtpConnector/SmtpConnector.node.js', 'dist/nodes/SmtpConnector/SmtpConnectorTrigger.node.js'],
		});
		for (const file of [...pkg.n8n.credentials, ...pkg.n8n.nodes]) expect(existsSync(path.join(root, file))).toBe(true);
	});

	test('npm pack ships dist/, README and LICENSE only', () => {
		const [packed] = JSON.parse(
			execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
		) as Array<{ files: Array<{ path: string }> }>;
		const files = packed.files.map((f) => f.path).sort();
		expect(files.filter((f) => !f.startsWith('dist/'))).toEqual(['LICENSE', 'README.md', 'package.json']);
		expect(files).toContain(pkg.main);
		expect(files).toEqual(
			expect.arrayContaining([
				'dist/credentials/SmtpConnectorApi.credentials.js',
				'dist/credentials/SmtpConnectorOAuth2Api.credentials.js',
				'dist/nodes/SmtpConnector/SmtpConnector.node.js',
				'dist/nodes/SmtpConnector/SmtpConnector.node.json',
				'dist/credentials/SmtpConnectorReceiverApi.credentials.js',
				'dist/nodes/SmtpConnector/SmtpConnectorTrigger.node.js',
				'dist/nodes/SmtpConnector/SmtpConnectorTrigger.node.json',
				'dist/nodes/SmtpConnector/smtpConnector.svg',
				'dist/nodes/SmtpConnector/smtpConnector.dark.svg',
				'dist/THIRD-PARTY-NOTICES.md',
			]),
		);
	});

	test('the licence of every bundled library ships with it, and packing builds first', () => {
		const notices = readFileSync(path.join(root, 'dist/THIRD-PARTY-NOTICES.md'), 'utf8');
		const bundle = (pkg.n8n.nodes as string[]).map((file) => readFileSync(path.join(root, file), 'utf8')).join('\n');
		// esbuild names each bundled file by its path: every package under node_modules/ there has a section.
		const bundled = new Set([...bundle.matchAll(/^\/\/ node_modules\/((?:@[^/]+\/)?[^/]+)\//gm)].map((m) => m[1]));
		expect([...bundled].sort()).toEqual(expect.arrayContaining(['html-to-text', 'mailparser', 'nodemailer', 'smtp-server']));
		for (const name of bundled) expect(notices).toMatch(new RegExp(`^## ${name.replace(/[/.]/g, '\\$&')} \\d`, 'm'));
		expect(notices).toMatch(/Permission is hereby granted/);
		// .npmrc skips lifecycle scripts, so `npm run release` builds explicitly; prepack covers npm publish --ignore-scripts=false.
		expect(pkg.scripts.prepack).toMatch(/gulp build/);
		expect(pkg.scripts.release).toMatch(/^gulp build .*&& npm publish/);
	});

	test('the built nodes need nothing but n8n-workflow and Node built-ins, and the credential test works', async () => {
		const bundles = (pkg.n8n.nodes as string[]).map((file) => readFileSync(path.join(root, file), 'utf8')).join('\n');
		const required = new Set([...bundles.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]));
		const builtin = (name: string) => name.startsWith('node:') || builtinModules.includes(name);
		expect([...required].filter((name) => name !== 'n8n-workflow' && !builtin(name))).toEqual([]);
		// n8n's community-node rules forbid process spawning; nodemailer's sendmail transport is left out.
		expect(required.has('node:child_process') || required.has('child_process')).toBe(false);

		const { SmtpConnector } = require(path.join(root, pkg.n8n.nodes[0]));
		const { SmtpConnectorApi } = require(path.join(root, pkg.n8n.credentials[0]));
		expect(new SmtpConnectorApi().name).toBe('smtpConnectorApi');
		const node = new SmtpConnector();
		expect(node.description).toMatchObject({ name: 'smtpConnector', displayName: 'SMTP Connector', defaults: { name: 'SMTP Connector' }, usableAsTool: true });

		const server = await startSmtpServer();
		try {
			const result = await node.methods.credentialTest.smtpConnectorTest.call({}, { data: await credentialFor(server) });
			expect(result).toEqual({ status: 'OK', message: `Connected to 127.0.0.1:${server.port}: STARTTLS, TLSv1.3, AUTH PLAIN` });
		} finally {
			await server.close();
		}
	});
});

test('no credential declares two properties with one name (n8n merges them by name)', () => {
	for (const file of pkg.n8n.credentials as string[]) {
		const exported = require(path.join(root, file));
		const credential = new (Object.values(exported)[0] as new () => { properties: Array<{ name: string }> })();
		const names = credential.properties.map((p) => p.name);
		expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
	}
});

test('the packed tarball installs with no dependencies into an empty folder, loads, and sends a mail', async () => {
	const dir = mkdtempSync(path.join(tmpdir(), 'packed-'));
	const server = await startSmtpServer();
	try {
		execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', dir], { cwd: root, stdio: 'ignore' });
		const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'))!;
		const app = path.join(dir, 'app');
		execFileSync('mkdir', ['-p', path.join(app, 'node_modules')]);
		writeFileSync(path.join(app, 'package.json'), '{ "name": "empty", "private": true }');
		// An empty cache of its own and --offline: the install must need nothing from a registry. n8n supplies
		// the peer n8n-workflow itself; --legacy-peer-deps keeps npm from resolving it (which needs its
		// packument, found only in a cache that an earlier online install happened to warm).
		execFileSync(
			'npm',
			['install', path.join(dir, tarball), '--omit=dev', '--legacy-peer-deps', '--ignore-scripts', '--no-audit', '--no-fund', '--offline', '--cache', path.join(dir, 'cache')],
			{ cwd: app, stdio: 'ignore' },
		);
		const installed = path.join(app, 'node_modules', 'n8n-nodes-smtp-connector');
		expect(readdirSync(path.join(app, 'node_modules')).sort()).toEqual(['.package-lock.json', 'n8n-nodes-smtp-connector']);
		expect(existsSync(path.join(installed, 'node_modules'))).toBe(false);
		// n8n provides n8n-workflow to community nodes; here it is the one the tests use.
		symlinkSync(path.join(root, 'node_modules', 'n8n-workflow'), path.join(app, 'node_modules', 'n8n-workflow'), 'dir');

		const { SmtpConnector } = require(path.join(installed, pkg.n8n.nodes[0]));
		for (const file of pkg.n8n.credentials as string[]) expect(Object.keys(require(path.join(installed, file)))).toHaveLength(1);
		const run = await runSendNode({
			parameters: { fromEmail: 'sender@example.test', toEmail: 'packed@example.test', subject: 'From the tarball', html: '<p>Hi</p>' },
			items: [{ json: {} }],
			credential: await credentialFor(server),
			nodeType: new SmtpConnector(),
		});
		expect(outputOf(run, 'Send Email')[0].json.accepted).toEqual(['packed@example.test']);
		expect((await server.waitFor(1))[0].parsed.subject).toBe('From the tarball');
	} finally {
		await server.close();
		rmSync(dir, { recursive: true, force: true });
	}
}, 60_000);

test("every credential condition names a field of that credential (n8n 1.x cannot resolve the others)", () => {
	// Fields the OAuth2 credential inherits from n8n's oAuth2Api.
	const inherited = ['useDynamicClientRegistration', 'grantType', 'serverUrl', 'authUrl', 'accessTokenUrl', 'clientId', 'clientSecret', 'scope', 'authQueryParameters', 'authentication'];
	for (const file of pkg.n8n.credentials as string[]) {
		const exported = require(path.join(root, file));
		const credential = new (Object.values(exported)[0] as new () => { extends?: string[]; properties: Array<{ name: string; displayOptions?: { show?: object; hide?: object } }> })();
		const names = new Set([...credential.properties.map((p) => p.name), ...(credential.extends ? inherited : [])]);
		const missing = credential.properties.flatMap((p) =>
			[...Object.keys(p.displayOptions?.show ?? {}), ...Object.keys(p.displayOptions?.hide ?? {})].filter((n) => !names.has(n)).map((n) => `${p.name} → ${n}`),
		);
		expect({ file, missing }).toEqual({ file, missing: [] });
	}
});
