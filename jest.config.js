/** @type {import('jest').Config} */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json', diagnostics: { warnOnly: false } }] },
	globalSetup: '<rootDir>/test/support/buildWorker.js',
	setupFiles: ['<rootDir>/test/support/env.js'],
	setupFilesAfterEnv: ['<rootDir>/test/support/afterEach.ts'],
	testTimeout: 30000,
	// One test file at a time: its node sends on a thread of its own (the delivery worker), and the servers run in
	// the test's thread, so one file already keeps both cores of the CI machine busy; two at once made timing-based
	// checks (rate limits at the server) depend on the other file's load.
	maxWorkers: 1,
};
