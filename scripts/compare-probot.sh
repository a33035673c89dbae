#!/usr/bin/env bash
# Side-by-side intake comparison with a Probot app, in one run on the same machine: each server is
# pinned to core 0 and Debian's `wrk` to core 1, with the same signed deliveries (see
# scripts/loadtest.sh for the design-review side alone). Probot is installed from npm into a
# temporary folder and runs twice: scripts/probot/app.js only acknowledges (it stores nothing,
# which favours it), scripts/probot/app-durable.js commits each pull_request delivery to SQLite
# (better-sqlite3, WAL, fsynced) before acknowledging it, which is the job design-review's intake does.
#
# This VM-class hardware is noisy (the same binary's rate varies by 10-20 % from one run to the
# next), so RUNS=n repeats the three servers n times, alternating, and the last lines give each
# run's ratios and their median.
#
#   scripts/compare-probot.sh        # BIN=path reuses a built server; RUNS=3; needs node >= 20, npm, wrk, curl, taskset, openssl, python3
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}
RUNS=${RUNS:-1}
SECRET=compare-secret
work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT

# BIN: a server binary built beforehand (then nothing is built for it here).
if [ -z "${BIN:-}" ]; then cargo build --profile dist --quiet --bin design-review; fi
bin=${BIN:-target/dist/design-review}
(cd "$work" && npm init -y >/dev/null && npm install --silent --no-audit --no-fund probot@14 better-sqlite3@12 >/dev/null)
cp scripts/probot/app.js "$work/app.mjs"
cp scripts/probot/app-durable.js "$work/app-durable.mjs"

# A pull_request delivery shaped like GitHub's (about 22 KB of compact JSON).
python3 scripts/pr-payload.py "$work/pr.json"
printf '{"zen":"Design for failure.","hook_id":1}' > "$work/ping.json"
sign() { printf 'sha256=%s' "$(openssl dgst -sha256 -hmac "$SECRET" -r < "$1" | cut -d' ' -f1)"; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
hwm_kb() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }

emit() { # line: printed, and kept for the ratios at the end
  echo "$1" | tee -a "$work/results.jsonl"
}

measure() { # name pid port
  local name=$1 pid=$2 port=$3 labels
  sleep 1
  emit "{\"run\":$run,\"server\":\"$name\",\"ready_ms\":$ready_ms,\"idle_rss_kb\":$(rss_kb "$pid")}"
  for spec in "ping $work/ping.json 64" "pull_request $work/pr.json 16" "pull_request $work/pr.json 64"; do
    set -- $spec
    labels="{\"run\":$run,\"server\":\"$name\",\"event\":\"$1\",\"connections\":$3}"
    # Pings are never stored: one fixed request, so wrk runs no Lua per request (see the script).
    emit "$labels $(UNIQUE=$([ "$1" = ping ] && echo 0 || echo 1) \
      BODY_FILE=$2 SIGNATURE=$(sign "$2") EVENT=$1 RUN_ID="$name-$1-$3-$RANDOM" \
      taskset -c 1 wrk -t1 -c"$3" -d"$DURATION" -s scripts/wrk-delivery.lua \
      "http://127.0.0.1:$port/api/github/webhooks" | tail -n 1)"
  done
  emit "{\"run\":$run,\"server\":\"$name\",\"peak_rss_kb\":$(hwm_kb "$pid")}"
}

wait_up() { # url
  until curl -s -o /dev/null "$1"; do sleep 0.001; done
}

# design-review: intake only (WORKERS=0), SQLite, every pull_request stored durably.
design_review() {
  local start
  start=$(date +%s%N)
  APP_ID=1 PRIVATE_KEY_PATH=tests/fixtures/keys/app.pem GITHUB_API_URL=http://127.0.0.1:9/ WORKERS=0 \
  WEBHOOK_SECRET=$SECRET DATABASE_URL="sqlite://$work/dr-$run.db" LISTEN_ADDR=127.0.0.1:3931 RUST_LOG=error \
    taskset -c 0 "$bin" serve &
  pids+=($!)
  wait_up http://127.0.0.1:3931/readyz
  ready_ms=$(( ($(date +%s%N) - start) / 1000000 ))
  measure design-review "${pids[-1]}" 3931
  kill "${pids[-1]}"
  wait "${pids[-1]}" 2>/dev/null || true
}

# Probot 14 with each app, same key and secret, logging at error level.
probot() { # name app-file port
  local name=$1 app=$2 port=$3
  start=$(date +%s%N)
  (cd "$work" && APP_ID=1 PRIVATE_KEY="$(cat "$OLDPWD/tests/fixtures/keys/app.pem")" WEBHOOK_SECRET=$SECRET \
    DELIVERY_DB="$work/probot-$name-$run.db" PORT=$port HOST=127.0.0.1 LOG_LEVEL=error \
    taskset -c 0 node node_modules/probot/bin/probot.js run "./$app") &
  pids+=($!)
  wait_up "http://127.0.0.1:$port/"
  ready_ms=$(( ($(date +%s%N) - start) / 1000000 ))
  local pid
  pid=$(pgrep -f "probot.js run ./$app" | head -1)
  measure "$name" "$pid" "$port"
  kill "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
}

for run in $(seq 1 "$RUNS"); do
  design_review
  probot probot app.mjs 3932
  probot probot-durable app-durable.mjs 3933
done

# Ratios of each run, then their median: design-review's acknowledged deliveries per second over
# each Probot app's, and each Probot app's memory over design-review's.
python3 - "$work/results.jsonl" <<'PY'
import json, statistics, sys
rows = []
for line in open(sys.argv[1]):
    # A rate line is two objects: the run's labels, then wrk's figures.
    objs = [json.loads("{" + part.strip().strip("{}") + "}") for part in line.strip().split("} {")]
    merged = {}
    for obj in objs:
        merged.update(obj)
    rows.append(merged)
def value(run, server, key, **match):
    for row in rows:
        if row["run"] == run and row["server"] == server and key in row \
                and all(row.get(k) == v for k, v in match.items()):
            return row[key]
ratios = {}
for run in sorted({row["run"] for row in rows}):
    out = {"run": run}
    for probot in ("probot", "probot-durable"):
        for event, conns in (("ping", 64), ("pull_request", 16), ("pull_request", 64)):
            ours = value(run, "design-review", "rps", event=event, connections=conns)
            theirs = value(run, probot, "rps", event=event, connections=conns)
            out[f"{probot}:{event}@{conns}"] = round(ours / theirs, 1)
        for key in ("idle_rss_kb", "peak_rss_kb"):
            out[f"{probot}:{key}"] = round(value(run, probot, key) / value(run, "design-review", key), 1)
    for key, ratio in out.items():
        if key != "run":
            ratios.setdefault(key, []).append(ratio)
    print(json.dumps({"ratios": out}))
print(json.dumps({"median_ratios": {k: round(statistics.median(v), 1) for k, v in ratios.items()}}))
PY

