import { NodeHelpers, type INode, type INodeParameters } from 'n8n-workflow';

import { SmtpConnector } from '../../nodes/SmtpConnector/SmtpConnector.node';

const description = new SmtpConnector().description;
const node = (parameters: INodeParameters): INode => ({ id: 'n', name: 'SMTP Connector', type: 'n8n-nodes-smtp-connector.smtpConnector', typeVersion: 1, position: [0, 0], parameters });

/** The parameters n8n keeps for a node, as its editor recomputes them after a change. */
const kept = (parameters: INodeParameters) => NodeHelpers.getNodeParameters(description.properties, parameters, false, false, node(parameters), description) ?? {};

test('the approval operation marks an empty Subject before the run; Send Email does not', () => {
	const issues = (parameters: INodeParameters) => NodeHelpers.getNodeParametersIssues(description.properties, node({ ...kept(parameters) }), description);
	expect(issues({ operation: 'sendAndWait', approvers: 'anna@example.test', subject: '' })?.parameters).toHaveProperty('subject');
	expect(issues({ operation: 'sendAndWait', approvers: 'anna@example.test', subject: 'Approve?' })?.parameters?.subject).toBeUndefined();
	expect(issues({ operation: 'send', toEmail: 'a@example.test', subject: '' })?.parameters?.subject).toBeUndefined();
});

test('From Email, From Name and Subject keep their values when the operation changes and back', () => {
	const typed = { operation: 'send', fromEmail: 'me@example.test', fromName: 'Me', toEmail: 'you@example.test', subject: 'Hello' };
	const approval = kept({ ...typed, operation: 'sendAndWait' });
	expect(approval).toMatchObject({ fromEmail: 'me@example.test', fromName: 'Me', subject: 'Hello' });
	expect(kept({ ...approval, operation: 'send' })).toMatchObject({ fromEmail: 'me@example.test', fromName: 'Me', subject: 'Hello' });
});

test('n8n has no reason to add "Custom API Call" to the Operation list', () => {
	// n8n's loader (load-nodes-and-credentials, 2.41.1 and 1.123.81) adds it to a node whose credential extends
	// oAuth2Api, as ours must, only where `defaultVersion === version`; npm run test:editor sees the list itself.
	expect(description.defaultVersion === (description.version as unknown)).toBe(false);
	expect(description.version).toEqual([1]);
	expect(description.properties.find((p) => p.name === 'operation')?.options?.map((o) => (o as { value: string }).value)).toEqual(['send', 'sendAndWait', 'readReport']);
});
