package tools

import (
	"fmt"
	"slices"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// readOnlyTool builds the annotations every read-only tool carries.
func readOnlyTool(name, title, description string, input *jsonschema.Schema) *mcp.Tool {
	return &mcp.Tool{
		Name: name, Title: title, Description: description, InputSchema: input,
		// openWorldHint is left out: absent means true, which these tools are.
		Annotations: &mcp.ToolAnnotations{ReadOnlyHint: true, IdempotentHint: true},
	}
}

// writeTool builds the annotations of a tool that changes Docker Hub.
func writeTool(name, title, description string, input *jsonschema.Schema, destructive, idempotent bool) *mcp.Tool {
	return &mcp.Tool{
		Name: name, Title: title, Description: description, InputSchema: input,
		Annotations: &mcp.ToolAnnotations{
			// openWorldHint is left out: absent means true.
			ReadOnlyHint: false, DestructiveHint: &destructive, IdempotentHint: idempotent,
		},
	}
}

// inputSchema infers a tool's input schema from In. Optional (pointer)
// inputs are typed as plain values: clients never send null, and
// ["null","integer"] costs bytes in every session. Each intArg adds its range
// and default to its property's description; enums name the allowed strings.
func inputSchema[In any](ints []intArg, enums map[string][]string) *jsonschema.Schema {
	s, err := jsonschema.For[In](nil)
	if err != nil {
		panic(fmt.Sprintf("tool input schema: %v", err)) // a programming error, caught by every test
	}
	for _, p := range s.Properties {
		if len(p.Types) == 2 && p.Types[0] == "null" {
			p.Type, p.Types = p.Types[1], nil
		}
	}
	for _, a := range ints {
		a.describe(s.Properties)
	}
	for name, values := range enums {
		p := mustProperty(s.Properties, name)
		for _, v := range values {
			p.Enum = append(p.Enum, v)
		}
	}
	return s
}

// mustProperty returns a property a tool's definition names.
func mustProperty(props map[string]*jsonschema.Schema, name string) *jsonschema.Schema {
	p, ok := props[name]
	if !ok {
		panic(fmt.Sprintf("tool input schema has no property %q", name)) // a programming error
	}
	return p
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

// opaque replaces the named output properties' schemas with a bare object:
// their keys are documented by the tool and the result, and a nested schema
// would cost every session its bytes in tools/list.
func opaque(s *jsonschema.Schema, props ...string) *jsonschema.Schema {
	for _, p := range props {
		if _, ok := s.Properties[p]; ok {
			s.Properties[p] = &jsonschema.Schema{Type: "object"}
		}
	}
	return s
}

// only keeps the named properties of an output schema: the keys the contract
// promises. A result may carry more (the contract welcomes them), but each
// property listed costs every session its bytes in tools/list.
func only(s *jsonschema.Schema, keys ...string) *jsonschema.Schema {
	for k := range s.Properties {
		if !slices.Contains(keys, k) {
			delete(s.Properties, k)
		}
	}
	return s
}

// repositoryKeys are the keys of a Docker Hub repository the contract names.
var repositoryKeys = []string{
	"namespace", "name", "description", "full_description", "is_private",
	"star_count", "pull_count", "last_updated", "status", "categories",
}

// tagKeys are the keys of a Docker Hub tag the contract names.
var tagKeys = []string{"name", "digest", "full_size", "last_pushed", "last_pulled", "tag_status", "images"}
