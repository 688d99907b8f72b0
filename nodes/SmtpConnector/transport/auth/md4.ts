/**
 * MD4 (RFC 1320), needed only for the NT password hash of NTLM. Written by hand because OpenSSL 3,
 * which Node 17+ uses, moved MD4 into its legacy provider: `createHash('md4')` throws there.
 */
export function md4(input: Buffer): Buffer {
	const bitLength = BigInt(input.length) * 8n;
	const padded = Buffer.alloc((((input.length + 8) >> 6) + 1) << 6);
	input.copy(padded);
	padded[input.length] = 0x80;
	padded.writeBigUInt64LE(bitLength, padded.length - 8);

	let [a, b, c, d] = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];
	const rotl = (x: number, n: number) => (x << n) | (x >>> (32 - n));
	const f = (x: number, y: number, z: number) => (x & y) | (~x & z);
	const g = (x: number, y: number, z: number) => (x & y) | (x & z) | (y & z);
	const h = (x: number, y: number, z: number) => x ^ y ^ z;
	const x = new Array<number>(16);

	for (let block = 0; block < padded.length; block += 64) {
		for (let i = 0; i < 16; i++) x[i] = padded.readInt32LE(block + i * 4);
		const [aa, bb, cc, dd] = [a, b, c, d];
		for (const i of [0, 4, 8, 12]) {
			a = rotl((a + f(b, c, d) + x[i]) | 0, 3);
			d = rotl((d + f(a, b, c) + x[i + 1]) | 0, 7);
			c = rotl((c + f(d, a, b) + x[i + 2]) | 0, 11);
			b = rotl((b + f(c, d, a) + x[i + 3]) | 0, 19);
		}
		for (const i of [0, 1, 2, 3]) {
			a = rotl((a + g(b, c, d) + x[i] + 0x5a827999) | 0, 3);
			d = rotl((d + g(a, b, c) + x[i + 4] + 0x5a827999) | 0, 5);
			c = rotl((c + g(d, a, b) + x[i + 8] + 0x5a827999) | 0, 9);
			b = rotl((b + g(c, d, a) + x[i + 12] + 0x5a827999) | 0, 13);
		}
		for (const i of [0, 2, 1, 3]) {
			a = rotl((a + h(b, c, d) + x[i] + 0x6ed9eba1) | 0, 3);
			d = rotl((d + h(a, b, c) + x[i + 8] + 0x6ed9eba1) | 0, 9);
			c = rotl((c + h(d, a, b) + x[i + 4] + 0x6ed9eba1) | 0, 11);
			b = rotl((b + h(c, d, a) + x[i + 12] + 0x6ed9eba1) | 0, 15);
		}
		a = (a + aa) | 0;
		b = (b + bb) | 0;
		c = (c + cc) | 0;
		d = (d + dd) | 0;
	}

	const digest = Buffer.alloc(16);
	[a, b, c, d].forEach((word, i) => digest.writeInt32LE(word, i * 4));
	return digest;
}
