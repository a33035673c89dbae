#!/usr/bin/env bash
# Load test of the webhook intake on loopback: a `dist` build (release with LTO) pinned to core 0, Debian's `wrk`
# pinned to core 1. Reports acknowledged deliveries per second and latency for signed `ping`
# deliveries and for ~20 KB `pull_request` deliveries with a unique delivery id each (so each is
# durably stored before the answer), at 16 and 64 connections; idle and peak memory; and the time
# from process start to ready.
#
# `wrk` is closed-loop: it keeps every connection busy, so its latencies are those of a saturated
# server (Little's law: 64 connections at 10,000/s is 6.4 ms on average, whatever the server does).
# GitHub does not wait for one answer before sending the next delivery, so the script also offers
# `pull_request` deliveries at a fixed rate (RATE, default 5000/s) over 64 connections with
# `examples/loadgen.rs --rate`, which counts each latency from the moment the request was due.
#
#   scripts/loadtest.sh                                   # SQLite (the default store)
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/loadtest scripts/loadtest.sh
#
# The server runs with WORKERS=0 (intake only): the figures are those of the hot path, nothing
# is processed while the load runs. The App key is the test fixture; GitHub is never called.
# Needs: wrk, curl, taskset, openssl (apt-get install wrk).
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}
PORT=${PORT:-3917}
SECRET=loadtest-secret
work=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT

# BIN: a server binary built beforehand (then nothing is built for it here).
if [ -z "${BIN:-}" ]; then cargo build --profile dist --quiet --bin design-review; fi
cargo build --release --quiet --example loadgen
bin=${BIN:-target/dist/design-review}
RATE=${RATE:-5000}
db=${DATABASE_URL:-sqlite://$work/load.db}

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
hwm_kb() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }
sign() { printf 'sha256=%s' "$(openssl dgst -sha256 -hmac "$SECRET" -r < "$1" | cut -d' ' -f1)"; }

# A pull_request delivery shaped like GitHub's (about 22 KB of compact JSON).
python3 scripts/pr-payload.py "$work/pr.json"
printf '{"zen":"Design for failure.","hook_id":1}' > "$work/ping.json"

export APP_ID=1 PRIVATE_KEY_PATH=tests/fixtures/keys/app.pem GITHUB_API_URL=http://127.0.0.1:9/ WORKERS=0 \
  WEBHOOK_SECRET=$SECRET DATABASE_URL=$db RUST_LOG=error
# Start to ready: median of 5 starts, polled from one process (see the script).
ready_ms=$(taskset -c 0 python3 scripts/time-to-ready.py "$bin" "$PORT" 5)
LISTEN_ADDR=127.0.0.1:$PORT taskset -c 0 "$bin" serve &
server=$!
until curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; do sleep 0.01; done
sleep 1
echo "{\"store\":\"${db%%:*}\",\"ready_ms\":$ready_ms,\"idle_rss_kb\":$(rss_kb "$server"),\"pr_body_bytes\":$(wc -c < "$work/pr.json")}"

run() { # event body-file connections
  echo -n "{\"event\":\"$1\",\"connections\":$3} "
  # Pings are never stored: one fixed request, so wrk runs no Lua per request (see the script).
  UNIQUE=$([ "$1" = ping ] && echo 0 || echo 1) \
  BODY_FILE=$2 SIGNATURE=$(sign "$2") EVENT=$1 RUN_ID="$1-$3-$RANDOM" \
    taskset -c 1 wrk -t1 -c"$3" -d"$DURATION" -s scripts/wrk-delivery.lua \
    "http://127.0.0.1:$PORT/api/github/webhooks" | tail -n 1
}
run ping "$work/ping.json" 64
run pull_request "$work/pr.json" 16
run pull_request "$work/pr.json" 64
paced() { # rate connections
  taskset -c 1 target/release/examples/loadgen --url "http://127.0.0.1:$PORT/api/github/webhooks" \
    --secret "$SECRET" --event pull_request --body-file "$work/pr.json" --rate "$1" \
    --concurrency "$2" --requests $(( $1 * ${DURATION%s} )) --id-prefix "paced-$1-$2-$RANDOM"
}
paced "$RATE" 64
echo "{\"peak_rss_kb\":$(hwm_kb "$server")}"
