//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// run runs the binary to completion and returns stdout, stderr and the exit code.
func run(t *testing.T, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = env
	cmd.SysProcAttr = procAttr()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("registry-mcp %v did not finish in 30s\nstderr:\n%s", args, errb.String())
	}
	return out.String(), errb.String(), exitCode(err)
}

func TestVersion(t *testing.T) {
	t.Parallel()
	out, errOut, code := run(t, childEnv(t), "version")
	if code != 0 || !regexp.MustCompile(`^registry-mcp \S+`).MatchString(out) || strings.Count(out, "\n") != 1 {
		t.Errorf("version: exit %d, stdout %q, stderr %q; want one line starting with registry-mcp and the version", code, out, errOut)
	}
}

// registryToolset parses `registry-mcp tools` and returns the tools of the
// registry toolset.
func registryToolset(t *testing.T) (registry, all []string) {
	t.Helper()
	out, errOut, code := run(t, childEnv(t), "tools")
	if code != 0 {
		t.Fatalf("tools: exit %d, stderr %q", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 2 || !strings.HasPrefix(lines[0], "NAME") {
		t.Fatalf("tools: want a header and one line per tool, got:\n%s", out)
	}
	for _, line := range lines[1:] {
		f := strings.Fields(line)
		if len(f) < 4 || (f[2] != "true" && f[2] != "false") {
			t.Errorf("tools: malformed line %q (want NAME TOOLSET READ-ONLY DESCRIPTION)", line)
			continue
		}
		all = append(all, f[0])
		if f[1] == "registry" {
			registry = append(registry, f[0])
		}
	}
	return registry, all
}

func TestToolsCommand(t *testing.T) {
	t.Parallel()
	registry, all := registryToolset(t)
	for _, want := range registryTools {
		if !slices.Contains(registry, want) {
			t.Errorf("tools: %s missing from the registry toolset %v", want, registry)
		}
	}
	cs := connect(t, newRecordingCommand(t, childEnv(t), "-transport", "stdio"))
	for _, name := range toolNames(t, cs) {
		if !slices.Contains(all, name) {
			t.Errorf("tools/list offers %s, which `registry-mcp tools` does not print", name)
		}
	}
}

// TestBadPort checks the fallback to 8080 with a warning naming the value.
// The server may or may not get 8080 (something else may hold it): only the
// warning is checked, then the process is stopped.
func TestBadPort(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		env  []string
		args []string
		bad  string
	}{
		{"flag", nil, []string{"-port", "abc"}, "abc"},
		{"env", []string{"MCP_PORT=abc"}, nil, "abc"},
		{"env out of range", []string{"MCP_PORT=70000"}, nil, "70000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := start(t, childEnv(t, tc.env...), tc.args...)
			re := regexp.MustCompile(`(?i)warn.*"?` + regexp.QuoteMeta(tc.bad) + `"?.*8080`)
			if _, err := p.stderr.waitFor(re, 20*time.Second, p.exited); err != nil {
				t.Errorf("%v %v: %v\nstderr:\n%s", tc.env, tc.args, err, p.stderr.String())
			}
			p.stop(t)
		})
	}
	t.Run("flag wins over env", func(t *testing.T) {
		srv := startHTTP(t, childEnv(t, "MCP_PORT=abc"))
		if strings.Contains(srv.stderr.String(), "abc") {
			t.Errorf("-port 0 was given, yet MCP_PORT=abc was read:\n%s", srv.stderr.String())
		}
	})
}

func TestNonLoopbackNeedsAuth(t *testing.T) {
	t.Parallel()
	p := start(t, childEnv(t), "-host", "0.0.0.0", "-port", "0")
	err := p.wait(10 * time.Second)
	if code := exitCode(err); code <= 0 || !strings.Contains(p.stderr.String(), "MCP_AUTH_TOKEN") {
		t.Errorf("-host 0.0.0.0 without MCP_AUTH_TOKEN: %v, stderr %q; want a prompt refusal that names MCP_AUTH_TOKEN", err, p.stderr.String())
	}
}

func TestCLIHelpPrintsUsageAndSucceeds(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"-h"}, {"--help"}, {"help"}} {
		out, errOut, code := run(t, childEnv(t), args...)
		if code != 0 || !strings.Contains(out, "Usage:") || !strings.Contains(out, "MCP_TOOLS") || !strings.Contains(out, "call TOOL") || errOut != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want the usage on stdout and exit 0", args, code, out, errOut)
		}
	}
}

func TestCLIVersionFlag(t *testing.T) {
	t.Parallel()
	out, errOut, code := run(t, childEnv(t), "--version")
	if code != 0 || !regexp.MustCompile(`^registry-mcp \S+`).MatchString(out) {
		t.Errorf("--version: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

// A setting the program cannot honour stops it at start, before it serves.
func TestCLIRefusesBadSettings(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		env  []string
		args []string
		want string
	}{
		{nil, []string{"-transport", "stdio", "-log-level", "loud"}, `"loud"`},
		{[]string{"MCP_LOG_LEVEL=loud"}, []string{"-transport", "stdio"}, "MCP_LOG_LEVEL"},
		{nil, []string{"-transport", "stdio", "-tools", "get_image_info,no_such_tool"}, "get_image_details"},
		{[]string{"MCP_READ_ONLY=perhaps"}, []string{"-transport", "stdio"}, "MCP_READ_ONLY"},
	} {
		_, errOut, code := run(t, childEnv(t, tc.env...), tc.args...)
		if code == 0 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v %v: exit %d, stderr %q; want a failure that says %s", tc.env, tc.args, code, errOut, tc.want)
		}
	}
}

func TestCLIFlagsBeforeCall(t *testing.T) {
	t.Parallel()
	out, errOut, code := run(t, childEnv(t), "-o", "text", "-toolsets", "registry", "call", "get_image_info", "image_ref="+reg.ref(reg.App))
	if code != 0 || !strings.Contains(out, reg.AppDigest) {
		t.Errorf("flags before call: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestCLIToolsAndReadOnlyFromTheEnvironment(t *testing.T) {
	t.Parallel()
	cs := connect(t, newRecordingCommand(t, childEnv(t, "MCP_TOOLS=get_image_info,create_hub_repository", "MCP_READ_ONLY=false"), "-transport", "stdio"))
	got := toolNames(t, cs)
	slices.Sort(got)
	if want := []string{"create_hub_repository", "get_image_info"}; !slices.Equal(got, want) {
		t.Errorf("MCP_TOOLS with MCP_READ_ONLY=false: tools/list offers %v, want %v", got, want)
	}
}

// The SDK logs each session's start and end at info; over stdio, where a
// client starts one process per session, that is noise unless asked for.
func TestCLIStdioIsQuietUnlessDebug(t *testing.T) {
	t.Parallel()
	session := regexp.MustCompile(`(?i)session (connected|initialized|disconnected|ended)`)
	for _, tc := range []struct {
		args  []string
		noisy bool
	}{
		{[]string{"-transport", "stdio"}, false},
		{[]string{"-transport", "stdio", "-log-level", "debug"}, true},
	} {
		rc := newRecordingCommand(t, childEnv(t), tc.args...)
		cs := connect(t, rc)
		_ = toolNames(t, cs)
		_ = cs.Close()
		rc.finish(t)
		if got := session.MatchString(rc.stderr.String()); got != tc.noisy {
			t.Errorf("%v: session lines on stderr: %t, want %t\nstderr:\n%s", tc.args, got, tc.noisy, rc.stderr.String())
		}
	}
}
