package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// A tool is added to the server with Server.AddTool and a handler that
// decodes its own arguments, rather than with the SDK's typed mcp.AddTool,
// because of what the typed path costs on every call: it decodes the
// arguments into a map, validates them, encodes the map and decodes it again
// into the input type, then encodes the output twice (once for the result,
// once to validate it against the output schema, decoding it into a map on
// the way), and on protocol 2026-07-28 the SDK re-encodes a *jsonschema.Schema
// input schema to look for header annotations. A cached call spent more CPU
// on that than on its answer. Here the input schema is resolved once, both
// schemas are encoded once (a json.RawMessage costs the header check only a
// copy), the arguments are decoded twice (once into a map for the validator,
// once into the input type) and the output once.

// wireTool is what Server.AddTool receives for t: the same tool, with its
// schemas encoded once.
func wireTool(t *mcp.Tool) *mcp.Tool {
	w := *t
	w.InputSchema = mustEncode(t.Name, t.InputSchema)
	if t.OutputSchema != nil {
		w.OutputSchema = mustEncode(t.Name, t.OutputSchema)
	}
	return &w
}

func mustEncode(tool string, schema any) json.RawMessage {
	b, err := json.Marshal(schema)
	if err != nil {
		panic(fmt.Sprintf("tool %s: encoding its schema: %v", tool, err)) // a programming error, caught by every test
	}
	return b
}

// resolveInput resolves a tool's input schema for validating calls. Input
// schemas carry no defaults (a default is applied in code, where intArg
// writes it into the description), so validation never changes arguments.
func resolveInput(t *mcp.Tool) *jsonschema.Resolved {
	s, ok := t.InputSchema.(*jsonschema.Schema)
	if !ok || s == nil || s.Type != "object" {
		panic(fmt.Sprintf("tool %s: the input schema must be a *jsonschema.Schema of type object", t.Name))
	}
	for name, p := range s.Properties {
		if p.Default != nil {
			panic(fmt.Sprintf("tool %s: input property %q has a schema default; apply it in code", t.Name, name))
		}
	}
	r, err := s.Resolve(nil)
	if err != nil {
		panic(fmt.Sprintf("tool %s: resolving its input schema: %v", t.Name, err))
	}
	return r
}

// decodeArguments checks a call's arguments against the tool's input schema
// and decodes them into In. Absent arguments are an empty object, as in the
// SDK; errors read as the SDK's did, so clients see the same text.
func decodeArguments[In any](raw json.RawMessage, schema *jsonschema.Resolved) (In, error) {
	var in In
	args := map[string]any{}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &args); err != nil {
			return in, fmt.Errorf("validating \"arguments\": unmarshaling arguments: %w", err)
		}
		if args == nil { // "arguments": null
			args = map[string]any{}
		}
	}
	if err := schema.Validate(args); err != nil {
		return in, fmt.Errorf("validating \"arguments\": %w", err)
	}
	if len(args) > 0 {
		// The schema refused unknown keys, so the case-insensitive key
		// matching of encoding/json cannot pick up a key it did not check.
		if err := json.Unmarshal(raw, &in); err != nil {
			return in, err
		}
	}
	return in, nil
}

// rawHandler is the handler Server.AddTool receives for a typed tool.
func rawHandler[In, Out any](d Deps, t *mcp.Tool, toolset string, readOnly bool, h handler[In, Out]) mcp.ToolHandler {
	if reflect.TypeFor[Out]().Kind() == reflect.Pointer {
		// A nil pointer would encode as null, which no output schema allows.
		panic(fmt.Sprintf("tool %s: the output type must not be a pointer", t.Name))
	}
	schema := resolveInput(t)
	return func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		in, err := decodeArguments[In](req.Params.Arguments, schema)
		if err != nil {
			return errorResult(err), nil
		}
		res, err := call(ctx, d, req, t.Name, toolset, readOnly, h, in)
		if err != nil {
			// A tool's error is an isError result with its text, never a
			// protocol error; boundErrors then bounds the text.
			return errorResult(err), nil
		}
		return res, nil
	}
}

func errorResult(err error) *mcp.CallToolResult {
	var res mcp.CallToolResult
	res.SetError(err)
	return &res
}
