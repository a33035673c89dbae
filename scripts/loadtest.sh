#!/usr/bin/env bash
# Load test of the webhook intake: a release build pinned to core 0, the load generator pinned
# to core 1, on loopback. Reports acknowledged deliveries per second and latency for signed
# `ping` and ~20 KB `pull_request` deliveries (each durably stored before the answer), idle and
# peak memory, and the time from start to ready.
#
#   scripts/loadtest.sh                 # SQLite (default store)
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/loadtest scripts/loadtest.sh
#
# The server runs with WORKERS=0 (intake only), so the figures are those of the hot path:
# nothing is processed while the load runs. The App key is the test fixture; GitHub is never
# called.
set -euo pipefail
cd "$(dirname "$0")/.."

REQUESTS=${REQUESTS:-50000}
PORT=${PORT:-3917}
SECRET=loadtest-secret
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT

cargo build --release --quiet --bin design-review --example loadgen
bin=target/release/design-review
gen=target/release/examples/loadgen
db=${DATABASE_URL:-sqlite://$work/load.db}

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
hwm_kb() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }

start=$(date +%s%N)
APP_ID=1 PRIVATE_KEY_PATH=tests/fixtures/keys/app.pem GITHUB_API_URL=http://127.0.0.1:9/ WORKERS=0 \
WEBHOOK_SECRET=$SECRET DATABASE_URL=$db LISTEN_ADDR=127.0.0.1:$PORT RUST_LOG=error \
  taskset -c 0 "$bin" serve &
server=$!
until curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; do sleep 0.002; done
ready_ms=$(( ($(date +%s%N) - start) / 1000000 ))
sleep 1
idle_kb=$(rss_kb "$server")
echo "{\"store\":\"${db%%:*}\",\"ready_ms\":$ready_ms,\"idle_rss_kb\":$idle_kb}"

run() { # event concurrency
  taskset -c 1 "$gen" --url "http://127.0.0.1:$PORT/api/github/webhooks" --secret "$SECRET" \
    --event "$1" --concurrency "$2" --requests "$REQUESTS" --id-prefix "$1-$2-$RANDOM"
}
run ping 64
run pull_request 16
run pull_request 64
echo "{\"peak_rss_kb\":$(hwm_kb "$server")}"
