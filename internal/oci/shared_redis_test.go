package oci

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"

	"github.com/registry-mcp/registry-mcp/internal/cache"
	"github.com/registry-mcp/registry-mcp/internal/registrytest"
)

// replica is one registry-mcp process's client: its own memory, its own
// connection to the shared Redis, its own log.
type replica struct {
	c    *Client
	logs *registrytest.LogBuffer
}

func newReplica(t *testing.T, redisURL string, ttl time.Duration) *replica {
	t.Helper()
	return newReplicaAt(t, redisURL, ttl, time.Now)
}

func newReplicaAt(t *testing.T, redisURL string, ttl time.Duration, now func() time.Time) *replica {
	t.Helper()
	rc, err := NewRedisCache(redisURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rc.Close() })
	logs := &registrytest.LogBuffer{}
	c := New(Options{TagTTL: ttl, Shared: rc, Now: now, Logger: slog.New(slog.NewTextHandler(logs, nil))})
	return &replica{c: c, logs: logs}
}

// image resolves a reference and reads its config, as get_image_info does.
func (r *replica) image(t *testing.T, ref string) (digest string, config []byte) {
	t.Helper()
	parsed, err := r.c.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.c.Resolve(t.Context(), parsed, nil)
	if err != nil {
		t.Fatalf("resolve %s: %v", ref, err)
	}
	_, raw, err := r.c.Config(t.Context(), parsed.Context(), res.Image)
	if err != nil {
		t.Fatalf("config of %s: %v", ref, err)
	}
	return res.Image.Digest, raw
}

func (r *replica) tags(t *testing.T, repo string) []string {
	t.Helper()
	parsed, err := r.c.ParseRepository(repo)
	if err != nil {
		t.Fatal(err)
	}
	all, err := r.c.AllTags(t.Context(), parsed, MaxTags, nil)
	if err != nil {
		t.Fatal(err)
	}
	return all
}

func TestReplicasShareFetchesThroughRedis(t *testing.T) {
	t.Parallel()
	const ttl = time.Minute
	clock := registrytest.NewClock()
	rd := registrytest.StartRedis(t)
	reg, fx := registrytest.StartSeeded(t, registrytest.Options{TokenAuth: true})
	a, b := newReplicaAt(t, rd.URL, ttl, clock.Now), newReplicaAt(t, rd.URL, ttl, clock.Now)

	appDigest, appConfig := a.image(t, fx.Ref(fx.App))
	multiDigest, _ := a.image(t, fx.Ref(fx.Multi))
	tags := a.tags(t, fx.Host+"/"+fx.TagsRepo)
	reg.Reset()

	gotApp, gotConfig := b.image(t, fx.Ref(fx.App))
	gotMulti, _ := b.image(t, fx.Ref(fx.Multi))
	gotTags := b.tags(t, fx.Host+"/"+fx.TagsRepo)
	if n := reg.Total(); n != 0 {
		t.Errorf("the second replica made %d registry requests (%v) for what the first had fetched; want 0", n, reg.Counts())
	}
	if gotApp != appDigest || gotMulti != multiDigest || string(gotConfig) != string(appConfig) || !cmp.Equal(gotTags, tags) {
		t.Error("the second replica's answers differ from the first's")
	}

	// Past the TTL a third replica, with nothing in memory, revalidates the
	// tag with a HEAD: no pull is spent, and the content comes from Redis.
	clock.Advance(ttl + time.Second)
	c := newReplicaAt(t, rd.URL, ttl, clock.Now)
	reg.Reset()
	if d, _ := c.image(t, fx.Ref(fx.App)); d != appDigest {
		t.Errorf("after the TTL the digest is %s; want %s", d, appDigest)
	}
	want := map[string]int{"GET ping": 1, "GET token": 1, "HEAD manifests": 1}
	if diff := cmp.Diff(want, reg.Counts()); diff != "" {
		t.Errorf("a new replica after the TTL: registry requests (-want +got):\n%s", diff)
	}
	// That HEAD refreshed the shared entry: the first replica, stale in
	// memory, finds it fresh in Redis.
	reg.Reset()
	a.image(t, fx.Ref(fx.App))
	if n := reg.Total(); n != 0 {
		t.Errorf("a replica whose memory went stale made %d requests (%v) after another revalidated; want 0", n, reg.Counts())
	}
	for _, r := range []*replica{a, b, c} {
		if strings.Contains(r.logs.String(), "level=WARN") {
			t.Errorf("warnings with a healthy Redis:\n%s", r.logs.String())
		}
	}
}

// TestSharedTagEntryFromTheFutureIsStale: a tag entry whose checked time
// lies ahead of this replica's clock (a skewed clock, or a hostile writer)
// is not trusted without a HEAD, where before it was trusted forever.
func TestSharedTagEntryFromTheFutureIsStale(t *testing.T) {
	t.Parallel()
	clock := registrytest.NewClock()
	rd := registrytest.StartRedis(t)
	reg, fx := registrytest.StartSeeded(t, registrytest.Options{})
	a := newReplicaAt(t, rd.URL, time.Minute, clock.Now)
	appDigest, _ := a.image(t, fx.Ref(fx.App))

	ref, err := name.ParseReference(fx.Ref(fx.App), name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	rc, _ := NewRedisCache(rd.URL)
	defer rc.Close()
	future := encodeTagEntry(tagEntry{digest: appDigest, checked: clock.Now().Add(time.Hour)})
	if err := rc.Set(t.Context(), cache.KeyPrefix+tagKey(ref).String(), future, time.Hour); err != nil {
		t.Fatal(err)
	}

	b := newReplicaAt(t, rd.URL, time.Minute, clock.Now)
	reg.Reset()
	if d, _ := b.image(t, fx.Ref(fx.App)); d != appDigest {
		t.Errorf("digest %s; want %s", d, appDigest)
	}
	if diff := cmp.Diff(map[string]int{"GET ping": 1, "HEAD manifests": 1}, reg.Counts()); diff != "" {
		t.Errorf("a tag entry from the future must be revalidated (-want +got):\n%s", diff)
	}
}

func TestPoisonedRedisContentIsNotBelieved(t *testing.T) {
	t.Parallel()
	rd := registrytest.StartRedis(t)
	reg, fx := registrytest.StartSeeded(t, registrytest.Options{})
	a := newReplica(t, rd.URL, time.Minute)
	appDigest, appConfig := a.image(t, fx.Ref(fx.App))
	multiDigest, _ := a.image(t, fx.Ref(fx.Multi))

	// Overwrite the app's manifest with the (well-formed) index and its
	// config with other bytes, keeping their keys.
	ref, err := name.ParseReference(fx.Ref(fx.App), name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	multiRef, _ := name.ParseReference(fx.Ref(fx.Multi), name.Insecure)
	index, ok := a.c.cache.localManifest(multiRef.Context(), multiDigest)
	if !ok {
		t.Fatal("the index is not cached")
	}
	img, _ := a.c.cache.localManifest(ref.Context(), appDigest)
	rc, _ := NewRedisCache(rd.URL)
	defer rc.Close()
	ctx := t.Context()
	set := func(key string, val []byte) {
		if err := rc.Set(ctx, cache.KeyPrefix+key, val, time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	set(manifestKey(ref.Context(), appDigest).String(), append([]byte(index.MediaType+"\n"), index.Raw...))
	set(blobKey(ref.Context(), img.Image.Config.Digest.String()).String(), []byte(`{"architecture":"evil"}`))

	b := newReplica(t, rd.URL, time.Minute)
	reg.Reset()
	gotDigest, gotConfig := b.image(t, fx.Ref(fx.App))
	if gotDigest != appDigest || string(gotConfig) != string(appConfig) {
		t.Errorf("a poisoned Redis changed the answer: digest %s, config %s", gotDigest, gotConfig)
	}
	if diff := cmp.Diff(map[string]int{"GET ping": 1, "GET manifests": 1, "GET blobs": 1}, reg.Counts()); diff != "" {
		t.Errorf("content that failed verification is fetched from the registry (-want +got):\n%s", diff)
	}
	if n := strings.Count(b.logs.String(), "does not match its digest"); n != 2 {
		t.Errorf("%d warnings about mismatched content; want 2:\n%s", n, b.logs.String())
	}
}

func TestRedisOutageDegradesToTheLocalCache(t *testing.T) {
	t.Parallel()
	rd := registrytest.StartRedis(t)
	reg, fx := registrytest.StartSeeded(t, registrytest.Options{})
	a, b := newReplica(t, rd.URL, time.Minute), newReplica(t, rd.URL, time.Minute)
	appDigest, _ := a.image(t, fx.Ref(fx.App))

	rd.Stop()
	reg.Reset()
	if d, _ := a.image(t, fx.Ref(fx.App)); d != appDigest {
		t.Errorf("digest %s after the outage; want %s", d, appDigest)
	}
	if n := reg.Total(); n != 0 {
		t.Errorf("what a replica holds in memory cost %d requests (%v) during the outage; want 0", n, reg.Counts())
	}
	// The other replica fetches from the registry, without an error, and
	// warns once however many calls it makes.
	for range 3 {
		if d, _ := b.image(t, fx.Ref(fx.App)); d != appDigest {
			t.Errorf("digest %s during the outage; want %s", d, appDigest)
		}
		b.image(t, fx.Ref(fx.Multi))
		b.tags(t, fx.Host+"/"+fx.TagsRepo)
	}
	if n := strings.Count(b.logs.String(), "level=WARN"); n != 1 {
		t.Errorf("%d warnings for one outage; want 1:\n%s", n, b.logs.String())
	}
}

func TestUnreachableRedisCostsNoErrors(t *testing.T) {
	t.Parallel()
	_, fx := registrytest.StartSeeded(t, registrytest.Options{})
	// Port 1 on loopback refuses connections: a Redis that was never there.
	r := newReplica(t, "redis://127.0.0.1:1/0", time.Minute)
	for range 3 {
		r.image(t, fx.Ref(fx.App))
	}
	if n := strings.Count(r.logs.String(), "level=WARN"); n != 1 {
		t.Errorf("%d warnings; want 1:\n%s", n, r.logs.String())
	}
}

func TestNewRedisCacheRejectsABadURL(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"localhost:6379", "http://localhost:6379", "redis://host/notadb"} {
		if _, err := NewRedisCache(u); err == nil {
			t.Errorf("NewRedisCache(%q) accepted it", u)
		}
	}
	rc, err := NewRedisCache("redis://user:secret@127.0.0.1:6379/2")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if rc.Addr() != "127.0.0.1:6379" {
		t.Errorf("Addr() = %q; want host:port without credentials", rc.Addr())
	}
}

func TestRedisURLErrorsHideThePassword(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"redis://user:hunter2@cache:6379/x", "redis://user:hunter2@ca che:6379", "http://u:hunter2@cache"} {
		err := CheckRedisURL(u)
		if err == nil || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("CheckRedisURL(%q) = %v; want an error that does not repeat the password", u, err)
		}
	}
}
