const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { series, src, dest } = require('gulp');
const esbuild = require('esbuild');

const root = __dirname;
const entryPoints = [
	'credentials/SmtpConnectorApi.credentials.ts',
	'nodes/SmtpConnector/SmtpConnector.node.ts',
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
	await esbuild.build({
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
}

function assets() {
	return src(['index.js', 'nodes/**/*.svg', 'nodes/**/*.node.json'], { base: root }).pipe(dest('dist'));
}

/** The demo is TypeScript like the tests it shares its loopback server and engine harness with. */
async function bundleDemo() {
	await esbuild.build({
		entryPoints: ['scripts/demo.ts'],
		outfile: path.join(root, 'out/demo.js'),
		bundle: true,
		platform: 'node',
		target: 'node20',
		format: 'cjs',
		packages: 'external',
		logLevel: 'warning',
	});
}

function runDemo(done) {
	execFileSync(process.execPath, [path.join(root, 'out/demo.js')], { stdio: 'inherit' });
	done();
}

exports.build = series(clean, typecheck, bundle, assets);
exports.demo = series(exports.build, bundleDemo, runDemo);
exports.default = exports.build;
