//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// The MCP conformance suite (@modelcontextprotocol/conformance, pinned in
// scripts/install-tools.sh) lists its server scenarios with `conformance list
// --server`. Every scenario it lists must be in exactly one of the two lists
// below, so that a scenario added by a newer pinned version fails the test
// until someone decides whether registry-mcp must pass it.

// conformancePass are the generic scenarios: they test the protocol, not the
// suite's own fixtures, and registry-mcp must pass each of them.
var conformancePass = []string{
	"server-initialize",        // initialize handshake and capabilities
	"ping",                     // ping answers {}
	"logging-set-level",        // logging/setLevel answers {}
	"tools-list",               // every tool has name, description and inputSchema
	"resources-list",           // resources/list is well formed (registry-mcp offers templates only)
	"prompts-list",             // every prompt has name and description
	"dns-rebinding-protection", // a foreign Host/Origin gets a 4xx, a loopback one is served
}

// conformanceNA are the scenarios that do not apply to registry-mcp: why, and
// what their result must then say (a substring of a failure's message or of a
// warning's details), so that a scenario cannot fail for another reason, a
// real bug, under cover of this list. They still run, and the test fails if
// one of them starts to pass: then it belongs in conformancePass.
var conformanceNA = map[string]struct{ why, failsWith string }{
	"completion-complete":           {"completes an argument of the suite's own prompt test_prompt_with_arguments; registry-mcp does not declare the optional completions capability", "-32601"},
	"tools-call-simple-text":        {"calls the suite's own tool test_simple_text", "test_simple_text"},
	"tools-call-image":              {"calls the suite's own tool test_image_content", "test_image_content"},
	"tools-call-audio":              {"calls the suite's own tool test_audio_content", "test_audio_content"},
	"tools-call-embedded-resource":  {"calls the suite's own tool test_embedded_resource", "test_embedded_resource"},
	"tools-call-mixed-content":      {"calls the suite's own tool test_multiple_content_types", "test_multiple_content_types"},
	"tools-call-with-logging":       {"calls the suite's own tool test_tool_with_logging", "test_tool_with_logging"},
	"tools-call-error":              {"calls the suite's own tool test_error_handling", "test_error_handling"},
	"tools-call-with-progress":      {"calls the suite's own tool test_tool_with_progress", "test_tool_with_progress"},
	"tools-call-sampling":           {"calls the suite's own tool test_sampling (registry-mcp never asks the client to sample)", "test_sampling"},
	"tools-call-elicitation":        {"calls the suite's own tool test_elicitation (registry-mcp never elicits)", "test_elicitation"},
	"elicitation-sep1034-defaults":  {"calls the suite's own tool test_elicitation_sep1034_defaults", "test_elicitation_sep1034_defaults"},
	"elicitation-sep1330-enums":     {"calls the suite's own tool test_elicitation_sep1330_enums", "test_elicitation_sep1330_enums"},
	"json-schema-2020-12":           {"looks for the suite's own tool json_schema_2020_12_tool (pending in the suite)", "json_schema_2020_12_tool"},
	"server-sse-polling":            {"calls the suite's own tool test_reconnection on a session; registry-mcp's Streamable HTTP is stateless, without Mcp-Session-Id (pending in the suite)", "did not provide session ID"},
	"server-sse-multiple-streams":   {"needs a session and checks nothing without one (the suite only warns); registry-mcp's Streamable HTTP is stateless by design, without Mcp-Session-Id", "did not provide session ID"},
	"resources-read-text":           {"reads the suite's own resource test://static-text", "Resource not found"},
	"resources-read-binary":         {"reads the suite's own resource test://static-binary", "Resource not found"},
	"resources-templates-read":      {"reads the suite's own template test://template/{id}/data", "Resource not found"},
	"resources-subscribe":           {"subscribes to the suite's own test://watched-resource; registry-mcp does not declare the optional resources.subscribe capability", "resources/subscribe"},
	"resources-unsubscribe":         {"subscribes to, then unsubscribes from, the suite's own test://watched-resource; registry-mcp does not declare the optional resources.subscribe capability", "resources/subscribe"},
	"prompts-get-simple":            {"gets the suite's own prompt test_simple_prompt", "test_simple_prompt"},
	"prompts-get-with-args":         {"gets the suite's own prompt test_prompt_with_arguments", "test_prompt_with_arguments"},
	"prompts-get-embedded-resource": {"gets the suite's own prompt test_prompt_with_embedded_resource", "test_prompt_with_embedded_resource"},
	"prompts-get-with-image":        {"gets the suite's own prompt test_prompt_with_image", "test_prompt_with_image"},
}

// conformanceCheck is one entry of a scenario's checks.json.
type conformanceCheck struct {
	ID           string `json:"id"`
	Status       string `json:"status"` // SUCCESS, FAILURE, WARNING or INFO
	Description  string `json:"description"`
	ErrorMessage string `json:"errorMessage"`
	Details      struct {
		Message string `json:"message"`
	} `json:"details"`
}

// text is what the check says went wrong, or what it warns of.
func (c conformanceCheck) text() string {
	return strings.TrimSpace(c.ErrorMessage + " " + c.Details.Message)
}

var scenarioLineRE = regexp.MustCompile(`(?m)^\s+-\s+([a-z0-9][a-z0-9-]*)\b`)

// conformance runs the suite's CLI (E2E_CONFORMANCE, run by Node from PATH)
// in dir and returns its combined output and exit error.
func conformance(t *testing.T, dir string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Getenv("E2E_CONFORMANCE"), args...)
	cmd.Dir = dir
	cmd.Env = childEnv(t, "NO_COLOR=1", "FORCE_COLOR=0")
	cmd.SysProcAttr = procAttr()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// TestConformance runs every server scenario of the MCP conformance suite
// against the Streamable HTTP endpoint of the binary started with -demo: the
// generic ones must pass, the ones that need the suite's own fixtures are
// reported as not applicable.
func TestConformance(t *testing.T) {
	requireTool(t, "E2E_CONFORMANCE", "the conformance tests", "conformance")
	t.Parallel()

	work := t.TempDir()
	version, err := conformance(t, work, "--version")
	if err != nil {
		t.Fatalf("conformance --version: %v\n%s", err, tail(version))
	}
	list, err := conformance(t, work, "list", "--server")
	if err != nil {
		t.Fatalf("conformance list --server: %v\n%s", err, tail(list))
	}
	var listed []string
	for _, m := range scenarioLineRE.FindAllStringSubmatch(list, -1) {
		listed = append(listed, m[1])
	}
	if len(listed) == 0 {
		t.Fatalf("conformance list --server named no scenario:\n%s", list)
	}
	t.Logf("conformance suite %s: %d server scenarios, %d expected to pass, %d not applicable",
		strings.TrimSpace(version), len(listed), len(conformancePass), len(conformanceNA))

	// Every scenario sorted into exactly one list, and no list naming a
	// scenario the suite no longer has.
	for _, s := range listed {
		_, na := conformanceNA[s]
		pass := slices.Contains(conformancePass, s)
		switch {
		case pass && na:
			t.Errorf("scenario %s is both expected to pass and not applicable", s)
		case !pass && !na:
			t.Errorf("scenario %s is new in this version of the suite: add it to conformancePass, or to conformanceNA with the reason", s)
		}
	}
	for _, s := range conformancePass {
		if !slices.Contains(listed, s) {
			t.Errorf("conformancePass names %s, which the suite no longer lists", s)
		}
	}
	for _, s := range slices.Sorted(maps.Keys(conformanceNA)) {
		if !slices.Contains(listed, s) {
			t.Errorf("conformanceNA names %s, which the suite no longer lists", s)
		}
		t.Logf("not applicable: %-30s %s", s, conformanceNA[s].why)
	}

	srv := startHTTP(t, childEnv(t), "-demo")
	m, err := srv.stderr.waitFor(demoRE, 5*time.Second, srv.exited)
	if err != nil {
		t.Fatalf("demo registry address: %v\nstderr:\n%s", err, srv.stderr.String())
	}
	url := srv.base + "/mcp"
	t.Logf("registry-mcp -demo at %s (demo registry %s)", url, m[1])

	for _, s := range listed {
		t.Run(s, func(t *testing.T) {
			t.Parallel()
			outDir := filepath.Join(work, "results-"+s)
			out, runErr := conformance(t, work, "server", "--url", url, "--scenario", s, "--output-dir", outDir)
			checks, err := readChecks(outDir)
			if err != nil {
				t.Fatalf("conformance server --scenario %s: %v (run: %v)\n%s", s, err, runErr, tail(out))
			}
			counts := map[string]int{}
			for _, c := range checks {
				counts[c.Status]++
			}
			summary := func() string {
				var b strings.Builder
				for _, c := range checks {
					if c.Status == "INFO" {
						continue
					}
					b.WriteString("\n  " + c.Status + " " + c.ID + ": " + c.Description)
					if msg := c.text(); msg != "" {
						b.WriteString(": " + msg)
					}
				}
				return b.String()
			}
			passed := counts["FAILURE"] == 0 && counts["SUCCESS"] > 0
			if na, ok := conformanceNA[s]; ok {
				if passed {
					t.Errorf("listed as not applicable (%s) but now passes: move it to conformancePass%s", na.why, summary())
					return
				}
				// The reason it does not pass must be the listed one.
				if !slices.ContainsFunc(checks, func(c conformanceCheck) bool {
					return (c.Status == "FAILURE" || c.Status == "WARNING") && strings.Contains(c.text(), na.failsWith)
				}) {
					t.Errorf("listed as not applicable (%s), but no failure or warning mentions %q: it fails for another reason%s", na.why, na.failsWith, summary())
					return
				}
				t.Skipf("not applicable: %s (the suite: %d passed, %d failed, %d warnings, as expected):%s", na.why, counts["SUCCESS"], counts["FAILURE"], counts["WARNING"], summary())
			}
			if !passed || runErr != nil {
				t.Fatalf("scenario failed (exit %d; %d passed, %d failed, %d warnings)%s",
					exitCode(runErr), counts["SUCCESS"], counts["FAILURE"], counts["WARNING"], summary())
			}
			if counts["WARNING"] > 0 {
				t.Logf("passed with warnings:%s", summary())
				return
			}
			t.Logf("passed: %d checks%s", counts["SUCCESS"], summary())
		})
	}
}

// readChecks reads checks.json from the one result directory the suite
// wrote under outDir (it names it server-SCENARIO-TIMESTAMP).
func readChecks(outDir string) ([]conformanceCheck, error) {
	files, err := filepath.Glob(filepath.Join(outDir, "*", "checks.json"))
	if err != nil {
		return nil, err
	}
	if len(files) != 1 {
		return nil, fmt.Errorf("%d result directories with a checks.json under %s, want 1", len(files), outDir)
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		return nil, err
	}
	var checks []conformanceCheck
	if err := json.Unmarshal(b, &checks); err != nil {
		return nil, err
	}
	if len(checks) == 0 {
		return nil, fmt.Errorf("%s lists no check", files[0])
	}
	return checks, nil
}
