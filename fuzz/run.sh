#!/usr/bin/env bash
# Runs every fuzz target for SECONDS (default 600) one after the other, one job each, at low
# priority; logs and the executions summary go to fuzz/logs/. Needs cargo-fuzz
# (`cargo install cargo-fuzz`); on a stable toolchain RUSTC_BOOTSTRAP=1 enables the nightly
# flags it uses. Seeds come from the repository (templates, examples, fixtures) and fuzz/seeds/.
set -euo pipefail
cd "$(dirname "$0")"
SECONDS_PER_TARGET="${1:-600}"
export RUSTC_BOOTSTRAP=1
mkdir -p logs
cargo fuzz build -O
seed() { # target, files...
    local dir="corpus/$1"; shift
    mkdir -p "$dir"
    for f in "$@"; do [ -f "$f" ] && cp "$f" "$dir/seed-$(basename "$f")"; done
}
seed checker ../config/templates/*.md ../config/examples/*.md ../tests/fixtures/checker/*.md ../tests/fixtures/review/*.md
seed commands seeds/commands/*
seed repo_config ../config/design-review.example.yml ../config/templates/*.rules.yml
seed webhook_payload seeds/webhook_payload/*
for target in $(cargo fuzz list); do
    echo "== $target: ${SECONDS_PER_TARGET}s ($(date -u +%FT%TZ))"
    status=0
    nice -n 19 cargo fuzz run -O "$target" -- -max_total_time="$SECONDS_PER_TARGET" \
        -print_final_stats=1 >"logs/$target.log" 2>&1 || status=$?
    execs=$(grep -a 'stat::number_of_executed_units' "logs/$target.log" | awk '{print $2}' | tail -1)
    echo "$target: exit $status, executions ${execs:-?}, crashes $(ls artifacts/"$target" 2>/dev/null | grep -c '^crash-' || true)" | tee -a logs/summary.txt
done
