package hub

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strconv"
)

// MaxPageSize is the largest page Docker Hub serves.
const MaxPageSize = 100

// page is the envelope of Docker Hub's paged listings.
type page[T any] struct {
	Count   int    `json:"count"`
	Next    string `json:"next"`
	Results []T    `json:"results"`
}

// pageQuery adds page and pageSize to q; zero means the server's default.
// The caller keeps them in range (page from 1, pageSize 1-MaxPageSize): the
// tools check their arguments once, and the client does not check twice.
func pageQuery(q url.Values, page, pageSize int) {
	if page > 0 {
		q.Set("page", strconv.Itoa(page))
	}
	if pageSize > 0 {
		q.Set("page_size", strconv.Itoa(pageSize))
	}
}

// nextPage turns the "next" URL of a listing into a page number; 0 means this
// was the last page.
func nextPage(next string, current int) int {
	if next == "" {
		return 0
	}
	u, err := url.Parse(next)
	if err != nil {
		return 0
	}
	if n, err := strconv.Atoi(u.Query().Get("page")); err == nil && n > 0 {
		return n
	}
	// A next link without a page number still means there is more.
	return max(current, 1) + 1
}

// withQuery appends q to an endpoint URL.
func withQuery(endpoint string, q url.Values) string {
	if len(q) == 0 {
		return endpoint
	}
	return endpoint + "?" + q.Encode()
}

// looseString decodes a JSON string, number, boolean or null as text, for
// fields whose type Docker has changed between API versions (a repository's
// type was once 0/1, now "image"/"plugin").
type looseString string

// UnmarshalJSON keeps any scalar as its text.
func (s *looseString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*s = ""
	case len(b) > 0 && b[0] == '"':
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = looseString(v)
	default:
		*s = looseString(b)
	}
	return nil
}
