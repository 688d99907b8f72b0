import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { freePort, runDaemon, type DaemonServer } from './ports';

/**
 * Dovecot's submission server (Debian's dovecot-core + dovecot-submissiond) on 127.0.0.1: a real
 * server that speaks the legacy SASL mechanisms (DIGEST-MD5) or checks OAuth2 tokens (XOAUTH2,
 * OAUTHBEARER) with a token-info endpoint, and relays what it accepts to our
 * loopback smtp-server. `unavailable` says why it cannot run here (not installed, not root).
 */
export const DOVECOT_USER = 'legacy@example.test';
export const DOVECOT_PASSWORD = 'Legacy-Pa55word';

export function dovecotUnavailable(): string | undefined {
	const install = 'apt-get install dovecot-core dovecot-submissiond';
	if (spawnSync('dovecot', ['--version']).status !== 0) return `dovecot is not installed (${install})`;
	const services = spawnSync('dovecot', ['config', '-h', 'libexec_dir'], { encoding: 'utf8' }).stdout?.trim() || '/usr/lib/dovecot';
	for (const service of ['submission', 'submission-login']) {
		if (!existsSync(path.join(services, service))) return `dovecot's ${service} service is missing from ${services} (${install})`;
	}
	if (process.getuid?.() !== 0) return 'dovecot needs root to start here';
	if (spawnSync('id', ['dovenull']).status !== 0) return 'the dovenull user of the dovecot package is missing';
	return undefined;
}

export type DovecotServer = DaemonServer;

export interface DovecotOptions {
	/** SASL mechanisms to offer. */
	mechanisms?: string;
	/** Check OAuth2 tokens (XOAUTH2, OAUTHBEARER) with this token-info URL instead of passwords. */
	tokenInfoUrl?: string;
}

export async function startDovecotSubmission(relayPort: number, options: DovecotOptions = {}): Promise<DovecotServer> {
	const { tokenInfoUrl, mechanisms = tokenInfoUrl ? 'xoauth2 oauthbearer' : 'plain digest-md5' } = options;
	const dir = mkdtempSync(path.join(tmpdir(), 'dovecot-'));
	chmodSync(dir, 0o755); // dovecot's unprivileged processes read the users file
	const port = await freePort();
	for (const sub of ['run', 'state', 'home']) mkdirSync(path.join(dir, sub));
	spawnSync('chown', ['-R', 'dovecot:dovecot', path.join(dir, 'home')]);
	writeFileSync(path.join(dir, 'users'), `${DOVECOT_USER}:{PLAIN}${DOVECOT_PASSWORD}::::::\n`, { mode: 0o644 });
	if (tokenInfoUrl) writeFileSync(path.join(dir, 'oauth2.conf.ext'), `tokeninfo_url = ${tokenInfoUrl}\nusername_attribute = email\n`, { mode: 0o644 });
	writeFileSync(
		path.join(dir, 'dovecot.conf'),
		`base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
instance_name = smtpconnector-${port}
protocols = submission
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_failure_delay = 0
auth_mechanisms = ${mechanisms}
default_internal_user = dovecot
default_internal_group = dovecot
default_login_user = dovenull
first_valid_uid = 1
mail_location = maildir:${dir}/home/Maildir
hostname = legacy.example.test
submission_relay_host = 127.0.0.1
submission_relay_port = ${relayPort}
submission_relay_trusted = yes
${
	tokenInfoUrl
		? `passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = ${dir}/oauth2.conf.ext
}`
		: `passdb {
  driver = passwd-file
  args = scheme=PLAIN ${dir}/users
}`
}
userdb {
  driver = static
  args = uid=dovecot gid=dovecot home=${dir}/home
}
service submission-login {
  inet_listener submission {
    address = 127.0.0.1
    port = ${port}
  }
}
service anvil {
  chroot =
  # no growing delay after the failed logins some tests make on purpose
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
`,
	);
	return await runDaemon('dovecot', 'dovecot', ['-F', '-c', path.join(dir, 'dovecot.conf')], port, dir, 'dovecot.log');
}

/**
 * Dovecot's IMAP server (dovecot-imapd) on 127.0.0.1 over Maildirs that another program writes (the
 * postfix mail host's virtual mailboxes: `<mailRoot>/<user>/`, owned by `uid`): each user logs in with
 * the password given.
 */
export async function startDovecotImap(mailRoot: string, users: Record<string, string>, uid: number, port?: number): Promise<DovecotServer> {
	const services = spawnSync('dovecot', ['config', '-h', 'libexec_dir'], { encoding: 'utf8' }).stdout?.trim() || '/usr/lib/dovecot';
	if (!existsSync(path.join(services, 'imap'))) throw new Error(`dovecot's imap service is missing from ${services} (apt-get install dovecot-imapd)`);
	const dir = mkdtempSync(path.join(tmpdir(), 'dovecot-imap-'));
	chmodSync(dir, 0o755);
	const listen = port ?? (await freePort());
	for (const sub of ['run', 'state']) mkdirSync(path.join(dir, sub));
	writeFileSync(path.join(dir, 'users'), Object.entries(users).map(([user, password]) => `${user}:{PLAIN}${password}::::::\n`).join(''), { mode: 0o644 });
	writeFileSync(
		path.join(dir, 'dovecot.conf'),
		`base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
instance_name = smtpconnector-imap-${listen}
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_failure_delay = 0
default_internal_user = dovecot
default_internal_group = dovecot
default_login_user = dovenull
first_valid_uid = 1
mail_location = maildir:${mailRoot}/%n
passdb {
  driver = passwd-file
  args = scheme=PLAIN ${dir}/users
}
userdb {
  driver = static
  args = uid=${uid} gid=${uid} home=${mailRoot}/%n
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${listen}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
`,
	);
	return await runDaemon('dovecot', 'dovecot', ['-F', '-c', path.join(dir, 'dovecot.conf')], listen, dir, 'dovecot.log');
}
