//go:build e2e

package e2e

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/registry-mcp/registry-mcp/internal/registrytest"
)

// The result shapes of the public contract (the README and docs/), as a client
// reads them.
type platform struct {
	OS           string `json:"os"`
	Architecture string `json:"architecture"`
	Variant      string `json:"variant,omitempty"`
	Digest       string `json:"digest"`
	Size         int64  `json:"size"`
}

func (p platform) String() string {
	s := p.OS + "/" + p.Architecture
	if p.Variant != "" {
		s += "/" + p.Variant
	}
	return s
}

type imageInfo struct {
	Reference    string     `json:"reference"`
	Digest       string     `json:"digest"`
	IndexDigest  string     `json:"index_digest"`
	MediaType    string     `json:"media_type"`
	Size         int64      `json:"size"`
	Architecture string     `json:"architecture"`
	OS           string     `json:"os"`
	Variant      string     `json:"variant"`
	Created      string     `json:"created"`
	Layers       int        `json:"layers"`
	Platforms    []platform `json:"platforms"`
}

type imageManifest struct {
	Digest    string         `json:"digest"`
	MediaType string         `json:"media_type"`
	Manifest  map[string]any `json:"manifest"`
}

type imageConfig struct {
	Digest string `json:"digest"`
	Config struct {
		Architecture string `json:"architecture"`
		OS           string `json:"os"`
		Config       struct {
			Entrypoint []string          `json:"Entrypoint"`
			Labels     map[string]string `json:"Labels"`
		} `json:"config"`
	} `json:"config"`
}

type imageDetails struct {
	Reference  string            `json:"reference"`
	Digest     string            `json:"digest"`
	OS         string            `json:"os"`
	Labels     map[string]string `json:"labels"`
	Env        []string          `json:"env"`
	Entrypoint []string          `json:"entrypoint"`
	Cmd        []string          `json:"cmd"`
	WorkingDir string            `json:"working_dir"`
	User       string            `json:"user"`
	Layers     []struct {
		Digest    string `json:"digest"`
		Size      int64  `json:"size"`
		CreatedBy string `json:"created_by"`
	} `json:"layers"`
	Dockerfile string `json:"dockerfile"`
}

type tagList struct {
	Repository string   `json:"repository"`
	Tags       []string `json:"tags"`
	NextCursor string   `json:"next_cursor"`
}

// registryTools are the tools every session must offer.
var registryTools = []string{"get_image_info", "get_image_manifest", "get_image_config", "get_image_details", "list_tags"}

func checkToolList(t *testing.T, cs *mcp.ClientSession) {
	t.Helper()
	names := toolNames(t, cs)
	for _, want := range registryTools {
		if !slices.Contains(names, want) {
			t.Errorf("tools/list lacks %s; got %v", want, names)
		}
	}
}

// checkRegistryTools calls each registry tool against the docker-registry
// fixtures and compares the results with what was pushed.
func checkRegistryTools(t *testing.T, cs *mcp.ClientSession) {
	t.Helper()
	t.Run("get_image_info/single", func(t *testing.T) {
		got := registrytest.Decode[imageInfo](t, call(t, cs, "get_image_info", map[string]any{"image_ref": reg.ref(reg.App)}))
		want := imageInfo{
			Reference: reg.ref(reg.App), Digest: reg.AppDigest, MediaType: "application/vnd.oci.image.manifest.v1+json",
			Size: reg.AppPullSize, Architecture: "amd64", OS: "linux", Created: "2026-01-02T03:04:05Z", Layers: reg.AppLayers,
		}
		if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("get_image_info %s (-want +got):\n%s", reg.App, diff)
		}
	})
	t.Run("get_image_info/index", func(t *testing.T) {
		got := registrytest.Decode[imageInfo](t, call(t, cs, "get_image_info", map[string]any{"image_ref": reg.ref(reg.Multi)}))
		if got.IndexDigest != reg.MultiDigest {
			t.Errorf("index_digest = %q, want the pushed index %q", got.IndexDigest, reg.MultiDigest)
		}
		if got.Digest != reg.MultiByPlat["linux/amd64"] || got.Architecture != "amd64" {
			t.Errorf("default platform: digest %q arch %q, want linux/amd64 %q", got.Digest, got.Architecture, reg.MultiByPlat["linux/amd64"])
		}
		plats := map[string]string{}
		for _, p := range got.Platforms {
			plats[p.String()] = p.Digest
		}
		if diff := cmp.Diff(reg.MultiByPlat, plats); diff != "" {
			t.Errorf("platforms (-want +got), attestations must not be listed:\n%s", diff)
		}
	})
	t.Run("get_image_info/platform", func(t *testing.T) {
		got := registrytest.Decode[imageInfo](t, call(t, cs, "get_image_info", map[string]any{"image_ref": reg.ref(reg.Multi), "platform": "linux/arm/v7"}))
		if got.Digest != reg.MultiByPlat["linux/arm/v7"] || got.Variant != "v7" {
			t.Errorf("linux/arm/v7: digest %q variant %q, want %q v7", got.Digest, got.Variant, reg.MultiByPlat["linux/arm/v7"])
		}
	})
	t.Run("get_image_info/arm64-only", func(t *testing.T) {
		got := registrytest.Decode[imageInfo](t, call(t, cs, "get_image_info", map[string]any{"image_ref": reg.ref(reg.ARM64Only)}))
		if got.Digest != reg.ARM64Digest || got.Architecture != "arm64" {
			t.Errorf("arm64-only index: digest %q arch %q, want %q arm64", got.Digest, got.Architecture, reg.ARM64Digest)
		}
	})
	t.Run("get_image_manifest", func(t *testing.T) {
		got := registrytest.Decode[imageManifest](t, call(t, cs, "get_image_manifest", map[string]any{"image_ref": reg.ref(reg.App)}))
		if got.Digest != reg.AppDigest {
			t.Errorf("digest = %q, want %q", got.Digest, reg.AppDigest)
		}
		if layers, _ := got.Manifest["layers"].([]any); len(layers) != reg.AppLayers {
			t.Errorf("manifest has %d layers, want %d: %v", len(layers), reg.AppLayers, got.Manifest)
		}
		idx := registrytest.Decode[imageManifest](t, call(t, cs, "get_image_manifest", map[string]any{"image_ref": reg.ref(reg.Multi)}))
		if idx.Digest != reg.MultiDigest || idx.Manifest["manifests"] == nil {
			t.Errorf("without platform an index is returned as itself: digest %q (want %q), manifest %v", idx.Digest, reg.MultiDigest, idx.Manifest)
		}
	})
	t.Run("get_image_config", func(t *testing.T) {
		got := registrytest.Decode[imageConfig](t, call(t, cs, "get_image_config", map[string]any{"image_ref": reg.ref(reg.App)}))
		if got.Digest != reg.AppConfig {
			t.Errorf("digest = %q, want the config digest %q", got.Digest, reg.AppConfig)
		}
		if got.Config.Architecture != "amd64" || !slices.Equal(got.Config.Config.Entrypoint, []string{"/app/server"}) {
			t.Errorf("config = %+v", got.Config)
		}
	})
	t.Run("get_image_details", func(t *testing.T) {
		got := registrytest.Decode[imageDetails](t, call(t, cs, "get_image_details", map[string]any{"image_ref": reg.ref(reg.App)}))
		if got.Digest != reg.AppDigest || got.User != "65532" || got.WorkingDir != "/app" ||
			!slices.Equal(got.Entrypoint, []string{"/app/server"}) || got.Labels["org.opencontainers.image.title"] != "e2e-app" {
			t.Errorf("details = %+v", got)
		}
		if len(got.Layers) != reg.AppLayers || got.Layers[1].CreatedBy == "" {
			t.Errorf("layers = %+v, want %d with their history commands", got.Layers, reg.AppLayers)
		}
		if !strings.Contains(got.Dockerfile, "ENTRYPOINT") {
			t.Errorf("dockerfile lacks the ENTRYPOINT step:\n%s", got.Dockerfile)
		}
	})
	t.Run("list_tags", func(t *testing.T) {
		repo := reg.ref(reg.TagsRepo)
		all := registrytest.Decode[tagList](t, call(t, cs, "list_tags", map[string]any{"repository": repo}))
		if diff := cmp.Diff(sorted(reg.Tags), sorted(all.Tags)); diff != "" || all.NextCursor != "" {
			t.Errorf("tags (-want +got):\n%s\nnext_cursor %q", diff, all.NextCursor)
		}
		var paged []string
		args := map[string]any{"repository": repo, "limit": 4}
		for range len(reg.Tags) {
			page := registrytest.Decode[tagList](t, call(t, cs, "list_tags", args))
			paged = append(paged, page.Tags...)
			if page.NextCursor == "" {
				break
			}
			args["cursor"] = page.NextCursor
		}
		if diff := cmp.Diff(sorted(reg.Tags), sorted(paged)); diff != "" {
			t.Errorf("tags paged 4 at a time (-want +got):\n%s", diff)
		}
		top := registrytest.Decode[tagList](t, call(t, cs, "list_tags", map[string]any{"repository": repo, "sort": "semver-desc", "limit": 1}))
		if len(top.Tags) != 1 || top.Tags[0] != reg.TagsSemverHi {
			t.Errorf("semver-desc first tag = %v, want %s", top.Tags, reg.TagsSemverHi)
		}
	})
}

// checkBadInputs sends what a model gets wrong; each must be a tool error
// with a message, and the server must go on serving.
func checkBadInputs(t *testing.T, cs *mcp.ClientSession) {
	t.Helper()
	for _, tc := range []struct {
		name string
		tool string
		args map[string]any
	}{
		{"unparsable reference", "get_image_info", map[string]any{"image_ref": "INVALID::ref"}},
		{"uppercase repository", "get_image_info", map[string]any{"image_ref": reg.Host + "/E2E/App:1.0"}},
		{"missing tag", "get_image_info", map[string]any{"image_ref": reg.ref("e2e/app:no-such-tag")}},
		{"missing repository", "list_tags", map[string]any{"repository": reg.ref("e2e/no-such-repo")}},
		{"unreachable registry", "get_image_manifest", map[string]any{"image_ref": "127.0.0.1:1/x/y:z"}},
		{"platform not in index", "get_image_info", map[string]any{"image_ref": reg.ref(reg.Multi), "platform": "windows/amd64"}},
		{"limit out of range", "list_tags", map[string]any{"repository": reg.ref(reg.TagsRepo), "limit": 5000}},
		{"forged cursor", "list_tags", map[string]any{"repository": reg.ref(reg.TagsRepo), "cursor": "not-a-cursor"}},
	} {
		res := call(t, cs, tc.tool, tc.args)
		if msg := registrytest.Text(res); !res.IsError || msg == "" {
			t.Errorf("%s: %s %v: isError %v, message %q; want a tool error that says what to do", tc.name, tc.tool, tc.args, res.IsError, msg)
		}
	}
	got := registrytest.Decode[imageInfo](t, call(t, cs, "get_image_info", map[string]any{"image_ref": reg.ref(reg.App)}))
	if got.Digest != reg.AppDigest {
		t.Errorf("after bad inputs, get_image_info digest = %q, want %q", got.Digest, reg.AppDigest)
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}
