package tools

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/registry-mcp/registry-mcp/internal/errdef"
)

// Paging: registry listings continue with an opaque next_cursor (below),
// Docker Hub listings with a page number (hubPage).

// hubPage selects a page of a Docker Hub listing.
type hubPage struct {
	Page     *int `json:"page,omitempty"`
	PageSize *int `json:"page_size,omitempty"`
}

// hubPageArgs describe hubPage's arguments in a schema.
var hubPageArgs = []intArg{pageArg, pageSizeArg}

// params checks the page arguments; zero means the server's default.
func (p hubPage) params() (page, size int, err error) {
	if page, err = pageArg.value(p.Page); err != nil {
		return 0, 0, err
	}
	size, err = pageSizeArg.value(p.PageSize)
	return page, size, err
}

// cursor is the state behind an opaque next_cursor. It carries no secret: a
// checksum catches tampering and a scope ties it to the request that made it,
// so any replica can continue a listing another one started.
type cursor struct {
	Scope  string `json:"s"`
	Last   string `json:"l,omitempty"` // registry order: the registry's own "last"
	Offset int    `json:"o,omitempty"` // filtered or sorted orders: position in the full list
}

const cursorVersion = "c1"

func encodeCursor(c cursor) string {
	payload, _ := json.Marshal(c)
	return cursorVersion + "." + base64.RawURLEncoding.EncodeToString(payload) + "." + cursorSum(payload)
}

func cursorSum(payload []byte) string {
	sum := sha256.Sum256(append([]byte("registry-mcp cursor\x00"), payload...))
	return base64.RawURLEncoding.EncodeToString(sum[:9])
}

// decodeCursor checks a cursor and that it belongs to scope.
func decodeCursor(s, scope string) (cursor, error) {
	bad := fmt.Errorf("%w: cursor is not one this server issued (it may be truncated or edited); pass next_cursor exactly as returned, or omit it to start from the beginning", errdef.ErrInvalidInput)
	parts := strings.Split(s, ".")
	if len(parts) != 3 || parts[0] != cursorVersion {
		return cursor{}, bad
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil || cursorSum(payload) != parts[2] {
		return cursor{}, bad
	}
	var c cursor
	if err := json.Unmarshal(payload, &c); err != nil || c.Offset < 0 {
		return cursor{}, bad
	}
	if c.Scope != scope {
		return cursor{}, fmt.Errorf("%w: cursor belongs to a different listing (another repository, pattern or sort); omit it to start this one from the beginning", errdef.ErrInvalidInput)
	}
	return c, nil
}
