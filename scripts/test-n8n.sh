#!/usr/bin/env bash
# Compatibility check against real n8n releases: installs each (once, under .dev/), then runs
# scripts/real-n8n-check.sh with it — the packed package installed as Community Nodes installs it,
# credentials and workflows imported with n8n's CLI, workflows executed headless, mails checked at a
# loopback SMTP server, the Test button and an approval through the running server.
#
#   npm run test:n8n                       (N8N_VERSIONS="2.41.1 1.123.81" by default)
#   N8N_HOME_2=/path/to/installed/n8n-2    reuse an existing install for a major version
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
versions=${N8N_VERSIONS:-2.41.1 1.123.81}
summary=()
failed=0
for version in $versions; do
	major=${version%%.*}
	home_var="N8N_HOME_$major"
	home=${!home_var:-$root/.dev/n8n-$version}
	bash scripts/install-n8n.sh "$home" "$version" || { summary+=("n8n $version: install FAILED"); failed=1; continue; }
	started=$(date +%s)
	if N8N_HOME="$home" bash scripts/real-n8n-check.sh > ".dev/check-$version.log" 2>&1; then
		summary+=("n8n $version: PASSED in $(( $(date +%s) - started )) s ($(grep -c 'PASSED' ".dev/check-$version.log") checks)")
	else
		summary+=("n8n $version: FAILED (see .dev/check-$version.log)")
		failed=1
	fi
	grep -E 'PASSED|FAILED|FAIL |n8n [0-9]' ".dev/check-$version.log" | sed 's/^/    /'
done
printf '%s\n' "${summary[@]}"
exit $failed
