package oci

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/registry-mcp/registry-mcp/internal/attest"
	"github.com/registry-mcp/registry-mcp/internal/errdef"
)

const (
	// maxLayerSearch bounds how many referrer manifests are opened to find
	// a layer digest.
	maxLayerSearch = 32
	// layerSearchParallel bounds how many of them are fetched at once.
	layerSearchParallel = 4
	// MaxCachedPayloadBytes is the largest referrer blob kept by digest (in
	// memory and the shared cache); larger ones are streamed on every call.
	MaxCachedPayloadBytes = 8 << 20
)

// ReferrerBlob is the blob to show for a referrer of an image: the first
// layer of a referrer manifest, or the layer of one that was named.
type ReferrerBlob struct {
	Subject  string // digest of the manifest the reference names
	Referrer Referrer
	Layer    v1.Descriptor   // the blob Body reads
	Layers   []v1.Descriptor // every layer of the referrer manifest
	// Body is the blob's content, checked against its digest; the caller
	// must Close it.
	Body io.ReadCloser
}

// ReferrerContent checks that digest names a referrer of the image ref names
// (or a layer of one) and opens the blob to show. It uses what is known
// first: a referrer list still fresh in the cache, the index's attestation
// entries, or the referrer manifest's own subject field; only when none of
// these settles it does it list every referrer. Small blobs are kept by
// digest, so a repeated call costs no registry request.
func (c *Client) ReferrerContent(ctx context.Context, ref name.Reference, digest string) (*ReferrerBlob, error) {
	subject, err := c.Manifest(ctx, ref)
	if err != nil {
		return nil, err
	}
	found, err := c.findReferrerBlob(ctx, ref, subject, digest)
	if err != nil {
		return nil, err
	}
	found.Subject = subject.Digest
	found.Body, err = c.openPayload(ctx, ref.Context(), found.Layer)
	if err != nil {
		return nil, err
	}
	return found, nil
}

func (c *Client) findReferrerBlob(ctx context.Context, ref name.Reference, subject *Manifest, want string) (*ReferrerBlob, error) {
	repo := ref.Context()
	if v, ok := c.cache.freshValue(referrersKey(repo, subject.Digest, "")); ok {
		return c.searchReferrers(ctx, repo, v.(*ReferrerList), want)
	}
	if subject.IsIndex() {
		for _, r := range attestations(subject.Index) {
			if r.Digest == want {
				return c.referrerLayers(ctx, repo, r)
			}
		}
	}
	if r, m, ok, err := c.referrerBySubject(ctx, repo, subject.Digest, want); err != nil || ok {
		if err != nil {
			return nil, err
		}
		return firstLayer(r, m, want)
	}
	list, err := c.Referrers(ctx, ref, "")
	if err != nil {
		return nil, err
	}
	return c.searchReferrers(ctx, repo, list, want)
}

// referrerBySubject fetches want as a manifest and reports whether it names
// the subject as its own: that alone makes it a referrer. Anything else (a
// layer digest, a cosign signature without a subject) is left to a listing.
func (c *Client) referrerBySubject(ctx context.Context, repo name.Repository, subject, want string) (Referrer, *Manifest, bool, error) {
	m, err := c.ManifestByDigest(ctx, repo, want)
	switch {
	case errors.Is(err, errdef.ErrNotFound), errors.Is(err, errdef.ErrBadResponse), errors.Is(err, errdef.ErrUnsupported):
		return Referrer{}, nil, false, nil
	case err != nil:
		return Referrer{}, nil, false, err
	case m.Image == nil || m.Image.Subject == nil || m.Image.Subject.Digest.String() != subject:
		return Referrer{}, nil, false, nil
	}
	artifactType := m.Image.ArtifactType
	if artifactType == "" {
		artifactType = string(m.Image.Config.MediaType) // as the referrers API reports it
	}
	ann := m.Image.Annotations
	if ann == nil {
		ann = map[string]string{}
	}
	r := Referrer{
		Digest: m.Digest, ArtifactType: artifactType, MediaType: m.MediaType, Size: m.Size,
		Annotations: ann, Kind: attest.ReferrerKind(artifactType, m.MediaType, ann), Source: SourceReferrersAPI,
	}
	return r, m, true, nil
}

// searchReferrers finds want in a referrer list: a referrer's own digest,
// or a layer of one (the referrer manifests, cached by digest, are opened
// a few at a time).
func (c *Client) searchReferrers(ctx context.Context, repo name.Repository, list *ReferrerList, want string) (*ReferrerBlob, error) {
	for _, r := range list.Referrers {
		if r.Digest == want {
			return c.referrerLayers(ctx, repo, r)
		}
	}
	var (
		mu    sync.Mutex
		found *ReferrerBlob
		errs  []error
		wg    sync.WaitGroup
		sem   = make(chan struct{}, layerSearchParallel)
	)
	for i, r := range list.Referrers {
		if i == maxLayerSearch {
			break
		}
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			m, err := c.ManifestByDigest(ctx, repo, r.Digest)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			if m.Image == nil {
				return
			}
			for _, l := range m.Image.Layers {
				if l.Digest.String() == want && found == nil {
					found = &ReferrerBlob{Referrer: r, Layer: l, Layers: m.Image.Layers}
				}
			}
		})
	}
	wg.Wait()
	switch {
	case found != nil:
		return found, nil
	case len(errs) > 0:
		return nil, errs[0]
	}
	return nil, fmt.Errorf("%w: %s is not a referrer of %s (nor a layer of one); list_referrers shows its referrers", errdef.ErrNotInImage, want, DisplayName(repo)+"@"+list.Subject)
}

// referrerLayers fetches a referrer's manifest and picks its first layer.
func (c *Client) referrerLayers(ctx context.Context, repo name.Repository, r Referrer) (*ReferrerBlob, error) {
	m, err := c.ManifestByDigest(ctx, repo, r.Digest)
	if err != nil {
		return nil, err
	}
	return firstLayer(r, m, r.Digest)
}

func firstLayer(r Referrer, m *Manifest, want string) (*ReferrerBlob, error) {
	if m.Image == nil || len(m.Image.Layers) == 0 {
		return nil, fmt.Errorf("%w: referrer %s holds no payload layer; its annotations (in list_referrers) are all it says", errdef.ErrUnsupported, want)
	}
	return &ReferrerBlob{Referrer: r, Layer: m.Image.Layers[0], Layers: m.Image.Layers}, nil
}

// openPayload reads a small blob through the digest-addressed cache and
// streams a large one.
func (c *Client) openPayload(ctx context.Context, repo name.Repository, layer v1.Descriptor) (io.ReadCloser, error) {
	if layer.Size > 0 && layer.Size <= MaxCachedPayloadBytes && verifiable(layer.Digest.String()) {
		b, err := c.Blob(ctx, repo, layer.Digest.String(), MaxCachedPayloadBytes)
		if err != nil {
			return nil, err
		}
		return io.NopCloser(bytes.NewReader(b)), nil
	}
	return c.OpenBlob(ctx, repo, layer.Digest.String())
}
