import type { ICredentialTestFunctions, ICredentialsDecrypted } from 'n8n-workflow';

import { smtpConnectorTest } from '../../nodes/SmtpConnector/methods/credentialTest';
import { md4 } from '../../nodes/SmtpConnector/transport/auth/md4';
import {
	authenticateMessage,
	negotiateMessage,
	ntlmV2Responses,
	ntowfV2,
	parseChallenge,
	splitAccount,
} from '../../nodes/SmtpConnector/transport/auth/ntlm';
import { testPki } from '../support/certs';
import { outputOf } from '../support/engine';
import { POSTFIX_PASSWORD, POSTFIX_USER, postfixUnavailable, startPostfix, type PostfixServer } from '../support/postfix';
import { credentialFor, startSmtpServer, type TestSmtpServer } from '../support/smtpServer';
import { runSendNode } from '../support/workflows';
import { serverSuite } from '../support/serverSuite';

const hex = (value: string) => Buffer.from(value.replace(/\s/g, ''), 'hex');

test.each([
	['', '31d6cfe0d16ae931b73c59d7e0c089c0'],
	['a', 'bde52cb31de33e46245e05fbdbd6fb24'],
	['abc', 'a448017aaf21d8525fc10ae87aa6729d'],
	['message digest', 'd9130a8164549fe818874806e1c7014b'],
	['abcdefghijklmnopqrstuvwxyz', 'd79e1c308aa5bbcdeea8ed63df412da9'],
	['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', '043f8582f241db351ce627e153e7f0e4'],
	['1234567890'.repeat(8), 'e33b4ddc9c38f2199c3e7b164fcc0536'],
])('MD4 of %j is the RFC 1320 test vector', (input, digest) => {
	expect(md4(Buffer.from(input, 'latin1')).toString('hex')).toBe(digest);
});

describe('NTLMv2 reproduces the worked example of [MS-NLMP] 4.2.4', () => {
	// User "User", domain "Domain", password "Password"; AV pairs NbDomainName "Domain", NbComputerName "Server".
	const targetInfo = hex('02000c0044006f006d00610069006e00 01000c005300650072007600650072000000 0000'.replace(/ /g, ''));
	const key = ntowfV2('Password', 'User', 'Domain');
	const responses = ntlmV2Responses({
		key,
		serverChallenge: hex('0123456789abcdef'),
		clientChallenge: hex('aaaaaaaaaaaaaaaa'),
		timestamp: Buffer.alloc(8),
		targetInfo,
	});

	test('NTOWFv2', () => expect(key.toString('hex')).toBe('0c868a403bfd7a93a3001ef22ef02e3f'));
	test('LMv2 response', () => expect(responses.lm.toString('hex')).toBe('86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa'));
	test('NTProofStr', () => expect(responses.nt.subarray(0, 16).toString('hex')).toBe('68cd0ab851e51c96aabc927bebef6a1c'));
});

describe('NTLM messages', () => {
	const challengeMessage = (targetInfo: Buffer, flags = 0x00828205) => {
		const header = Buffer.alloc(48);
		Buffer.from('NTLMSSP\0', 'latin1').copy(header);
		header.writeUInt32LE(2, 8);
		header.writeUInt32LE(flags, 20);
		hex('0123456789abcdef').copy(header, 24);
		header.writeUInt16LE(targetInfo.length, 40);
		header.writeUInt16LE(targetInfo.length, 42);
		header.writeUInt32LE(48, 44);
		return Buffer.concat([header, targetInfo]);
	};
	const field = (message: Buffer, index: number) => {
		const length = message.readUInt16LE(12 + index * 8);
		const offset = message.readUInt32LE(16 + index * 8);
		return message.subarray(offset, offset + length);
	};

	test('the negotiate message asks for NTLM with Unicode and extended session security', () => {
		const message = negotiateMessage();
		expect(message.subarray(0, 8).toString('latin1')).toBe('NTLMSSP\0');
		expect(message.readUInt32LE(8)).toBe(1);
		const flags = message.readUInt32LE(12);
		for (const flag of [0x1, 0x200, 0x80000]) expect(flags & flag).toBe(flag);
	});

	test('bytes that are not a challenge message are not taken for one', () => {
		expect(parseChallenge(Buffer.from('NTLM supported'))).toBeUndefined();
		expect(parseChallenge(negotiateMessage())).toBeUndefined();
	});

	test('DOMAIN\\user names the domain; a UPN or bare name goes as it is', () => {
		expect(splitAccount('corp\\jane')).toEqual({ user: 'jane', domain: 'CORP' });
		expect(splitAccount('jane@corp.example')).toEqual({ user: 'jane@corp.example', domain: '' });
	});

	test('the authenticate message carries user, domain and an NTLMv2 response to the server challenge', () => {
		const targetInfo = hex('0100040053005200 00000000');
		const challenge = parseChallenge(challengeMessage(targetInfo))!;
		const message = authenticateMessage(challenge, 'corp\\jane', 'Password', hex('aaaaaaaaaaaaaaaa'));
		expect(message.readUInt32LE(8)).toBe(3);
		expect(field(message, 2).toString('utf16le')).toBe('CORP');
		expect(field(message, 3).toString('utf16le')).toBe('jane');
		const nt = field(message, 1);
		const temp = nt.subarray(16);
		expect(temp.subarray(16, 24)).toEqual(hex('aaaaaaaaaaaaaaaa'));
		expect(temp.subarray(28, 28 + targetInfo.length)).toEqual(targetInfo);
		const expected = ntlmV2Responses({
			key: ntowfV2('Password', 'jane', 'CORP'),
			serverChallenge: hex('0123456789abcdef'),
			clientChallenge: hex('aaaaaaaaaaaaaaaa'),
			timestamp: temp.subarray(8, 16),
			targetInfo,
		});
		expect(nt).toEqual(expected.nt);
		expect(field(message, 0)).toEqual(expected.lm);
	});

	test("with the server's timestamp the response uses it and the LMv2 response is zeros", () => {
		const timestamp = hex('0090d336b734c301');
		const targetInfo = Buffer.concat([hex('07000800'), timestamp, hex('00000000')]);
		const message = authenticateMessage(parseChallenge(challengeMessage(targetInfo))!, 'jane', 'Password');
		expect(field(message, 1).subarray(24, 32)).toEqual(timestamp);
		expect(field(message, 0)).toEqual(Buffer.alloc(24));
	});
});

test('a server that does not speak NTLM gets a hint to choose another mechanism', async () => {
	const server = await startSmtpServer();
	try {
		const data = await credentialFor(server, { authMethod: 'NTLM' });
		const result = await smtpConnectorTest.call({} as ICredentialTestFunctions, { data } as unknown as ICredentialsDecrypted);
		expect(result).toEqual({
			status: 'Error',
			message: expect.stringMatching(/^The server does not support the SASL mechanism NTLM: .* Server said: 504 /),
		});
	} finally {
		await server.close();
	}
});

serverSuite('postfix with Cyrus SASL', postfixUnavailable())('NTLM against a real server (postfix + Cyrus SASL)', () => {
	let relay: TestSmtpServer;
	let postfix: PostfixServer;
	let caCertificate: string;
	beforeAll(async () => {
		const pki = await testPki();
		caCertificate = pki.caCert;
		relay = await startSmtpServer({ noAuth: true, noStartTls: true });
		postfix = await startPostfix(relay.port, pki);
	}, 20_000);
	afterAll(async () => {
		await postfix?.close();
		await relay?.close();
	});

	const credential = (overrides: Record<string, unknown> = {}) => ({
		provider: 'custom',
		host: '127.0.0.1',
		port: postfix.port,
		security: 'starttls',
		caCertificate,
		authType: 'password',
		user: POSTFIX_USER,
		password: POSTFIX_PASSWORD,
		authMethod: 'NTLM',
		...overrides,
	});
	const pressTest = (data: Record<string, unknown>) =>
		smtpConnectorTest.call({} as ICredentialTestFunctions, { data } as unknown as ICredentialsDecrypted);

	test('the Test button logs in with NTLM', async () => {
		const result = await pressTest(credential());
		expect(result).toEqual({ status: 'OK', message: expect.stringMatching(new RegExp(`^Connected to 127.0.0.1:${postfix.port}: STARTTLS, TLSv1\\.3, AUTH NTLM$`)) });
	});

	test('DOMAIN\\user logs in too', async () => {
		expect((await pressTest(credential({ user: `example\\${POSTFIX_USER}` }))).status).toBe('OK');
	});

	test('a wrong password is refused by the server', async () => {
		const result = await pressTest(credential({ password: 'wrong-password' }));
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/refused the user name or password.*Server said: .*535/);
	});

	test('mail sent with NTLM arrives through the relay', async () => {
		const run = await runSendNode({
			parameters: { fromEmail: 'legacy@example.test', toEmail: 'someone@example.test', subject: 'NTLM relay', html: '<p>Hi</p>' },
			items: [{ json: {} }, { json: {} }],
			credential: credential(),
			credentialId: 'ntlm',
		});
		expect(outputOf(run, 'Send Email').map((item) => item.json.accepted)).toEqual([['someone@example.test'], ['someone@example.test']]);
		const mails = await relay.waitFor(2);
		expect(mails.map((mail) => mail.parsed.subject)).toEqual(['NTLM relay', 'NTLM relay']);
	}, 20_000);
});
