// Package tools defines registry-mcp's MCP tools: typed inputs and outputs,
// descriptions, annotations, and the translation of client errors into advice
// the model can act on. It never reads flags or the environment.
package tools

//go:generate go test -run TestReadmeToolTable -update .

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/registry-mcp/registry-mcp/internal/hub"
	"github.com/registry-mcp/registry-mcp/internal/oci"
	"github.com/registry-mcp/registry-mcp/internal/osv"
	"github.com/registry-mcp/registry-mcp/internal/signature"
)

// ScopeWrite is the OAuth scope a caller's token needs for write tools.
const ScopeWrite = "registry:write"

// MaxResultBytes caps the structured result of any tool call.
const MaxResultBytes = 1 << 20

// Deps are the clients the tools call.
type Deps struct {
	Registry *oci.Client
	// Hub calls the Docker Hub API; nil leaves the hub tools answering that
	// it is not configured.
	Hub *hub.Client
	// OSV answers scan_image_vulnerabilities; nil leaves that tool saying
	// no vulnerability source is configured.
	OSV *osv.Client
	// HubRegistry is the registry host that serves Docker Hub's images to
	// the docker://image resource; empty means docker.io. Tests point it at
	// an in-process registry.
	HubRegistry string
	// Sigstore supplies the trusted root for keyless signatures; nil means
	// Sigstore's public-good root, fetched through TUF on first need.
	Sigstore *signature.Roots
	Logger   *slog.Logger

	packages *packageCache // set by Register: inventories by manifest digest
}

// Info describes a tool for listings.
type Info struct {
	Name        string
	Toolset     string
	Title       string
	Description string
	ReadOnly    bool
}

// toolDef is one tool before it is bound to a server.
type toolDef struct {
	toolset  string
	readOnly bool
	tool     *mcp.Tool
	add      func(s *mcp.Server, d Deps)
}

// Register adds the selected tools to s.
func Register(s *mcp.Server, d Deps, o Options) {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.packages == nil {
		d.packages = newPackageCache()
	}
	s.AddReceivingMiddleware(boundErrors)
	for _, t := range all() {
		if o.offers(t) {
			t.add(s, d)
		}
	}
	registerResources(s, d, o)
	registerPrompts(s, o)
}

// List describes the selected tools.
func List(o Options) []Info {
	var out []Info
	for _, t := range all() {
		if o.offers(t) {
			out = append(out, Info{
				Name: t.tool.Name, Toolset: t.toolset, Title: t.tool.Title,
				Description: t.tool.Description, ReadOnly: t.readOnly,
			})
		}
	}
	return out
}

// handler is the shape of every tool's logic.
type handler[In, Out any] func(ctx context.Context, d Deps, req *mcp.CallToolRequest, in In) (Out, error)

// define binds a typed handler to its tool, translating errors and
// enforcing the result size cap in one place.
func define[In, Out any](toolset string, t *mcp.Tool, h handler[In, Out]) *toolDef {
	readOnly := t.Annotations != nil && t.Annotations.ReadOnlyHint
	if t.OutputSchema == nil {
		t.OutputSchema = outputSchema[Out]()
	}
	// The wire form is made in add, when a server registers the tool; a
	// listing of the tools does not need it.
	return &toolDef{toolset: toolset, readOnly: readOnly, tool: t, add: func(s *mcp.Server, d Deps) {
		s.AddTool(wireTool(t), rawHandler(d, t, toolset, readOnly, h))
	}}
}

// call runs one tool call: the write check, the handler, the translation of
// its error into advice, and the result size cap. The result carries the
// output encoded once, as structured content and, for clients that read only
// text, as its text.
func call[In, Out any](ctx context.Context, d Deps, req *mcp.CallToolRequest, name, toolset string, readOnly bool, h handler[In, Out], in In) (*mcp.CallToolResult, error) {
	if !readOnly && !mayWrite(req) {
		return nil, fmt.Errorf("forbidden: %s changes data and needs a token with the %s scope", name, ScopeWrite)
	}
	out, err := h(ctx, d, req, in)
	if err != nil {
		return nil, explain(d, name, toolset, err)
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil, explain(d, name, toolset, err)
	}
	if len(b) > MaxResultBytes {
		return nil, fmt.Errorf("too large: the result would be %d bytes, over the %d-byte limit; %s", len(b), MaxResultBytes, narrowHint(name))
	}
	if checkOutput != nil {
		if err := checkOutput(name, b); err != nil {
			return nil, err
		}
	}
	return &mcp.CallToolResult{
		Content:           []mcp.Content{&mcp.TextContent{Text: string(b)}},
		StructuredContent: json.RawMessage(b),
	}, nil
}

// checkOutput, when set (by this package's tests), checks each result
// against its tool's output schema. The server does not: the output types
// are ours, and the check cost every call a decode and a validation.
var checkOutput func(tool string, result []byte) error

// mayWrite reports whether the caller may use write tools: over stdio there
// is no token (the user started the server); over HTTP the token must carry
// ScopeWrite.
func mayWrite(req *mcp.CallToolRequest) bool {
	if req == nil || req.Extra == nil || req.Extra.TokenInfo == nil {
		return true
	}
	return slices.Contains(req.Extra.TokenInfo.Scopes, ScopeWrite)
}

// progress reports progress on long work: a progress notification when the
// client asked for one with a progress token, and a log message at info
// level for clients that set a logging level (the SDK sends none otherwise).
func progress(ctx context.Context, req *mcp.CallToolRequest, message string, done float64) {
	if req == nil || req.Session == nil {
		return
	}
	// Logging is deprecated as of protocol 2026-07-28 but still what clients
	// on the earlier versions show their users.
	_ = req.Session.Log(ctx, &mcp.LoggingMessageParams{Level: "info", Logger: "registry-mcp", Data: message}) //nolint:staticcheck // see above
	if tok := req.Params.GetProgressToken(); tok != nil {
		_ = req.Session.NotifyProgress(ctx, &mcp.ProgressNotificationParams{ProgressToken: tok, Progress: done, Message: message})
	}
}
