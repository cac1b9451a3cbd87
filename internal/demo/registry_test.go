package demo_test

import (
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/registry-mcp/registry-mcp/internal/attest"
	"github.com/registry-mcp/registry-mcp/internal/demo"
	"github.com/registry-mcp/registry-mcp/internal/oci"
	"github.com/registry-mcp/registry-mcp/internal/registrytest"
	"github.com/registry-mcp/registry-mcp/internal/server"
	"github.com/registry-mcp/registry-mcp/internal/tools"
)

// seeded is one demo registry with the sample images, shared by the tests:
// they only read it.
var seeded = sync.OnceValues(func() (*demo.Fixtures, error) {
	r, err := demo.Start("")
	if err != nil {
		return nil, err
	}
	return demo.Seed(r.Target())
})

// session connects a fresh MCP client to a server reading the demo registry
// through the tools, as -demo does.
func session(t *testing.T) (*mcp.ClientSession, *demo.Fixtures) {
	t.Helper()
	f, err := seeded()
	if err != nil {
		t.Fatalf("seed the demo registry: %v", err)
	}
	s := server.New(server.Config{Version: "test", Deps: tools.Deps{Registry: oci.New(oci.Options{})}, Tools: tools.Options{ReadOnly: true}})
	return registrytest.Connect(t, s, nil), f
}

func call[T any](t *testing.T, cs *mcp.ClientSession, tool string, args map[string]any) T {
	t.Helper()
	return registrytest.Decode[T](t, registrytest.Call(t, cs, tool, args))
}

type platform struct{ OS, Architecture, Variant string }

type imageInfo struct {
	Digest      string     `json:"digest"`
	IndexDigest string     `json:"index_digest"`
	Platforms   []platform `json:"platforms"`
}

func TestDemoServesEveryKindOfSampleImage(t *testing.T) {
	t.Parallel()
	cs, f := session(t)
	app := call[imageInfo](t, cs, "get_image_info", map[string]any{"image_ref": f.Ref(f.App)})
	if app.Digest != f.AppDigest {
		t.Errorf("%s: digest %s, want %s", f.App, app.Digest, f.AppDigest)
	}
	multi := call[imageInfo](t, cs, "get_image_info", map[string]any{"image_ref": f.Ref(f.Multi)})
	want := []platform{{"linux", "amd64", ""}, {"linux", "arm64", "v8"}, {"linux", "arm", "v7"}}
	if multi.IndexDigest != f.MultiDigest || !cmp.Equal(multi.Platforms, want) {
		t.Errorf("%s: index %s, platforms %+v; want %s, %+v", f.Multi, multi.IndexDigest, multi.Platforms, f.MultiDigest, want)
	}
	arm := call[imageInfo](t, cs, "get_image_info", map[string]any{"image_ref": f.Ref(f.ARM64Only)})
	if want := []platform{{"linux", "arm64", ""}}; !cmp.Equal(arm.Platforms, want) {
		t.Errorf("%s: platforms %+v, want %+v", f.ARM64Only, arm.Platforms, want)
	}
}

func TestDemoPagesTagsWithLinkHeaders(t *testing.T) {
	t.Parallel()
	cs, f := session(t)
	var all []string
	cursor := ""
	for page := 0; page < 10; page++ {
		args := map[string]any{"repository": f.Host + "/" + f.TagsRepo, "limit": 100}
		if cursor != "" {
			args["cursor"] = cursor
		}
		got := call[struct {
			Tags       []string `json:"tags"`
			NextCursor string   `json:"next_cursor"`
		}](t, cs, "list_tags", args)
		if len(got.Tags) > 100 {
			t.Fatalf("page %d holds %d tags, more than the limit", page, len(got.Tags))
		}
		all = append(all, got.Tags...)
		if cursor = got.NextCursor; cursor == "" {
			break
		}
	}
	want := slices.Sorted(slices.Values(f.TagNames))
	if diff := cmp.Diff(want, all); diff != "" {
		t.Errorf("the pages hold (-want +got):\n%s", diff)
	}
}

func TestDemoNamesEveryReferrersKindAndFiltersByArtifactType(t *testing.T) {
	t.Parallel()
	cs, f := session(t)
	type referrers struct {
		Referrers []struct {
			Digest       string `json:"digest"`
			ArtifactType string `json:"artifact_type"`
			Kind         string `json:"kind"`
		} `json:"referrers"`
	}
	ref := f.Ref(f.Supply.Signed)
	kinds := map[string]string{}
	for _, r := range call[referrers](t, cs, "list_referrers", map[string]any{"image_ref": ref}).Referrers {
		kinds[r.Digest] = r.Kind
	}
	for name, kind := range map[string]string{"sbom": attest.KindSBOM, "provenance": attest.KindProvenance, "vex": attest.KindVEX, "bundle": attest.KindSignature, "sig": attest.KindSignature} {
		if got := kinds[f.Supply.Referrers[name]]; got != kind {
			t.Errorf("the %s referrer is of kind %q, want %q", name, got, kind)
		}
	}
	sboms := call[referrers](t, cs, "list_referrers", map[string]any{"image_ref": ref, "artifact_type": "application/spdx+json"}).Referrers
	if len(sboms) != 1 || sboms[0].Digest != f.Supply.Referrers["sbom"] {
		t.Errorf("filtered on the SPDX type: %+v, want only %s", sboms, f.Supply.Referrers["sbom"])
	}
}

func TestDemoCatalogIsSortedAndPaged(t *testing.T) {
	t.Parallel()
	cs, f := session(t)
	var all []string
	cursor := ""
	for page := 0; page < 10; page++ {
		args := map[string]any{"registry": f.Host, "limit": 3}
		if cursor != "" {
			args["cursor"] = cursor
		}
		got := call[struct {
			Repositories []string `json:"repositories"`
			NextCursor   string   `json:"next_cursor"`
		}](t, cs, "list_repositories", args)
		all = append(all, got.Repositories...)
		if cursor = got.NextCursor; cursor == "" {
			break
		}
	}
	want := []string{"demo/app", "demo/arm64-only", "demo/layered", "demo/multi", "demo/signed", "demo/tags", "ratelimitpreview/test"}
	if diff := cmp.Diff(want, all); diff != "" {
		t.Errorf("the catalog (-want +got):\n%s", diff)
	}
}

func TestDemoLayeredImageMergesWhiteoutsAcrossCompressions(t *testing.T) {
	t.Parallel()
	cs, f := session(t)
	ref := f.Ref(f.Supply.Layered)
	got := call[struct {
		Files []struct {
			Path string `json:"path"`
		} `json:"files"`
	}](t, cs, "list_image_files", map[string]any{"image_ref": ref, "limit": 1000})
	paths := map[string]bool{}
	for _, file := range got.Files {
		paths[strings.TrimPrefix(file.Path, "/")] = true
	}
	for p, want := range map[string]bool{"opt/old/c.txt": true, "opt/old/a.txt": false, "tmp/gone.txt": false, "etc/motd": true, "app/big.txt": true, "var/cache/x.bin": false} {
		if paths[p] != want {
			t.Errorf("%s listed: %t, want %t", p, paths[p], want)
		}
	}
	osRelease := call[struct {
		Content string `json:"content"`
	}](t, cs, "read_image_file", map[string]any{"image_ref": ref, "path": "/etc/os-release"})
	if !strings.Contains(osRelease.Content, "Layered Linux") {
		t.Errorf("/etc/os-release through its symlink: %q", osRelease.Content)
	}
}
