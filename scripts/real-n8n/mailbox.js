// The loopback sink's mailbox (one .json envelope and one .eml per mail), as the real-n8n checks read it.
const fs = require('node:fs');
const path = require('node:path');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function mailbox(sinkDir) {
	const all = () =>
		fs.readdirSync(path.join(sinkDir, 'mail')).filter((f) => f.endsWith('.json')).map((f) => ({
			...JSON.parse(fs.readFileSync(path.join(sinkDir, 'mail', f), 'utf8')),
			raw: fs.readFileSync(path.join(sinkDir, 'mail', f.replace('.json', '.eml')), 'utf8'),
		}));
	/** Mails whose source holds `marker`: each check marks its own, as earlier checks also write to the same people. */
	const marked = (marker) => all().filter((m) => m.raw.includes(marker));
	/** The `count`-th mail to `to` with `marker`, once it has arrived (`seconds` at most). */
	async function waitFor(to, marker, count = 1, seconds = 20) {
		for (let i = 0; i < seconds * 5; i++) {
			const found = marked(marker).filter((m) => m.envelope.to.includes(to));
			if (found.length >= count) return found[count - 1];
			await sleep(200);
		}
		throw new Error(`no mail ${count} to ${to} (${marker})`);
	}
	return { all, marked, waitFor };
}

/** A mail's source with its quoted-printable soft breaks and "=3D" undone, for reading links and text. */
const decoded = (mail) => mail.raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
/** The link a button label stands for, from the text part ("Approve: <url>"). */
const link = (mail, label) => new RegExp(`^${label}: (\\S+)`, 'm').exec(decoded(mail))[1];

function checker() {
	const failures = [];
	const check = (label, ok, detail = '') => {
		console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${label}${detail ? `: ${detail}` : ''}`);
		if (!ok) failures.push(label);
	};
	return { check, failures };
}

module.exports = { mailbox, decoded, link, checker, sleep };
