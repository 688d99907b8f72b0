import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { buildSync } from 'esbuild';

const root = path.join(__dirname, '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { scriptEnv } = require('../scripts/script-env');

test('npm start runs the example against its embedded server and leaves HOME untouched', () => {
	const home = mkdtempSync(path.join(tmpdir(), 'demo-home-'));
	const outfile = path.join(root, 'out', 'demo-home-check.js');
	try {
		buildSync({ entryPoints: [path.join(root, 'scripts/demo.ts')], outfile, bundle: true, platform: 'node', target: 'node20', format: 'cjs', packages: 'external', logLevel: 'warning' });
		// The environment npm start gives the demo, minus the user folder the test setup points at a temp dir.
		const { N8N_USER_FOLDER: _ignored, ...env } = process.env;
		const output = execFileSync(process.execPath, [outfile], { env: scriptEnv(root, { ...env, HOME: home }), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
		expect(output).toMatch(/Credential test: OK/);
		expect(readdirSync(home)).toEqual([]);
	} finally {
		rmSync(home, { recursive: true, force: true });
		rmSync(outfile, { force: true });
	}
}, 60_000);
