// Send and Wait for Approval in a running n8n: the webhook starts an execution, which mails both approvers
// and waits; the links are n8n's signed waiting-webhook URLs. Usage: node approval-check.js <base> <sink dir>
const { mailbox, decoded, link, checker, sleep } = require('./mailbox');

const [base, sinkDir] = process.argv.slice(2);
const box = mailbox(sinkDir);
// Mails of this check only: the earlier checks of the script also wrote to anna@example.com.
const ofThisCheck = (marker = 'PR-77') => box.marked(marker);
const waitForMail = (to, count = 1, marker = 'PR-77') => box.waitFor(to, marker, count);

async function main() {
	const { check, failures } = checker();
	const started = await fetch(`${base}/webhook/smtp-connector-approval-check?id=PR-77`);
	check('webhook starts the execution', started.ok, String(started.status));
	const anna = await waitForMail('anna@example.com');
	const ben = await waitForMail('ben@example.com');
	const approve = link(anna, 'Approve');
	const decline = link(ben, 'Decline');
	check('one mail per approver with its own signed link', /\/webhook-waiting\/\d+\/a2\?approver=anna%40example\.com&decision=approve&title=.*&signature=[0-9a-f]{64}$/.test(approve), approve);

	const page = await fetch(approve);
	const html = await page.text();
	check('GET shows the confirmation page', page.status === 200 && html.includes('<form method="post"') && html.includes('Approve purchase request PR-77?'), String(page.status));
	check('the page may not be framed or run scripts', /frame-ancestors 'none'/.test(page.headers.get('content-security-policy') ?? '') && /default-src 'none'/.test(page.headers.get('content-security-policy') ?? ''), page.headers.get('content-security-policy'));
	await sleep(1000);
	check('GET did not resume the workflow', !ofThisCheck().some((m) => m.envelope.to.includes('requester@example.com')));

	const forged = new URL(approve);
	forged.searchParams.set('approver', 'mallory@example.com');
	const refused = await fetch(forged, { method: 'POST' });
	check('a tampered link is refused by n8n', refused.status === 401, String(refused.status));

	const posted = await fetch(approve, { method: 'POST' });
	check('POST decides', posted.status === 200 && (await posted.text()).includes('Thank you'), String(posted.status));
	const told = await waitForMail('requester@example.com');
	const subject = /^Subject: (.*)$/m.exec(told.raw)[1];
	check('the workflow resumed with the decision and the approver', subject === 'Approved by anna@example.com: Approve purchase request PR-77', subject);

	const late = await fetch(decline, { method: 'POST' });
	const lateHtml = await late.text();
	check('a later answer changes nothing', !/Thank you/.test(lateHtml), `${late.status} ${lateHtml.replace(/\s+/g, ' ').slice(0, 120)}`);
	await sleep(1000);
	check('the requester was told once', ofThisCheck().filter((m) => m.envelope.to.includes('requester@example.com')).length === 1);

	// declined → ask again: the same execution waits at the same node a second time (an IF leads back).
	const loop = await fetch(`${base}/webhook/smtp-connector-approval-loop?id=LOOP-9`);
	check('the loop workflow starts', loop.ok, String(loop.status));
	const round1 = await waitForMail('anna@example.com', 1, 'LOOP-9');
	// The decline asks for a reason (required): the page's form posts it as n8n's form body.
	const form = (comment) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ comment }).toString() });
	const declinePage = await (await fetch(link(round1, 'Decline'))).text();
	check('round 1: the decline page asks for a reason', /<textarea id="comment" name="comment"[^>]* required/.test(declinePage));
	const blank = await fetch(link(round1, 'Decline'), form('   '));
	const blankHtml = await blank.text();
	check('round 1: a blank reason is refused, the page shown again', blank.status === 422 && blankHtml.includes('Please give a reason') && blankHtml.includes('<form method="post"'), String(blank.status));
	const declined = await fetch(link(round1, 'Decline'), form('Too expensive: 12 % over budget & no SLA'));
	check('round 1: a decline with its reason decides', declined.status === 200 && (await declined.text()).includes('Thank you'), String(declined.status));
	const round2 = await waitForMail('anna@example.com', 2, 'LOOP-9');
	check("round 2's mail carries round 1's comment", decoded(round2).includes('Last answer: Too expensive: 12 % over budget & no SLA'));
	const idOf = (url) => new URL(url).searchParams.get('approvalId');
	check('round 2: a new request with its own id', idOf(link(round2, 'Approve')) && idOf(link(round2, 'Approve')) !== idOf(link(round1, 'Approve')), `${idOf(link(round1, 'Approve'))} → ${idOf(link(round2, 'Approve'))}`);
	const stale = await fetch(link(round1, 'Approve'), { method: 'POST' });
	const staleHtml = await stale.text();
	check("round 1's link is told it was replaced", stale.status === 410 && staleHtml.includes('This request was replaced'), `${stale.status} ${staleHtml.replace(/\s+/g, ' ').slice(0, 120)}`);
	await sleep(1000);
	check("round 1's link resumed nothing", !ofThisCheck('LOOP-9').some((m) => m.envelope.to.includes('requester@example.com')));
	const approved = await fetch(link(round2, 'Approve'), { method: 'POST' });
	check("round 2's approval decides", approved.status === 200 && (await approved.text()).includes('Thank you'), String(approved.status));
	const done = await waitForMail('requester@example.com', 1, 'LOOP-9');
	const doneSubject = /^Subject: (.*)$/m.exec(done.raw)[1];
	check('the loop ended with the second request approved', doneSubject === 'Approved by anna@example.com: Approve contract LOOP-9' && done.raw.includes(idOf(link(round2, 'Approve'))), doneSubject);
	process.exit(failures.length ? 1 : 0);
}

main().catch((e) => {
	console.error(e);
	process.exit(1);
});
