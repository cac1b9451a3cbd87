package tools

import (
	"fmt"

	"github.com/google/jsonschema-go/jsonschema"

	"github.com/registry-mcp/registry-mcp/internal/errdef"
	"github.com/registry-mcp/registry-mcp/internal/oci"
)

// Tool arguments are checked once. Ranges are checked here, in code, by
// intArg (one message style, naming the range); enumerations (sort, status)
// by the schema, whose enum the SDK enforces, naming the allowed values. The
// clients document these preconditions and do not check them again.

// intArg is an optional integer argument: its name, default and range. The
// schema's description and the check are both written from these numbers,
// so they cannot disagree. The check is the only validation (the schema
// declares no minimum or maximum, which the SDK would enforce with messages
// of its own), and an out-of-range value is refused, naming the range,
// never clamped.
type intArg struct {
	name   string
	def    int // 0: no default of ours (the server's own applies)
	lo, hi int // hi 0: no upper bound
}

// Arguments shared by several tools. Content sizes: the default answers most
// questions; the cap keeps the result, JSON-escaped, under MaxResultBytes.
var (
	maxBytesArg = intArg{name: "max_bytes", def: 64 << 10, lo: 1, hi: 512 << 10}
	pageArg     = intArg{name: "page", lo: 1}
	pageSizeArg = intArg{name: "page_size", lo: 1, hi: 100}
)

// rangeText says what values the argument takes, its bounds joined by sep:
// "1-1000 (default 100)" in a description, "1 to 1000 (default 100)" in a message.
func (a intArg) rangeText(sep string) string {
	s := fmt.Sprintf("%d%s%d", a.lo, sep, a.hi)
	if a.hi == 0 {
		s = fmt.Sprintf("%d or more", a.lo)
	}
	if a.def != 0 {
		s += fmt.Sprintf(" (default %d)", a.def)
	}
	return s
}

// describe appends the range to the property's description.
func (a intArg) describe(props map[string]*jsonschema.Schema) {
	p := mustProperty(props, a.name)
	if p.Description == "" {
		p.Description = a.rangeText("-")
		return
	}
	p.Description += ", " + a.rangeText("-")
}

// value checks an argument the caller may have omitted (nil), giving the default then.
func (a intArg) value(v *int) (int, error) {
	if v == nil {
		return a.def, nil
	}
	if *v < a.lo || a.hi != 0 && *v > a.hi {
		return 0, fmt.Errorf("%w: %s %d is out of range; use %s", errdef.ErrInvalidInput, a.name, *v, a.rangeText(" to "))
	}
	return *v, nil
}

// parsePlatform parses an optional platform argument.
func parsePlatform(s string) (*oci.Platform, error) {
	if s == "" {
		return nil, nil
	}
	return oci.ParsePlatform(s)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func nonNilMap[K comparable, V any](m map[K]V) map[K]V {
	if m == nil {
		return map[K]V{}
	}
	return m
}
