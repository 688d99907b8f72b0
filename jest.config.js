/** @type {import('jest').Config} */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json', diagnostics: { warnOnly: false } }] },
	setupFiles: ['<rootDir>/test/support/env.js'],
	setupFilesAfterEnv: ['<rootDir>/test/support/afterEach.ts'],
	testTimeout: 30000,
	maxWorkers: 2,
};
