#!/usr/bin/env bash
# Fuzzes every parser of outside bytes: each Fuzz target of every package in
# turn, for EXECS executions each (default 20,000, the short run CI makes).
#
#   scripts/fuzz.sh [EXECS]      e.g. scripts/fuzz.sh 1000000 before landing
#
# The budget is a count of executions, not a duration: a duration races the
# fuzzer's own deadline on a busy machine and fails with "context deadline
# exceeded" though nothing was found. 20,000 executions take 1 to 11 s per
# target here. A failure prints what the fuzzer found and stops.
set -euo pipefail
cd "$(dirname "$0")/.."
execs=${1:-${FUZZ_EXECS:-20000}}

go list -f '{{.ImportPath}} {{.Dir}}' ./... | while read -r pkg dir; do
  for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //'); do
    start=$SECONDS
    if ! out=$(go test -run '^$' -fuzz "^${target}\$" -fuzztime "${execs}x" -timeout 60m "$pkg" 2>&1); then
      printf '%s\n' "$out" | tail -n 40
      echo "fuzzing $target in $pkg failed" >&2
      exit 1
    fi
    echo "fuzz $pkg $target: $execs executions, $((SECONDS - start)) s, nothing found"
  done
done
echo "fuzzing: all targets ran without a failure"
