/**
 * Pictures of the approval email and the confirmation page for the README, rendered in a real browser:
 * runs examples/approval-workflow.json through n8n's engine to a loopback SMTP server, opens the email
 * that arrived and the page its Approve link leads to in headless Chromium (Debian's `chromium`,
 * driven by playwright-core), saves docs/approval-email.png and docs/approval-confirm.png, and presses
 * the page's button to check that it decides in a real browser.
 *
 *   apt-get install chromium && npm run screenshots      (CHROMIUM=/path/to/chrome to use another one)
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { IWorkflowBase } from 'n8n-workflow';
import { chromium } from 'playwright-core';

import { SmtpConnector } from '../nodes/SmtpConnector/SmtpConnector.node';
import { manualTrigger, startExecution, type RunOptions } from '../test/support/engine';
import { credentialFor, startSmtpServer } from '../test/support/smtpServer';
import { startWaitingWebhookServer } from '../test/support/waitingWebhooks';

const root = path.join(__dirname, '..');

async function main() {
	process.env.N8N_HMAC_SIGNATURE_SECRET ??= 'screenshots-hmac-secret';
	const workflow = JSON.parse(readFileSync(path.join(root, 'examples/approval-workflow.json'), 'utf8')) as IWorkflowBase;
	const smtp = await startSmtpServer();
	const waiting = await startWaitingWebhookServer();
	const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
	try {
		const options: RunOptions = {
			workflow,
			nodeTypes: { 'n8n-nodes-base.manualTrigger': manualTrigger, 'n8n-nodes-smtp-connector.smtpConnector': new SmtpConnector() },
			credentials: { smtpConnectorApi: await credentialFor(smtp) },
			pinData: workflow.pinData,
			webhookWaitingBaseUrl: waiting.baseUrl,
		};
		const execution = await startExecution(options);
		waiting.register(execution, options);
		const [mail] = await smtp.waitFor(1);
		const html = String(mail.parsed.html);
		const approve = [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1].replace(/&amp;/g, '&')).find((h) => h.includes('decision=approve'))!;

		const page = await browser.newPage({ viewport: { width: 680, height: 600 }, deviceScaleFactor: 2 });
		await page.setContent(html);
		await page.screenshot({ path: path.join(root, 'docs/approval-email.png'), fullPage: true });
		await page.goto(approve);
		await page.setViewportSize({ width: 680, height: 360 });
		await page.screenshot({ path: path.join(root, 'docs/approval-confirm.png'), fullPage: true });
		// The button works in a real browser under the page's Content-Security-Policy.
		await page.click('button[type=submit]');
		await page.waitForSelector('text=Thank you');
		await waiting.settled(execution.id);
		console.log(`Saved docs/approval-email.png and docs/approval-confirm.png; pressing the button resumed the execution: ${execution.status}`);
	} finally {
		await browser.close();
		await waiting.close();
		await smtp.close();
	}
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
