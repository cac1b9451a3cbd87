package oci

import (
	"strings"
	"testing"
	"time"
)

func TestFreshValuesExpireWithTheTagTTL(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_700_000_000, 0)
	c := New(Options{TagTTL: 30 * time.Second, Now: func() time.Time { return now }})
	k := key{kindTagPage, "r"}
	c.cache.putFresh(k, "v1", 2)
	if v, ok := c.cache.freshValue(k); !ok || v != "v1" {
		t.Fatalf("getFresh = %v, %v; want v1", v, ok)
	}
	now = now.Add(30 * time.Second)
	if _, ok := c.cache.freshValue(k); ok {
		t.Fatal("a value was served at the end of its TTL")
	}
	c.cache.putFresh(k, "v2", 2)
	if v, _ := c.cache.freshValue(k); v != "v2" {
		t.Fatalf("after a refresh getFresh = %v; want v2", v)
	}

	off := New(Options{TagTTL: 0})
	off.cache.putFresh(k, "v", 1)
	if _, ok := off.cache.freshValue(k); ok {
		t.Error("with tag caching off, a tag list was cached")
	}
}

func TestTagEntryEncoding(t *testing.T) {
	t.Parallel()
	e := tagEntry{digest: "sha256:" + strings.Repeat("a", 64), checked: time.UnixMilli(1_700_000_000_123)}
	now := e.checked.Add(time.Second)
	got, ok := decodeTagEntry(encodeTagEntry(e), now)
	if !ok || got.digest != e.digest || !got.checked.Equal(e.checked) {
		t.Errorf("round trip = %+v, %v; want %+v", got, ok, e)
	}
	for _, bad := range []string{"", "sha256:abc", "sha256:abc notanumber", "nodigest 123"} {
		if _, ok := decodeTagEntry([]byte(bad), now); ok {
			t.Errorf("decodeTagEntry(%q) accepted garbage", bad)
		}
	}
}
