# Sourced by the scripts that start a real n8n server (`npm run dev`, `npm run test:editor`).

# n8n_wait_ready <who> <port> <pid> <log>: waits up to 180 s for n8n's readiness endpoint; if n8n stops or
# never gets ready, says so with the end of its log and exits.
n8n_wait_ready() {
	local who=$1 port=$2 pid=$3 log=$4
	for _ in $(seq 180); do
		curl -sf "http://127.0.0.1:$port/healthz/readiness" > /dev/null && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 1
	done
	sleep 1
	echo "$who: n8n did not become ready on port $port. Last lines of $log:" >&2
	tail -20 "$log" >&2
	exit 1
}

# n8n_create_owner <port> <email> <password> <first name> <last name>: the owner account, so the editor
# opens at the sign-in page rather than the setup form (a second call changes nothing).
n8n_create_owner() {
	curl -sf -X POST "http://127.0.0.1:$1/rest/owner/setup" -H 'content-type: application/json' \
		-d "{\"email\":\"$2\",\"firstName\":\"$4\",\"lastName\":\"$5\",\"password\":\"$3\"}" > /dev/null 2>&1 || true
}
