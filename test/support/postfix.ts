import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { TestPki } from './certs';
import { freePort, runDaemon, type DaemonServer } from './ports';

/**
 * Postfix with Cyrus SASL (Debian's postfix, sasl2-bin and libsasl2-modules) on 127.0.0.1: the
 * usual on-prem relay, and a real server for NTLM. It offers STARTTLS with the test certificate,
 * takes AUTH only after it, checks passwords against a sasldb made here, and relays what it
 * accepts to our loopback smtp-server.
 */
export const POSTFIX_USER = 'legacy';
export const POSTFIX_PASSWORD = 'Ntlm-Pa55word';

const POSTFIX_DAEMONS = '/usr/lib/postfix/sbin';

export function postfixUnavailable(): string | undefined {
	const install = 'apt-get install postfix sasl2-bin libsasl2-modules';
	if (!existsSync(path.join(POSTFIX_DAEMONS, 'master'))) return `postfix is not installed (${install})`;
	if (spawnSync('saslpasswd2', ['-v']).error) return `saslpasswd2 is not installed (${install})`;
	const hasNtlmPlugin = ['/usr/lib/x86_64-linux-gnu/sasl2', '/usr/lib/aarch64-linux-gnu/sasl2', '/usr/lib/sasl2'].some(
		(dir) => existsSync(dir) && readdirSync(dir).some((file) => file.startsWith('libntlm.so')),
	);
	if (!hasNtlmPlugin) return `Cyrus SASL's NTLM plugin is missing (${install})`;
	if (process.getuid?.() !== 0) return 'postfix needs root to start here';
	return undefined;
}

export type PostfixServer = DaemonServer & {
	/** Postfix's log so far. */
	log(): string;
	/** Messages in its queue (active, deferred, incoming). */
	queued(): number;
};

/**
 * `extraMainCf` lines come last in main.cf, where the last setting of a parameter wins. `prepare` may write
 * files into the postfix directory (its etc/ exists) and gives more such lines.
 */
export async function startPostfix(relayPort: number, pki: TestPki, mechanisms = 'NTLM PLAIN LOGIN', extraMainCf = '', prepare?: (dir: string) => string): Promise<PostfixServer> {
	const dir = mkdtempSync(path.join(tmpdir(), 'postfix-'));
	chmodSync(dir, 0o755); // smtpd runs as the postfix user and reads the sasldb
	const port = await freePort();
	const etc = path.join(dir, 'etc');
	for (const sub of ['etc/sasl', 'queue', 'data']) mkdirSync(path.join(dir, sub), { recursive: true });
	spawnSync('chown', ['postfix', path.join(dir, 'data')]);
	writeFileSync(path.join(etc, 'cert.pem'), pki.cert);
	writeFileSync(path.join(etc, 'key.pem'), pki.key, { mode: 0o600 });
	writeFileSync(path.join(etc, 'main.cf'), withSettings(mainCf(dir, relayPort), extraMainCf + (prepare?.(dir) ?? '')));
	writeFileSync(path.join(etc, 'master.cf'), masterCf(port));
	// Debian's postfix reads Cyrus SASL's smtpd.conf from <config directory>/sasl.
	writeFileSync(
		path.join(etc, 'sasl', 'smtpd.conf'),
		`pwcheck_method: auxprop\nauxprop_plugin: sasldb\nmech_list: ${mechanisms}\nsasldb_path: ${dir}/sasldb2\n`,
	);
	const sasldb = spawnSync('saslpasswd2', ['-p', '-c', '-f', `${dir}/sasldb2`, '-u', 'example.test', POSTFIX_USER], {
		input: POSTFIX_PASSWORD,
	});
	if (sasldb.status !== 0) throw new Error(`saslpasswd2 failed: ${sasldb.stderr}`);
	spawnSync('chown', ['postfix', `${dir}/sasldb2`]);
	// `postfix check` creates the queue directories with the owners and modes postfix wants.
	spawnSync('postfix', ['-c', etc, 'check']);
	const daemon = await runDaemon('postfix', path.join(POSTFIX_DAEMONS, 'master'), ['-c', etc, '-d'], port, dir, 'postfix.log');
	const logFile = path.join(dir, 'postfix.log');
	return {
		...daemon,
		log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
		queued: () => ['active', 'deferred', 'incoming'].reduce((n, sub) => n + filesUnder(path.join(dir, 'queue', sub)), 0),
	};
}

const mainCf = (dir: string, relayPort: number) => `compatibility_level = 3.6
queue_directory = ${dir}/queue
data_directory = ${dir}/data
maillog_file = ${dir}/postfix.log
maillog_file_prefixes = ${dir}
mail_owner = postfix
setgid_group = postdrop
myhostname = relay.example.test
mydomain = example.test
myorigin = example.test
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks =
relayhost = [127.0.0.1]:${relayPort}
smtp_tls_security_level = none
smtpd_tls_security_level = may
smtpd_tls_auth_only = yes
smtpd_tls_cert_file = ${dir}/etc/cert.pem
smtpd_tls_key_file = ${dir}/etc/key.pem
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = cyrus
smtpd_sasl_path = smtpd
smtpd_sasl_local_domain = example.test
smtpd_sasl_security_options = noanonymous
smtpd_relay_restrictions = permit_sasl_authenticated, reject
smtpd_recipient_restrictions = permit_sasl_authenticated, reject
biff = no
`;

/**
 * main.cf with `extra` settings in place of the same parameters' earlier lines. Postfix would take the last
 * one, but every process would then log an "overriding earlier entry" warning as it starts; postlogd's
 * socket holds 10 datagrams (net.unix.max_dgram_qlen), and when postlogd logs its own warnings into it
 * while other daemons start, it blocks on itself and no daemon gets past its start (no greeting).
 */
function withSettings(main: string, extra: string): string {
	const nameOf = (line: string) => /^([a-z0-9_]+)\s*=/.exec(line)?.[1];
	const extraLines = extra.split('\n').filter((line) => line.trim());
	const replaced = new Set(extraLines.map(nameOf).filter(Boolean));
	const kept = main.split('\n').filter((line) => !replaced.has(nameOf(line)));
	return [...kept.filter((line) => line.trim()), ...extraLines, ''].join('\n');
}

/** Only the services a relay needs, none of them chrooted (the queue lives in a temporary directory). */
const masterCf = (port: number) =>
	[
		`127.0.0.1:${port} inet n - n - - smtpd`,
		'pickup unix n - n 60 1 pickup',
		'cleanup unix n - n - 0 cleanup',
		'qmgr unix n - n 300 1 qmgr',
		'tlsmgr unix - - n 1000? 1 tlsmgr',
		'rewrite unix - - n - - trivial-rewrite',
		'bounce unix - - n - 0 bounce',
		'defer unix - - n - 0 bounce',
		'trace unix - - n - 0 bounce',
		'verify unix - - n - 1 verify',
		'flush unix n - n 1000? 0 flush',
		'proxymap unix - - n - - proxymap',
		'smtp unix - - n - - smtp',
		'relay unix - - n - - smtp',
		'error unix - - n - - error',
		'retry unix - - n - - error',
		'discard unix - - n - - discard',
		'virtual unix - n n - - virtual',
		'anvil unix - - n - 1 anvil',
		'scache unix - - n - 1 scache',
		'postlog unix-dgram n - n - 1 postlogd',
		'showq unix n - n - - showq',
		'',
	].join('\n');

function filesUnder(dir: string): number {
	if (!existsSync(dir)) return 0;
	return readdirSync(dir).reduce((n, name) => {
		const entry = path.join(dir, name);
		return n + (statSync(entry).isDirectory() ? filesUnder(entry) : 1);
	}, 0);
}
