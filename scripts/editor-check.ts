/**
 * The README's "Your first mail" in the real n8n editor (run by scripts/test-editor.sh, which starts a fresh
 * n8n with this package): a newcomer's clicks, with a loopback SMTP server (STARTTLS + AUTH, a private CA)
 * in place of Gmail, so Provider is Custom with Host, Port and the CA certificate; everything else is as
 * the README says. Each step checks what the editor shows; the run stops at the first step that differs.
 * Screenshots go to docs/editor-first-*.png.
 */
import path from 'node:path';

import { chromium, type Page } from 'playwright-core';

import { testPki } from '../test/support/certs';
import { startSmtpServer, TEST_PASSWORD, TEST_USER, type TestSmtpServer } from '../test/support/smtpServer';

const editor = process.env.EDITOR_URL ?? 'http://127.0.0.1:5699';
const docs = path.join(__dirname, '..', 'docs');
const RECIPIENT = 'newcomer@example.test';

let step = 0;
function check(what: string, ok: boolean, seen?: unknown): void {
	step++;
	const line = `${ok ? 'ok  ' : 'FAIL'} ${String(step).padStart(2)} ${what}${ok || seen === undefined ? '' : ` — saw ${JSON.stringify(seen)}`}`;
	console.log(line);
	if (!ok) throw new Error(line);
}

const field = (page: Page, name: string) => page.locator(`[data-test-id=parameter-input-${name}] input, [data-test-id=parameter-input-${name}] textarea`).first();

/** Types into a node or credential field the way a person does: click, type, leave. */
async function type(page: Page, name: string, text: string): Promise<void> {
	await field(page, name).click();
	await page.keyboard.type(text);
	await field(page, name).blur();
}

/** Switches a node field to Expression (the toggle above it) and types there; the editor closes the braces. */
async function typeExpression(page: Page, name: string, text: string): Promise<void> {
	await page.hover(`[data-test-id=parameter-input-${name}]`);
	await page.click(`[data-test-id=${name}-parameter-input-options-container] [data-test-id=radio-button-expression]`);
	const editor = page.locator(`[data-test-id=parameter-input-${name}] .cm-content`).first();
	await editor.click();
	await page.keyboard.press('ControlOrMeta+a');
	await page.keyboard.type(text);
	await page.keyboard.press('Escape');
}

/** What a field shows: its input's value, or an expression editor's text. */
async function shown(page: Page, name: string): Promise<string> {
	const box = page.locator(`[data-test-id=parameter-input-${name}]`).first();
	const editorText = box.locator('.cm-content');
	if (await editorText.count()) return (await editorText.innerText()).trim();
	return await field(page, name).inputValue();
}

async function shot(page: Page, file: string, clip?: { x: number; y: number; width: number; height: number }): Promise<void> {
	await page.waitForTimeout(500);
	await page.screenshot({ path: path.join(docs, file), ...(clip ? { clip } : {}) });
	console.log(`     screenshot docs/${file}`);
}

/** Opens a select and returns its options' texts. */
async function optionsOf(page: Page, name: string): Promise<string[]> {
	await page.click(`[data-test-id=parameter-input-${name}]`);
	await page.waitForSelector('[role=option]:visible');
	return (await page.locator('[role=option]:visible').allInnerTexts()).map((t) => t.trim());
}

async function choose(page: Page, name: string, option: string): Promise<void> {
	await optionsOf(page, name);
	await page.locator('[role=option]:visible').filter({ hasText: new RegExp(`^\\s*${option.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`) }).click();
	await page.waitForTimeout(300);
}

/** Polls until `read` gives a value that `ok` accepts (the form updates a moment after typing); the last value either way. */
async function settled<T>(read: () => Promise<T>, ok: (value: T) => boolean, ms = 5_000): Promise<T> {
	const deadline = Date.now() + ms;
	let value = await read();
	while (!ok(value) && Date.now() < deadline) {
		await new Promise((resolve) => setTimeout(resolve, 200));
		value = await read();
	}
	return value;
}

const visibleText = async (page: Page, selector: string) => (await page.locator(selector).filter({ visible: true }).allInnerTexts()).join('\n');

async function signIn(page: Page): Promise<void> {
	await page.goto(`${editor}/signin`);
	await page.fill('input[name=emailOrLdapLoginId]', 'newcomer@example.com');
	await page.fill('input[name=password]', 'Newcomer-Passw0rd!');
	await page.click('[data-test-id=form-submit-button]');
	await page.waitForURL((url) => !url.pathname.startsWith('/signin'));
	// A newcomer has no credential yet (this matters only when the check runs twice against one n8n). The
	// editor's own requests carry its browser-id header, without which n8n ends the session.
	await page.evaluate(async () => {
		const storage = (globalThis as unknown as { localStorage: { getItem(key: string): string | null } }).localStorage;
		const headers = { 'browser-id': storage.getItem('n8n-browserId') ?? '' };
		const listed = (await (await fetch('/rest/credentials', { headers })).json()) as { data?: Array<{ id: string }> };
		for (const { id } of listed.data ?? []) await fetch(`/rest/credentials/${id}`, { method: 'DELETE', headers });
	});
}

async function firstMail(page: Page, server: TestSmtpServer, caCert: string): Promise<void> {
	// Step 2: a new workflow, Add first step… → Trigger manually, + → search "SMTP" → SMTP Connector → Send an email.
	await page.goto(`${editor}/workflow/new`);
	await page.click('[data-test-id=canvas-add-button]');
	await page.click('[data-test-id=node-creator-item-name]:has-text("Trigger manually")');
	await page.click('[data-test-id=canvas-handle-plus]');
	await page.keyboard.type('SMTP');
	await page.click('[data-test-id=node-creator-item-name]:has-text("SMTP Connector")');
	const actions = await page.locator('[data-test-id=node-creator-action-item]:visible, [data-test-id=node-creator-item-name]:visible').allInnerTexts();
	check('searching "SMTP" offers SMTP Connector\'s two actions', actions.some((a) => a.includes('Send an email')), actions);
	await page.click('text=Send an email');
	await page.waitForSelector('[data-test-id=parameter-input-toEmail]');
	const operations = await optionsOf(page, 'operation');
	check('the Operation list has the two operations and nothing else (no "Custom API Call")', JSON.stringify(operations) === JSON.stringify(['Send Email', 'Send Email and Wait for Response']), operations);
	await page.keyboard.press('Escape');
	const panel = await page.locator('[data-test-id=node-parameters]').innerText();
	check("From Email's hint says an empty From sends as the credential's User", /else its User when that is one email address/.test(panel), panel.slice(0, 400));

	// Step 2 (credential): Connect to SMTP Connector.
	const connect = page.locator('[data-test-id=node-credentials-empty-state]').getByText('Connect to SMTP Connector');
	check('the node offers "Connect to SMTP Connector"', (await connect.count()) === 1, await visibleText(page, '[data-test-id=node-credentials-slot]'));
	await connect.click();
	await page.waitForSelector('[data-test-id=parameter-input-provider]');

	// Step 3, with a local server in place of Gmail: Provider Custom, Host, Port, then User and Password.
	await choose(page, 'provider', 'Custom');
	await type(page, 'host', '127.0.0.1');
	await type(page, 'port', String(server.port));
	const modal = '[data-test-id=editCredential-modal]';
	const notices = await settled(() => visibleText(page, `${modal} [role=alert]`), (t) => /Mail goes to the server in Host/.test(t));
	check('the notice under Provider says where mail goes (STARTTLS, required)', /Mail goes to the server in Host, the port in Port, STARTTLS, required/.test(notices), notices);
	check('the Host placeholder does not promise a preset server to Custom', !/preset/i.test((await field(page, 'host').getAttribute('placeholder')) ?? ''));
	await type(page, 'user', 'apikey');
	const alerts = () => visibleText(page, `${modal} [role=alert]`);
	check('a User that is not an address: the form says a sender is needed, before the first run', /No sender yet/.test(await settled(alerts, (t) => /No sender yet/.test(t))));
	await field(page, 'user').fill('');
	await type(page, 'user', TEST_USER);
	await type(page, 'password', TEST_PASSWORD);
	check('with User an address, no sender notice', !/No sender yet/.test(await settled(alerts, (t) => !/No sender yet/.test(t))));
	await page.locator(`${modal} [data-test-id=parameter-input-provider]`).scrollIntoViewIfNeeded();
	const box = (await page.locator(modal).boundingBox())!;
	await shot(page, 'editor-first-credential.png', box);

	// The private CA, pasted: shown as text, so it can be checked.
	const ca = field(page, 'caCertificate');
	await ca.scrollIntoViewIfNeeded();
	await ca.fill(caCert);
	const caType = await ca.evaluate((el) => ({ tag: el.tagName, type: el.getAttribute('type'), security: el.ownerDocument.defaultView?.getComputedStyle(el).getPropertyValue('-webkit-text-security') ?? '' }));
	check('CA Certificate shows the pasted PEM as text, not dots', caType.tag === 'TEXTAREA' && caType.type !== 'password' && ['', 'none'].includes(caType.security) && (await ca.inputValue()).startsWith('-----BEGIN CERTIFICATE-----'), caType);
	await shot(page, 'editor-first-credential-ca.png', box);


	// Step 4: Save runs the Test (n8n closes the window once a new credential tested well, or shows why not).
	const test = page.waitForResponse((response) => response.url().endsWith('/rest/credentials/test'), { timeout: 30_000 });
	await page.click('[data-test-id=credential-save-button]');
	const { data: result } = (await (await test).json()) as { data: { status: string; message: string } };
	check('Save tests the connection, and the Test passes', result.status === 'OK', result);
	const shownResult = await settled(
		async () => ((await page.locator(modal).isVisible()) ? ((await page.locator(modal).textContent()) ?? '') : 'closed'),
		(text) => text === 'closed' || /Connection tested successfully/.test(text),
	);
	check('the editor says "Connection tested successfully" or closes the window', shownResult === 'closed' || /Connection tested successfully/.test(shownResult), shownResult.slice(0, 300));
	if (shownResult !== 'closed') {
		await page.keyboard.press('Escape');
		await page.waitForSelector(modal, { state: 'hidden' });
	}
	if (!(await page.locator('[data-test-id=ndv]').isVisible())) await page.locator('[data-test-id=canvas-node]').filter({ hasText: 'SMTP Connector' }).dblclick();

	// Step 5: To Email, Subject (with an expression), HTML; run the workflow.
	await type(page, 'toEmail', RECIPIENT);
	await typeExpression(page, 'subject', 'Hello from {{$workflow.name');
	await type(page, 'html', '<p>My first mail from n8n.</p>');
	const subject = await shown(page, 'subject');
	check('Subject holds the expression as typed', /^Hello from \{\{ \$workflow\.name \}\}$/.test(subject), subject);
	await shot(page, 'editor-first-node.png');
	await page.click('[data-test-id=ndv-close-button]');
	await page.click('[data-test-id=execute-workflow-button]');
	const [mail] = await server.waitFor(1, 30_000).catch(() => server.received);
	check('the first run sends: the mail arrives', mail !== undefined);
	check('From is the credential\'s User (no From Email, no Default From Email)', mail.parsed.from?.value[0]?.address === TEST_USER && mail.envelope.from === TEST_USER, mail.parsed.from?.text);
	check('the Subject expression was resolved', /^Hello from My workflow/.test(mail.parsed.subject ?? ''), mail.parsed.subject);
	check('it went to the To Email', mail.envelope.to.join() === RECIPIENT, mail.envelope.to);

	const node = page.locator('[data-test-id=canvas-node]').filter({ hasText: 'SMTP Connector' });
	const subtitle = await node.evaluate((el) => {
		const text = [...el.querySelectorAll('*')].find((e) => e.children.length === 0 && /^SMTP ·/.test(e.textContent ?? ''));
		return text ? { text: text.textContent, cut: text.scrollWidth > text.clientWidth } : undefined;
	});
	check('the canvas subtitle fits: "SMTP · send email"', subtitle?.text === 'SMTP · send email' && !subtitle.cut, subtitle);
	await node.dblclick();
	await page.waitForSelector('[data-test-id=output-panel]');
	await page.waitForSelector('[data-test-id=output-panel] >> text=accepted');
	const output = await page.locator('[data-test-id=output-panel]').innerText();
	check("the node's output shows the accepted recipient", output.includes(RECIPIENT), output.slice(0, 400));
	await shot(page, 'editor-first-run.png');
}

async function approvalLinks(page: Page, server: TestSmtpServer): Promise<void> {
	// The same node switched to the approval operation: shared fields keep their values.
	await type(page, 'fromName', 'Newcomer');
	const subject = await shown(page, 'subject');
	await choose(page, 'operation', 'Send Email and Wait for Response');
	check('switching to the approval operation keeps From Name and Subject', (await shown(page, 'fromName')) === 'Newcomer' && (await shown(page, 'subject')) === subject, [await shown(page, 'fromName'), await shown(page, 'subject')]);
	const approvalPanel = await page.locator('[data-test-id=node-parameters]').innerText();
	check("the approval operation says its links start with n8n's WEBHOOK_URL", /links that start with n8n's webhook URL \(its WEBHOOK_URL setting\)/.test(approvalPanel), approvalPanel.slice(0, 300));

	await type(page, 'approvers', RECIPIENT);
	await type(page, 'message', '<p>May I?</p>');
	const before = server.received.length;
	await page.click('[data-test-id=node-execute-button]');
	await server.waitFor(before + 1, 30_000).catch(() => undefined);
	check('the approval request is sent', server.received.length === before + 1);
	const link = /href="(http[^"]+decision=approve[^"]*)"/.exec(String(server.received[before].parsed.html))?.[1] ?? '';
	check('its links point at localhost (this n8n runs without WEBHOOK_URL)', /^http:\/\/localhost:\d+\/webhook-waiting\//.test(link), link);
	await page.waitForSelector('[data-test-id=output-panel] >> text=/only this machine can open/', { timeout: 30_000 });
	const warning = await page.locator('[data-test-id=output-panel]').innerText();
	check('the run warns in the output pane that approvers elsewhere get dead links, and names WEBHOOK_URL', /Approval links point at http:\/\/localhost:\d+\/webhook-waiting\/…, which only this machine can open/.test(warning) && warning.includes('WEBHOOK_URL'), warning.slice(0, 400));
	await shot(page, 'editor-approval-links.png');

	await choose(page, 'operation', 'Send Email');
	check('switching back keeps From Name and Subject', (await shown(page, 'fromName')) === 'Newcomer' && (await shown(page, 'subject')) === subject, [await shown(page, 'fromName'), await shown(page, 'subject')]);
}

async function main(): Promise<void> {
	const server = await startSmtpServer();
	const { caCert } = await testPki();
	const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
	try {
		const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
		page.setDefaultTimeout(15_000);
		await signIn(page);
		console.log(`n8n editor at ${editor}; SMTP server on 127.0.0.1:${server.port}`);
		await firstMail(page, server, caCert);
		await approvalLinks(page, server);
		console.log(`EDITOR CHECK PASSED (${step} checks)`);
	} catch (error) {
		const page = browser.contexts()[0]?.pages()[0];
		await page?.screenshot({ path: path.join(__dirname, 'editor-check-failure.png') }).catch(() => undefined);
		console.log('     the editor at that moment: out/editor-check-failure.png');
		throw error;
	} finally {
		await browser.close();
		await server.close();
	}
}

main().catch((error: Error) => {
	if (!/^FAIL/.test(error.message)) console.error(error);
	console.log('EDITOR CHECK FAILED');
	process.exit(1);
});
