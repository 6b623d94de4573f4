#!/usr/bin/env bash
# Runs every test of ganvas: vet, the unit and widget tests with the race
# detector, and a short fuzz run of each parser of outside bytes.
set -euo pipefail
cd "$(dirname "$0")/.."

go vet ./...
go test -race -timeout 20m ./...

# A short fuzz run per parser; longer runs are for before landing. The budget
# is a count of executions, not a duration: a duration races the fuzzer's own
# deadline on a busy machine and fails with "context deadline exceeded" though
# nothing was found. 20,000 executions take 1 to 11 s per target here.
fuzz_execs=${FUZZ_EXECS:-20000}
go list -f '{{.ImportPath}} {{.Dir}}' ./... | while read -r pkg dir; do
  for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //'); do
    echo "fuzz $pkg $target"
    if ! out=$(go test -run '^$' -fuzz "^${target}\$" -fuzztime "${fuzz_execs}x" -timeout 10m "$pkg" 2>&1); then
      printf '%s\n' "$out" | tail -n 40
      echo "fuzzing $target in $pkg failed" >&2
      exit 1
    fi
  done
done
echo "fuzzing: all targets ran without a failure"
