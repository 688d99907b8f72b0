import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { freePort, waitForPort } from './ports';

/**
 * Exim 4 (Debian's exim4-daemon-light) on 127.0.0.1 as a second mail host that really bounces and writes its
 * own delivery reports into the sender's Maildir. Debian's exim4 package would replace postfix, so CI unpacks
 * its binary (`dpkg -x`) to /usr/sbin/exim4 (the path Exim re-executes) and adds the Debian-exim user (.ci/run).
 * A configuration given with -C makes Exim drop root, so it delivers as Debian-exim into Maildirs it owns.
 */
export const EXIM_BINARY = '/usr/sbin/exim4';

export function eximUnavailable(): string | undefined {
	if (!existsSync(EXIM_BINARY)) return `${EXIM_BINARY} is missing (CI unpacks Debian's exim4-daemon-light there: see .ci/run)`;
	if (spawnSync('id', ['Debian-exim']).status !== 0) return 'the Debian-exim user is missing (useradd --system Debian-exim)';
	if (process.getuid?.() !== 0) return 'exim needs root to start here';
	const version = spawnSync(EXIM_BINARY, ['-C', '/dev/null', '-bV'], { encoding: 'utf8' });
	if (version.status !== 0) return `exim does not run: ${version.stderr || version.error}`;
	return undefined;
}

export interface EximServer {
	port: number;
	mailbox(user: string): Buffer[];
	log(): string;
	close(): Promise<void>;
}

export async function startExim(domain: string, users: string[]): Promise<EximServer> {
	const dir = mkdtempSync(path.join(tmpdir(), 'exim-'));
	chmodSync(dir, 0o755);
	const port = await freePort();
	for (const sub of ['spool', 'mail']) mkdirSync(path.join(dir, sub));
	spawnSync('chown', ['-R', 'Debian-exim:Debian-exim', path.join(dir, 'spool'), path.join(dir, 'mail')]);
	const config = path.join(dir, 'exim.conf');
	writeFileSync(
		config,
		`keep_environment =
primary_hostname = exim.example.test
qualify_domain = ${domain}
domainlist local_domains = ${domain}
spool_directory = ${dir}/spool
log_file_path = ${dir}/spool/%slog
exim_user = Debian-exim
exim_group = Debian-exim
never_users = root
dsn_advertise_hosts = *
tls_advertise_hosts =
host_lookup =
rfc1413_hosts =
local_interfaces = 127.0.0.1
acl_smtp_rcpt = acl_check_rcpt
begin acl
acl_check_rcpt:
  accept hosts = 127.0.0.1
  deny
begin routers
known:
  driver = accept
  domains = +local_domains
  local_parts = ${users.join(' : ')}
  transport = maildir
unknown:
  driver = redirect
  domains = +local_domains
  allow_fail
  data = :fail: Unknown user
begin transports
maildir:
  driver = appendfile
  directory = ${dir}/mail/\${local_part_data}
  maildir_format
  create_directory
  user = Debian-exim
  group = Debian-exim
begin retry
* * F,1m,10s
`,
	);
	const child = spawn(EXIM_BINARY, ['-C', config, '-bdf', '-oX', String(port), '-q2s'], { stdio: 'ignore' });
	await waitForPort(port, () => `exim did not start; see ${dir}/spool/paniclog`);
	const read = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : '');
	return {
		port,
		mailbox: (user) => {
			const box = path.join(dir, 'mail', user, 'new');
			return existsSync(box) ? readdirSync(box).sort().map((name) => readFileSync(path.join(box, name))) : [];
		},
		log: () => read(path.join(dir, 'spool', 'mainlog')),
		close: async () => {
			child.kill('SIGTERM');
			await new Promise((resolve) => child.once('exit', resolve));
			rmSync(dir, { recursive: true, force: true });
		},
	};
}
