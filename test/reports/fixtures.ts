/**
 * Bounces in the forms servers send without an RFC 3464 report, written from their published formats
 * (qmail's QSBMF, cr.yp.to/proto/qsbmf.txt; Exim's bounce and warning texts, its spec chapter 48;
 * Exchange's and Microsoft 365's NDR text, Microsoft's "NDRs in Exchange Online"); and mails that are not
 * reports. Built with CRLF line ends, as a mailbox holds them.
 */
const crlf = (text: string) => text.replace(/\r?\n/g, '\r\n');

const originalHeaders = (n: number, to: string) => `Return-Path: <sender@mail.test>
Message-ID: <orig-${n}@mail.test>
Date: Thu, 03 Dec 2026 10:00:00 +0000
From: sender@mail.test
To: ${to}
Subject: Invoice ${n}
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8`;

const bounceHead = (from: string, subject: string) => `Return-Path: <>
Date: Thu, 03 Dec 2026 10:05:00 +0000
From: ${from}
To: sender@mail.test
Subject: ${subject}
Message-ID: <bounce-${subject.length}@bounce.example>
`;

export const qmailBounce = crlf(`${bounceHead('MAILER-DAEMON@mail.example.net', 'failure notice')}
Hi. This is the qmail-send program at mail.example.net.
I'm afraid I wasn't able to deliver your message to the following addresses.
This is a permanent error; I've given up. Sorry it didn't work out.

<nobody@example.org>:
192.0.2.25 does not like recipient.
Remote host said: 550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown
Giving up on 192.0.2.25.

<gone@example.org>:
Sorry, no mailbox here by that name. (#5.1.1)

--- Below this line is a copy of the message.

${originalHeaders(7, 'nobody@example.org, gone@example.org')}

Your invoice.
`);

export const eximBounce = crlf(`${bounceHead('Mail Delivery System <Mailer-Daemon@mail.example.net>', 'Mail delivery failed: returning message to sender')}Auto-Submitted: auto-replied

This message was created automatically by mail delivery software.

A message that you sent could not be delivered to one or more of its
recipients. This is a permanent error. The following address(es) failed:

  nobody@example.org
    host mx.example.org [192.0.2.25]
    SMTP error from remote mail server after RCPT TO:<nobody@example.org>:
    550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown

------ This is a copy of the message, including all the headers. ------

${originalHeaders(8, 'nobody@example.org')}

Your invoice.
`);

export const eximDelay = crlf(`${bounceHead('Mail Delivery System <Mailer-Daemon@mail.example.net>', 'Warning: message 1k2Abc-0001Xy-Ab delayed 24 hours')}Auto-Submitted: auto-replied

This message was created automatically by mail delivery software.

A message that you sent has not yet been delivered to one or more of its
recipients after more than 24 hours on the queue on mail.example.net.

The message identifier is:     1k2Abc-0001Xy-Ab
The subject of the message is: Invoice 9
The date of the message is:    Thu, 03 Dec 2026 10:00:00 +0000

The address to which the message has not yet been delivered is:

  slow@example.org
    host mx.example.org [192.0.2.26]
    Delay reason: SMTP error from remote mail server after RCPT TO:<slow@example.org>:
    451 4.7.1 Greylisted, try again later

No action is required on your part. Delivery attempts will continue for
some time, and this warning may be repeated at intervals if the message
remains undelivered. Eventually the mail delivery software will give up,
and when that happens, the message will be returned to you.
`);

export const exchangeNdr = crlf(`${bounceHead('Microsoft Outlook <postmaster@contoso.com>', 'Undeliverable: Invoice 10')}
Delivery has failed to these recipients or groups:

nobody@contoso.com (nobody@contoso.com)
The email address you entered couldn't be found. Please check the recipient's email address and try to resend the message. If the problem continues, please contact your helpdesk.

Diagnostic information for administrators:

Generating server: EX01.contoso.com

nobody@contoso.com
#550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##

Original message headers:

${originalHeaders(10, 'nobody@contoso.com')}
`);

export const microsoft365Ndr = crlf(`${bounceHead('Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@contoso.onmicrosoft.com>', 'Undeliverable: Invoice 12')}
Your message to nobody@contoso.com couldn't be delivered.
nobody wasn't found at contoso.com.

Diagnostic information for administrators:

Generating server: AM0PR01MB1234.eurprd01.prod.exchangelabs.com
Receiving server: AM0PR01MB1234.eurprd01.prod.exchangelabs.com

nobody@contoso.com
Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient nobody@contoso.com not found by SMTP address lookup'

Original message headers:

${originalHeaders(12, 'nobody@contoso.com')}
`);

export const legacyExchangeNdr = crlf(`${bounceHead('System Administrator <postmaster@contoso.com>', 'Undeliverable: Invoice 11')}
Your message did not reach some or all of the intended recipients.

      Subject:\tInvoice 11
      Sent:\t12/3/2026 10:00 AM

The following recipient(s) cannot be reached:

      nobody@contoso.com on 12/3/2026 10:01 AM
            The e-mail account does not exist at the organization this message was sent to.  Check the e-mail address, or contact the recipient directly to find out the correct address.
            <ex01.contoso.com #5.1.1>
`);

export const outOfOffice = crlf(`From: Jane Doe <jane@example.org>
To: sender@mail.test
Subject: Out of Office: Invoice 13
Date: Thu, 03 Dec 2026 10:02:00 +0000
Message-ID: <ooo-13@example.org>
In-Reply-To: <orig-13@mail.test>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

I am away until Monday.
`);

export const exchangeAutomaticReply = crlf(`From: John Roe <john@contoso.com>
To: sender@mail.test
Subject: Automatic reply: Invoice 14
Date: Thu, 03 Dec 2026 10:03:00 +0000
Message-ID: <ar-14@contoso.com>
In-Reply-To: <orig-14@mail.test>
Auto-Submitted: auto-generated
X-Auto-Response-Suppress: All
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Thank you for your message. I am out of the office.
`);

export const ordinaryMail = crlf(`From: Customer <customer@example.org>
To: sender@mail.test
Subject: Re: Invoice 15
Date: Thu, 03 Dec 2026 10:04:00 +0000
Message-ID: <reply-15@example.org>
In-Reply-To: <orig-15@mail.test>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Thanks, paid today.
`);

const report = (statusPart: string) =>
	crlf(`${bounceHead('MAILER-DAEMON@relay.example.test', 'Undelivered Mail Returned to Sender')}MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

The mail could not be delivered.
${statusPart}
--B--
`);

export const reportWithoutStatusPart = report('');
export const reportWithoutRecipients = report(`--B
Content-Type: message/delivery-status

Reporting-MTA: dns; relay.example.test
`);
export const reportWithoutAction = report(`--B
Content-Type: message/delivery-status

Reporting-MTA: dns; relay.example.test

Final-Recipient: rfc822; nobody@example.org
Status: 5.1.1
`);
export const reportWithBadStatus = report(`--B
Content-Type: message/delivery-status

Reporting-MTA: dns; relay.example.test

Final-Recipient: rfc822; nobody@example.org
Action: failed
Status: bounced
`);
