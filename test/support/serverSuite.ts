/**
 * A suite that needs a system server (dovecot, postfix, redis). Where the server cannot run here it is
 * skipped with the reason on a developer's machine — `npm test` never fails for a package it cannot use —
 * but in CI (CI=true), where .ci/run installs every server, a missing one fails the run instead of
 * quietly skipping its tests.
 */
export function serverSuite(server: string, unavailable: string | undefined): jest.Describe {
	if (!unavailable) return describe;
	if (process.env.CI === 'true') {
		return ((name: string) =>
			describe(name, () => {
				test(`${server} is available (CI must provide it)`, () => {
					throw new Error(`${server} cannot run here: ${unavailable}`);
				});
			})) as unknown as jest.Describe;
	}
	console.warn(`Skipping the tests against ${server}: ${unavailable}`);
	return describe.skip;
}
