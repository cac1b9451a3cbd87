package oci_test

import (
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/registry-mcp/registry-mcp/internal/oci"
	"github.com/registry-mcp/registry-mcp/internal/registrytest"
)

func TestTagListsAreCachedForTheTagTTL(t *testing.T) {
	t.Parallel()
	const ttl = time.Minute
	now := time.Unix(1_700_000_000, 0)
	reg, fx := registrytest.StartSeeded(t, registrytest.Options{})
	c := oci.New(oci.Options{TagTTL: ttl, Now: func() time.Time { return now }})
	repo, err := c.ParseRepository(fx.Host + "/" + fx.TagsRepo)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()

	first, err := c.Tags(ctx, repo, 10, "")
	if err != nil {
		t.Fatal(err)
	}
	all, err := c.AllTags(ctx, repo, oci.MaxTags, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(fx.TagNames) {
		t.Fatalf("AllTags gave %d tags; want %d", len(all), len(fx.TagNames))
	}
	reg.Reset()
	slices.Reverse(all) // callers sort in place; the cached copy must not change
	first.Tags[0] = "changed"
	again, err := c.Tags(ctx, repo, 10, "")
	if err != nil {
		t.Fatal(err)
	}
	allAgain, err := c.AllTags(ctx, repo, oci.MaxTags, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := reg.Total(); n != 0 {
		t.Errorf("repeats within the TTL made %d registry requests (%v); want 0", n, reg.Counts())
	}
	if again.Tags[0] == "changed" || allAgain[0] == all[0] {
		t.Error("a caller's change to a returned tag list reached the cache")
	}
	if _, err := c.AllTags(ctx, repo, 10, nil); err == nil {
		t.Error("a cached list longer than the caller's max was returned")
	}

	now = now.Add(ttl)
	reg.Reset()
	if _, err := c.Tags(ctx, repo, 10, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AllTags(ctx, repo, oci.MaxTags, nil); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]int{"GET tags": 2}, reg.Counts()); diff != "" {
		t.Errorf("after the TTL, one page and the full list are read again (-want +got):\n%s", diff)
	}
}

func TestTagListsAreNotCachedWithTagCachingOff(t *testing.T) {
	t.Parallel()
	reg, fx := registrytest.StartSeeded(t, registrytest.Options{})
	c := oci.New(oci.Options{TagTTL: 0})
	repo, err := c.ParseRepository(fx.Host + "/" + fx.TagsRepo)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := c.Tags(t.Context(), repo, 10, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := c.AllTags(t.Context(), repo, oci.MaxTags, nil); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff(map[string]int{"GET ping": 1, "GET tags": 4}, reg.Counts()); diff != "" {
		t.Errorf("with -cache-ttl 0 every listing reads the registry (-want +got):\n%s", diff)
	}
}

func TestSortedOrdersLiveAndExpireWithTheTagList(t *testing.T) {
	t.Parallel()
	const ttl = time.Minute
	now := time.Unix(1_700_000_000, 0)
	reg, fx := registrytest.StartSeeded(t, registrytest.Options{})
	c := oci.New(oci.Options{TagTTL: ttl, Now: func() time.Time { return now }})
	repo, err := c.ParseRepository(fx.Host + "/" + fx.TagsRepo)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if _, err := c.SortedTags(ctx, repo, "newest-first", oci.MaxTags, nil); err == nil {
		t.Error("an unknown order was accepted")
	}
	if n := reg.Total(); n != 0 {
		t.Errorf("an unknown order made %d registry requests; want 0", n)
	}

	registryOrder, err := c.AllTags(ctx, repo, oci.MaxTags, nil)
	if err != nil {
		t.Fatal(err)
	}
	sorted, err := c.SortedTags(ctx, repo, "semver-desc", oci.MaxTags, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := slices.Clone(registryOrder)
	if err := oci.SortTags(want, "semver-desc"); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, sorted); diff != "" {
		t.Fatalf("SortedTags semver-desc (-want +got):\n%s", diff)
	}
	reg.Reset()
	sorted[0] = "changed" // the caller owns its copy
	again, err := c.SortedTags(ctx, repo, "semver-desc", oci.MaxTags, nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, again); diff != "" {
		t.Errorf("the repeated sorted listing (-want +got):\n%s", diff)
	}
	unsorted, err := c.AllTags(ctx, repo, oci.MaxTags, nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(registryOrder, unsorted); diff != "" {
		t.Errorf("sorting changed the registry's order of the cached list (-want +got):\n%s", diff)
	}
	if n := reg.Total(); n != 0 {
		t.Errorf("repeats within the TTL made %d registry requests (%v); want 0", n, reg.Counts())
	}

	now = now.Add(ttl) // the sorted order goes with the list it was sorted from
	if _, err := c.SortedTags(ctx, repo, "semver-desc", oci.MaxTags, nil); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]int{"GET tags": 1}, reg.Counts()); diff != "" {
		t.Errorf("after the TTL the list is read again before it is sorted (-want +got):\n%s", diff)
	}
}
