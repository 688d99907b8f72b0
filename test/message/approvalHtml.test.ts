import { approvalEmail } from '../../nodes/SmtpConnector/approval/emailCard';
import { alreadyDecidedPage, confirmPage } from '../../nodes/SmtpConnector/approval/pages';

const links = [
	{ decision: 'approve' as const, label: 'Approve', url: 'https://n8n.example.com/webhook-waiting/42/node?approver=a%40x.test&decision=approve&title=T&signature=abc' },
	{ decision: 'decline' as const, label: 'Decline', url: 'https://n8n.example.com/webhook-waiting/42/node?approver=a%40x.test&decision=decline&title=T&signature=def' },
];

describe('the approval email', () => {
	const { html, text } = approvalEmail({
		subject: 'Approve <PO #123> & "rush"',
		messageHtml: '<p>Laptop, <strong>1,240 EUR</strong></p>',
		approver: 'anna@example.test',
		links,
		approverCount: 3,
	});

	test('has one button per decision, each linking to its own signed URL', () => {
		const hrefs = [...html.matchAll(/<a href="([^"]+)"[^>]*>([^<]+)<\/a>/g)].map((m) => [m[1].replace(/&amp;/g, '&'), m[2]]);
		expect(hrefs).toEqual([
			[links[0].url, 'Approve'],
			[links[1].url, 'Decline'],
		]);
	});

	test('escapes the subject, keeps the message HTML, and uses only inline styles in tables (no <style>, no script)', () => {
		expect(html).toContain('Approve &lt;PO #123&gt; &amp; &quot;rush&quot;');
		expect(html).toContain('<p>Laptop, <strong>1,240 EUR</strong></p>');
		expect(html).not.toMatch(/<style|<script|class=/i);
		expect(html).toMatch(/<table role="presentation"/);
		expect(html).toContain('Sent to anna@example.test and 2 other approvers; the first answer decides.');
	});

	test('the text alternative carries the message and both links', () => {
		expect(text).toContain('Laptop, 1,240 EUR');
		expect(text).toContain(`Approve: ${links[0].url}`);
		expect(text).toContain(`Decline: ${links[1].url}`);
	});
});

describe('the pages', () => {
	test('the confirmation page asks with a form that POSTs to the same link, and decides nothing by itself', () => {
		const html = confirmPage({ subject: 'PO <1>', approver: 'a@x.test', decision: 'approve', label: 'Approve', actionUrl: '/webhook-waiting/42/node?a=1&b=2' });
		expect(html).toContain('<form method="post" action="/webhook-waiting/42/node?a=1&amp;b=2"');
		expect(html).toContain('<button type="submit"');
		expect(html).toContain('Approve “PO &lt;1&gt;”?');
		expect(html).toContain('<meta name="robots" content="noindex, nofollow">');
		expect(html).not.toMatch(/<script|http-equiv="refresh"|onload=/i);
	});

	test('the question does not repeat the button label when the subject already asks', () => {
		const page = (subject: string, label: string) => confirmPage({ subject, approver: 'a@x.test', decision: 'approve', label, actionUrl: '/x' });
		expect(page('Approve purchase request #123', 'Approve')).toContain('<h1 style="margin:0 0 12px;font-size:20px;line-height:28px;font-weight:600;">Approve purchase request #123?</h1>');
		expect(page('Laptop for Jane', 'Approve')).toContain('Approve “Laptop for Jane”?');
	});

	test('the already-decided page names who decided and when', () => {
		const html = alreadyDecidedPage({ subject: 'PO', by: 'anna@example.test', at: new Date('2026-11-22T08:00:00Z'), decision: 'decline' });
		expect(html).toContain('was already declined by <strong>anna@example.test</strong> at 2026-11-22 08:00:00 UTC');
	});
});
