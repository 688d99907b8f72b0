#!/usr/bin/env bash
# Installs a packed n8n-nodes-smtp-connector tarball into an n8n user folder the way Settings → Community
# Nodes does (n8n 2.41 CommunityPackagesService): unpack into <user>/.n8n/nodes/node_modules/<name>, drop
# dev, peer and optional dependencies, npm install there, and record it in nodes/package.json.
#
#   bash scripts/install-package.sh <n8n user folder> <tarball>
set -euo pipefail
user=$1
tgz=$2
nodes="$user/.n8n/nodes"
pkg_dir="$nodes/node_modules/n8n-nodes-smtp-connector"
rm -rf "$pkg_dir"
mkdir -p "$pkg_dir"
tar -xzf "$tgz" -C "$pkg_dir" --strip-components=1
node -e '
const fs = require("fs"), f = process.argv[1];
const { devDependencies, peerDependencies, optionalDependencies, ...p } = JSON.parse(fs.readFileSync(f, "utf8"));
fs.writeFileSync(f, JSON.stringify(p, null, 2));
fs.writeFileSync(process.argv[2], JSON.stringify({ name: "installed-nodes", private: true, dependencies: { [p.name]: p.version } }));
' "$pkg_dir/package.json" "$nodes/package.json"
(cd "$pkg_dir" && npm install --audit=false --fund=false --bin-links=false --install-strategy=shallow --ignore-scripts=true --package-lock=false --silent)
echo "installed: $(ls "$nodes/node_modules")"
