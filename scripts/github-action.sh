#!/usr/bin/env bash
# The GitHub Action's step (action.yml): `design-review check --base` on the pull request's
# changes, printed as workflow commands so GitHub annotates the diff.
#
# Environment: DESIGN_REVIEW_BIN (the binary, default `design-review` on PATH); INPUT_BASE
# (a revision) or PR_BASE_SHA (the pull request's base commit); INPUT_CONFIG and
# INPUT_TEMPLATE (optional, passed on as --config and --template).
set -euo pipefail

bin="${DESIGN_REVIEW_BIN:-design-review}"
base="${INPUT_BASE:-${PR_BASE_SHA:-}}"
if [ -z "$base" ]; then
  echo "::error title=design-review::no base revision: run on pull_request events or set the 'base' input"
  exit 2
fi

# actions/checkout fetches one commit by default; the merge base needs the history.
if [ "$(git rev-parse --is-shallow-repository)" = "true" ]; then
  echo "Shallow clone: fetching the history to find the merge base (fetch-depth: 0 skips this)"
  git fetch --quiet --no-tags --unshallow origin
fi
if ! git cat-file -e "${base}^{commit}" 2>/dev/null; then
  git fetch --quiet --no-tags origin "$base"
fi

args=(check --base "$base" --format github)
if [ -n "${INPUT_CONFIG:-}" ]; then args+=(--config "$INPUT_CONFIG"); fi
if [ -n "${INPUT_TEMPLATE:-}" ]; then args+=(--template "$INPUT_TEMPLATE"); fi
exec "$bin" "${args[@]}"
