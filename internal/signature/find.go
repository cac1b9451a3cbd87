package signature

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/registry-mcp/registry-mcp/internal/attest"
	"github.com/registry-mcp/registry-mcp/internal/errdef"
	"github.com/registry-mcp/registry-mcp/internal/oci"
)

// Limits on what is read: signatures are small, and a registry must not be
// able to make one call read without bound.
const (
	// MaxSignatures caps how many signatures one call examines per subject.
	MaxSignatures = 32
	// maxPayloadBytes caps a simple-signing payload (a few hundred bytes in practice).
	maxPayloadBytes = 256 << 10
	// maxBundleBytes caps a Sigstore bundle (certificate, log entry and
	// envelope: a few KiB; attestations with large predicates more).
	maxBundleBytes = 4 << 20
)

// Formats of signature.
const (
	FormatCosign = "cosign"          // a layer of cosign's sha256-<hex>.sig tag
	FormatBundle = "sigstore-bundle" // a Sigstore bundle stored as an OCI referrer
)

// Annotations cosign puts on a signature layer.
const (
	annSignature   = "dev.cosignproject.cosign/signature"
	annCertificate = "dev.sigstore.cosign/certificate"
	annChain       = "dev.sigstore.cosign/chain"
	annRekorBundle = "dev.sigstore.cosign/bundle"
)

// Found is a signature as stored, before any check.
type Found struct {
	Format  string
	Digest  string // the manifest holding it: the .sig tag's, or the referrer's
	Layer   string // the layer holding the payload or bundle
	Subject string // the digest it was found attached to
	// Payload is the simple-signing payload (cosign) or the bundle JSON.
	Payload     []byte
	MediaType   string
	Annotations map[string]string // the layer's (cosign)
	// Err says why the signature could not be read; it is reported, not fatal.
	Err error
}

// Find lists the signatures attached to subject (a manifest digest in repo):
// the referrers API (or its tag fallback) for bundles, and a HEAD of cosign's
// .sig tag, then each signature manifest and payload. Requests for the
// signatures themselves are cached by digest.
func Find(ctx context.Context, c *oci.Client, repo name.Repository, subject string) ([]Found, bool, error) {
	list, err := c.Referrers(ctx, repo.Digest(subject), attest.KindSignature)
	if err != nil {
		return nil, false, err
	}
	var out []Found
	truncated := list.Truncated
	for _, r := range list.Referrers {
		if len(out) >= MaxSignatures {
			truncated = true
			break
		}
		switch {
		case r.Source == oci.SourceCosignTag:
			out = append(out, cosignLayers(ctx, c, repo, subject, r.Digest)...)
		case isBundleType(r.ArtifactType) || isBundleType(r.MediaType):
			out = append(out, bundleOf(ctx, c, repo, subject, r.Digest))
		}
	}
	if len(out) > MaxSignatures {
		out, truncated = out[:MaxSignatures], true
	}
	return out, truncated, nil
}

// isBundleType tells a Sigstore bundle's media type, every version of it:
// application/vnd.dev.sigstore.bundle.v0.3+json and the older
// application/vnd.dev.sigstore.bundle+json;version=0.1 / 0.2.
func isBundleType(t string) bool {
	return strings.HasPrefix(strings.ToLower(t), "application/vnd.dev.sigstore.bundle")
}

// cosignLayers reads the .sig manifest: each layer is one signature.
func cosignLayers(ctx context.Context, c *oci.Client, repo name.Repository, subject, digest string) []Found {
	m, err := c.ManifestByDigest(ctx, repo, digest)
	if err != nil {
		return []Found{{Format: FormatCosign, Digest: digest, Subject: subject, Err: err}}
	}
	if m.Image == nil || len(m.Image.Layers) == 0 {
		return []Found{{Format: FormatCosign, Digest: digest, Subject: subject, Err: fmt.Errorf("%w: the .sig manifest holds no signature layer", errdef.ErrBadResponse)}}
	}
	var out []Found
	for i, l := range m.Image.Layers {
		if i == MaxSignatures {
			break
		}
		f := Found{Format: FormatCosign, Digest: digest, Layer: l.Digest.String(), Subject: subject, MediaType: string(l.MediaType), Annotations: l.Annotations}
		f.Payload, f.Err = c.Blob(ctx, repo, f.Layer, maxPayloadBytes)
		out = append(out, f)
	}
	return out
}

// bundleOf reads a bundle referrer: its first layer is the bundle JSON.
func bundleOf(ctx context.Context, c *oci.Client, repo name.Repository, subject, digest string) Found {
	f := Found{Format: FormatBundle, Digest: digest, Subject: subject}
	m, err := c.ManifestByDigest(ctx, repo, digest)
	if err != nil {
		f.Err = err
		return f
	}
	if m.Image == nil || len(m.Image.Layers) == 0 {
		f.Err = fmt.Errorf("%w: the bundle referrer holds no layer", errdef.ErrBadResponse)
		return f
	}
	l := m.Image.Layers[0]
	f.Layer, f.MediaType = l.Digest.String(), string(l.MediaType)
	f.Payload, f.Err = c.Blob(ctx, repo, f.Layer, maxBundleBytes)
	return f
}
