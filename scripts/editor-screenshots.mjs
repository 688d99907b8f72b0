// Screenshots of the real n8n editor for the README: a workflow on the canvas, the node panel, the
// credential panel with a provider preset, the AI agent example and its email tool, and the capture inbox
// after a run. Run `npm run dev` first (it starts n8n with this package and MailDev), then
// `npm run screenshots:editor` in another terminal.
// Headless Chromium is Debian's `chromium` (CHROMIUM=/path/to/chrome to use another), driven by playwright-core.
import { chromium } from 'playwright-core';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const editor = process.env.EDITOR_URL ?? 'http://127.0.0.1:5678';
const inbox = process.env.INBOX_URL ?? 'http://127.0.0.1:1080';
const shot = (name) => path.join(root, 'docs', name);

/** The credential window, from its title to the bottom of the visible form. */
async function modalClip(page) {
	const box = await page.locator('[data-test-id=editCredential-modal] .el-dialog, .el-dialog:has([data-test-id=credential-save-button])').first().boundingBox();
	return box ?? { x: 210, y: 86, width: 980, height: 1000 };
}

/** Opens the notification example's node, then a credential window (`open`), picks the Gmail preset and takes the window. */
async function gmailInCredentialOf(page, open, file) {
	await page.goto(`${editor}/workflow/smtpConnectorExample1`);
	await page.waitForSelector('[data-test-id=canvas-node]');
	await page.dblclick('[data-test-id=canvas-node]:has-text("Send Email")');
	await open();
	await page.click('[data-test-id=parameter-input-provider]');
	await page.click('li:has-text("Gmail / Google Workspace")');
	await page.waitForTimeout(1000);
	await page.screenshot({ path: shot(file), clip: await modalClip(page) });
}

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
	const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
	await page.goto(`${editor}/signin`);
	await page.fill('input[name=emailOrLdapLoginId]', 'dev@example.com');
	await page.fill('input[name=password]', 'Dev-Passw0rd!');
	await page.click('[data-test-id=form-submit-button]');
	await page.waitForURL((url) => !url.pathname.startsWith('/signin'));

	// The approval workflow on the canvas, and the node panel of its Send and Wait for Approval node.
	await page.goto(`${editor}/workflow/smtpConnectorExample2`);
	await page.waitForSelector('[data-test-id=canvas-node]');
	await page.waitForTimeout(1500);
	await page.screenshot({ path: shot('editor-canvas.png'), clip: { x: 300, y: 300, width: 860, height: 300 } });
	await page.dblclick('[data-test-id=canvas-node]:has-text("Request Approval")');
	await page.waitForSelector('[data-test-id=parameter-input-approvers]');
	await page.waitForTimeout(1000);
	await page.screenshot({ path: shot('editor-node.png') });
	await page.click('[data-test-id=ndv-close-button]');

	// A new credential with the Gmail preset: the notice names the server, port and security the node will use.
	await page.setViewportSize({ width: 1400, height: 1200 });
	await gmailInCredentialOf(page, async () => {
		await page.click('[data-test-id=node-credentials-select]');
		await page.click('text=Create new credential');
	}, 'editor-credential.png');
	await page.keyboard.press('Escape');
	// The MailDev credential switched to Gmail (not saved): Host and Security stay filled in, and the notice
	// says that mail still goes there, unencrypted.
	await gmailInCredentialOf(page, () => page.click('[data-test-id=credential-edit-button]'), 'editor-credential-override.png');
	await page.setViewportSize({ width: 1400, height: 860 });

	// The AI agent example (n8n 2.x): the email tool and the review gate on the canvas, and the tool's panel,
	// whose To, Subject and Message the model fills.
	await page.goto(`${editor}/workflow/smtpConnectorExample3`);
	await page.waitForSelector('[data-test-id=canvas-node]');
	await page.waitForTimeout(1500);
	await page.screenshot({ path: shot('editor-agent.png'), clip: { x: 280, y: 160, width: 850, height: 600 } });
	await page.dblclick('[data-test-id=canvas-node]:has-text("Send email")');
	await page.waitForSelector('[data-test-id=parameter-input-toolDescription]');
	await page.waitForTimeout(1000);
	await page.screenshot({ path: shot('editor-agent-tool.png') });
	await page.click('[data-test-id=ndv-close-button]');

	// Run the notification workflow from the editor; the mails land in MailDev.
	await page.goto(`${editor}/workflow/smtpConnectorExample1`);
	page.once('dialog', (dialog) => dialog.accept());
	await page.waitForSelector('[data-test-id=execute-workflow-button]');
	await page.click('[data-test-id=execute-workflow-button]');
	await page.waitForTimeout(5000);
	await page.goto(inbox);
	await page.waitForTimeout(2000);
	await page.screenshot({ path: shot('maildev-inbox.png') });
	console.log('Saved docs/editor-canvas.png, docs/editor-node.png, docs/editor-credential.png, docs/editor-credential-override.png, docs/editor-agent.png, docs/editor-agent-tool.png, docs/maildev-inbox.png');
} finally {
	await browser.close();
}
