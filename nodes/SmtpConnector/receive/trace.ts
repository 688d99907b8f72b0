import type { SMTPServerSession } from 'smtp-server';

/** Text a client chose (its HELO name) as a comment-safe token: no parentheses, spaces or control characters. */
const token = (value: string) => value.replace(/[^\x21-\x27\x2a-\x7e]/g, '').slice(0, 255) || 'unknown';

/**
 * The Received header this receiver adds (RFC 5321 §4.4), first in the message: it records the hop, and
 * a relay counts these headers to stop a message that loops.
 */
export function receivedHeader(input: { session: SMTPServerSession; serverName: string; tls: string | null; date: Date }): string {
	const { session } = input;
	const rcpt = session.envelope.rcptTo.length === 1 ? `\r\n\tfor <${token(session.envelope.rcptTo[0].address)}>` : '';
	const tls = input.tls ? ` (${input.tls})` : '';
	const date = input.date.toUTCString().replace(/GMT/, '+0000');
	return (
		`Received: from ${token(session.hostNameAppearsAs)} ([${token(session.remoteAddress)}])\r\n` +
		`\tby ${token(input.serverName)} (n8n SMTP Connector Trigger) with ${session.transmissionType}${tls}\r\n` +
		`\tid ${token(session.id)}${rcpt}; ${date}\r\n`
	);
}
