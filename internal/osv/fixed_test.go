package osv_test

import (
	"testing"

	"github.com/registry-mcp/registry-mcp/internal/osv"
)

func TestFixedVersionAcrossEcosystemSuffixes(t *testing.T) {
	t.Parallel()
	rec := func(eco, fixed string) *osv.Vulnerability {
		return &osv.Vulnerability{ID: "X", Affected: []osv.Affected{{Package: osv.Package{Ecosystem: eco, Name: "openssl-libs"},
			Ranges: []osv.Range{{Type: "ECOSYSTEM", Events: []osv.Event{{Introduced: "0"}, {Fixed: fixed}}}}}}}
	}
	for _, tc := range []struct{ record, query, want string }{
		{"Rocky Linux:9", "Rocky Linux:9", "1:3.0.7-16.el9_2"},
		{"Red Hat:enterprise_linux:9::baseos", "Red Hat", "1:3.0.7-16.el9_2"}, // an image names no Red Hat stream
		{"Debian", "Debian:12", "1:3.0.7-16.el9_2"},
		{"Rocky Linux:8", "Rocky Linux:9", ""}, // another release's fix
		{"Red Hat:enterprise_linux:9::baseos", "Red Hat:enterprise_linux:8::baseos", ""},
	} {
		q := osv.Query{Ecosystem: tc.query, Name: "openssl-libs", Version: "1:3.0.7-6.el9_2"}
		if got := rec(tc.record, "1:3.0.7-16.el9_2").FixedVersion(q); got != tc.want {
			t.Errorf("record %q, query %q: fixed %q, want %q", tc.record, tc.query, got, tc.want)
		}
	}
}
