// The node sends through its delivery worker (nodes/SmtpConnector/delivery/worker.ts), which runs from a file:
// the tests build it from the sources, as the package build does, so they always run the code under test.
const path = require('node:path');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '../..');

module.exports = async () => {
	const outfile = path.join(root, 'out', 'test', 'delivery-worker.js');
	await esbuild.build({ entryPoints: [path.join(root, 'nodes/SmtpConnector/delivery/worker.ts')], outfile, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning' });
	process.env.SMTP_CONNECTOR_TEST_WORKER = outfile;
};
