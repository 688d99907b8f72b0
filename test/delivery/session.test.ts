import { DeliverySession } from '../../nodes/SmtpConnector/delivery/session';
import { readConnectionSettings } from '../../nodes/SmtpConnector/transport/settings';
import { credentialFor, startSmtpServer, type TestSmtpServer } from '../support/smtpServer';

let server: TestSmtpServer;
let session: DeliverySession;
beforeEach(async () => {
	server = await startSmtpServer();
	session = new DeliverySession(readConnectionSettings(await credentialFor(server)));
});
afterEach(async () => {
	session.close();
	await server.close();
});

const mail = { from: 'a@example.test', to: 'b@example.test', subject: 's', text: 't' };

test('messages of one session share one connection', async () => {
	for (let i = 0; i < 10; i++) await session.send(mail);
	expect((await server.waitFor(10)).length).toBe(10);
	expect(server.connections).toBe(1);
});

test.each([
	['a local file', { path: '/etc/hostname' }],
	['a URL', { path: 'http://127.0.0.1:1/secret' }],
])('the transport refuses to read %s into a message', async (_label, attachment) => {
	await expect(session.send({ ...mail, attachments: [attachment] })).rejects.toThrow(/File access rejected|Url access rejected/i);
	expect(server.received).toHaveLength(0);
});
