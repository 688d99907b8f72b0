import { generateKeyPairSync } from 'node:crypto';
import { dkimVerify } from 'mailauth/lib/dkim/verify';

import { outputOf } from '../support/engine';
import { credentialFor, startSmtpServer, type TestSmtpServer } from '../support/smtpServer';
import { runSendNode } from '../support/workflows';

const keys = generateKeyPairSync('rsa', {
	modulusLength: 2048,
	publicKeyEncoding: { type: 'spki', format: 'der' },
	privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});
const otherKeys = generateKeyPairSync('rsa', {
	modulusLength: 2048,
	publicKeyEncoding: { type: 'spki', format: 'der' },
	privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});

/** DNS for the verifier, answered here: the selector's TXT record holds the public key. */
const resolverWith = (publicKey: Buffer) => async (name: string, type: string) => {
	if (name === 'mail2026._domainkey.example.test' && type === 'TXT') return [[`v=DKIM1; k=rsa; p=${publicKey.toString('base64')}`]];
	throw Object.assign(new Error(`no ${type} record for ${name}`), { code: 'ENOTFOUND' });
};

let server: TestSmtpServer;
beforeAll(async () => {
	server = await startSmtpServer();
});
afterAll(async () => server.close());

const dkim = { dkim: true, dkimDomain: 'example.test', dkimSelector: 'mail2026', dkimPrivateKey: keys.privateKey };

async function sendSigned() {
	const before = server.received.length;
	const run = await runSendNode({
		parameters: { fromEmail: 'Sender <sender@example.test>', toEmail: 'rcpt@example.test', subject: 'Signed — grüße', html: '<p>Invoice attached</p>' },
		items: [{ json: {} }],
		credential: await credentialFor(server, dkim),
	});
	expect(outputOf(run, 'Send Email')[0].json.accepted).toEqual(['rcpt@example.test']);
	return (await server.waitFor(before + 1))[before].raw;
}

const verdict = async (raw: Buffer, publicKey: Buffer = keys.publicKey) => {
	const { results } = await dkimVerify(raw, { resolver: resolverWith(publicKey) });
	if (process.env.DKIM_DEBUG) console.log(JSON.stringify(results, null, 1));
	return results.map((r: { status: { result: string; comment?: string } }) => [r.status.result, r.status.comment].filter(Boolean).join(': '));
};

test('a signed message verifies with the published key', async () => {
	const raw = await sendSigned();
	expect(raw.toString()).toMatch(/^DKIM-Signature: [^]*?d=example\.test;[^]*?s=mail2026;/m);
	expect(await verdict(raw)).toEqual(['pass']);
});

test('a tampered body or subject fails verification', async () => {
	const raw = (await sendSigned()).toString();
	// mailauth reports a body that no longer matches its hash as "neutral" (RFC 6376 §6.1.3: not a valid signature)
	expect(await verdict(Buffer.from(raw.replace('Invoice attached', 'Invoice attached, pay to IBAN XX')))).toEqual(['neutral: body hash did not verify']);
	expect(await verdict(Buffer.from(raw.replace(/^Subject: .*$/m, 'Subject: Urgent')))).toEqual([expect.stringMatching(/^fail/)]);
});

test('a different published key fails verification', async () => {
	expect(await verdict(await sendSigned(), otherKeys.publicKey)).toEqual([expect.stringMatching(/^fail/)]);
});

test('a DKIM key that is not an RSA key fails every item, naming the field', async () => {
	const run = await runSendNode({
		parameters: { fromEmail: 'sender@example.test', toEmail: 'rcpt@example.test', subject: 'x', html: 'x' },
		items: [{ json: {} }],
		credential: await credentialFor(server, { ...dkim, dkimPrivateKey: 'not a key' }),
		continueOnFail: true,
	});
	expect(outputOf(run, 'Send Email')[0].json.error).toMatchObject({ message: expect.stringMatching(/^DKIM Private Key is not an RSA private key/) });
});
