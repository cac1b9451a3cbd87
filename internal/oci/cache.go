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

	"github.com/registry-mcp/registry-mcp/internal/cache"
)

// SharedCache is a cache shared with other registry-mcp processes; see
// cache.Shared. RedisCache is the one this program ships.
type SharedCache = cache.Shared

// RedisCache is a SharedCache kept in Redis; see cache.Redis.
type RedisCache = cache.Redis

// NewRedisCache returns a cache in the Redis server a URL names; see cache.NewRedis.
func NewRedisCache(rawURL string) (*RedisCache, error) { return cache.NewRedis(rawURL) }

// CheckRedisURL reports whether NewRedisCache would accept a URL.
func CheckRedisURL(rawURL string) error { return cache.CheckRedisURL(rawURL) }

const (
	// sharedContentTTL is how long immutable content stays in the shared
	// cache. It never goes stale, but a bound lets Redis reclaim what nobody
	// asks for even without an eviction policy.
	sharedContentTTL = 24 * time.Hour
	// sharedTagRetention is how long a tag's last known digest is kept after
	// its TTL ran out: long enough that a replica can revalidate it with a
	// HEAD (no pull spent) instead of fetching the manifest again.
	sharedTagRetention = 24 * time.Hour
	// maxTagEntries bounds the tag → digest map; entries are tiny and cheap
	// to relearn with a HEAD.
	maxTagEntries = 100_000
)

// keyKind says what a key names, and so how its value is kept and checked.
type keyKind string

const (
	kindManifest       keyKind = "manifest"         // by digest: immutable, verified on read-back
	kindBlob           keyKind = "blob"             // by digest: immutable, verified on read-back
	kindTag            keyKind = "tag"              // tag → digest and when it was checked
	kindTagPage        keyKind = "tags"             // one page of tags, for the tag TTL
	kindAllTags        keyKind = "alltags"          // every tag of a repository, for the tag TTL
	kindReferrers      keyKind = "referrers"        // a subject's referrer list, for the tag TTL
	kindNoReferrersAPI keyKind = "no-referrers-api" // a registry found without the referrers API
)

// key names one cached thing, the same way in both tiers. Repository names
// include the registry host, so a digest held in one repository is never
// served for another: access is granted per repository.
type key struct {
	kind keyKind
	name string
}

func (k key) String() string { return string(k.kind) + "/" + k.name }

func manifestKey(repo name.Repository, digest string) key {
	return key{kindManifest, repo.Name() + "@" + digest}
}

func blobKey(repo name.Repository, digest string) key {
	return key{kindBlob, repo.Name() + "@" + digest}
}

func tagKey(ref name.Reference) key {
	return key{kindTag, ref.Context().Name() + ":" + ref.Identifier()}
}

func tagPageKey(repo name.Repository, n int, last string) key {
	return key{kindTagPage, repo.Name() + "?n=" + strconv.Itoa(n) + "&last=" + last}
}

func allTagsKey(repo name.Repository) key { return key{kindAllTags, repo.Name()} }

func referrersKey(repo name.Repository, subject, filter string) key {
	return key{kindReferrers, repo.Name() + "@" + subject + "|" + filter}
}

func noReferrersAPIKey(reg string) key { return key{kindNoReferrersAPI, reg} }

// store is the client's cache: the in-memory LRU and, when configured, the
// tier shared with other replicas, behind one set of typed lookups. Content
// addressed by digest is kept in both and verified whenever it is read back
// from the shared tier; what a registry says about names (tags, tag lists,
// referrer lists) is trusted for the tag TTL, measured with the injected
// clock.
type store struct {
	mem    *memTier
	shared *cache.Tier // nil without a shared cache
	now    cache.Clock
	tagTTL time.Duration
	log    *slog.Logger

	mu   sync.Mutex
	tags map[string]tagEntry
}

func newStore(opts Options, log *slog.Logger) *store {
	now := cache.Clock(opts.Now).Or()
	return &store{
		mem:    &memTier{lru: cache.NewLRU(opts.CacheBytes)},
		shared: cache.NewTier(opts.Shared, log, now),
		now:    now,
		tagTTL: opts.TagTTL,
		log:    log,
		tags:   map[string]tagEntry{},
	}
}

// memTier is the in-memory LRU keyed by strings (files.go and fileread.go
// keep their own answers in it under their own keys).
type memTier struct{ lru *cache.LRU }

func (m *memTier) get(k string) (any, bool)          { return m.lru.Get(k) }
func (m *memTier) add(k string, val any, size int64) { m.lru.Add(k, val, size) }
func (m *memTier) remove(k string)                   { m.lru.Remove(k) }
func (s *store) memGet(k key) (any, bool)            { return s.mem.get(k.String()) }
func (s *store) memAdd(k key, val any, size int64)   { s.mem.add(k.String(), val, size) }
func (s *store) sharedGet(ctx context.Context, k key) ([]byte, bool) {
	return s.shared.Get(ctx, k.String())
}

// --- Content addressed by digest ---

// localManifest looks in memory only: the fast path that needs no context.
func (s *store) localManifest(repo name.Repository, digest string) (*Manifest, bool) {
	v, ok := s.memGet(manifestKey(repo, digest))
	if !ok {
		return nil, false
	}
	return v.(*Manifest), true
}

// manifest looks in memory, then in the shared tier, where a manifest is
// its media type, a newline and the raw bytes, and must match its digest.
func (s *store) manifest(ctx context.Context, repo name.Repository, digest string) (*Manifest, bool) {
	if m, ok := s.localManifest(repo, digest); ok {
		return m, true
	}
	if !verifiable(digest) {
		return nil, false
	}
	val, ok := s.sharedGet(ctx, manifestKey(repo, digest))
	if !ok {
		return nil, false
	}
	mediaType, raw, found := bytes.Cut(val, []byte{'\n'})
	if !found || sha256Digest(raw) != digest {
		s.log.Warn("shared cache held a manifest that does not match its digest; dropping it", "repository", repo.Name(), "digest", digest)
		s.shared.Delete(ctx, manifestKey(repo, digest).String())
		return nil, false
	}
	m, err := parseManifest(raw, string(mediaType), repo.RegistryStr(), digest)
	if err != nil {
		return nil, false
	}
	m.Digest = digest
	s.memAdd(manifestKey(repo, digest), m, int64(len(m.Raw)))
	return m, true
}

// putManifest keeps a verified manifest in both tiers.
func (s *store) putManifest(ctx context.Context, repo name.Repository, m *Manifest) {
	k := manifestKey(repo, m.Digest)
	s.memAdd(k, m, int64(len(m.Raw)))
	if !verifiable(m.Digest) || !s.shared.Available() {
		return
	}
	val := make([]byte, 0, len(m.MediaType)+1+len(m.Raw))
	val = append(append(append(val, m.MediaType...), '\n'), m.Raw...)
	s.shared.Set(ctx, k.String(), val, sharedContentTTL)
}

// localBlob looks in memory only.
func (s *store) localBlob(repo name.Repository, digest string) ([]byte, bool) {
	v, ok := s.memGet(blobKey(repo, digest))
	if !ok {
		return nil, false
	}
	return v.([]byte), true
}

// blob looks in memory, then in the shared tier, verifying the digest.
func (s *store) blob(ctx context.Context, repo name.Repository, digest string) ([]byte, bool) {
	if b, ok := s.localBlob(repo, digest); ok {
		return b, true
	}
	if !verifiable(digest) {
		return nil, false
	}
	b, ok := s.sharedGet(ctx, blobKey(repo, digest))
	if !ok {
		return nil, false
	}
	if sha256Digest(b) != digest {
		s.log.Warn("shared cache held a blob that does not match its digest; dropping it", "repository", repo.Name(), "digest", digest)
		s.shared.Delete(ctx, blobKey(repo, digest).String())
		return nil, false
	}
	s.memAdd(blobKey(repo, digest), b, int64(len(b)))
	return b, true
}

// putBlob keeps verified content in both tiers.
func (s *store) putBlob(ctx context.Context, repo name.Repository, digest string, b []byte) {
	k := blobKey(repo, digest)
	s.memAdd(k, b, int64(len(b)))
	if verifiable(digest) {
		s.shared.Set(ctx, k.String(), b, sharedContentTTL)
	}
}

// verifiable reports whether content under digest can be checked when read
// back; only such content is shared, as the shared tier is not trusted.
func verifiable(digest string) bool { return strings.HasPrefix(digest, "sha256:") && len(digest) == 71 }

// --- Tags ---

type tagEntry struct {
	digest  string
	checked time.Time
}

func (s *store) fresh(e tagEntry) bool { return s.now().Sub(e.checked) < s.tagTTL }

// localTag returns what memory knows of a tag.
func (s *store) localTag(k key) (digest string, fresh, ok bool) {
	if s.tagTTL <= 0 {
		return "", false, false
	}
	s.mu.Lock()
	e, ok := s.tags[k.name]
	s.mu.Unlock()
	return e.digest, ok && s.fresh(e), ok
}

// tag returns what is known of a tag: the local entry when fresh, else
// whichever of the local and shared entries was checked last.
func (s *store) tag(ctx context.Context, k key) (digest string, fresh, ok bool) {
	if s.tagTTL <= 0 {
		return "", false, false
	}
	s.mu.Lock()
	local, haveLocal := s.tags[k.name]
	s.mu.Unlock()
	if haveLocal && s.fresh(local) {
		return local.digest, true, true
	}
	if val, found := s.sharedGet(ctx, k); found {
		if e, valid := decodeTagEntry(val, s.now()); valid && (!haveLocal || e.checked.After(local.checked)) {
			s.storeTag(k, e)
			local, haveLocal = e, true
		}
	}
	if !haveLocal {
		return "", false, false
	}
	return local.digest, s.fresh(local), true
}

// putTag records that a tag pointed at digest just now, in both tiers.
func (s *store) putTag(ctx context.Context, k key, digest string) {
	if s.tagTTL <= 0 {
		return
	}
	e := tagEntry{digest: digest, checked: s.now()}
	s.storeTag(k, e)
	s.shared.Set(ctx, k.String(), encodeTagEntry(e), max(sharedTagRetention, 2*s.tagTTL))
}

func (s *store) storeTag(k key, e tagEntry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.tags) >= maxTagEntries {
		clear(s.tags) // a crude bound: tag entries are tiny and cheap to relearn
	}
	s.tags[k.name] = e
}

// A shared tag entry is "<digest> <unix milliseconds when checked>". Replicas
// compare that time with their own clocks, so their clocks must roughly agree
// (NTP); a skew shortens or stretches the TTL by as much.
func encodeTagEntry(e tagEntry) []byte {
	return []byte(e.digest + " " + strconv.FormatInt(e.checked.UnixMilli(), 10))
}

// decodeTagEntry reads a shared tag entry. One checked in the future (a
// skewed clock, or a hostile writer) is treated as stale and older than
// anything known locally: its digest may still be revalidated with a HEAD,
// but it is never trusted without one.
func decodeTagEntry(val []byte, now time.Time) (tagEntry, bool) {
	d, ms, ok := strings.Cut(string(val), " ")
	n, err := strconv.ParseInt(ms, 10, 64)
	if !ok || err != nil || !strings.Contains(d, ":") {
		return tagEntry{}, false
	}
	e := tagEntry{digest: d, checked: time.UnixMilli(n)}
	if e.checked.After(now) {
		e.checked = time.Time{}
	}
	return e, true
}

// --- Answers trusted for a while: tag pages and lists, referrer lists ---

// expiring is a mutable answer kept in memory, so that it shares the
// cache's byte bound, but trusted only until a deadline.
type expiring struct {
	val   any
	until time.Time
}

// freshValue returns a value stored with putFresh while it has not expired.
func (s *store) freshValue(k key) (any, bool) {
	v, ok := s.memGet(k)
	if !ok {
		return nil, false
	}
	e, ok := v.(expiring)
	if !ok || !s.now().Before(e.until) {
		s.mem.remove(k.String())
		return nil, false
	}
	return e.val, true
}

// putFresh keeps a value in memory for the tag TTL; with tag caching off it
// does nothing.
func (s *store) putFresh(k key, val any, size int64) { s.putFor(k, val, size, s.tagTTL) }

// putFor keeps a value in memory for ttl.
func (s *store) putFor(k key, val any, size int64, ttl time.Duration) {
	if ttl <= 0 {
		return
	}
	s.memAdd(k, expiring{val: val, until: s.now().Add(ttl)}, size)
}

// sharedFresh reads a JSON answer another replica shared, if it was fetched
// within the tag TTL by this replica's clock. Such answers cannot be
// verified, so they are trusted only as long as a tag's digest would be.
func (s *store) sharedFresh(ctx context.Context, k key, v any) bool {
	if s.tagTTL <= 0 {
		return false
	}
	val, ok := s.sharedGet(ctx, k)
	if !ok {
		return false
	}
	ms, body, found := bytes.Cut(val, []byte{'\n'})
	n, err := strconv.ParseInt(string(ms), 10, 64)
	if !found || err != nil {
		return false
	}
	fetched := time.UnixMilli(n)
	if fetched.After(s.now()) || s.now().Sub(fetched) >= s.tagTTL {
		return false // from the future, or stale
	}
	return json.Unmarshal(body, v) == nil
}

// shareFresh writes a JSON answer with the time it was fetched.
func (s *store) shareFresh(ctx context.Context, k key, v any) {
	if s.tagTTL <= 0 || !s.shared.Available() {
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		return
	}
	val := append([]byte(strconv.FormatInt(s.now().UnixMilli(), 10)+"\n"), b...)
	s.shared.Set(ctx, k.String(), val, s.tagTTL)
}
