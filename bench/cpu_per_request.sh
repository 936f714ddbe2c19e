#!/usr/bin/env bash
# CPU time one request costs the server, for two builds side by side: a steadier measure
# than requests per second on a shared, noisy machine (it does not count the time the
# server waits for a core).
#
#   bash bench/cpu_per_request.sh BASELINE_BINARY [CANDIDATE_BINARY] [PATH...]
#
# Starts each binary on its own SQLite database and port, then for each path alternates
# three 4-second wrk runs (one thread, 8 connections) between them and prints the server
# process's user+system CPU time divided by the requests it answered.
set -euo pipefail
baseline="$1"; candidate="${2:-target/release/doorman}"; shift $(( $# >= 2 ? 2 : 1 ))
paths=("${@:-/signup}"); [ "$#" -eq 0 ] && paths=(/signup /healthz)
work="$(mktemp -d)"; pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT
start() { # binary port name
    APP_ENV=development DATABASE_URL="sqlite://$work/$3.db?mode=rwc" BIND_ADDR="127.0.0.1:$2" \
        BASE_URL="http://127.0.0.1:$2" ADMIN_BIND_ADDR= SMTP_URL=smtp://127.0.0.1:9 \
        RATE_LIMIT_PER_MINUTE=0 RUST_LOG=error \
        SECRET_KEY="benchmark secret key that is long enough to use" "$1" serve >/dev/null 2>&1 &
    pids+=("$!")
    for _ in $(seq 1 50); do curl -fsS "http://127.0.0.1:$2/readyz" >/dev/null 2>&1 && return; sleep 0.1; done
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
measure() { # pid port path
    local before after requests
    before="$(cpu_ticks "$1")"
    requests="$(wrk -t1 -c8 -d4s "http://127.0.0.1:$2$3" | awk '/requests in/ {print $1}')"
    after="$(cpu_ticks "$1")"
    python3 -c "print(f'{($after - $before) * 1e6 / $(getconf CLK_TCK) / $requests:.1f}')"
}
start "$baseline" 3931 baseline; start "$candidate" 3932 candidate
echo "| path | $(basename "$baseline") µs CPU/request | $(basename "$candidate") µs CPU/request |"
echo "| --- | --- | --- |"
for path in "${paths[@]}"; do
    old=(); new=()
    for _ in 1 2 3; do
        old+=("$(measure "${pids[0]}" 3931 "$path")"); new+=("$(measure "${pids[1]}" 3932 "$path")")
    done
    echo "| \`$path\` | ${old[*]} | ${new[*]} |"
done
