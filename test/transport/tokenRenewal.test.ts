import { cachedTokenSource, clearTokenCache, provisionFrom } from '../../nodes/SmtpConnector/transport/auth/tokens';

beforeEach(() => clearTokenCache());

/** nodemailer's XOAuth2 object of one connection: it calls the provision callback with itself as `this`. */
function connection(provision: ReturnType<typeof provisionFrom>) {
	const self: { accessToken?: string } = {};
	const getToken = (renew: boolean) =>
		new Promise<string>((resolve, reject) =>
			provision.call(self, 'user@example.test', renew, (error, token) => {
				if (error) return reject(error);
				self.accessToken = token;
				resolve(token!);
			}),
		);
	return { getToken };
}

test('connections refused the same token renew it once, also when their renewals come one after another', async () => {
	let issued = 0;
	const source = cachedTokenSource('credential', { accessToken: 'stored' }, async () => ({ accessToken: `renewed-${++issued}` }));
	const provision = provisionFrom(() => source);
	const [a, b] = [connection(provision), connection(provision)];
	expect(await a.getToken(false)).toBe('stored');
	expect(await b.getToken(false)).toBe('stored');
	// Both logins were refused; b asks after a's renewal has finished.
	expect(await a.getToken(true)).toBe('renewed-1');
	expect(await b.getToken(true)).toBe('renewed-1');
	expect(issued).toBe(1);
	// The renewed token refused too: renewed once more, not once per connection.
	expect(await b.getToken(true)).toBe('renewed-2');
	expect(await a.getToken(true)).toBe('renewed-2');
	expect(issued).toBe(2);
});
