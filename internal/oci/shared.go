package oci

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
)

// SharedCache is a cache shared by several registry-mcp processes, such as
// replicas behind a load balancer, so that what one replica fetched the
// others need not fetch again. A Client consults it after its own in-memory
// cache and before the registry, and never trusts it blindly: content read
// back is verified against its digest.
//
// Implementations must be safe for concurrent use. Get reports a missing key
// as (nil, false, nil); any error means the cache could not be asked, and the
// Client carries on without it.
type SharedCache interface {
	Get(ctx context.Context, key string) ([]byte, bool, error)
	Set(ctx context.Context, key string, val []byte, ttl time.Duration) error
}

const (
	// sharedKeyPrefix namespaces and versions every key: a change to what
	// the values hold must change the prefix, so that replicas running an old
	// and a new version side by side during a rollout do not misread each other.
	sharedKeyPrefix = "registry-mcp/v1/"
	// sharedTimeout bounds each shared-cache call. A cache on the same network
	// answers in a millisecond; anything slower is worse than no cache, as the
	// registry is the fallback.
	sharedTimeout = 250 * time.Millisecond
	// sharedPause is how long the shared cache is left alone after a failure,
	// so that an outage costs one timeout per pause rather than one per call.
	sharedPause = 5 * time.Second
	// sharedWarnEvery rate-limits the warning about an unreachable shared cache.
	sharedWarnEvery = time.Minute
	// sharedContentTTL is how long immutable content stays in the shared
	// cache. It never goes stale, but a bound lets Redis reclaim what nobody
	// asks for even without an eviction policy.
	sharedContentTTL = 24 * time.Hour
	// sharedTagRetention is how long a tag's last known digest is kept after
	// its TTL ran out: long enough that a replica can revalidate it with a
	// HEAD (no pull spent) instead of fetching the manifest again.
	sharedTagRetention = 24 * time.Hour
	// maxSharedValueBytes caps what is written to the shared cache; larger
	// values (huge tag lists) stay local.
	maxSharedValueBytes = 8 << 20
)

// sharedLayer wraps a SharedCache with timeouts, digest-safe encodings and
// graceful degradation: when the cache fails, calls go on without it, with
// one warning per outage (at most one a minute), and it is tried again after
// a pause.
type sharedLayer struct {
	cache SharedCache
	log   *slog.Logger
	now   func() time.Time

	mu        sync.Mutex
	downUntil time.Time
	down      bool
	lastWarn  time.Time
}

func newSharedLayer(cache SharedCache, log *slog.Logger, now func() time.Time) *sharedLayer {
	if cache == nil {
		return nil
	}
	return &sharedLayer{cache: cache, log: log, now: now}
}

// available reports whether the cache is worth asking now.
func (s *sharedLayer) available() bool {
	if s == nil {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.down || !s.now().Before(s.downUntil)
}

// result records the outcome of a call: a failure pauses the cache, a
// success after a failure says it is back.
func (s *sharedLayer) result(ctx context.Context, err error) {
	if err != nil && ctx.Err() != nil {
		return // the caller gave up; that says nothing about the cache
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err == nil {
		if s.down {
			s.down = false
			s.log.Info("shared cache reachable again")
		}
		return
	}
	s.down, s.downUntil = true, s.now().Add(sharedPause)
	if s.lastWarn.IsZero() || s.now().Sub(s.lastWarn) >= sharedWarnEvery {
		s.lastWarn = s.now()
		s.log.Warn("shared cache unavailable; using the in-memory cache only", "error", err, "retry_after", sharedPause)
	}
}

func (s *sharedLayer) get(ctx context.Context, key string) ([]byte, bool) {
	if !s.available() {
		return nil, false
	}
	cctx, cancel := context.WithTimeout(ctx, sharedTimeout)
	defer cancel()
	val, ok, err := s.cache.Get(cctx, sharedKeyPrefix+key)
	s.result(ctx, err)
	return val, ok && err == nil
}

// set writes synchronously, so that a replica asked right after this one
// answered finds the value; the caller's cancellation does not cut it short.
func (s *sharedLayer) set(ctx context.Context, key string, val []byte, ttl time.Duration) {
	if !s.available() || len(val) > maxSharedValueBytes || ttl <= 0 {
		return
	}
	ctx = context.WithoutCancel(ctx)
	cctx, cancel := context.WithTimeout(ctx, sharedTimeout)
	defer cancel()
	s.result(ctx, s.cache.Set(cctx, sharedKeyPrefix+key, val, ttl))
}

// Keys. Repository names include the registry host, so a digest held in one
// repository is never served for another: access is granted per repository.

func sharedManifestKey(repo name.Repository, digest string) string {
	return "manifest/" + repo.Name() + "@" + digest
}

func sharedBlobKey(repo name.Repository, digest string) string {
	return "blob/" + repo.Name() + "@" + digest
}

func sharedTagKey(tagKey string) string { return "tag/" + tagKey }

// verifiable reports whether content under digest can be checked when read
// back; only such content is shared, as the cache is not trusted.
func verifiable(digest string) bool { return strings.HasPrefix(digest, "sha256:") && len(digest) == 71 }

// sharedManifest reads a manifest from the shared cache, verifying its
// digest; anything that does not verify is ignored (and overwritten later).
func (c *Client) sharedManifest(ctx context.Context, repo name.Repository, digest string) (*Manifest, bool) {
	if !verifiable(digest) {
		return nil, false
	}
	val, ok := c.shared.get(ctx, sharedManifestKey(repo, digest))
	if !ok {
		return nil, false
	}
	mediaType, raw, found := bytes.Cut(val, []byte{'\n'})
	if !found || sha256Digest(raw) != digest {
		c.log.Warn("shared cache held a manifest that does not match its digest; ignoring it", "repository", repo.Name(), "digest", digest)
		return nil, false
	}
	m, err := parseManifest(raw, string(mediaType), repo.RegistryStr(), digest)
	if err != nil {
		return nil, false
	}
	m.Digest = digest
	c.content.add("manifest:"+repo.Name()+"@"+digest, m, int64(len(m.Raw)))
	return m, true
}

// shareManifest stores a verified manifest as its media type, a newline and
// the raw bytes, so that it is re-parsed exactly as fetched.
func (c *Client) shareManifest(ctx context.Context, repo name.Repository, m *Manifest) {
	if !verifiable(m.Digest) {
		return
	}
	val := make([]byte, 0, len(m.MediaType)+1+len(m.Raw))
	val = append(append(append(val, m.MediaType...), '\n'), m.Raw...)
	c.shared.set(ctx, sharedManifestKey(repo, m.Digest), val, sharedContentTTL)
}

// lookupManifest finds a manifest by digest in the local, then the shared cache.
func (c *Client) lookupManifest(ctx context.Context, repo name.Repository, digest string) (*Manifest, bool) {
	if m, ok := c.cachedManifest(repo, digest); ok {
		return m, true
	}
	return c.sharedManifest(ctx, repo, digest)
}

// lookupTag returns what is known of a tag: the local entry when fresh,
// else whichever of the local and shared entries was checked last.
func (c *Client) lookupTag(ctx context.Context, tagKey string) (digest string, fresh, ok bool) {
	local, haveLocal := c.tags.entry(tagKey)
	if haveLocal && c.tags.fresh(local) {
		return local.digest, true, true
	}
	if c.opts.TagTTL > 0 {
		if val, found := c.shared.get(ctx, sharedTagKey(tagKey)); found {
			if e, valid := decodeTagEntry(val); valid && (!haveLocal || e.checked.After(local.checked)) {
				c.tags.storeEntry(tagKey, e)
				local, haveLocal = e, true
			}
		}
	}
	if !haveLocal {
		return "", false, false
	}
	return local.digest, c.tags.fresh(local), true
}

// storeTag records that a tag pointed at digest just now, here and in the
// shared cache.
func (c *Client) storeTag(ctx context.Context, tagKey, digest string) {
	if c.opts.TagTTL <= 0 {
		return
	}
	e := tagEntry{digest: digest, checked: c.tags.now()}
	c.tags.storeEntry(tagKey, e)
	c.shared.set(ctx, sharedTagKey(tagKey), encodeTagEntry(e), max(sharedTagRetention, 2*c.opts.TagTTL))
}

// A shared tag entry is "<digest> <unix milliseconds when checked>". Replicas
// compare that time with their own clocks, so their clocks must roughly agree
// (NTP); a skew shortens or stretches the TTL by as much.
func encodeTagEntry(e tagEntry) []byte {
	return []byte(e.digest + " " + strconv.FormatInt(e.checked.UnixMilli(), 10))
}

func decodeTagEntry(val []byte) (tagEntry, bool) {
	d, ms, ok := strings.Cut(string(val), " ")
	n, err := strconv.ParseInt(ms, 10, 64)
	if !ok || err != nil || !strings.Contains(d, ":") {
		return tagEntry{}, false
	}
	return tagEntry{digest: d, checked: time.UnixMilli(n)}, true
}

// sharedJSON reads a JSON value kept for the tag TTL (a tag page or list).
// Such values cannot be verified, so they are shared only for as long as a
// tag's digest would be trusted.
func (c *Client) sharedJSON(ctx context.Context, key string, v any) bool {
	if c.opts.TagTTL <= 0 {
		return false
	}
	val, ok := c.shared.get(ctx, key)
	return ok && json.Unmarshal(val, v) == nil
}

func (c *Client) shareJSON(ctx context.Context, key string, v any) {
	if c.opts.TagTTL <= 0 || !c.shared.available() {
		return
	}
	if b, err := json.Marshal(v); err == nil {
		c.shared.set(ctx, key, b, c.opts.TagTTL)
	}
}
