/**
 * `npm start`: runs examples/approval-notification.json through n8n's engine with the *built* node
 * (dist/), against an SMTP server embedded on 127.0.0.1 (STARTTLS + AUTH, throwaway certificate).
 * Works offline; nothing leaves this machine.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ICredentialTestFunctions, ICredentialsDecrypted, INodeType, IWorkflowBase } from 'n8n-workflow';

import { manualTrigger, outputOf, runWorkflow } from '../test/support/engine';
import { credentialFor, startSmtpServer } from '../test/support/smtpServer';

type NodeModule = typeof import('../nodes/SmtpConnector/SmtpConnector.node');

const root = path.resolve(__dirname, '..');
const mailDir = path.join(root, 'out', 'demo-mail');

async function main() {
	const { SmtpConnector } = require(path.join(root, 'dist/nodes/SmtpConnector/SmtpConnector.node.js')) as NodeModule;
	const workflow = JSON.parse(readFileSync(path.join(root, 'examples/approval-notification.json'), 'utf8')) as IWorkflowBase;
	const sendNode = new SmtpConnector();

	const server = await startSmtpServer();
	const credential = await credentialFor(server, { fromEmail: 'procurement@example.com' });
	console.log(`Embedded SMTP server on 127.0.0.1:${server.port} (STARTTLS + AUTH, throwaway certificate)`);
	try {
		const test = await sendNode.methods.credentialTest.smtpConnectorTest.call({} as ICredentialTestFunctions, {
			id: 'demo-smtp',
			name: 'Demo SMTP (embedded)',
			type: 'smtpConnectorApi',
			data: credential,
		} as unknown as ICredentialsDecrypted);
		console.log(`Credential test: ${test.status} — ${test.message}`);

		const connectionsBefore = server.connections;
		const run = await runWorkflow({
			workflow,
			nodeTypes: {
				'n8n-nodes-base.manualTrigger': manualTrigger,
				'n8n-nodes-smtp-connector.smtpConnector': sendNode as INodeType,
			},
			credentials: { smtpConnectorApi: credential },
			pinData: workflow.pinData,
		});
		const items = outputOf(run, 'Send Email');
		console.log(`\nWorkflow "${workflow.name}": ${items.length} item(s)`);
		for (const { json } of items) {
			if (json.error) console.log(`  ✗ ${JSON.stringify(json.error)}`);
			else console.log(`  ✓ ${(json.accepted as string[]).join(', ')}  ${String(json.messageId)}  accepted`);
		}

		const received = await server.waitFor(items.length);
		rmSync(mailDir, { recursive: true, force: true });
		mkdirSync(mailDir, { recursive: true });
		received.forEach((mail, i) => writeFileSync(path.join(mailDir, `${i + 1}-${mail.envelope.to[0]}.eml`), mail.raw));
		console.log(
			`\n${received.length} message(s) received over ${server.connections - connectionsBefore} SMTP connection(s); .eml files in ${path.relative(process.cwd(), mailDir) || mailDir}/`,
		);
		if (test.status !== 'OK' || items.some((i) => i.json.error) || received.length !== items.length) process.exitCode = 1;
	} finally {
		await server.close();
	}
}

main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
