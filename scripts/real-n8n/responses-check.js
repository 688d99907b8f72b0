// Free Text, Custom Form and a reason with a decline, answered in headless Chromium (Debian's chromium through
// playwright-core) on pages a running n8n serves: what a person sees and types is what the workflow gets.
// Usage: node responses-check.js <n8n base URL> <sink dir> <screenshot dir>
const path = require('node:path');
const { chromium } = require('playwright-core');
const { mailbox, decoded, link, checker, sleep } = require('./mailbox');

const [base, sinkDir, shots] = process.argv.slice(2);
const box = mailbox(sinkDir);
const { check, failures } = checker();
const toRequester = (marker) => box.marked(marker).filter((m) => m.envelope.to.includes('requester@example.com'));

/** Opens a link as the approver's browser does; the page's status, CSP and whether it holds a script. */
async function open(page, url) {
	const response = await page.goto(url);
	const csp = response.headers()['content-security-policy'] ?? '';
	return { status: response.status(), strict: /default-src 'none'/.test(csp) && /frame-ancestors 'none'/.test(csp), scripts: await page.locator('script').count() };
}

/** Presses the page's submit button and waits for the page the POST answers with. */
async function submit(page) {
	const [response] = await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
	return response.status();
}

async function freeText(page) {
	await fetch(`${base}/webhook/smtp-connector-free-text?id=FT-5`);
	const mail = await box.waitFor('carla@example.com', 'FT-5');
	const seen = await open(page, link(mail, 'Respond'));
	check('Free Text: the link opens the form, no script, strict CSP', seen.status === 200 && seen.strict && seen.scripts === 0, JSON.stringify(seen));
	check('Free Text: the page asks the question', (await page.locator('h1').textContent()) === 'Which supplier for FT-5?');
	await page.screenshot({ path: path.join(shots, 'response-free-text.png'), fullPage: true });
	const forged = new URL(link(mail, 'Respond'));
	forged.searchParams.set('approver', 'mallory@example.com');
	const refused = await fetch(forged, { method: 'POST', body: new FormData() });
	check('Free Text: a tampered link is refused by n8n', refused.status === 401, String(refused.status));
	await page.fill('textarea', '   ');
	const blank = await submit(page);
	check('Free Text: a blank answer is refused, the form shown again', blank === 422 && (await page.locator('text=This field is required.').count()) === 1, String(blank));
	await sleep(1000);
	check('Free Text: opening the page and the refused answers resumed nothing', toRequester('FT-5').length === 0);
	const typed = 'Supplier B: 3 % cheaper, <faster> & "local"\nand they deliver on Fridays';
	await page.fill('textarea', typed);
	const sent = await submit(page);
	check('Free Text: the answer is recorded', sent === 200 && (await page.locator('text=Thank you').count()) === 1, String(sent));
	const told = await box.waitFor('requester@example.com', 'FT-5');
	const text = /ANSWER\[([\s\S]*?)\]/.exec(decoded(told))?.[1]?.replace(/\r\n/g, '\n');
	check('Free Text: the workflow got the answer exactly as typed', text === typed, JSON.stringify(text));
}

async function customForm(page) {
	await fetch(`${base}/webhook/smtp-connector-custom-form?id=CF-8`);
	const mail = await box.waitFor('dan@example.com', 'CF-8');
	const seen = await open(page, link(mail, 'Respond'));
	check('Custom Form: the link opens the form, no script, strict CSP', seen.status === 200 && seen.strict && seen.scripts === 0, JSON.stringify(seen));
	await page.screenshot({ path: path.join(shots, 'response-custom-form.png'), fullPage: true });
	await page.click('button[type=submit]');
	await sleep(500);
	check('Custom Form: the browser itself holds back a form with required fields empty', page.url().includes('decision=respond') && (await page.$eval('#f0', (el) => el.validity.valueMissing)));
	// A client that skips the browser's checks (or an old one): the server refuses and says where.
	await page.$eval('form', (form) => (form.noValidate = true));
	await page.fill('#f3', 'Kept <as typed>');
	const refused = await submit(page);
	const problems = await page.locator('text=This field is required.').count();
	check('Custom Form: the server refuses the required fields left empty, the form shown again', refused === 422 && problems === 2, `${refused}, ${problems} problems`);
	check('Custom Form: what was typed is kept', (await page.inputValue('#f3')) === 'Kept <as typed>');
	await page.screenshot({ path: path.join(shots, 'response-custom-form-problems.png'), fullPage: true });
	await sleep(1000);
	check('Custom Form: nothing resumed', toRequester('CF-8').length === 0);
	await page.fill('#f0', '1240.5');
	await page.selectOption('#f1', 'CC-200 R&D');
	await page.check('#f2-1');
	await page.fill('#f3', 'Ship to Berlin <office>');
	const sent = await submit(page);
	check('Custom Form: the answers are recorded', sent === 200, String(sent));
	const told = await box.waitFor('requester@example.com', 'CF-8');
	const json = /DATA(\{[\s\S]*?\})\s*$/m.exec(decoded(told))?.[1];
	const data = json ? JSON.parse(json) : {};
	const expected = { 'Approved Amount': 1240.5, 'Cost Centre': 'CC-200 R&D', 'Also Approve': ['Legal'], Notes: 'Ship to Berlin <office>' };
	check('Custom Form: the workflow got each answer as typed, typed', Object.entries(expected).every(([k, v]) => JSON.stringify(data[k]) === JSON.stringify(v)) && typeof data.respondedAt === 'string', json);
}

async function reasonLoop(page) {
	await fetch(`${base}/webhook/smtp-connector-approval-loop?id=LOOP-B`);
	const round1 = await box.waitFor('anna@example.com', 'LOOP-B');
	const seen = await open(page, link(round1, 'Decline'));
	check('Loop: the decline page asks for a reason, no script, strict CSP', seen.status === 200 && seen.strict && seen.scripts === 0 && (await page.locator('textarea#comment[required]').count()) === 1);
	await page.screenshot({ path: path.join(shots, 'approval-reason.png'), fullPage: true });
	const reason = 'Over budget by 240 EUR & no SLA: "please revise"';
	await page.fill('#comment', reason);
	const declined = await submit(page);
	check('Loop: the decline with its reason is recorded', declined === 200, String(declined));
	const round2 = await box.waitFor('anna@example.com', 'LOOP-B', 2);
	check("Loop: round 2's mail carries the reason as typed", decoded(round2).includes(`Last answer: ${reason}`));
	const stale = await open(page, link(round1, 'Approve'));
	check("Loop: round 1's link now says it was replaced", stale.status === 410 && (await page.locator('text=This request was replaced').count()) === 1, String(stale.status));
	await open(page, link(round2, 'Approve'));
	const approved = await submit(page);
	check("Loop: round 2's approval decides", approved === 200, String(approved));
	const told = await box.waitFor('requester@example.com', 'LOOP-B');
	check('Loop: the workflow ended approved by the second round', /^Subject: Approved by anna@example.com: Approve contract LOOP-B/m.test(told.raw));
}

async function quorum(page) {
	await fetch(`${base}/webhook/smtp-connector-quorum?id=Q-3`);
	const mails = await Promise.all(['dir1', 'dir2', 'dir3'].map((d) => box.waitFor(`${d}@example.com`, 'Q-3')));
	const answer = async (mail, label) => {
		await open(page, link(mail, label));
		const status = await submit(page);
		return { status, text: (await page.locator('main').textContent()).replace(/\s+/g, ' ') };
	};
	const first = await answer(mails[0], 'Approve');
	check('Quorum: the first approval is counted, 1 of 2', first.status === 200 && first.text.includes('1 of the 2 approvals needed so far'), first.text);
	await page.screenshot({ path: path.join(shots, 'approval-quorum-counted.png'), fullPage: true });
	const declined = await answer(mails[1], 'Decline');
	check('Quorum: a decline is counted as one vote, nothing decided yet', declined.status === 200 && declined.text.includes('has been recorded'), declined.text);
	const again = await answer(mails[0], 'Decline');
	check("Quorum: an approver's second answer changes nothing", again.status === 409 && again.text.includes('your first answer stands'), again.text);
	await sleep(1000);
	check('Quorum: nothing resumed before the second approval', toRequester('Q-3').length === 0);
	const second = await answer(mails[2], 'Approve');
	check('Quorum: the second approval decides', second.status === 200, second.text);
	const told = await box.waitFor('requester@example.com', 'Q-3');
	const votes = /VOTES(\[.*\]) (\d+)\/(\d+)/.exec(decoded(told));
	check(
		'Quorum: approved by the second approval, with all three approvers in the output',
		/^Subject: Approved by dir3@example.com: Approve budget Q-3/m.test(told.raw) && votes?.[1] === JSON.stringify([['dir1@example.com', 'approve'], ['dir2@example.com', 'decline'], ['dir3@example.com', 'approve']]) && votes[2] === '2' && votes[3] === '1',
		votes?.[0],
	);
}

/**
 * The wait limit (6 s here): n8n's wait tracker resumes the execution (it looks for due ones every
 * minute) with the node disabled, so the workflow goes on with the item the node set when the mails
 * went out, and the node's own code does not run again — which is why there is no reminder option: a
 * node cannot be woken at a time of its choosing and put back to wait in the same execution.
 */
async function waitLimit() {
	const told = await box.waitFor('requester@example.com', 'TO-1', 1, 100);
	check('Wait limit: the workflow resumed with timedOut = true and the approvers', /^Subject: Timed out: Approve TO-1/m.test(told.raw) && decoded(told).includes('1 asked'));
	check("Wait limit: the node's code did not run again (one request mail only)", box.marked('TO-1').filter((m) => m.envelope.to.includes('late@example.com')).length === 1);
}

async function main() {
	// Started first: n8n's wait tracker takes up to a minute to notice that it is due.
	await fetch(`${base}/webhook/smtp-connector-wait-limit?id=TO-1`);
	const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
	try {
		const page = await browser.newPage({ viewport: { width: 680, height: 600 } });
		await freeText(page);
		await customForm(page);
		await reasonLoop(page);
		await quorum(page);
		await waitLimit();
	} finally {
		await browser.close();
	}
	process.exit(failures.length ? 1 : 0);
}

main().catch((e) => {
	console.error(e);
	process.exit(1);
});
