package tools

import (
	"context"
	"errors"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/registry-mcp/registry-mcp/internal/attest"
	"github.com/registry-mcp/registry-mcp/internal/inventory"
	"github.com/registry-mcp/registry-mcp/internal/oci"
)

const (
	// maxSBOMBytes caps a decoded SBOM: syft's SBOM of a large image is a
	// few MiB; past this the layers are read instead.
	maxSBOMBytes = 32 << 20
	// maxSBOMTries bounds how many SBOM referrers are opened.
	maxSBOMTries = 3
)

// sbomInventory reads the packages the image's publisher declares in an
// SBOM: an OCI referrer or cosign .sbom tag of the image manifest, or a
// BuildKit attestation for its platform in the index. ok is false when
// there is none that can be read, and the layers are inventoried instead.
func sbomInventory(ctx context.Context, d Deps, r *resolvedImage) (inv *inventory.Inventory, ok bool, err error) {
	repo := r.ref.Context()
	candidates, err := sbomReferrers(ctx, d, r)
	if err != nil {
		return nil, false, err
	}
	for i, ref := range candidates {
		if i == maxSBOMTries {
			break
		}
		inv, err := readSBOM(ctx, d, repo, ref)
		if ctx.Err() != nil {
			return nil, false, ctx.Err()
		}
		if err == nil && len(inv.Packages) > 0 {
			return inv, true, nil
		}
	}
	return nil, false, nil
}

// sbomReferrers lists the SBOMs that may describe the image. A registry
// that cannot list referrers is not an error: the layers are read instead.
func sbomReferrers(ctx context.Context, d Deps, r *resolvedImage) ([]oci.Referrer, error) {
	repo := r.ref.Context()
	var out []oci.Referrer
	list, err := d.Registry.Referrers(ctx, repo.Digest(r.res.Image.Digest), attest.KindSBOM)
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if err == nil {
		out = append(out, list.Referrers...)
	}
	if r.res.Index == nil {
		return out, nil
	}
	// BuildKit keeps attestations (SBOM and provenance) in the index itself.
	idx, err := d.Registry.Referrers(ctx, repo.Digest(r.res.Index.Digest), "")
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if err == nil {
		platform := r.platform().String()
		for _, ref := range idx.Referrers {
			if ref.Source == oci.SourceAttestation && ref.Platform == platform {
				out = append(out, ref)
			}
		}
	}
	return out, nil
}

// readSBOM decodes the SBOM layer of one referrer.
func readSBOM(ctx context.Context, d Deps, repo name.Repository, ref oci.Referrer) (*inventory.Inventory, error) {
	m, err := d.Registry.ManifestByDigest(ctx, repo, ref.Digest)
	if err != nil {
		return nil, err
	}
	if m.Image == nil {
		return nil, inventory.ErrNotSBOM
	}
	for _, l := range sbomLayers(m.Image.Layers) {
		inv, err := decodeSBOMLayer(ctx, d, repo, l, ref.Digest)
		if err == nil {
			return inv, nil
		}
	}
	return nil, inventory.ErrNotSBOM
}

// sbomLayers puts the layers that say they hold an SPDX or CycloneDX
// document first (a BuildKit attestation manifest also holds provenance).
func sbomLayers(layers []v1.Descriptor) []v1.Descriptor {
	var first, rest []v1.Descriptor
	for _, l := range layers {
		hint := strings.ToLower(string(l.MediaType) + " " + predicateOf(l.Annotations))
		if strings.Contains(hint, "spdx") || strings.Contains(hint, "cyclonedx") {
			first = append(first, l)
		} else {
			rest = append(rest, l)
		}
	}
	return append(first, rest...)
}

func decodeSBOMLayer(ctx context.Context, d Deps, repo name.Repository, l v1.Descriptor, referrer string) (*inventory.Inventory, error) {
	rc, err := d.Registry.OpenBlob(ctx, repo, l.Digest.String())
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	p, err := attest.DecodePayload(rc, attest.PayloadOptions{MediaType: string(l.MediaType), Annotations: l.Annotations, Size: l.Size, MaxContent: maxSBOMBytes})
	if err != nil {
		return nil, err
	}
	if p.Truncated {
		return nil, errors.New("the SBOM is over the size read")
	}
	return inventory.FromSBOM(p.Content, "sbom "+referrer)
}
