package oci

import (
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestNextQuery(t *testing.T) {
	t.Parallel()
	tests := []struct {
		link string
		want url.Values
		ok   bool
	}{
		{`</v2/r/referrers/sha256:a?cache=sha256:b&page=1>; rel=next`, url.Values{"cache": {"sha256:b"}, "page": {"1"}}, true}, // olareg: unquoted
		{`<https://r.example/v2/r/referrers/sha256:a?n=2&last=x>; rel="next"`, url.Values{"n": {"2"}, "last": {"x"}}, true},
		{`</v2/r/referrers/sha256:a?page=0>; rel="prev"`, nil, false},
		{``, nil, false},
	}
	for _, tt := range tests {
		got, ok := nextQuery(tt.link)
		if ok != tt.ok || !cmp.Equal(tt.want, got) {
			t.Errorf("nextQuery(%q) = %v, %v; want %v, %v", tt.link, got, ok, tt.want, tt.ok)
		}
	}
}

func TestReferrersTagName(t *testing.T) {
	t.Parallel()
	hex := strings.Repeat("ab", 32)
	if got := referrersTagName("sha256:" + hex); got != "sha256-"+hex {
		t.Errorf("got %q", got)
	}
	if got := referrersTagName("sha512:" + strings.Repeat("c", 128)); got != "sha512-"+strings.Repeat("c", 64) {
		t.Errorf("the tag schema truncates the hex to 64 characters, got %q", got)
	}
}
