#!/usr/bin/env bash
# Runs every test of ganvas: vet, the unit and widget tests with the race
# detector, and a short fuzz run of each parser of outside bytes.
set -euo pipefail
cd "$(dirname "$0")/.."

go vet ./...
go test -race -timeout 20m ./...

# A short fuzz run of each parser of outside bytes; longer runs are for
# before landing (scripts/fuzz.sh 1000000).
./scripts/fuzz.sh "${FUZZ_EXECS:-20000}"
