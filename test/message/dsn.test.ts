import type { MailDraft } from '../../nodes/SmtpConnector/message/content';
import { askForDsn, dsnRequest } from '../../nodes/SmtpConnector/message/dsn';

const ids = { messageId: '<a1b2@example.test>' };

test('nothing asked: no request, and the mail keeps no DSN', () => {
	const mail = { from: 'ops@example.test' };
	expect(askForDsn(mail, {})).toBeUndefined();
	expect(mail).toEqual({ from: 'ops@example.test' });
});

test('the Envelope ID defaults to the Idempotency Key when it fits RFC 3461, else to the Message-ID, else to its digest', () => {
	expect(dsnRequest({ notify: ['failure'] }, { ...ids, idempotencyKey: 'order-42' })?.id).toBe('order-42');
	expect(dsnRequest({ notify: ['failure'] }, { ...ids, idempotencyKey: 'order 42 (retry)' })?.id).toBe('a1b2@example.test');
	expect(dsnRequest({ notify: ['failure'] }, { idempotencyKey: 'ü'.repeat(3), messageId: `<${'x'.repeat(120)}@example.test>` })?.id).toMatch(/^[0-9a-f]{64}$/);
});

test('Never stands alone; unknown events and report contents are refused by name', () => {
	expect(() => dsnRequest({ notify: ['never', 'failure'] }, ids)).toThrow('Delivery Notifications: "Never" cannot be combined with another event');
	expect(() => dsnRequest({ notify: ['bounce'] }, ids)).toThrow('Delivery Notifications: "bounce" is not one of failure, delay, success, never');
	expect(() => dsnRequest({ report: 'body' }, ids)).toThrow('Report Content "body" is not headers or full');
	expect(() => dsnRequest({ envelopeId: 'x'.repeat(101) }, ids)).toThrow(/Envelope ID must be 1 to 100 printable ASCII characters without spaces \(RFC 3461 ENVID\); it is 101 characters long$/);
});

test('the mail gets its Message-ID and nodemailer’s dsn option; an empty Notify On leaves NOTIFY to the server', () => {
	const mail: MailDraft = { from: { name: 'Ops', address: 'ops@example.test' } };
	const request = askForDsn(mail, { report: 'full' });
	expect(mail.messageId).toMatch(/^<[0-9a-f-]{36}@example\.test>$/);
	expect(request).toEqual({ notify: [], return: 'full', id: mail.messageId!.slice(1, -1) });
	expect(mail.dsn).toEqual({ id: request!.id, return: 'full' });
});
