#!/usr/bin/env bash
# test-summary.sh is the post-run command of `make test` (gotestsum
# --post-run-command): it prints one line with the counts gotestsum passes in
# its environment, so a skipped test is never silent. Subtests count as tests.
set -euo pipefail
total=${TESTS_TOTAL:?run by gotestsum --post-run-command}
failed=${TESTS_FAILED:-0}
skipped=${TESTS_SKIPPED:-0}
printf 'test summary: %d passed, %d failed, %d skipped (%d tests, %s)\n' \
	$((total - failed - skipped)) "$failed" "$skipped" "$total" "${GOTESTSUM_ELAPSED:-?}"
