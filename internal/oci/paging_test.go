package oci

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCutPage(t *testing.T) {
	t.Parallel()
	all := []string{"c", "a", "e", "b", "d"} // unsorted, as some registries send them
	tests := []struct {
		name      string
		items     []string
		n         int
		after     string
		link      string
		want      []string
		wantAfter string
	}{
		{"registry honours n, Link says more", []string{"a", "b"}, 2, "", `</v2/r/tags/list?n=2&last=b>; rel="next"`, []string{"a", "b"}, "b"},
		{"Link without last", []string{"a", "b"}, 2, "", `</v2/r/tags/list?page=2>; rel="next"`, []string{"a", "b"}, "b"},
		{"last page", []string{"a"}, 2, "", "", []string{"a"}, ""},
		{"nil items", nil, 2, "", "", []string{}, ""},
		{"ignores n: first page", all, 2, "", "", []string{"c", "a"}, "a"},
		{"ignores n and last: second page", all, 2, "a", "", []string{"e", "b"}, "b"},
		{"ignores n and last: final page", all, 2, "b", "", []string{"d"}, ""},
	}
	for _, tt := range tests {
		got, gotAfter := cutPage(slices.Clone(tt.items), tt.n, tt.after, tt.link)
		if diff := cmp.Diff(tt.want, got); diff != "" || gotAfter != tt.wantAfter {
			t.Errorf("%s: items (-want +got):\n%s after %q, want %q", tt.name, diff, gotAfter, tt.wantAfter)
		}
	}
}
