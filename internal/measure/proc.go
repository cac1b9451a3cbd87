package measure

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// The measurements of another process that the start-up, benchmark and load
// commands share. They read Linux's /proc: the figures are the kernel's own
// accounting of the process, not an estimate from outside.

// clockTicks is USER_HZ, the unit of utime and stime in /proc/PID/stat. Linux
// fixes it at 100 on every architecture Go supports, whatever the kernel's HZ.
const clockTicks = 100

// ProcessCPU is the user + system CPU time process pid has used, from
// /proc/PID/stat (fields 14 and 15, in clock ticks).
func ProcessCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) is in parentheses and may hold spaces:
	// count the fields after it.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: no command name", pid)
	}
	f := strings.Fields(string(b[i+1:])) // f[0] is field 3
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f))
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: bad times: %w", pid, errors.Join(err1, err2))
	}
	return time.Duration(utime+stime) * time.Second / clockTicks, nil
}

// ProcessRSS is the resident set size of process pid in bytes, from VmRSS in
// /proc/PID/status.
func ProcessRSS(pid int) (uint64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("reading the resident set needs Linux's /proc: %w", err)
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, errors.New("no VmRSS line in /proc/PID/status")
}

// LoadAverage is the machine's first n load averages (over 1, 5 and 15
// minutes) as /proc/loadavg prints them, joined by spaces; "" where /proc has
// none. It lets a reader judge figures taken on a busy machine.
func LoadAverage(n int) string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < n {
		return ""
	}
	return strings.Join(f[:n], " ")
}

// StdioStartups spawns bin with "-transport stdio" runs times, each within
// perRun, and times each from the spawn to the answer of its first
// tools/list, as an MCP client over stdio sees it. env is the child's
// environment (nil: this process's). The times are in run order; on an error
// those measured so far are returned with it.
func StdioStartups(ctx context.Context, bin string, env []string, runs int, perRun time.Duration) ([]time.Duration, error) {
	var out []time.Duration
	for range runs {
		d, err := stdioStartup(ctx, bin, env, perRun)
		if err != nil {
			return out, err
		}
		out = append(out, d)
	}
	return out, nil
}

// stdioStartup speaks JSON-RPC by hand rather than through an MCP client, so
// that the time is the server's and not a client library's.
func stdioStartup(ctx context.Context, bin string, env []string, perRun time.Duration) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, perRun)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-transport", "stdio")
	cmd.Env = env
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return 0, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return 0, err
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	defer func() {
		_ = stdin.Close() // end of input: the server exits by itself
		_ = cmd.Wait()
	}()
	lines := bufio.NewScanner(stdout)
	lines.Buffer(make([]byte, 0, 1<<20), 16<<20)
	send := func(msg string) error { _, err := io.WriteString(stdin, msg+"\n"); return err }
	if err := send(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"registry-mcp-measure","version":"0"}}}`); err != nil {
		return 0, err
	}
	if _, err := awaitAnswer(lines, 1); err != nil {
		return 0, fmt.Errorf("%w (stderr: %s)", err, strings.TrimSpace(stderr.String()))
	}
	if err := send(`{"jsonrpc":"2.0","method":"notifications/initialized"}` + "\n" + `{"jsonrpc":"2.0","id":2,"method":"tools/list"}`); err != nil {
		return 0, err
	}
	res, err := awaitAnswer(lines, 2)
	elapsed := time.Since(start)
	if err != nil {
		return 0, err
	}
	var list struct {
		Tools []json.RawMessage `json:"tools"`
	}
	if json.Unmarshal(res, &list) != nil || len(list.Tools) == 0 {
		return 0, fmt.Errorf("tools/list answered no tools: %.200s", res)
	}
	return elapsed, nil
}

// awaitAnswer reads messages until the answer to id, skipping notifications.
func awaitAnswer(lines *bufio.Scanner, id int) (json.RawMessage, error) {
	for lines.Scan() {
		var msg struct {
			ID     *int            `json:"id"`
			Result json.RawMessage `json:"result"`
			Error  json.RawMessage `json:"error"`
		}
		if err := json.Unmarshal(lines.Bytes(), &msg); err != nil {
			return nil, fmt.Errorf("stdout carried something that is not JSON-RPC: %.200q", lines.Text())
		}
		switch {
		case msg.ID == nil || *msg.ID != id:
			continue
		case msg.Error != nil:
			return nil, fmt.Errorf("request %d failed: %s", id, msg.Error)
		}
		return msg.Result, nil
	}
	if err := lines.Err(); err != nil {
		return nil, err
	}
	return nil, fmt.Errorf("the server closed stdout before answering request %d", id)
}

// FreePort is a TCP port on 127.0.0.1 that nothing listens on now, for a
// child process to serve on. Another process could take it before the child
// does; on a test or benchmark machine that is rare enough.
func FreePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// WaitHealthy asks url every interval until it answers 200 OK, and fails
// when ctx ends first: how a parent knows the HTTP server it started is
// ready.
func WaitHealthy(ctx context.Context, url string, interval time.Duration) error {
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		if resp, err := http.DefaultClient.Do(req); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s never answered 200: %w", url, ctx.Err())
		case <-time.After(interval):
		}
	}
}
