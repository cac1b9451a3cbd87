package oci

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/registry-mcp/registry-mcp/internal/cache"
	"github.com/registry-mcp/registry-mcp/internal/errdef"
)

// manifestAccept lists the manifest formats this client understands.
var manifestAccept = []string{
	string(types.OCIImageIndex),
	string(types.OCIManifestSchema1),
	string(types.DockerManifestList),
	string(types.DockerManifestSchema2),
}

// Manifest is a fetched manifest or index, verified against its digest.
type Manifest struct {
	Digest    string
	MediaType string
	Size      int64
	Raw       []byte
	Index     *v1.IndexManifest // set for an index / manifest list
	Image     *v1.Manifest      // set for an image manifest (or an artifact manifest)
	// RateLimit holds Docker Hub's pull-quota headers when the registry sent them.
	RateLimit http.Header
}

// IsIndex reports whether the manifest is an index of other manifests.
func (m *Manifest) IsIndex() bool { return m.Index != nil }

// Manifest fetches the manifest a reference names, reading "cache → HEAD →
// GET": by tag, a cached digest is trusted for the tag TTL and then
// revalidated with a HEAD (which spends no pull); by digest, a cached copy is
// always good. The shared cache, when there is one, is asked before the
// registry.
func (c *Client) Manifest(ctx context.Context, ref name.Reference) (*Manifest, error) {
	if d, ok := ref.(name.Digest); ok {
		return c.manifestByDigest(ctx, d.Context(), d.DigestStr(), DisplayRef(ref))
	}
	tk := tagKey(ref)
	if digest, fresh, ok := c.cache.localTag(tk); ok && fresh {
		if m, cached := c.cache.localManifest(ref.Context(), digest); cached {
			return m, nil
		}
	}
	// Everything slower is coalesced, revalidation included, so that a burst
	// of calls after the TTL costs one HEAD.
	return coalesce(ctx, c, tk.String(), func(ctx context.Context) (*Manifest, error) {
		return c.manifestByTag(ctx, ref, tk)
	})
}

// manifestByTag answers from a known digest when it can (fresh, or
// revalidated with a HEAD), and otherwise GETs the manifest by tag, which
// yields its digest too.
func (c *Client) manifestByTag(ctx context.Context, ref name.Reference, tk key) (*Manifest, error) {
	if m, ok := c.knownTag(ctx, ref, tk); ok {
		return m, nil
	}
	// Replicas asked for the same new tag at once: one GETs it, the others
	// wait for its answer in the shared cache.
	return cache.Once(ctx, c.cache.shared, tk.String(), func(ctx context.Context) (*Manifest, bool) {
		return c.freshTag(ctx, ref, tk)
	}, func(ctx context.Context) (*Manifest, error) {
		m, err := c.fetchManifest(ctx, ref.Context(), ref.Identifier(), "", DisplayRef(ref))
		if err != nil {
			return nil, err
		}
		c.cache.putTag(ctx, tk, m.Digest)
		return m, nil
	})
}

// freshTag answers from a fresh tag entry whose manifest is held.
func (c *Client) freshTag(ctx context.Context, ref name.Reference, tk key) (*Manifest, bool) {
	digest, fresh, ok := c.cache.tag(ctx, tk)
	if !ok || !fresh {
		return nil, false
	}
	return c.cache.manifest(ctx, ref.Context(), digest)
}

// knownTag answers from the cache: a fresh tag whose manifest is held, or a
// stale one that a HEAD shows still (or now) points at a held manifest.
func (c *Client) knownTag(ctx context.Context, ref name.Reference, tk key) (*Manifest, bool) {
	repo := ref.Context()
	digest, fresh, ok := c.cache.tag(ctx, tk)
	if !ok {
		return nil, false
	}
	m, cached := c.cache.manifest(ctx, repo, digest)
	if !cached {
		return nil, false
	}
	if fresh {
		return m, true
	}
	head, err := c.HeadManifest(ctx, ref)
	if err != nil || head.Digest == "" {
		return nil, false
	}
	if head.Digest != digest {
		// The tag moved; another replica may already hold its new target.
		if m, cached = c.cache.manifest(ctx, repo, head.Digest); !cached {
			return nil, false
		}
	}
	c.cache.putTag(ctx, tk, head.Digest)
	return m, true
}

func (c *Client) manifestByDigest(ctx context.Context, repo name.Repository, digest, what string) (*Manifest, error) {
	if m, ok := c.cache.localManifest(repo, digest); ok {
		return m, nil
	}
	return coalesce(ctx, c, manifestKey(repo, digest).String(), func(ctx context.Context) (*Manifest, error) {
		if m, ok := c.cache.manifest(ctx, repo, digest); ok {
			return m, nil
		}
		return cache.Once(ctx, c.cache.shared, manifestKey(repo, digest).String(), func(ctx context.Context) (*Manifest, bool) {
			return c.cache.manifest(ctx, repo, digest)
		}, func(ctx context.Context) (*Manifest, error) {
			return c.fetchManifest(ctx, repo, digest, digest, what)
		})
	})
}

// ManifestByDigest fetches a manifest in repo by digest.
func (c *Client) ManifestByDigest(ctx context.Context, repo name.Repository, digest string) (*Manifest, error) {
	return c.manifestByDigest(ctx, repo, digest, DisplayName(repo)+"@"+digest)
}

// fetchManifest GETs a manifest; want is the expected digest ("" for a tag).
func (c *Client) fetchManifest(ctx context.Context, repo name.Repository, ident, want, what string) (*Manifest, error) {
	resp, err := c.do(ctx, request{
		method: http.MethodGet, repo: repo, path: "manifests/" + ident,
		accept: manifestAccept, what: "manifest " + what, limit: MaxManifestBytes,
	})
	if err != nil {
		return nil, err
	}
	got := sha256Digest(resp.body)
	if want == "" {
		want = resp.header.Get("Docker-Content-Digest")
	}
	if want != "" && strings.HasPrefix(want, "sha256:") && want != got {
		return nil, fmt.Errorf("%w: %s sent a manifest for %s whose content does not match its digest %s", errdef.ErrBadResponse, repo.RegistryStr(), what, want)
	}
	m, err := parseManifest(resp.body, resp.header.Get("Content-Type"), repo.RegistryStr(), what)
	if err != nil {
		return nil, err
	}
	m.Digest = got
	if want != "" && !strings.HasPrefix(want, "sha256:") {
		m.Digest = want // another algorithm: trust the registry's name for it
	}
	m.RateLimit = rateLimitHeaders(resp.header)
	c.cache.putManifest(ctx, repo, m)
	return m, nil
}

// HeadResult is what a manifest HEAD tells without spending a pull.
type HeadResult struct {
	Digest    string
	MediaType string
	Size      int64
	RateLimit http.Header
}

// HeadManifest asks for a manifest's digest, media type and size with a HEAD,
// which Docker Hub does not count against the pull quota.
func (c *Client) HeadManifest(ctx context.Context, ref name.Reference) (*HeadResult, error) {
	resp, err := c.do(ctx, request{
		method: http.MethodHead, repo: ref.Context(), path: "manifests/" + ref.Identifier(),
		accept: manifestAccept, what: "manifest " + DisplayRef(ref),
	})
	if err != nil {
		return nil, err
	}
	size, _ := strconv.ParseInt(resp.header.Get("Content-Length"), 10, 64)
	return &HeadResult{
		Digest:    resp.header.Get("Docker-Content-Digest"),
		MediaType: resp.header.Get("Content-Type"),
		Size:      size,
		RateLimit: rateLimitHeaders(resp.header),
	}, nil
}

func rateLimitHeaders(h http.Header) http.Header {
	out := http.Header{}
	for _, k := range []string{"Ratelimit-Limit", "Ratelimit-Remaining", "Docker-Ratelimit-Source"} {
		if v := h.Get(k); v != "" {
			out.Set(k, v)
		}
	}
	return out
}

func sha256Digest(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// parseManifest decodes a manifest, telling an index from an image by its
// media type or, when the registry is vague, by its shape.
func parseManifest(body []byte, contentType, host, what string) (*Manifest, error) {
	if looksLikeHTML(body, http.Header{"Content-Type": {contentType}}) {
		return nil, fmt.Errorf("%w: %s answered an HTML page instead of the manifest of %s (a proxy or login page?)", errdef.ErrBadResponse, host, what)
	}
	var probe struct {
		SchemaVersion int               `json:"schemaVersion"`
		MediaType     string            `json:"mediaType"`
		Manifests     json.RawMessage   `json:"manifests"`
		Layers        json.RawMessage   `json:"layers"`
		Config        json.RawMessage   `json:"config"`
		FSLayers      []json.RawMessage `json:"fsLayers"`
	}
	if err := json.Unmarshal(body, &probe); err != nil {
		return nil, fmt.Errorf("%w: %s sent a manifest for %s that is not valid JSON", errdef.ErrBadResponse, host, what)
	}
	if probe.SchemaVersion == 1 || probe.FSLayers != nil {
		return nil, fmt.Errorf("%w: %s is a Docker schema 1 manifest, a format retired in 2019; ask the publisher to re-push it", errdef.ErrUnsupported, what)
	}
	mt := probe.MediaType
	if mt == "" {
		mt = strings.TrimSpace(strings.Split(contentType, ";")[0])
	}
	m := &Manifest{Raw: body, Size: int64(len(body)), MediaType: mt}
	isIndex := probe.Manifests != nil || types.MediaType(mt).IsIndex()
	switch {
	case isIndex:
		m.Index = &v1.IndexManifest{}
		if err := json.Unmarshal(body, m.Index); err != nil {
			return nil, fmt.Errorf("%w: %s sent an index for %s that does not decode: %w", errdef.ErrBadResponse, host, what, err)
		}
		if m.MediaType == "" || m.MediaType == "application/json" {
			m.MediaType = string(types.OCIImageIndex)
		}
	case probe.Config != nil || probe.Layers != nil:
		m.Image = &v1.Manifest{}
		if err := json.Unmarshal(body, m.Image); err != nil {
			return nil, fmt.Errorf("%w: %s sent a manifest for %s that does not decode: %w", errdef.ErrBadResponse, host, what, err)
		}
		if m.MediaType == "" || m.MediaType == "application/json" {
			m.MediaType = string(types.OCIManifestSchema1)
		}
	default:
		return nil, fmt.Errorf("%w: %s sent JSON for %s that is neither an image manifest nor an index", errdef.ErrBadResponse, host, what)
	}
	return m, nil
}
