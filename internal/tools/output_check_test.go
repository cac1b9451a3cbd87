package tools

import (
	"encoding/json"
	"fmt"

	"github.com/google/jsonschema-go/jsonschema"
)

// Every result this package's tests produce is checked against its tool's
// output schema: the server skips that check for speed, so the tests make
// sure the output types and their schemas agree.
func init() {
	schemas := map[string]*jsonschema.Resolved{}
	for _, t := range all() {
		s, ok := t.tool.OutputSchema.(*jsonschema.Schema)
		if !ok {
			panic(fmt.Sprintf("tool %s has no output schema", t.tool.Name))
		}
		r, err := s.Resolve(nil)
		if err != nil {
			panic(fmt.Sprintf("tool %s: resolving its output schema: %v", t.tool.Name, err))
		}
		schemas[t.tool.Name] = r
	}
	checkOutput = func(tool string, result []byte) error {
		var v any
		if err := json.Unmarshal(result, &v); err != nil {
			return fmt.Errorf("the output of %s is not JSON: %w", tool, err)
		}
		if err := schemas[tool].Validate(v); err != nil {
			return fmt.Errorf("the output of %s does not match its output schema: %w", tool, err)
		}
		return nil
	}
}
