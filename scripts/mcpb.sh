#!/usr/bin/env bash
# mcpb.sh builds registry-mcp's MCP bundle (.mcpb: a zip of manifest.json and
# the server binaries, which Claude Desktop and other MCPB clients install in
# one step) from the binaries goreleaser built, and prints its SHA-256.
#
#   goreleaser release --clean --skip=publish
#   scripts/mcpb.sh 1.2.3            # writes dist/release/registry-mcp_1.2.3.mcpb
#
# The manifest is deploy/mcpb/manifest.json with the version stamped in (a
# test in deploy/ validates it against the MCPB schema). One bundle serves
# every desktop: MCPB chooses a command by operating system only, so it holds
# the universal macOS binary (amd64 + arm64), Linux amd64 and Windows amd64
# (which Windows on Arm runs under emulation).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
version=${1:?usage: scripts/mcpb.sh VERSION [DIST]}
dist=${2:-dist/release}
artifacts=$dist/artifacts.json
[ -f "$artifacts" ] || { echo "mcpb: $artifacts not found: run goreleaser first" >&2; exit 1; }

# binary OS ARCH prints the path goreleaser recorded for a built binary.
binary() {
	local p
	p=$(jq -r --arg os "$1" --arg arch "$2" \
		'[.[] | select(.goos == $os and .goarch == $arch and .type == "Binary")][0].path // empty' "$artifacts")
	[ -n "$p" ] && [ -f "$p" ] || { echo "mcpb: no $1/$2 binary in $artifacts" >&2; exit 1; }
	echo "$p"
}

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir "$stage/server"
install -m 0755 "$(binary darwin all)" "$stage/server/registry-mcp"
install -m 0755 "$(binary linux amd64)" "$stage/server/registry-mcp-linux"
install -m 0755 "$(binary windows amd64)" "$stage/server/registry-mcp.exe"
jq --arg version "$version" '.version = $version' deploy/mcpb/manifest.json >"$stage/manifest.json"
cp LICENSE README.md "$stage/"

out=$ROOT/$dist/registry-mcp_${version}.mcpb
rm -f "$out"
# -X leaves out extra file attributes, so rebuilding gives the same bytes.
(cd "$stage" && touch -d "@${SOURCE_DATE_EPOCH:-0}" manifest.json LICENSE README.md server server/* &&
	zip -X -q -r "$out" manifest.json LICENSE README.md server)
sha256sum "$out" | awk '{print $1}'
