package oci

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/registry-mcp/registry-mcp/internal/errdef"
)

// Resolved is an image reference resolved to one image manifest.
type Resolved struct {
	Ref       name.Reference
	Index     *Manifest  // the index the reference named, if any
	Platforms []Platform // the real platforms of Index (attestations excluded)
	Image     *Manifest  // the image manifest chosen
	Platform  *Platform  // the platform chosen from Index, if any
	// Config and RawConfig are the image's config, filled by ResolveImage.
	// Config is nil for an artifact whose config is not an image config.
	Config    *v1.ConfigFile
	RawConfig []byte
}

// ResolveImage resolves a reference and a platform to everything a tool
// shows about one image: the index and its platforms (when the reference
// names an index), the image manifest and its config. A platform that a
// single-platform image does not have is refused. maxConfig, when positive,
// refuses a config larger than that from the size the manifest declares,
// before any byte of it is fetched.
func (c *Client) ResolveImage(ctx context.Context, ref name.Reference, want *Platform, maxConfig int64) (*Resolved, error) {
	r, err := c.Resolve(ctx, ref, want)
	if err != nil {
		return nil, err
	}
	// The general limit is named first: a config over it is refused by
	// Config before any byte is fetched, whatever this caller allows.
	if img := r.Image.Image; maxConfig > 0 && img != nil && img.Config.Size > maxConfig && img.Config.Size <= MaxConfigBytes {
		return nil, fmt.Errorf("%w: the config of %s is %d bytes, over the %d bytes this call can return", errdef.ErrTooLarge, DisplayRef(ref), img.Config.Size, maxConfig)
	}
	r.Config, r.RawConfig, err = c.Config(ctx, ref.Context(), r.Image)
	if err != nil && !errors.Is(err, errdef.ErrUnsupported) {
		return nil, err
	}
	if err := r.checkSinglePlatform(want); err != nil {
		return nil, err
	}
	return r, nil
}

// checkSinglePlatform refuses a platform that a single-platform image does not have.
func (r *Resolved) checkSinglePlatform(want *Platform) error {
	if want == nil || r.Index != nil || r.Config == nil {
		return nil
	}
	have := Platform{OS: r.Config.OS, Architecture: r.Config.Architecture, Variant: r.Config.Variant}
	if !want.Matches(have) {
		return fmt.Errorf("%w: %s is a single-platform image for %s, not %s; it has: %s (omit platform)", errdef.ErrInvalidInput, DisplayRef(r.Ref), have, want, have)
	}
	return nil
}

// Resolve fetches the manifest a reference names and, for an index, the
// manifest of the wanted platform; without one it picks linux/amd64 when
// present, else the first real platform.
func (c *Client) Resolve(ctx context.Context, ref name.Reference, want *Platform) (*Resolved, error) {
	m, err := c.Manifest(ctx, ref)
	if err != nil {
		return nil, err
	}
	r := &Resolved{Ref: ref}
	if !m.IsIndex() {
		r.Image = m
		return r, nil
	}
	r.Index = m
	r.Platforms = IndexPlatforms(m.Index)
	chosen, err := choosePlatform(r.Platforms, want, DisplayRef(ref))
	if err != nil {
		return nil, err
	}
	r.Platform = &chosen
	r.Image, err = c.manifestByDigest(ctx, ref.Context(), chosen.Digest, DisplayRef(ref)+" for "+chosen.String())
	if err != nil {
		return nil, err
	}
	if r.Image.IsIndex() {
		return nil, fmt.Errorf("%w: the %s entry of %s is itself an index; nested indexes are not supported", errdef.ErrUnsupported, chosen, DisplayRef(ref))
	}
	return r, nil
}

// IndexPlatforms lists the platforms of an index, leaving out attestation
// manifests (unknown/unknown) and entries without a platform.
func IndexPlatforms(idx *v1.IndexManifest) []Platform {
	out := make([]Platform, 0, len(idx.Manifests))
	for _, d := range idx.Manifests {
		if isAttestation(d) || d.Platform == nil || d.Platform.OS == "" || d.Platform.OS == "unknown" {
			continue
		}
		out = append(out, Platform{
			OS: d.Platform.OS, Architecture: d.Platform.Architecture, Variant: d.Platform.Variant,
			Digest: d.Digest.String(),
		})
	}
	return out
}

func isAttestation(d v1.Descriptor) bool {
	return d.Annotations["vnd.docker.reference.type"] == "attestation-manifest"
}

func choosePlatform(platforms []Platform, want *Platform, what string) (Platform, error) {
	if len(platforms) == 0 {
		return Platform{}, fmt.Errorf("%w: %s is an index with no platform images", errdef.ErrNotFound, what)
	}
	if want == nil {
		for _, p := range platforms {
			if p.OS == "linux" && p.Architecture == "amd64" {
				return p, nil
			}
		}
		return platforms[0], nil
	}
	for _, p := range platforms {
		if want.Matches(p) {
			return p, nil
		}
	}
	names := make([]string, len(platforms))
	for i, p := range platforms {
		names[i] = p.String()
	}
	return Platform{}, fmt.Errorf("%w: %s has no %s image; it has: %s", errdef.ErrInvalidInput, what, want, strings.Join(names, ", "))
}

// Config fetches and decodes an image's config blob, returning the raw bytes too.
func (c *Client) Config(ctx context.Context, repo name.Repository, img *Manifest) (*v1.ConfigFile, []byte, error) {
	if img.Image == nil {
		return nil, nil, fmt.Errorf("%w: not an image manifest", errdef.ErrUnsupported)
	}
	desc := img.Image.Config
	if desc.Size > MaxConfigBytes {
		return nil, nil, fmt.Errorf("%w: the image config is %d bytes, over the %d-byte limit", errdef.ErrTooLarge, desc.Size, MaxConfigBytes)
	}
	raw, err := c.Blob(ctx, repo, desc.Digest.String(), MaxConfigBytes)
	if err != nil {
		return nil, nil, err
	}
	var cfg v1.ConfigFile
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return nil, raw, fmt.Errorf("%w: the config of %s (%s) is not an image config: %w", errdef.ErrUnsupported, DisplayName(repo), desc.MediaType, err)
	}
	return &cfg, raw, nil
}

// PullSize is what pulling the image downloads: its config and compressed layers.
func PullSize(img *v1.Manifest) int64 {
	total := img.Config.Size
	for _, l := range img.Layers {
		total += l.Size
	}
	return total
}
