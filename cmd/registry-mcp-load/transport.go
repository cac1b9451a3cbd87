package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
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
		d, err := procCPU(pid)
		if err != nil {
			return 0, false
		}
		total += d
	}
	return total, len(pids) > 0
}

// clockTicks is USER_HZ, the unit of /proc/PID/stat's times: 100 on every
// Linux architecture Go supports.
const clockTicks = 100

// procCPU is utime + stime of a process, from /proc/PID/stat.
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces: count fields after it.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: no command name", pid)
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f))
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64) // field 14
	stime, err2 := strconv.ParseInt(f[12], 10, 64) // field 15
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: bad times", pid)
	}
	return time.Duration(utime+stime) * time.Second / clockTicks, nil
}

// newSession connects one MCP client session; cmd is the stdio process it
// started, if any.
func newSession(ctx context.Context, o *options, tgt *target, hc *http.Client) (*mcp.ClientSession, *exec.Cmd, error) {
	t, cmd := sessionTransport(o, tgt, hc)
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "registry-mcp-load", Version: "0"}, nil).Connect(ctx, t, nil)
	return cs, cmd, err
}
