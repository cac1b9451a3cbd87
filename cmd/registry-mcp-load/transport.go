package main

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/registry-mcp/registry-mcp/internal/measure"
)

// The transports a load can use.
const (
	transportStreamable = "streamable"
	transportSSE        = "sse"
	transportStdio      = "stdio"
)

// sessionTransport is how one session reaches the server: over HTTP with
// its own client, or over stdio to a registry-mcp process of its own.
func sessionTransport(o *options, tgt *target, hc *http.Client) (mcp.Transport, *exec.Cmd) {
	switch o.transport {
	case transportSSE:
		return &mcp.SSEClientTransport{Endpoint: strings.TrimSuffix(tgt.endpoint, "/mcp") + "/sse", HTTPClient: hc}, nil
	case transportStdio:
		//nolint:gosec // the command is the user's own -command flag
		cmd := exec.Command(o.command, "-transport", "stdio", "-log-level", "warn", "-insecure-registry", tgt.registry)
		cmd.Stderr = os.Stderr
		return &mcp.CommandTransport{Command: cmd, TerminateDuration: time.Second}, cmd
	}
	return &mcp.StreamableClientTransport{Endpoint: tgt.endpoint, HTTPClient: hc, DisableStandaloneSSE: true}, nil
}

// serverCPU reads the CPU time (user + system) of the server processes:
// the -server-pid of an external server, or the stdio processes the load
// started. ok is false when there is none to read (the in-process server
// shares this process with the clients).
func serverCPU(pids []int) (total time.Duration, ok bool) {
	for _, pid := range pids {
		d, err := measure.ProcessCPU(pid)
		if err != nil {
			return 0, false
		}
		total += d
	}
	return total, len(pids) > 0
}

// newSession connects one MCP client session; cmd is the stdio process it
// started, if any.
func newSession(ctx context.Context, o *options, tgt *target, hc *http.Client) (*mcp.ClientSession, *exec.Cmd, error) {
	t, cmd := sessionTransport(o, tgt, hc)
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "registry-mcp-load", Version: "0"}, nil).Connect(ctx, t, nil)
	return cs, cmd, err
}
