package tools

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestErrorTextCutsByRuneAndEscapesControls(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é ", 10_000) // 30 000 bytes, two-byte runes
	got := errorText(long, nil)
	if len(got) > maxErrorBytes || !utf8.ValidString(got) || !strings.HasSuffix(got, "…") {
		t.Errorf("cut to %d bytes, valid UTF-8 %v, ends %q", len(got), utf8.ValidString(got), got[len(got)-8:])
	}
	tests := map[string]string{
		"a\x1b[31mred\x07":       `a\x1b[31mred\x07`,
		"one\r\ntwo\tthree":      "one  two three",
		"left \u202eright\u2069": `left \u202eright\u2069`,
		"c1 \u0085 next":         `c1 \x85 next`,
		"bad \xff byte":          "bad  byte",
	}
	for in, want := range tests {
		if got := errorText(in, nil); got != want {
			t.Errorf("errorText(%q) = %q, want %q", in, got, want)
		}
	}
}
