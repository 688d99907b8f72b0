const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { series, src, dest } = require('gulp');
const esbuild = require('esbuild');
const { scriptEnv } = require('./scripts/script-env');

const root = __dirname;
const entryPoints = [
	'credentials/SmtpConnectorApi.credentials.ts',
	'credentials/SmtpConnectorOAuth2Api.credentials.ts',
	'credentials/SmtpConnectorReceiverApi.credentials.ts',
	'nodes/SmtpConnector/SmtpConnector.node.ts',
	'nodes/SmtpConnector/SmtpConnectorTrigger.node.ts',
	// Runs on its own thread, loaded by path from the node's bundle (nodes/SmtpConnector/delivery/workerChannel.ts).
	'nodes/SmtpConnector/delivery/worker.ts',
];

function clean(done) {
	fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
	done();
}

function typecheck(done) {
	execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '--noEmit', '-p', root], { stdio: 'inherit' });
	done();
}

/** Each node and credential file carries its libraries (nodemailer, html-to-text): the package has no runtime dependencies. */
async function bundle() {
	const { metafile } = await esbuild.build({
		metafile: true,
		entryPoints,
		outbase: root,
		outdir: path.join(root, 'dist'),
		bundle: true,
		platform: 'node',
		target: 'node20',
		format: 'cjs',
		external: ['n8n-workflow'],
		legalComments: 'linked',
		logLevel: 'warning',
	});
	writeThirdPartyNotices(Object.keys(metafile.inputs));
}

/** dist/THIRD-PARTY-NOTICES.md: name, version, licence and licence text of every package bundled into dist/. */
function writeThirdPartyNotices(inputs) {
	const packageDirs = new Set();
	for (const input of inputs) {
		const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
		if (match) packageDirs.add(path.join(root, match[1]));
	}
	const sections = [...packageDirs]
		.map((dir) => {
			const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
			const licenceFile = fs.readdirSync(dir).find((f) => /^(licen[cs]e|copying)([.-]|$)/i.test(f));
			if (!licenceFile) throw new Error(`${pkg.name} is bundled into dist/ but ships no licence file`);
			return { pkg, text: fs.readFileSync(path.join(dir, licenceFile), 'utf8').trim() };
		})
		.sort((a, b) => a.pkg.name.localeCompare(b.pkg.name));
	const body = sections.map(({ pkg, text }) => `## ${pkg.name} ${pkg.version} (${pkg.license})\n\n\`\`\`\n${text}\n\`\`\`\n`).join('\n');
	fs.writeFileSync(
		path.join(root, 'dist', 'THIRD-PARTY-NOTICES.md'),
		`# Third-party notices\n\nThe files in dist/ bundle these packages; their licences follow.\n\n${body}`,
	);
}

function assets() {
	return src(['index.js', 'nodes/**/*.svg', 'nodes/**/*.node.json'], { base: root }).pipe(dest('dist'));
}

/** The demo and the benchmark are TypeScript, sharing the loopback server and engine harness of the tests. */
function script(entry, outfile, nodeArgs = []) {
	const bundleIt = () =>
		esbuild.build({
			entryPoints: [entry],
			outfile: path.join(root, outfile),
			bundle: true,
			platform: 'node',
			target: 'node20',
			format: 'cjs',
			packages: 'external',
			logLevel: 'warning',
		});
	const run = (done) => {
		execFileSync(process.execPath, [...nodeArgs, path.join(root, outfile)], { stdio: 'inherit', env: scriptEnv(root) });
		done();
	};
	return series(bundleIt, run);
}

exports.build = series(clean, typecheck, bundle, assets);
exports.demo = series(exports.build, script('scripts/demo.ts', 'out/demo.js'));
exports.bench = series(exports.build, script('bench/run.ts', 'out/bench.js', ['--expose-gc']));
exports.screenshots = series(exports.build, script('scripts/approval-screenshots.ts', 'out/approval-screenshots.js'));
exports.benchN8n = series(script('bench/n8n.ts', 'out/bench-n8n.js'));
exports.benchCpu = series(exports.build, script('bench/cpu.ts', 'out/bench-cpu.js', ['--expose-gc']));
exports.benchReceive = series(exports.build, script('bench/receive.ts', 'out/bench-receive.js'));
exports.benchAgent = series(script('bench/agentTool.ts', 'out/bench-agent.js'));
exports.benchFaults = series(exports.build, script('bench/faultWindows.ts', 'out/bench-faults.js', ['--expose-gc']));
exports.docs = script('scripts/failure-table.ts', 'out/failure-table.js');
exports.default = exports.build;
