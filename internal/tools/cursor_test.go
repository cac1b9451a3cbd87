package tools

import (
	"errors"
	"testing"

	"github.com/registry-mcp/registry-mcp/internal/errdef"
)

func TestCursorRoundTrip(t *testing.T) {
	t.Parallel()
	c := cursor{Scope: "tags|r|semver|1.*", Last: "1.2.3", Offset: 40}
	got, err := decodeCursor(encodeCursor(c), c.Scope)
	if err != nil || got != c {
		t.Fatalf("round trip: %+v, %v", got, err)
	}
	if _, err := decodeCursor(encodeCursor(c), "tags|other||"); !errors.Is(err, errdef.ErrInvalidInput) {
		t.Errorf("cursor used for another scope: %v", err)
	}
}

func FuzzDecodeCursor(f *testing.F) {
	f.Add(encodeCursor(cursor{Scope: "s", Last: "x"}), "s")
	f.Add("c1.e30.AAAA", "s")
	f.Add("", "")
	f.Fuzz(func(t *testing.T, s, scope string) {
		c, err := decodeCursor(s, scope)
		if err != nil {
			if !errors.Is(err, errdef.ErrInvalidInput) {
				t.Fatalf("%q: error outside the vocabulary: %v", s, err)
			}
			return
		}
		if c.Scope != scope || c.Offset < 0 {
			t.Fatalf("%q accepted for scope %q: %+v", s, scope, c)
		}
		if again, err := decodeCursor(encodeCursor(c), scope); err != nil || again != c {
			t.Fatalf("re-encoding %+v does not round-trip: %v", c, err)
		}
	})
}
