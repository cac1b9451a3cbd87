package oci

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/registry-mcp/registry-mcp/internal/attest"
	"github.com/registry-mcp/registry-mcp/internal/errdef"
)

const (
	// MaxReferrersBytes caps one referrers API response: the distribution
	// spec lets registries page at 4 MiB, so a bigger page is not portable.
	MaxReferrersBytes = 4 << 20
	// MaxReferrers caps how many referrers one listing returns; a subject
	// with more (a CI signing every hour) gets the first ones and Truncated.
	MaxReferrers = 500
	// maxReferrerPages bounds how many pages of the referrers API are followed.
	maxReferrerPages = 8
	// referrersAPIAbsentTTL is how long a registry found without the
	// referrers API is not asked for it again: registries rarely gain it,
	// and each probe is a wasted request on every listing.
	referrersAPIAbsentTTL = 15 * time.Minute
)

// Where a referrer was found.
const (
	SourceReferrersAPI = "referrers-api"        // GET /v2/<repo>/referrers/<digest> (OCI 1.1)
	SourceReferrersTag = "referrers-tag"        // the tag schema fallback: tag sha256-<hex> holds an index of referrers
	SourceCosignTag    = "cosign-tag"           // cosign's legacy tags sha256-<hex>.sig/.att/.sbom
	SourceAttestation  = "attestation-manifest" // BuildKit: an entry of the image index itself
)

// cosignSuffixes are cosign's legacy tag suffixes and the kind each holds.
var cosignSuffixes = []struct{ suffix, kind string }{
	{".sig", attest.KindSignature}, {".att", attest.KindAttestation}, {".sbom", attest.KindSBOM},
}

// Referrer is an artifact about an image: a signature, an SBOM, an attestation.
type Referrer struct {
	Digest       string            `json:"digest"`
	ArtifactType string            `json:"artifact_type"`
	MediaType    string            `json:"media_type"`
	Size         int64             `json:"size"`
	Annotations  map[string]string `json:"annotations"`
	Kind         string            `json:"kind"`
	Source       string            `json:"source"`
	Tag          string            `json:"tag,omitempty"`
	Platform     string            `json:"platform,omitempty"` // the platform a BuildKit attestation is about
}

// ReferrerList is everything found to refer to one subject manifest.
type ReferrerList struct {
	Subject   string // digest of the manifest the reference names
	Referrers []Referrer
	Truncated bool
}

// Referrers lists what refers to the manifest ref names, from every place
// tools store it: the referrers API or its tag fallback, cosign's legacy
// tags, and BuildKit attestation manifests inside an index. Requests after
// the subject's manifest run in parallel. filter, when set, keeps one
// artifact type or one kind (signature, sbom, provenance, vex, attestation).
func (c *Client) Referrers(ctx context.Context, ref name.Reference, filter string) (*ReferrerList, error) {
	subject, err := c.Manifest(ctx, ref)
	if err != nil {
		return nil, err
	}
	// Referrers can be added at any time, so a list is kept only for the
	// tag TTL, like a tag's digest.
	k := referrersKey(ref.Context(), subject.Digest, filter)
	if v, ok := c.cache.freshValue(k); ok {
		return v.(*ReferrerList).clone(), nil
	}
	list, err := c.gatherReferrers(ctx, ref.Context(), subject, filter)
	if err != nil {
		return nil, err
	}
	c.cache.putFresh(k, list.clone(), int64(512*len(list.Referrers)+256))
	return list, nil
}

func (l *ReferrerList) clone() *ReferrerList {
	out := *l
	out.Referrers = slices.Clone(l.Referrers)
	return &out
}

// gatherReferrers asks every place referrers live, in parallel.
func (c *Client) gatherReferrers(ctx context.Context, repo name.Repository, subject *Manifest, filter string) (*ReferrerList, error) {
	byKind := attest.IsKind(filter)
	apiFilter := ""
	if !byKind {
		apiFilter = filter
	}
	var (
		wg         sync.WaitGroup
		api        []Referrer
		apiTrunc   bool
		apiErr     error
		cosign     = make([]*Referrer, len(cosignSuffixes))
		cosignErr  = make([]error, len(cosignSuffixes))
		typeFilter = filter != "" && !byKind // a HEAD cannot tell a cosign tag's artifact type, so none can match
	)
	wg.Go(func() { api, apiTrunc, apiErr = c.referrersOf(ctx, repo, subject.Digest, apiFilter) })
	for i, s := range cosignSuffixes {
		if typeFilter || byKind && filter != s.kind {
			continue
		}
		wg.Go(func() { cosign[i], cosignErr[i] = c.cosignTag(ctx, repo, subject.Digest, s.suffix, s.kind) })
	}
	wg.Wait()
	if apiErr != nil {
		return nil, apiErr
	}
	list := &ReferrerList{Subject: subject.Digest, Truncated: apiTrunc}
	seen := map[string]bool{}
	add := func(r Referrer) {
		if seen[r.Digest] || !matches(r, filter) {
			return
		}
		seen[r.Digest] = true
		if len(list.Referrers) == MaxReferrers {
			list.Truncated = true
			return
		}
		list.Referrers = append(list.Referrers, r)
	}
	for _, r := range api {
		add(r)
	}
	for i, r := range cosign {
		if cosignErr[i] != nil {
			return nil, cosignErr[i]
		}
		if r != nil {
			add(*r)
		}
	}
	if subject.IsIndex() {
		for _, r := range attestations(subject.Index) {
			add(r)
		}
	}
	if list.Referrers == nil {
		list.Referrers = []Referrer{}
	}
	return list, nil
}

// referrersOf asks the referrers API, falling back to the referrers tag
// schema when the registry has no such API (GHCR, older registries).
func (c *Client) referrersOf(ctx context.Context, repo name.Repository, digest, artifactType string) ([]Referrer, bool, error) {
	absent := noReferrersAPIKey(repo.RegistryStr())
	if _, ok := c.cache.freshValue(absent); ok {
		return c.referrersTag(ctx, repo, digest)
	}
	q := url.Values{}
	if artifactType != "" {
		q.Set("artifactType", artifactType)
	}
	var out []Referrer
	for page := 0; page < maxReferrerPages; page++ {
		resp, err := c.do(ctx, request{
			method: http.MethodGet, repo: repo, path: "referrers/" + digest, query: q,
			accept: []string{string(types.OCIImageIndex)}, what: "referrers of " + DisplayName(repo) + "@" + shortDigest(digest),
			limit: MaxReferrersBytes,
		})
		var idx v1.IndexManifest
		switch {
		case page == 0 && apiAbsent(err):
			c.cache.putFor(absent, true, 64, referrersAPIAbsentTTL)
			return c.referrersTag(ctx, repo, digest)
		case err != nil:
			return nil, false, err
		case looksLikeHTML(resp.body, resp.header) || json.Unmarshal(resp.body, &idx) != nil:
			if page == 0 {
				c.cache.putFor(absent, true, 64, referrersAPIAbsentTTL)
				return c.referrersTag(ctx, repo, digest) // a proxy's page, not the API
			}
			return nil, false, fmt.Errorf("%w: %s answered a referrers page that is not an index", errdef.ErrBadResponse, repo.RegistryStr())
		}
		out = append(out, descriptorsToReferrers(idx.Manifests, SourceReferrersAPI)...)
		next, ok := nextQuery(resp.header.Get("Link"))
		if !ok || len(out) >= MaxReferrers {
			return out, ok, nil
		}
		q = next
	}
	return out, true, nil
}

// apiAbsent tells a registry without the referrers API from a real failure:
// such registries answer 404, 400 UNSUPPORTED or 405 for the unknown route.
func apiAbsent(err error) bool {
	return errors.Is(err, errdef.ErrNotFound) || errors.Is(err, errdef.ErrUnsupported) || errors.Is(err, errdef.ErrBadResponse)
}

// referrersTag reads the index the referrers tag schema keeps under sha256-<hex>.
func (c *Client) referrersTag(ctx context.Context, repo name.Repository, digest string) ([]Referrer, bool, error) {
	m, err := c.Manifest(ctx, repo.Tag(referrersTagName(digest)))
	if errors.Is(err, errdef.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	if !m.IsIndex() {
		return nil, false, nil // a tag that happens to look like one; not a referrers index
	}
	return descriptorsToReferrers(m.Index.Manifests, SourceReferrersTag), false, nil
}

// referrersTagName is the tag schema's <alg>-<ref>, each part truncated as the spec says.
func referrersTagName(digest string) string {
	alg, hex, _ := strings.Cut(digest, ":")
	return truncate0(alg, 32) + "-" + truncate0(hex, 64)
}

func truncate0(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// cosignTag checks one legacy cosign tag with a HEAD, which costs no pull.
func (c *Client) cosignTag(ctx context.Context, repo name.Repository, digest, suffix, kind string) (*Referrer, error) {
	tag := strings.Replace(digest, ":", "-", 1) + suffix
	head, err := c.HeadManifest(ctx, repo.Tag(tag))
	if errors.Is(err, errdef.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	r := &Referrer{Digest: head.Digest, MediaType: mediaTypeOnly(head.MediaType), Size: head.Size, Annotations: map[string]string{}, Kind: kind, Source: SourceCosignTag, Tag: tag}
	if r.Digest == "" { // a registry that does not name the digest on HEAD: fetch it
		m, err := c.Manifest(ctx, repo.Tag(tag))
		if err != nil {
			return nil, err
		}
		r.Digest, r.MediaType, r.Size = m.Digest, m.MediaType, m.Size
	}
	return r, nil
}

func mediaTypeOnly(ct string) string { return strings.TrimSpace(strings.Split(ct, ";")[0]) }

// attestations lists the BuildKit attestation manifests of an index.
func attestations(idx *v1.IndexManifest) []Referrer {
	platforms := map[string]string{}
	for _, p := range IndexPlatforms(idx) {
		platforms[p.Digest] = p.String()
	}
	var out []Referrer
	for _, d := range idx.Manifests {
		if !isAttestation(d) {
			continue
		}
		r := descriptorsToReferrers([]v1.Descriptor{d}, SourceAttestation)[0]
		r.Kind = attest.KindAttestation
		r.Platform = platforms[d.Annotations["vnd.docker.reference.digest"]]
		out = append(out, r)
	}
	return out
}

func descriptorsToReferrers(ds []v1.Descriptor, source string) []Referrer {
	out := make([]Referrer, 0, len(ds))
	for _, d := range ds {
		ann := d.Annotations
		if ann == nil {
			ann = map[string]string{}
		}
		out = append(out, Referrer{
			Digest: d.Digest.String(), ArtifactType: d.ArtifactType, MediaType: string(d.MediaType), Size: d.Size,
			Annotations: ann, Kind: attest.ReferrerKind(d.ArtifactType, string(d.MediaType), ann), Source: source,
		})
	}
	return out
}

func matches(r Referrer, filter string) bool {
	switch {
	case filter == "":
		return true
	case attest.IsKind(filter):
		return r.Kind == filter
	}
	return r.ArtifactType == filter
}

// nextQuery reads the query of a Link header's rel=next target (quoted or not).
func nextQuery(link string) (url.Values, bool) {
	for _, part := range strings.Split(link, ",") {
		target, params, ok := strings.Cut(part, ";")
		p := strings.ReplaceAll(strings.ReplaceAll(params, " ", ""), `"`, "")
		if !ok || !strings.Contains(p, "rel=next") {
			continue
		}
		u, err := url.Parse(strings.Trim(strings.TrimSpace(target), "<>"))
		if err != nil {
			return nil, false
		}
		return u.Query(), true
	}
	return nil, false
}
