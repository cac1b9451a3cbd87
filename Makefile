# registry-mcp: every target is one command a person could type.
# `make help` lists them.

SHELL := bash
.DEFAULT_GOAL := help

GO_FILES = $(shell find . -name '*.go' -not -path './.git/*' -not -path './.tools/*' -not -path './.build/*' -not -path '*/node_modules/*')

# What registry-mcp builds, tests and measures here uses the MCP Go SDK with
# the changes in patches/go-sdk/ (scripts/patch-sdk.sh prepares it in .build/
# and prints the workspace file). A plain `go build` or `go install` uses the
# SDK as published: the same behaviour, more CPU per call. A failure to
# prepare it stops the target rather than building with the other SDK.
# REGISTRY_MCP_PATCHED_SDK tells the tests which SDK they were built with.
PATCHED_SDK = GOWORK=$$(scripts/patch-sdk.sh) && export GOWORK REGISTRY_MCP_PATCHED_SDK=1 &&

.PHONY: help
help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z][a-z0-9-]*:.*## / {printf "  %-8s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: fmt
fmt: ## Format the Go code (gofmt -s)
	gofmt -s -w $(GO_FILES)

.PHONY: lint
lint: ## Run golangci-lint and actionlint (pinned, built into .tools/ on first use) and check go.mod is tidy
	@scripts/install-tools.sh golangci-lint actionlint >/dev/null
	.tools/bin/golangci-lint run --allow-parallel-runners ./...
	.tools/bin/actionlint
	go mod tidy -diff

.PHONY: test
# -vet=all runs every go vet check on each package as part of its test build,
# on the same -race build of the dependencies: a separate `go vet ./...`
# would compile all of them a second time, without -race.
test: ## Run the unit tests with the race detector and every vet check; ends with a passed/failed/skipped line and lists skips
	@scripts/install-tools.sh gotestsum >/dev/null
	$(PATCHED_SDK) .tools/bin/gotestsum --format pkgname-and-test-fails --post-run-command scripts/test-summary.sh -- -race -vet=all -count=1 ./...

.PHONY: fuzz
fuzz: ## Run every fuzz target for FUZZTIME each (default 10s)
	$(PATCHED_SDK) scripts/fuzz.sh $(or $(FUZZTIME),10s)

.PHONY: e2e
e2e: ## Run the end-to-end tests: a real registry, the MCP Inspector, the conformance suite, replicas behind haproxy
	$(PATCHED_SDK) scripts/e2e.sh

.PHONY: bench
bench: ## Print every benchmark figure in one run: requests per tool, CPU per call by transport, startup, RSS, machine load
	$(PATCHED_SDK) go run ./cmd/registry-mcp-bench

.PHONY: docs
docs: ## Regenerate generated files (the README's tool table) with go generate
	go generate ./...

.PHONY: build
build: ## Build the static binary into bin/registry-mcp
	$(PATCHED_SDK) CGO_ENABLED=0 go build -trimpath -o bin/registry-mcp ./cmd/registry-mcp

.PHONY: tools
tools: ## Install the pinned tools lint, tests and e2e need (docker-registry, redis-server, haproxy, jq, Node 22, Inspector, conformance suite, golangci-lint, gotestsum, actionlint)
	scripts/install-tools.sh

.PHONY: image
image: ## Build the OCI image layout into dist/image-layout without a container engine
	$(PATCHED_SDK) SOURCE_DATE_EPOCH="$${SOURCE_DATE_EPOCH:-$$(git log -1 --format=%ct 2>/dev/null)}" go run ./cmd/registry-mcp-image -out dist/image-layout -version "$${VERSION:-dev}" -commit "$$(git rev-parse HEAD 2>/dev/null)"

.PHONY: release-check
release-check: ## Validate .goreleaser.yaml (goreleaser v2.16.0, built into .tools/bin on first use: several minutes)
	@test -x .tools/bin/goreleaser || GOBIN="$(CURDIR)/.tools/bin" go install github.com/goreleaser/goreleaser/v2@v2.16.0
	.tools/bin/goreleaser check

.PHONY: load
load: ## Load one server: 200 MCP sessions, 20 000 cached tool calls, on loopback (cmd/registry-mcp-load)
	$(PATCHED_SDK) go run ./cmd/registry-mcp-load
