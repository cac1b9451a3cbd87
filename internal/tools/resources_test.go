package tools_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/registry-mcp/registry-mcp/internal/oci"
	"github.com/registry-mcp/registry-mcp/internal/registrytest"
	"github.com/registry-mcp/registry-mcp/internal/tools"
)

func readResource(t *testing.T, cs *mcp.ClientSession, uri string) (string, error) {
	t.Helper()
	res, err := cs.ReadResource(t.Context(), &mcp.ReadResourceParams{URI: uri})
	if err != nil {
		return "", err
	}
	if len(res.Contents) != 1 || res.Contents[0].MIMEType != "text/markdown" {
		t.Fatalf("%s: want one text/markdown content, got %+v", uri, res.Contents)
	}
	return res.Contents[0].Text, nil
}

func TestResourceTemplatesAreListed(t *testing.T) {
	t.Parallel()
	list := func(toolsets ...string) []string {
		e := newHubEnv(t, hubSetup{toolsets: toolsets})
		res, err := e.cs.ListResourceTemplates(t.Context(), nil)
		if err != nil {
			t.Fatal(err)
		}
		var uris []string
		for _, rt := range res.ResourceTemplates {
			uris = append(uris, rt.URITemplate)
		}
		slices.Sort(uris)
		return uris
	}
	all := []string{"docker://image/{namespace}/{name}/{tag}", "docker://image/{name}/{tag}", "docker://images/{query}"}
	if got := list(); !slices.Equal(got, all) {
		t.Errorf("templates %v, want %v", got, all)
	}
	if got := list(tools.ToolsetHub); !slices.Equal(got, all[2:]) {
		t.Errorf("hub toolset only: templates %v, want the search alone", got)
	}
	if got := list(tools.ToolsetRegistry); !slices.Equal(got, all[:2]) {
		t.Errorf("registry toolset only: templates %v, want the image ones", got)
	}
}

func TestSearchResource(t *testing.T) {
	t.Parallel()
	e := newHubEnv(t, hubSetup{})
	md, err := readResource(t, e.cs, "docker://images/nginx")
	if err != nil {
		t.Fatal(err)
	}
	wantAll(t, "search summary", md,
		"# Docker Hub search: nginx",
		"| name | stars | pulls | description |",
		"| `nginx` (official) | 20700 | 1B+ | Official build of Nginx. |",
		"| `dhi/nginx` (hardened) | 5 | 10K+ |",
		"| `alice/webapp` | 3 | 1.2K |")
	spaced, err := readResource(t, e.cs, "docker://images/web%20application")
	if err != nil {
		t.Fatal(err)
	}
	wantAll(t, "percent-encoded query", spaced, "# Docker Hub search: web application", "`alice/webapp`")
	empty, err := readResource(t, e.cs, "docker://images/zzz-nothing")
	if err != nil {
		t.Fatal(err)
	}
	wantAll(t, "no match", empty, "No repositories found.")

	if _, err := readResource(t, e.cs, "docker://images/"); err == nil || !strings.Contains(err.Error(), "docker://images/<query>") {
		t.Errorf("empty query: %v, want an error showing the URI form", err)
	}
	e.hub.FailNext(1, registrytest.HubFault{Status: 429, RetryAfter: "7"})
	_, err = readResource(t, e.cs, "docker://images/nginx")
	if err == nil || !strings.Contains(err.Error(), "retry after 7 s") {
		t.Errorf("rate limited: %v, want the retry delay", err)
	}
	// Not the client's fault, and not code 0 either.
	wantCode(t, "rate limited", err, jsonrpc.CodeInternalError)
}

// imageEnv serves Docker Hub-style names from an in-process registry.
type imageEnv struct {
	*hubEnv
	alpine   v1.ImageIndex
	redis    v1.Image
	redisTag string
}

func newImageEnv(t *testing.T) *imageEnv {
	t.Helper()
	reg, err := registrytest.Start(registrytest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(reg.Close)
	var imgs []v1.Image
	for _, arch := range []string{"amd64", "arm64"} {
		img, err := registrytest.PlatformImage("linux", arch, "")
		if err != nil {
			t.Fatal(err)
		}
		imgs = append(imgs, img)
	}
	alpine, err := registrytest.IndexOf(false, imgs...)
	if err != nil {
		t.Fatal(err)
	}
	redis, err := registrytest.Image(registrytest.ImageSpec{
		OS: "linux", Architecture: "amd64",
		Layers: []v1.Layer{
			registrytest.Layer(registrytest.File{Path: "etc/os-release", Content: "ID=debian\n"}),
			registrytest.Layer(registrytest.File{Path: "usr/local/bin/redis-server", Content: strings.Repeat("r", 4096), Mode: 0o755}),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := reg.PushIndex("library/alpine", "3.20", alpine); err != nil {
		t.Fatal(err)
	}
	if err := reg.PushImage("bitnami/redis", "7.2", redis); err != nil {
		t.Fatal(err)
	}
	e := newHubEnv(t, hubSetup{deps: tools.Deps{Registry: oci.New(oci.Options{}), HubRegistry: reg.Host}})
	return &imageEnv{hubEnv: e, alpine: alpine, redis: redis, redisTag: reg.Host + "/bitnami/redis:7.2"}
}

func TestImageResourceIndex(t *testing.T) {
	t.Parallel()
	e := newImageEnv(t)
	idxDigest, _ := e.alpine.Digest()
	amd64 := childDigest(t, e.alpine, "amd64")
	arm64 := childDigest(t, e.alpine, "arm64")
	im, err := e.alpine.Image(mustHash(t, amd64))
	if err != nil {
		t.Fatal(err)
	}
	layers, _ := im.Layers()
	layerDigest, _ := layers[0].Digest()
	for _, uri := range []string{"docker://image/alpine/3.20", "docker://image/library/alpine/3.20", "docker://image/library%2Falpine/3.20"} {
		md, err := readResource(t, e.cs, uri)
		if err != nil {
			t.Fatalf("%s: %v", uri, err)
		}
		wantAll(t, uri, md,
			"/library/alpine:3.20",
			"Index digest: `"+idxDigest.String()+"`",
			"Digest: `"+amd64+"` (linux/amd64)",
			"## Platforms (2)",
			"| linux/amd64 | `"+amd64+"` |",
			"| linux/arm64 | `"+arm64+"` |",
			"## Layers of linux/amd64 (1)",
			"| 1 | `"+layerDigest.String()+"` |",
			"Size: "+byteCount(pullSize(t, im)))
	}
}

func TestImageResourceNamespacedSingleImage(t *testing.T) {
	t.Parallel()
	e := newImageEnv(t)
	digest, _ := e.redis.Digest()
	layers, _ := e.redis.Layers()
	for _, uri := range []string{"docker://image/bitnami/redis/7.2", "docker://image/bitnami%2Fredis/7.2"} {
		md, err := readResource(t, e.cs, uri)
		if err != nil {
			t.Fatalf("%s: %v", uri, err)
		}
		want := []string{"# " + e.redisTag, "Digest: `" + digest.String() + "`", "## Layers (2)", "Size: " + byteCount(pullSize(t, e.redis))}
		for i, l := range layers {
			d, _ := l.Digest()
			size, _ := l.Size()
			want = append(want, "| "+string(rune('1'+i))+" | `"+d.String()+"` | "+byteCount(size))
		}
		wantAll(t, uri, md, want...)
		if strings.Contains(md, "Platforms") || strings.Contains(md, "Index digest") {
			t.Errorf("%s: a single image shows index details:\n%s", uri, md)
		}
	}
}

func TestImageResourceErrors(t *testing.T) {
	t.Parallel()
	e := newImageEnv(t)
	tests := []struct {
		uri  string
		want string
		code int64
	}{
		{"docker://image/alpine/9.99", "not found", jsonrpc.CodeInvalidParams},
		{"docker://image/nobody/nothing/1.0", "not found", jsonrpc.CodeInvalidParams},
		{"docker://image/alpine/", "lacks a name or a tag", jsonrpc.CodeInvalidParams},
		{"docker://image/Alpine/3.20", "lowercase", jsonrpc.CodeInvalidParams},
		{"docker://image/alpine", "", jsonrpc.CodeInvalidParams}, // no template matches: the SDK's own not-found
	}
	for _, tt := range tests {
		_, err := readResource(t, e.cs, tt.uri)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one saying %q", tt.uri, err, tt.want)
			continue
		}
		wantCode(t, tt.uri, err, tt.code)
	}
}

// wantCode checks the JSON-RPC error code of a failed request.
func wantCode(t *testing.T, what string, err error, code int64) {
	t.Helper()
	var rpcErr *jsonrpc.Error
	if !errors.As(err, &rpcErr) || rpcErr.Code != code {
		t.Errorf("%s: error %v, want JSON-RPC code %d", what, err, code)
	}
}

func mustHash(t *testing.T, digest string) v1.Hash {
	t.Helper()
	h, err := v1.NewHash(digest)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// byteCount is how the resources print an exact size.
func byteCount(n int64) string {
	return fmt.Sprintf("%d B", n)
}
