package registrytest

import (
	"encoding/json"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// StartSeeded starts a registry with the standard fixtures for a test.
func StartSeeded(t testing.TB, opts Options) (*Registry, *Fixtures) {
	t.Helper()
	r, err := Start(opts)
	if err != nil {
		t.Fatalf("start registry: %v", err)
	}
	t.Cleanup(r.Close)
	f, err := Seed(r)
	if err != nil {
		t.Fatalf("seed registry: %v", err)
	}
	return r, f
}

// Connect runs s and returns a client session to it over in-memory transports.
func Connect(t testing.TB, s *mcp.Server, opts *mcp.ClientOptions) *mcp.ClientSession {
	t.Helper()
	ct, st := mcp.NewInMemoryTransports()
	ss, err := s.Connect(t.Context(), st, nil)
	if err != nil {
		t.Fatalf("server connect: %v", err)
	}
	t.Cleanup(func() { _ = ss.Close() })
	c := mcp.NewClient(&mcp.Implementation{Name: "registrytest", Version: "0"}, opts)
	cs, err := c.Connect(t.Context(), ct, nil)
	if err != nil {
		t.Fatalf("client connect: %v", err)
	}
	t.Cleanup(func() { _ = cs.Close() })
	return cs
}

// Call calls a tool and fails the test on a protocol error (not on a tool error).
func Call(t testing.TB, cs *mcp.ClientSession, name string, args map[string]any) *mcp.CallToolResult {
	t.Helper()
	res, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		t.Fatalf("%s: protocol error: %v", name, err)
	}
	return res
}

// Decode unmarshals a successful result's structuredContent into T,
// failing the test if the call was an error.
func Decode[T any](t testing.TB, res *mcp.CallToolResult) T {
	t.Helper()
	var out T
	if res.IsError {
		t.Fatalf("tool error: %s", Text(res))
	}
	b, err := json.Marshal(res.StructuredContent)
	if err != nil {
		t.Fatalf("marshal structured content: %v", err)
	}
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("decode structured content %s: %v", b, err)
	}
	return out
}

// Text joins a result's text content.
func Text(res *mcp.CallToolResult) string {
	s := ""
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			s += tc.Text
		}
	}
	return s
}
