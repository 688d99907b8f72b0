#!/usr/bin/env bash
# `npm run test:queue`: the node in real n8n 2.41.1 queue mode (main + 2 workers + redis-server), see
# scripts/queue-check.ts. Installs n8n once under .dev/ (as test:n8n does); needs Debian's redis-server.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
version=2.41.1
home=${N8N_HOME_2:-$root/.dev/n8n-$version}
command -v redis-server > /dev/null || { echo "test:queue needs redis-server (apt-get install redis-server)" >&2; exit 1; }
command -v ss > /dev/null || { echo "test:queue needs ss (apt-get install iproute2)" >&2; exit 1; }
bash scripts/install-n8n.sh "$home" "$version"
npx gulp build --silent
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tgz=$(npm pack --silent --ignore-scripts --pack-destination "$work" | tail -n 1)
npx esbuild scripts/queue-check.ts --bundle --platform=node --packages=external --outfile=out/queue-check.js --log-level=warning
N8N_HOME="$home" TGZ="$work/$tgz" node out/queue-check.js
