#!/usr/bin/env bash
# fuzz.sh runs every fuzz target in the module for a bounded time each
# (default 10s; `scripts/fuzz.sh 30s` for longer). Seeds come from the f.Add
# calls and testdata/fuzz; a failure leaves its input in testdata/fuzz to
# commit with the fix.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
fuzztime=${1:-10s}
n=0
while IFS=: read -r file name; do
	pkg=./$(dirname "$file")
	echo "fuzz: $pkg $name ($fuzztime)"
	go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "$pkg"
	n=$((n + 1))
done < <(grep -rHo --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*' internal cmd | sed 's/func //' | sort)
echo "fuzz: $n targets passed"
