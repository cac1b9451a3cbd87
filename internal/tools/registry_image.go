package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/registry-mcp/registry-mcp/internal/errdef"
	"github.com/registry-mcp/registry-mcp/internal/oci"
)

// ImageInput names an image and, optionally, one of its platforms.
type ImageInput struct {
	ImageRef string `json:"image_ref" jsonschema:"Image reference, e.g. alpine:3.20"`
	Platform string `json:"platform,omitempty" jsonschema:"os/arch[/variant], e.g. linux/arm64"`
}

// resolvedImage is an image reference resolved to a manifest and its config.
type resolvedImage struct {
	ref    name.Reference
	res    *oci.Resolved
	cfg    *v1.ConfigFile // nil for artifacts whose config is not an image config
	rawCfg []byte
}

// resolveImage parses the input and resolves it with one client call.
func resolveImage(ctx context.Context, d Deps, in ImageInput) (*resolvedImage, error) {
	return resolveImageWithin(ctx, d, in, 0)
}

// resolveImageWithin also refuses a config declared larger than maxConfig.
func resolveImageWithin(ctx context.Context, d Deps, in ImageInput, maxConfig int64) (*resolvedImage, error) {
	ref, err := d.Registry.ParseReference(in.ImageRef)
	if err != nil {
		return nil, err
	}
	want, err := parsePlatform(in.Platform)
	if err != nil {
		return nil, err
	}
	res, err := d.Registry.ResolveImage(ctx, ref, want, maxConfig)
	if err != nil {
		return nil, err
	}
	return &resolvedImage{ref: ref, res: res, cfg: res.Config, rawCfg: res.RawConfig}, nil
}

func (r *resolvedImage) platform() oci.Platform {
	if r.cfg != nil {
		return oci.Platform{OS: r.cfg.OS, Architecture: r.cfg.Architecture, Variant: r.cfg.Variant}
	}
	if r.res.Platform != nil {
		return *r.res.Platform
	}
	return oci.Platform{}
}

func (r *resolvedImage) created() string {
	if r.cfg == nil || r.cfg.Created.IsZero() {
		return ""
	}
	return r.cfg.Created.UTC().Format(time.RFC3339)
}

// ImageInfo is the summary get_image_info returns.
type ImageInfo struct {
	Reference    string         `json:"reference" jsonschema:"Normalized reference"`
	Digest       string         `json:"digest" jsonschema:"Digest of the resolved image manifest (what a pull by digest names)"`
	IndexDigest  string         `json:"index_digest,omitempty" jsonschema:"Digest of the index, when the reference names a multi-platform image"`
	MediaType    string         `json:"media_type" jsonschema:"Media type of the image manifest"`
	Size         int64          `json:"size" jsonschema:"Bytes a pull downloads: config plus compressed layers"`
	Architecture string         `json:"architecture"`
	OS           string         `json:"os"`
	Variant      string         `json:"variant,omitempty"`
	Created      string         `json:"created,omitempty" jsonschema:"Build time (RFC 3339), when the image records one"`
	Layers       int            `json:"layers" jsonschema:"Number of layers"`
	Platforms    []oci.Platform `json:"platforms,omitempty" jsonschema:"Every platform of the index, when there is one"`
}

func getImageInfoTool() *toolDef {
	t := readOnlyTool("get_image_info", "Image summary",
		"Image summary: manifest digest, pull size, platform, created, layers; all platforms of an index.",
		inputSchema[ImageInput](nil, nil))
	return define(ToolsetRegistry, t, func(ctx context.Context, d Deps, _ *mcp.CallToolRequest, in ImageInput) (ImageInfo, error) {
		r, err := resolveImage(ctx, d, in)
		if err != nil {
			return ImageInfo{}, err
		}
		img := r.res.Image
		p := r.platform()
		out := ImageInfo{
			Reference: oci.DisplayRef(r.ref), Digest: img.Digest, MediaType: img.MediaType,
			Size: oci.PullSize(img.Image), Architecture: p.Architecture, OS: p.OS, Variant: p.Variant,
			Created: r.created(), Layers: len(img.Image.Layers),
		}
		if r.res.Index != nil {
			out.IndexDigest = r.res.Index.Digest
			out.Platforms = r.res.Platforms
		}
		return out, nil
	})
}

// ManifestOutput is a raw manifest or index.
type ManifestOutput struct {
	Digest    string         `json:"digest" jsonschema:"Digest of the returned manifest"`
	MediaType string         `json:"media_type"`
	Manifest  map[string]any `json:"manifest" jsonschema:"The manifest JSON as the registry serves it"`
}

func getImageManifestTool() *toolDef {
	t := readOnlyTool("get_image_manifest", "Raw manifest",
		"Raw manifest JSON; an index is returned as is unless platform picks one image.",
		inputSchema[ImageInput](nil, nil))
	return define(ToolsetRegistry, t, func(ctx context.Context, d Deps, _ *mcp.CallToolRequest, in ImageInput) (ManifestOutput, error) {
		ref, err := d.Registry.ParseReference(in.ImageRef)
		if err != nil {
			return ManifestOutput{}, err
		}
		m, err := manifestFor(ctx, d, ref, in)
		if err != nil {
			return ManifestOutput{}, err
		}
		var raw map[string]any
		if err := json.Unmarshal(m.Raw, &raw); err != nil {
			return ManifestOutput{}, fmt.Errorf("%w: the manifest is not a JSON object", errdef.ErrBadResponse)
		}
		return ManifestOutput{Digest: m.Digest, MediaType: m.MediaType, Manifest: raw}, nil
	})
}

// manifestFor returns the index itself without a platform, else the platform's manifest.
func manifestFor(ctx context.Context, d Deps, ref name.Reference, in ImageInput) (*oci.Manifest, error) {
	if in.Platform == "" {
		return d.Registry.Manifest(ctx, ref)
	}
	r, err := resolveImage(ctx, d, in)
	if err != nil {
		return nil, err
	}
	return r.res.Image, nil
}

// ConfigOutput is a raw image config.
type ConfigOutput struct {
	Digest      string         `json:"digest" jsonschema:"Digest of the config blob"`
	ImageDigest string         `json:"image_digest" jsonschema:"Digest of the image manifest the config belongs to"`
	Config      map[string]any `json:"config" jsonschema:"The config JSON as stored in the registry"`
}

func getImageConfigTool() *toolDef {
	t := readOnlyTool("get_image_config", "Raw image config",
		"Raw image config JSON (env, entrypoint, labels, history, rootfs).",
		inputSchema[ImageInput](nil, nil))
	return define(ToolsetRegistry, t, func(ctx context.Context, d Deps, _ *mcp.CallToolRequest, in ImageInput) (ConfigOutput, error) {
		// A config that cannot fit in a result is refused from the size its
		// manifest declares, before any of it is downloaded.
		r, err := resolveImageWithin(ctx, d, in, MaxResultBytes)
		if err != nil {
			return ConfigOutput{}, err
		}
		var raw map[string]any
		if err := json.Unmarshal(r.rawCfg, &raw); err != nil {
			return ConfigOutput{}, fmt.Errorf("%w: the config of %s is not a JSON object", errdef.ErrUnsupported, oci.DisplayRef(r.ref))
		}
		return ConfigOutput{Digest: r.res.Image.Image.Config.Digest.String(), ImageDigest: r.res.Image.Digest, Config: raw}, nil
	})
}

// ImageDetails is what get_image_details returns.
type ImageDetails struct {
	Reference    string             `json:"reference"`
	Digest       string             `json:"digest" jsonschema:"Digest of the image manifest"`
	Architecture string             `json:"architecture"`
	OS           string             `json:"os"`
	Created      string             `json:"created,omitempty"`
	TotalSize    int64              `json:"total_size" jsonschema:"Bytes a pull downloads"`
	Labels       map[string]string  `json:"labels"`
	Env          []string           `json:"env"`
	Entrypoint   []string           `json:"entrypoint"`
	Cmd          []string           `json:"cmd"`
	WorkingDir   string             `json:"working_dir"`
	User         string             `json:"user"`
	ExposedPorts []string           `json:"exposed_ports"`
	Layers       []oci.LayerHistory `json:"layers" jsonschema:"Layers bottom-up, each with the history command that made it"`
	Dockerfile   string             `json:"dockerfile" jsonschema:"A Dockerfile reconstructed from the history (approximate)"`
}

func getImageDetailsTool() *toolDef {
	t := readOnlyTool("get_image_details", "Image details",
		"How an image runs and was built: config, layers with their commands, a reconstructed Dockerfile.",
		inputSchema[ImageInput](nil, nil))
	return define(ToolsetRegistry, t, func(ctx context.Context, d Deps, _ *mcp.CallToolRequest, in ImageInput) (ImageDetails, error) {
		r, err := resolveImage(ctx, d, in)
		if err != nil {
			return ImageDetails{}, err
		}
		if r.cfg == nil {
			return ImageDetails{}, fmt.Errorf("%w: %s is an artifact, not a runnable image; get_image_manifest shows what it holds", errdef.ErrUnsupported, oci.DisplayRef(r.ref))
		}
		return imageDetails(r), nil
	})
}

func imageDetails(r *resolvedImage) ImageDetails {
	c := r.cfg.Config
	out := ImageDetails{
		Reference: oci.DisplayRef(r.ref), Digest: r.res.Image.Digest,
		Architecture: r.cfg.Architecture, OS: r.cfg.OS, Created: r.created(),
		TotalSize: oci.PullSize(r.res.Image.Image),
		Labels:    nonNilMap(c.Labels), Env: nonNil(c.Env), Entrypoint: nonNil(c.Entrypoint), Cmd: nonNil(c.Cmd),
		WorkingDir: c.WorkingDir, User: c.User,
		ExposedPorts: slices.Sorted(maps.Keys(c.ExposedPorts)),
		Layers:       oci.AlignHistory(r.res.Image.Image, r.cfg),
		Dockerfile:   dockerfile(r.cfg),
	}
	if out.ExposedPorts == nil {
		out.ExposedPorts = []string{}
	}
	return out
}
