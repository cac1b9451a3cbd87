package tools

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"golang.org/x/sync/errgroup"

	"github.com/registry-mcp/registry-mcp/internal/errdef"
	"github.com/registry-mcp/registry-mcp/internal/oci"
)

// CompareInput names two images.
type CompareInput struct {
	ImageRefA string `json:"image_ref_a" jsonschema:"Baseline image, e.g. alpine:3.19"`
	ImageRefB string `json:"image_ref_b" jsonschema:"Image compared with the baseline"`
	Platform  string `json:"platform,omitempty" jsonschema:"os/arch[/variant], e.g. linux/arm64"`
}

// ComparedImage identifies one side of a comparison.
type ComparedImage struct {
	Reference string `json:"reference"`
	Digest    string `json:"digest"`
	Size      int64  `json:"size"`
	BaseOS    string `json:"base_os,omitempty"`
}

// CompareOutput says what differs between two images.
type CompareOutput struct {
	ImageA       ComparedImage `json:"image_a"`
	ImageB       ComparedImage `json:"image_b"`
	SharedLayers []string      `json:"shared_layers" jsonschema:"Layers of a whose content b has too (compared uncompressed)"`
	OnlyInA      []string      `json:"only_in_a"`
	OnlyInB      []string      `json:"only_in_b"`
	// Recompressed lists shared layers stored as different blobs: the same
	// content compressed differently (gzip in one, zstd in the other).
	Recompressed  []RecompressedLayer `json:"recompressed,omitempty" jsonschema:"Shared layers whose content is the same but compressed differently"`
	SizeDelta     int64               `json:"size_delta" jsonschema:"Pull size of b minus that of a, in bytes"`
	ConfigChanges ConfigChanges       `json:"config_changes" jsonschema:"Only what changed; empty when the runtime configs agree"`
	Notes         []string            `json:"notes,omitempty"`
}

// RecompressedLayer is one layer's content stored as a different blob in each image.
type RecompressedLayer struct {
	DiffID     string `json:"diff_id" jsonschema:"Digest of the uncompressed content"`
	A          string `json:"a"`
	B          string `json:"b"`
	MediaTypeA string `json:"media_type_a"`
	MediaTypeB string `json:"media_type_b"`
}

// ConfigChanges lists the runtime settings that differ; a missing key means no change.
type ConfigChanges struct {
	Env          *MapChange        `json:"env,omitempty"`
	Labels       *MapChange        `json:"labels,omitempty"`
	Entrypoint   *Change[[]string] `json:"entrypoint,omitempty"`
	Cmd          *Change[[]string] `json:"cmd,omitempty"`
	User         *Change[string]   `json:"user,omitempty"`
	WorkingDir   *Change[string]   `json:"working_dir,omitempty"`
	ExposedPorts *SetChange        `json:"exposed_ports,omitempty"`
	BaseOS       *Change[string]   `json:"base_os,omitempty"`
}

// Change is a value in a and in b.
type Change[T any] struct {
	A T `json:"a"`
	B T `json:"b"`
}

// MapChange is how a set of key=value pairs changed from a to b.
type MapChange struct {
	Added   map[string]string         `json:"added"`
	Removed map[string]string         `json:"removed"`
	Changed map[string]Change[string] `json:"changed"`
}

// SetChange is how a set changed from a to b.
type SetChange struct {
	Added   []string `json:"added"`
	Removed []string `json:"removed"`
}

const (
	// cheapOSRelease is the largest image (pull size) whose /etc/os-release
	// compare_images reads unasked: it sits in the bottom layer, so reading
	// it means streaming every layer.
	cheapOSRelease = 32 << 20
	// osReleaseScanBytes bounds that read, uncompressed.
	osReleaseScanBytes = 128 << 20
)

func compareImagesTool() *toolDef {
	t := readOnlyTool("compare_images", "Compare two images",
		"Compare two images: shared and distinct layers, size delta (b-a), config and base OS changes.",
		inputSchema[CompareInput](nil, nil))
	t.OutputSchema = opaque(outputSchema[CompareOutput](), "config_changes", "image_a", "image_b")
	return define(ToolsetRegistry, t, compareImages)
}

func compareImages(ctx context.Context, d Deps, _ *mcp.CallToolRequest, in CompareInput) (CompareOutput, error) {
	var a, b *resolvedImage
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) { a, err = resolveRunnable(gctx, d, in.ImageRefA, in.Platform); return err })
	g.Go(func() (err error) { b, err = resolveRunnable(gctx, d, in.ImageRefB, in.Platform); return err })
	if err := g.Wait(); err != nil {
		return CompareOutput{}, err
	}
	la, lb := imageLayers(a), imageLayers(b)
	out := CompareOutput{
		ImageA:        ComparedImage{Reference: oci.DisplayRef(a.ref), Digest: a.res.Image.Digest, Size: oci.PullSize(a.res.Image.Image)},
		ImageB:        ComparedImage{Reference: oci.DisplayRef(b.ref), Digest: b.res.Image.Digest, Size: oci.PullSize(b.res.Image.Image)},
		ConfigChanges: configChanges(a.cfg.Config, b.cfg.Config),
	}
	compareLayers(&out, la, lb)
	out.SizeDelta = out.ImageB.Size - out.ImageA.Size
	if !slices.EqualFunc(la, lb, func(x, y layer) bool { return x.content == y.content }) {
		var notes [2]string
		g, gctx := errgroup.WithContext(ctx)
		g.Go(func() error { out.ImageA.BaseOS, notes[0] = baseOS(gctx, d, a); return nil })
		g.Go(func() error { out.ImageB.BaseOS, notes[1] = baseOS(gctx, d, b); return nil })
		_ = g.Wait()
		for _, n := range notes {
			if n != "" {
				out.Notes = append(out.Notes, n)
			}
		}
		if out.ImageA.BaseOS != "" && out.ImageB.BaseOS != "" && out.ImageA.BaseOS != out.ImageB.BaseOS {
			out.ConfigChanges.BaseOS = &Change[string]{A: out.ImageA.BaseOS, B: out.ImageB.BaseOS}
		}
	}
	return out, nil
}

// resolveRunnable resolves a reference to an image with a runtime config.
func resolveRunnable(ctx context.Context, d Deps, ref, platform string) (*resolvedImage, error) {
	r, err := resolveImage(ctx, d, ImageInput{ImageRef: ref, Platform: platform})
	if err != nil {
		return nil, err
	}
	if r.cfg == nil {
		return nil, fmt.Errorf("%w: %s is an artifact, not a runnable image", errdef.ErrUnsupported, oci.DisplayRef(r.ref))
	}
	return r, nil
}

// layer is an image's layer as compare_images sees it.
type layer struct {
	blob      string // the digest of the blob in the registry (compressed)
	content   string // the digest of the uncompressed content: the config's diff_id
	mediaType string
}

// imageLayers pairs each layer with its diff_id. A config whose diff_ids do
// not match the layers one to one is no guide to content: then blobs compare.
func imageLayers(r *resolvedImage) []layer {
	m := r.res.Image.Image
	ids := r.cfg.RootFS.DiffIDs
	out := make([]layer, len(m.Layers))
	for i, l := range m.Layers {
		out[i] = layer{blob: l.Digest.String(), content: l.Digest.String(), mediaType: string(l.MediaType)}
		if len(ids) == len(m.Layers) {
			out[i].content = ids[i].String()
		}
	}
	return out
}

// compareLayers sorts the layers of a and b by content into shared and
// distinct ones, and names the shared ones stored as different blobs.
func compareLayers(out *CompareOutput, la, lb []layer) {
	inB := map[string]layer{}
	for _, l := range lb {
		inB[l.content] = l
	}
	inA := map[string]bool{}
	out.SharedLayers, out.OnlyInA, out.OnlyInB = []string{}, []string{}, []string{}
	for _, l := range la {
		if inA[l.content] {
			continue
		}
		inA[l.content] = true
		other, shared := inB[l.content]
		switch {
		case !shared:
			out.OnlyInA = append(out.OnlyInA, l.blob)
		case other.blob != l.blob:
			out.SharedLayers = append(out.SharedLayers, l.blob)
			out.Recompressed = append(out.Recompressed, RecompressedLayer{
				DiffID: l.content, A: l.blob, B: other.blob, MediaTypeA: l.mediaType, MediaTypeB: other.mediaType,
			})
		default:
			out.SharedLayers = append(out.SharedLayers, l.blob)
		}
	}
	seen := map[string]bool{}
	for _, l := range lb {
		if !inA[l.content] && !seen[l.content] {
			seen[l.content] = true
			out.OnlyInB = append(out.OnlyInB, l.blob)
		}
	}
	if n := len(out.Recompressed); n > 0 {
		out.Notes = append(out.Notes, fmt.Sprintf("%d shared layer(s) hold the same content compressed differently (see recompressed): a pull downloads them again", n))
	}
}

// filterIn keeps the items of xs that are (or are not) in ys, in xs's order.
func filterIn(xs, ys []string, in bool) []string {
	out := []string{}
	for _, x := range xs {
		if slices.Contains(ys, x) == in && !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

func configChanges(a, b v1.Config) ConfigChanges {
	var c ConfigChanges
	c.Env = mapChange(envMap(a.Env), envMap(b.Env))
	c.Labels = mapChange(a.Labels, b.Labels)
	if !slices.Equal(a.Entrypoint, b.Entrypoint) {
		c.Entrypoint = &Change[[]string]{A: nonNil(a.Entrypoint), B: nonNil(b.Entrypoint)}
	}
	if !slices.Equal(a.Cmd, b.Cmd) {
		c.Cmd = &Change[[]string]{A: nonNil(a.Cmd), B: nonNil(b.Cmd)}
	}
	if a.User != b.User {
		c.User = &Change[string]{A: a.User, B: b.User}
	}
	if a.WorkingDir != b.WorkingDir {
		c.WorkingDir = &Change[string]{A: a.WorkingDir, B: b.WorkingDir}
	}
	pa, pb := slices.Sorted(maps.Keys(a.ExposedPorts)), slices.Sorted(maps.Keys(b.ExposedPorts))
	if !slices.Equal(pa, pb) {
		c.ExposedPorts = &SetChange{Added: filterIn(pb, pa, false), Removed: filterIn(pa, pb, false)}
	}
	return c
}

func envMap(env []string) map[string]string {
	m := map[string]string{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return m
}

// mapChange diffs two maps; nil when they agree.
func mapChange(a, b map[string]string) *MapChange {
	c := &MapChange{Added: map[string]string{}, Removed: map[string]string{}, Changed: map[string]Change[string]{}}
	for k, vb := range b {
		va, ok := a[k]
		switch {
		case !ok:
			c.Added[k] = vb
		case va != vb:
			c.Changed[k] = Change[string]{A: va, B: vb}
		}
	}
	for k, va := range a {
		if _, ok := b[k]; !ok {
			c.Removed[k] = va
		}
	}
	if len(c.Added)+len(c.Removed)+len(c.Changed) == 0 {
		return nil
	}
	return c
}

// baseOS reads the image's /etc/os-release when that is cheap; otherwise
// it returns a note saying why not.
func baseOS(ctx context.Context, d Deps, r *resolvedImage) (osName, note string) {
	ref := oci.DisplayRef(r.ref)
	if size := oci.PullSize(r.res.Image.Image); size > cheapOSRelease {
		return "", fmt.Sprintf("base OS of %s not read: its layers are %d MiB (read_image_file /etc/os-release reads it)", ref, size>>20)
	}
	fc, err := d.Registry.ReadFile(ctx, r.ref.Context(), r.res.Image.Image, "/etc/os-release", 16<<10, oci.ScanOptions{MaxBytes: osReleaseScanBytes})
	switch {
	case errors.Is(err, errdef.ErrTooLarge):
		return "", fmt.Sprintf("base OS of %s not read: /etc/os-release lies under more than %d MiB of layers", ref, osReleaseScanBytes>>20)
	case errors.Is(err, errdef.ErrNotFound):
		return "", fmt.Sprintf("base OS of %s unknown: it has no /etc/os-release", ref)
	case err != nil:
		return "", fmt.Sprintf("base OS of %s unknown: /etc/os-release could not be read", ref)
	}
	return parseOSRelease(string(fc.Content)), ""
}

// parseOSRelease names the OS as os-release(5) does: PRETTY_NAME, else NAME VERSION_ID.
func parseOSRelease(s string) string {
	vals := map[string]string{}
	for _, line := range strings.Split(s, "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), "=")
		if ok {
			vals[k] = strings.Trim(v, `"'`)
		}
	}
	if v := vals["PRETTY_NAME"]; v != "" {
		return v
	}
	return strings.TrimSpace(orDefault(vals["NAME"], vals["ID"]) + " " + vals["VERSION_ID"])
}
