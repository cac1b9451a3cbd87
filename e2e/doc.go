// Package e2e holds the end-to-end tests of registry-mcp: they drive the built
// binary over stdio, Streamable HTTP and SSE, with the MCP Go SDK and the MCP
// Inspector CLI, against a separate registry process (Debian's docker-registry,
// the CNCF distribution registry) and the binary's own -demo registry, and run
// the MCP conformance suite's server scenarios against its Streamable HTTP
// endpoint. One test runs three replicas behind Debian's haproxy, sharing a
// redis-server, and counts what the registry serves.
//
// The tests carry the build tag e2e, so `go test ./...` stays fast, and they
// need the environment that scripts/e2e.sh sets up (E2E_BINARY, E2E_REGISTRY,
// E2E_INSPECTOR, E2E_CONFORMANCE, E2E_HAPROXY). Run them with `make e2e`.
package e2e
