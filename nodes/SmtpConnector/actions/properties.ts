import type { INodeProperties } from 'n8n-workflow';

import { toolDescriptionProperty } from '../agent/fields';
import { deliveryNotificationsProperty, senderProperties, subjectProperties } from './common.properties';
import { messageSourceProperties, recipientProperties, sendProperties } from './send.properties';
import { readReportProperties } from './readReport.properties';
import { customFormProperties, formOptionsProperty } from './responseForm.properties';
import { approverProperties, linksCallout, sendAndWaitProperties } from './sendAndWait.properties';

/**
 * Both operations' parameters in the order the node panel shows them: sender, recipients or approvers,
 * Subject, then each operation's own.
 */
export const operationProperties: INodeProperties[] = [
	toolDescriptionProperty,
	linksCallout,
	...messageSourceProperties,
	...senderProperties,
	...recipientProperties,
	...approverProperties,
	...subjectProperties,
	...sendProperties,
	...sendAndWaitProperties,
	deliveryNotificationsProperty,
	...customFormProperties,
	formOptionsProperty,
	...readReportProperties,
];
