import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import type { TestPki } from './certs';
import { startPostfix, type PostfixServer } from './postfix';

/**
 * Postfix as a mail host on 127.0.0.1 that really delivers, bounces and delays, and writes the delivery
 * reports it makes into the sender's mailbox: mailboxes of MAIL_DOMAIN are Maildirs; an unknown user
 * there is accepted and then bounced by the virtual delivery agent; `broken.test` goes to the error
 * transport (bounced), `slow.test` to the retry transport (deferred, a delay report after a second).
 * Nothing leaves the host: every other domain is bounced by the error transport too.
 */
export const MAIL_DOMAIN = 'mail.test';
export const MAILBOXES = ['sender', 'rcpt', 'other'];

export type PostfixMailHost = PostfixServer & {
	/** The raw messages in a mailbox of MAIL_DOMAIN, oldest first. */
	mailbox(user: string): Buffer[];
	root: string;
};

export async function startPostfixMailHost(pki: TestPki, extraMainCf = ''): Promise<PostfixMailHost> {
	let root = '';
	const settings = (dir: string) =>
		[
			'mynetworks = 127.0.0.0/8',
			'smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject',
			'smtpd_recipient_restrictions = permit_mynetworks, permit_sasl_authenticated, reject',
			'relayhost =',
			`virtual_mailbox_domains = ${MAIL_DOMAIN}`,
			`virtual_mailbox_base = ${dir}/mail`,
			`virtual_mailbox_maps = texthash:${dir}/etc/vmailbox`,
			'virtual_uid_maps = static:65534',
			'virtual_gid_maps = static:65534',
			'virtual_minimum_uid = 1',
			// accept unknown users, so that the virtual agent bounces them with a report
			'smtpd_reject_unlisted_recipient = no',
			`transport_maps = texthash:${dir}/etc/transport`,
			'default_transport = error:5.7.1 this test host delivers nowhere else',
			'minimal_backoff_time = 1s',
			'maximal_backoff_time = 2s',
			'queue_run_delay = 1s',
			'delay_warning_time = 1s',
			'bounce_notice_recipient = postmaster',
			'',
		].join('\n') + extraMainCf;
	const server = await startPostfix(0, pki, 'PLAIN LOGIN', '', (dir) => {
		root = dir;
		writeFileSync(path.join(dir, 'etc', 'vmailbox'), MAILBOXES.map((u) => `${u}@${MAIL_DOMAIN} ${u}/\n`).join(''));
		writeFileSync(path.join(dir, 'etc', 'transport'), 'broken.test error:5.1.2 Host or domain name not found (test)\nslow.test retry:4.4.1 Connection timed out (test)\n');
		mkdirSync(path.join(dir, 'mail'), { recursive: true });
		spawnSync('chown', ['65534:65534', path.join(dir, 'mail')]);
		return settings(dir);
	});
	return {
		...server,
		root,
		mailbox: (user) => {
			const dir = path.join(root, 'mail', user, 'new');
			if (!existsSync(dir)) return [];
			return readdirSync(dir)
				.sort()
				.map((name) => readFileSync(path.join(dir, name)));
		},
	};
}
