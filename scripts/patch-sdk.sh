#!/usr/bin/env bash
# patch-sdk.sh prepares the MCP Go SDK that registry-mcp's own builds use: the
# version go.mod requires, copied from the module cache into .build/ with the
# changes in patches/go-sdk/ applied, and a workspace file (.build/go.work)
# that puts it in place of the module. It prints the workspace file's path,
# for GOWORK:
#
#   GOWORK=$(scripts/patch-sdk.sh) go build ./cmd/registry-mcp
#
# make, the release and the image build with it; scripts/go wraps it. A plain
# `go build` or `go install ...@version` builds with the SDK as published,
# which behaves the same and is slower (patches/README.md says what each
# patch changes and why). The copy is made again when the SDK version or a
# patch changes; run the script once before starting builds in parallel (the
# release does, in a before hook). Needs go and git (git apply works outside a
# repository).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
MOD=github.com/modelcontextprotocol/go-sdk

VERSION=$(GOWORK=off go list -m -f '{{.Version}}' "$MOD")
GOVERSION=$(GOWORK=off go list -m -f '{{.GoVersion}}')
DIR=.build/go-sdk@$VERSION
SUM=$(cat patches/go-sdk/*.patch | sha256sum | cut -d' ' -f1)
mkdir -p .build

if [ "$(cat "$DIR/.patched" 2>/dev/null)" != "$SUM" ]; then
	GOWORK=off go mod download "$MOD"
	SRC=$(GOWORK=off go list -m -f '{{.Dir}}' "$MOD")
	TMP=$(mktemp -d "$ROOT/.build/tmp.XXXXXX")
	trap 'rm -rf "$TMP"' EXIT
	cp -R "$SRC" "$TMP/sdk"
	chmod -R u+w "$TMP/sdk"
	for p in patches/go-sdk/*.patch; do
		# git apply takes paths from the top of the repository it runs in, if
		# any; --directory names the copy from there.
		git apply --directory="${TMP#"$ROOT"/}/sdk" "$p" ||
			{ echo "patch-sdk: $p does not apply to $MOD $VERSION: update or drop it (patches/README.md)" >&2; exit 1; }
	done
	echo "$SUM" >"$TMP/sdk/.patched"
	rm -rf "$DIR"
	mv "$TMP/sdk" "$DIR"
fi

# Written to a file of its own and renamed, so that a build started at the
# same moment never reads half a file.
WORK=$(mktemp .build/go.work.XXXXXX)
cat >"$WORK" <<EOF
// Written by scripts/patch-sdk.sh: registry-mcp with the patched MCP Go SDK.
go $GOVERSION

use (
	..
	./go-sdk@$VERSION
)
EOF
mv "$WORK" .build/go.work
echo "$ROOT/.build/go.work"
