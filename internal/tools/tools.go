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

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/registry-mcp/registry-mcp/internal/hub"
	"github.com/registry-mcp/registry-mcp/internal/oci"
)

// ScopeWrite is the OAuth scope a caller's token needs for write tools.
const ScopeWrite = "registry:write"

// MaxResultBytes caps the structured result of any tool call.
const MaxResultBytes = 1 << 20

// Toolset names.
const (
	ToolsetRegistry = "registry"
	ToolsetHub      = "hub"
)

// Deps are the clients the tools call.
type Deps struct {
	Registry *oci.Client
	// Hub calls the Docker Hub API; nil leaves the hub tools answering that
	// it is not configured.
	Hub *hub.Client
	// HubRegistry is the registry host that serves Docker Hub's images to
	// the docker://image resource; empty means docker.io. Tests point it at
	// an in-process registry.
	HubRegistry string
	Logger      *slog.Logger
}

// Options select which tools are offered.
type Options struct {
	// Toolsets to offer; empty means every toolset.
	Toolsets []string
	// ReadOnly hides the tools that change anything.
	ReadOnly bool
	// Tools, when set, are the only tools offered (still subject to
	// Toolsets and ReadOnly).
	Tools []string
}

func (o Options) offers(t *toolDef) bool {
	if o.ReadOnly && !t.readOnly {
		return false
	}
	if len(o.Tools) > 0 && !slices.Contains(o.Tools, t.tool.Name) {
		return false
	}
	return len(o.Toolsets) == 0 || slices.Contains(o.Toolsets, t.toolset)
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

// all lists every tool, in the order tools/list shows them.
func all() []*toolDef {
	return slices.Concat(registryTools(), hubTools())
}

// Register adds the selected tools to s.
func Register(s *mcp.Server, d Deps, o Options) {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
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
	return &toolDef{toolset: toolset, readOnly: readOnly, tool: t, add: func(s *mcp.Server, d Deps) {
		mcp.AddTool(s, t, func(ctx context.Context, req *mcp.CallToolRequest, in In) (*mcp.CallToolResult, Out, error) {
			var zero Out
			if !readOnly && !mayWrite(req) {
				return nil, zero, fmt.Errorf("forbidden: %s changes data and needs a token with the %s scope", t.Name, ScopeWrite)
			}
			out, err := h(ctx, d, req, in)
			if err != nil {
				return nil, zero, explain(d.Logger, t.Name, toolset, err)
			}
			b, err := json.Marshal(out)
			if err != nil {
				return nil, zero, explain(d.Logger, t.Name, toolset, err)
			}
			if len(b) > MaxResultBytes {
				return nil, zero, fmt.Errorf("too large: the result would be %d bytes, over the %d-byte limit; %s", len(b), MaxResultBytes, narrowHint(t.Name))
			}
			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: string(b)}}}, out, nil
		})
	}}
}

// mayWrite reports whether the caller may use write tools: over stdio there
// is no token (the user started the server); over HTTP the token must carry
// ScopeWrite.
func mayWrite(req *mcp.CallToolRequest) bool {
	if req == nil || req.Extra == nil || req.Extra.TokenInfo == nil {
		return true
	}
	return slices.Contains(req.Extra.TokenInfo.Scopes, ScopeWrite)
}

// readOnlyTool builds the annotations every read-only tool carries.
func readOnlyTool(name, title, description string, input *jsonschema.Schema) *mcp.Tool {
	return &mcp.Tool{
		Name: name, Title: title, Description: description, InputSchema: input,
		// openWorldHint is left out: absent means true, which these tools are.
		Annotations: &mcp.ToolAnnotations{ReadOnlyHint: true, IdempotentHint: true},
	}
}

// inputSchema infers a tool's input schema from In and lets the caller add
// what struct tags cannot say (enums).
func inputSchema[In any](patch func(props map[string]*jsonschema.Schema)) *jsonschema.Schema {
	s, err := jsonschema.For[In](nil)
	if err != nil {
		panic(fmt.Sprintf("tool input schema: %v", err)) // a programming error, caught by every test
	}
	for _, p := range s.Properties {
		if len(p.Types) == 2 && p.Types[0] == "null" {
			p.Type, p.Types = p.Types[1], nil // optional already; null adds nothing
		}
	}
	if patch != nil {
		patch(s.Properties)
	}
	return s
}

// outputSchema infers Out's schema without descriptions, required lists and
// additionalProperties: the keys name themselves, every session pays for
// every byte of tools/list, and extra keys are allowed by the contract.
func outputSchema[Out any]() *jsonschema.Schema {
	s, err := jsonschema.For[Out](nil)
	if err != nil {
		panic(fmt.Sprintf("tool output schema: %v", err))
	}
	lean(s, 0)
	return s
}

// lean trims a schema in place. The top-level keys keep their types; what
// is inside them (array items, nested objects) keeps only its type: nested
// shapes are documented in the contract and visible in every result, while
// their schemas would cost bytes in every session.
func lean(s *jsonschema.Schema, depth int) {
	if s == nil {
		return
	}
	s.Description, s.AdditionalProperties, s.Required = "", nil, nil
	if len(s.Types) == 2 && s.Types[0] == "null" {
		s.Type, s.Types = s.Types[1], nil // results never carry null lists
	}
	if depth >= 1 {
		s.Items = nil
	}
	if depth >= 2 {
		s.Properties = nil
	}
	for _, p := range s.Properties {
		lean(p, depth+1)
	}
	lean(s.Items, depth+1)
}

func ptr[T any](v T) *T { return &v }

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
