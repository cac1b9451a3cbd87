#!/usr/bin/env bash
# e2e.sh runs the end-to-end tests (package ./e2e, build tag e2e): it builds
# the static binary, starts Debian's docker-registry on a free loopback port
# with a config of its own, and runs the Go tests, which push fixture images to
# that registry and drive the binary over stdio and HTTP with the MCP Go SDK and
# the MCP Inspector CLI, and run the MCP conformance suite's server scenarios
# against its Streamable HTTP endpoint.
#
#   scripts/e2e.sh                    # all of it
#   scripts/e2e.sh -run TestStdio     # extra arguments go to go test
#   E2E_BINARY=bin/registry-mcp scripts/e2e.sh   # test a given binary
#
# Needs /usr/bin/docker-registry, haproxy and redis-server (the replica test)
# and, for the Inspector and conformance tests,
# Node >= 22.19, @modelcontextprotocol/inspector and
# @modelcontextprotocol/conformance: scripts/install-tools.sh installs them.
# Locally, E2E_SKIP_INSPECTOR=1 skips the Inspector tests and
# E2E_SKIP_CONFORMANCE=1 the conformance tests (E2E_SKIP_INSPECTOR=1 implies
# it, unless E2E_SKIP_CONFORMANCE=0: both need Node); under CI=true a missing
# Inspector or conformance suite fails the run instead of skipping.
#
# Everything listens on 127.0.0.1 only, and every process started here is
# stopped on exit, whether the tests pass or not.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
log() { printf 'e2e: %s\n' "$*" >&2; }
die() { printf 'e2e: error: %s\n' "$*" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/registry-mcp-e2e.XXXXXX")
REGISTRY_PID=
TEST_PGID=
cleanup() {
	local rc=$?
	# go test runs in a process group of its own: ending the group ends the
	# test binary, the servers it started and the Inspector's node processes.
	if [ -n "$TEST_PGID" ] && kill -0 -- "-$TEST_PGID" 2>/dev/null; then
		kill -TERM -- "-$TEST_PGID" 2>/dev/null || true
		for _ in $(seq 50); do kill -0 -- "-$TEST_PGID" 2>/dev/null || break; sleep 0.1; done
		kill -KILL -- "-$TEST_PGID" 2>/dev/null || true
	fi
	if [ -n "$REGISTRY_PID" ] && kill -0 "$REGISTRY_PID" 2>/dev/null; then
		kill -TERM "$REGISTRY_PID" 2>/dev/null || true
		for _ in $(seq 50); do kill -0 "$REGISTRY_PID" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$REGISTRY_PID" 2>/dev/null || true
		wait "$REGISTRY_PID" 2>/dev/null || true
	fi
	rm -rf "$WORK"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Tools from scripts/install-tools.sh, unless the caller set them.
if [ -f "$ROOT/.tools/env" ]; then
	while IFS='=' read -r k v; do
		[ -n "$k" ] && [ -z "${!k:-}" ] && export "$k=$v"
	done <"$ROOT/.tools/env"
fi

REGISTRY_BIN=${DOCKER_REGISTRY_BIN:-/usr/bin/docker-registry}
[ -x "$REGISTRY_BIN" ] || die "$REGISTRY_BIN not found: run scripts/install-tools.sh docker-registry (apt-get install docker-registry)"

if [ "${E2E_SKIP_INSPECTOR:-}" = 1 ]; then
	[ "${CI:-}" = true ] && die "E2E_SKIP_INSPECTOR=1 is not allowed under CI"
	unset E2E_INSPECTOR
	log "skipping the Inspector tests (E2E_SKIP_INSPECTOR=1)"
elif [ -z "${E2E_INSPECTOR:-}" ] || [ ! -e "${E2E_INSPECTOR}" ]; then
	if [ "${CI:-}" = true ]; then
		die "the MCP Inspector is not installed: run scripts/install-tools.sh inspector"
	fi
	die "the MCP Inspector is not installed: run scripts/install-tools.sh inspector, or set E2E_SKIP_INSPECTOR=1"
fi
if [ "${E2E_SKIP_CONFORMANCE:-${E2E_SKIP_INSPECTOR:-}}" = 1 ]; then
	[ "${CI:-}" = true ] && die "E2E_SKIP_CONFORMANCE=1 is not allowed under CI"
	unset E2E_CONFORMANCE
	log "skipping the conformance tests (E2E_SKIP_CONFORMANCE=1)"
elif [ -z "${E2E_CONFORMANCE:-}" ] || [ ! -e "${E2E_CONFORMANCE}" ]; then
	if [ "${CI:-}" = true ]; then
		die "the MCP conformance suite is not installed: run scripts/install-tools.sh conformance"
	fi
	die "the MCP conformance suite is not installed: run scripts/install-tools.sh conformance, or set E2E_SKIP_CONFORMANCE=1"
fi
if [ -n "${E2E_NODE_DIR:-}" ]; then
	export PATH="$E2E_NODE_DIR:$PATH"
fi
# The Inspector keeps a catalog and client config in ~/.mcp-inspector; keep
# them out of the home directory.
export MCP_CATALOG_PATH="$WORK/inspector/mcp.json" MCP_CLIENT_CONFIG_PATH="$WORK/inspector/client.json"
mkdir -p "$WORK/inspector"

if [ -n "${E2E_BINARY:-}" ]; then
	[ -x "$E2E_BINARY" ] || die "E2E_BINARY=$E2E_BINARY is not an executable"
	log "testing the given binary $E2E_BINARY"
else
	log "building the binary (CGO_ENABLED=0)"
	CGO_ENABLED=0 go build -trimpath -o "$WORK/registry-mcp" ./cmd/registry-mcp
	export E2E_BINARY="$WORK/registry-mcp"
fi

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# start_registry starts docker-registry on a fresh port; a port taken between
# free_port and the bind makes it exit, and the caller tries another.
start_registry() {
	local port=$1
	mkdir -p "$WORK/registry-data"
	cat >"$WORK/registry.yml" <<EOF
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $WORK/registry-data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
  secret: e2e-only-not-a-secret
EOF
	"$REGISTRY_BIN" serve "$WORK/registry.yml" >>"$WORK/registry.log" 2>&1 &
	REGISTRY_PID=$!
	for _ in $(seq 100); do
		kill -0 "$REGISTRY_PID" 2>/dev/null || { wait "$REGISTRY_PID" 2>/dev/null || true; REGISTRY_PID=; return 1; }
		if curl -fs -o /dev/null --max-time 2 "http://127.0.0.1:$port/v2/" 2>/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	kill -KILL "$REGISTRY_PID" 2>/dev/null || true
	wait "$REGISTRY_PID" 2>/dev/null || true
	REGISTRY_PID=
	return 1
}

started=
for _ in 1 2 3 4 5; do
	port=$(free_port)
	if start_registry "$port"; then
		started=$port
		break
	fi
	log "docker-registry did not come up on 127.0.0.1:$port; trying another port"
done
if [ -z "$started" ]; then
	tail -20 "$WORK/registry.log" >&2 2>/dev/null || true
	die "docker-registry would not start (its log is above)"
fi
export E2E_REGISTRY="127.0.0.1:$started"
log "docker-registry $("$REGISTRY_BIN" --version | awk '{print $NF}') serving at $E2E_REGISTRY"

go vet -tags e2e ./e2e
# In the background and waited for, so that a signal to this script runs the
# cleanup at once rather than after the tests.
setsid go test -tags e2e -count=1 -timeout 15m -v ./e2e "$@" &
TEST_PGID=$!
wait "$TEST_PGID"
