package tools_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/registry-mcp/registry-mcp/internal/oci"
	"github.com/registry-mcp/registry-mcp/internal/registrytest"
	"github.com/registry-mcp/registry-mcp/internal/tools"
)

func TestListImageFilesMergesLayers(t *testing.T) {
	t.Parallel()
	e := newEnv(t, registrytest.Options{}, withTTL)
	s := e.fx.Supply
	bottom, middle, top := s.LayeredLayers[0], s.LayeredLayers[1], s.LayeredLayers[2]
	got := registrytest.Decode[tools.ListFilesOutput](t, e.call(t, "list_image_files", map[string]any{"image_ref": e.fx.Ref(s.Layered), "limit": 2000}))
	type row struct{ Path, Type, Layer string }
	var rows []row
	for _, f := range got.Files {
		rows = append(rows, row{f.Path, f.Type, f.Layer})
	}
	want := []row{
		{"/app", "dir", top}, {"/app/big.txt", "file", top}, {"/app/config.yaml", "file", top},
		{"/bin", "dir", bottom}, {"/bin/tool", "file", bottom}, {"/bin/tool-link", "hardlink", bottom},
		{"/data", "dir", bottom}, {"/data/keep.txt", "file", middle},
		{"/etc", "dir", bottom}, {"/etc/motd", "file", middle}, {"/etc/os-release", "symlink", bottom},
		{"/lib", "symlink", bottom},
		{"/opt", "dir", bottom}, {"/opt/old", "dir", bottom}, {"/opt/old/c.txt", "file", middle},
		{"/text", "dir", middle}, {"/text/latin1.txt", "file", middle}, {"/text/utf8.txt", "file", middle},
		{"/tmp", "dir", bottom},
		{"/usr", "dir", bottom}, {"/usr/lib", "dir", bottom}, {"/usr/lib/os-release", "file", bottom},
		{"/var", "dir", bottom},
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("merged filesystem: whiteouts delete, opaque dirs hide lower contents, upper versions win (-want +got):\n%s", diff)
	}
	if got.Truncated || got.Total != len(want) {
		t.Errorf("truncated %v, total %d; want the whole filesystem (%d entries)", got.Truncated, got.Total, len(want))
	}
	for _, f := range got.Files {
		if f.Path == "/bin/tool" && (f.Mode != "0755" || f.Size != 16) {
			t.Errorf("/bin/tool: mode %s size %d, want 0755 and 16", f.Mode, f.Size)
		}
		if f.Path == "/etc/os-release" && f.Link != "../usr/lib/os-release" {
			t.Errorf("/etc/os-release links to %q", f.Link)
		}
	}
}

func TestListImageFilesPrefixAndLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t, registrytest.Options{}, withTTL)
	ref := e.fx.Ref(e.fx.Supply.Layered)
	got := registrytest.Decode[tools.ListFilesOutput](t, e.call(t, "list_image_files", map[string]any{"image_ref": ref, "path": "/opt"}))
	var paths []string
	for _, f := range got.Files {
		paths = append(paths, f.Path)
	}
	if diff := cmp.Diff([]string{"/opt", "/opt/old", "/opt/old/c.txt"}, paths); diff != "" {
		t.Errorf("path /opt (-want +got):\n%s", diff)
	}
	got = registrytest.Decode[tools.ListFilesOutput](t, e.call(t, "list_image_files", map[string]any{"image_ref": ref, "limit": 3}))
	if len(got.Files) != 3 || !got.Truncated || got.Total != 23 || !strings.Contains(got.Note, "showing 3 of 23") {
		t.Errorf("limit 3: %d files, truncated %v, total %d, note %q", len(got.Files), got.Truncated, got.Total, got.Note)
	}
	for _, limit := range []int{0, 2001} {
		res := e.call(t, "list_image_files", map[string]any{"image_ref": ref, "limit": limit})
		if msg := registrytest.Text(res); !res.IsError || !strings.Contains(msg, "use 1 to 2000") {
			t.Errorf("limit %d: got %v %q, want the range named", limit, res.IsError, msg)
		}
	}
}

func TestReadImageFile(t *testing.T) {
	t.Parallel()
	e := newEnv(t, registrytest.Options{}, withTTL)
	s := e.fx.Supply
	ref := e.fx.Ref(s.Layered)
	bottom, middle, top := s.LayeredLayers[0], s.LayeredLayers[1], s.LayeredLayers[2]
	const osRelease = "NAME=\"Layered Linux\"\nID=layered\nVERSION_ID=2.0\nPRETTY_NAME=\"Layered Linux 2.0\"\n"
	tests := []struct {
		path     string
		maxBytes int
		want     tools.ReadFileOutput
	}{
		{"/data/keep.txt", 0, tools.ReadFileOutput{Size: 3, Mode: "0644", Content: "v2\n", Layer: middle}},
		{"etc/motd", 0, tools.ReadFileOutput{Size: 26, Mode: "0644", Content: "hello from the zstd layer\n", Layer: middle}},
		{"/opt/old/c.txt", 0, tools.ReadFileOutput{Size: 2, Mode: "0644", Content: "c\n", Layer: middle}},
		{"/etc/os-release", 0, tools.ReadFileOutput{Resolved: "/usr/lib/os-release", Size: int64(len(osRelease)), Mode: "0644", Content: osRelease, Layer: bottom}},
		{"/lib/os-release", 0, tools.ReadFileOutput{Resolved: "/usr/lib/os-release", Size: int64(len(osRelease)), Mode: "0644", Content: osRelease, Layer: bottom}},
		{"/text/utf8.txt", 0, tools.ReadFileOutput{Size: 18, Mode: "0644", Content: "héllo wörld ✓\n", Layer: middle}},
		{"/text/latin1.txt", 0, tools.ReadFileOutput{Size: 5, Mode: "0644", Binary: true, Layer: middle}},
		{"/bin/tool", 0, tools.ReadFileOutput{Size: 16, Mode: "0755", Binary: true, Layer: bottom}},
		{"/bin/tool-link", 0, tools.ReadFileOutput{Resolved: "/bin/tool", Size: 16, Mode: "0755", Binary: true, Layer: bottom}},
		{"/app/big.txt", 0, tools.ReadFileOutput{Size: int64(len(registrytest.BigText)), Mode: "0644", Content: strings.Repeat("a", 65535), Truncated: true, Layer: top}},
		{"/app/big.txt", 65537, tools.ReadFileOutput{Size: int64(len(registrytest.BigText)), Mode: "0644", Content: strings.Repeat("a", 65535) + "é", Truncated: true, Layer: top}},
		{"/text/utf8.txt", 2, tools.ReadFileOutput{Size: 18, Mode: "0644", Content: "h", Truncated: true, Layer: middle}},
	}
	for _, tt := range tests {
		args := map[string]any{"image_ref": ref, "path": tt.path}
		if tt.maxBytes > 0 {
			args["max_bytes"] = tt.maxBytes
		}
		got := registrytest.Decode[tools.ReadFileOutput](t, e.call(t, "read_image_file", args))
		tt.want.Path = tt.path
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (max_bytes %d) (-want +got):\n%s", tt.path, tt.maxBytes, diff)
		}
	}
}

func TestReadImageFileMissing(t *testing.T) {
	t.Parallel()
	e := newEnv(t, registrytest.Options{}, withTTL)
	ref := e.fx.Ref(e.fx.Supply.Layered)
	tests := []struct{ path, want string }{
		{"/tmp/gone.txt", "/tmp/gone.txt was deleted in layer 2 of 3"},
		{"/opt/old/a.txt", "/opt/old was emptied (opaque whiteout) in layer 2 of 3"},
		{"/var/cache/x.bin", "/var/cache was deleted in layer 2 of 3"},
		{"/nowhere", "/nowhere is not in the image (list_image_files shows what is there)"},
		{"/etc", "/etc is a directory"},
		{"", "path is empty"},
	}
	for _, tt := range tests {
		res := e.call(t, "read_image_file", map[string]any{"image_ref": ref, "path": tt.path})
		if msg := registrytest.Text(res); !res.IsError || !strings.Contains(msg, tt.want) {
			t.Errorf("%q: got %v %q, want an error containing %q", tt.path, res.IsError, msg, tt.want)
		}
	}
}

// TestReadImageFileStopsAtTheTopLayer counts blob downloads: a file in the
// top layer needs no lower layer, even when a lower one is huge.
func TestReadImageFileStopsAtTheTopLayer(t *testing.T) {
	t.Parallel()
	e := newEnv(t, registrytest.Options{}, withTTL)
	for _, img := range []string{e.fx.Supply.Layered, e.fx.Supply.Big} {
		ref := e.fx.Ref(img)
		registrytest.Decode[tools.ImageInfo](t, e.call(t, "get_image_info", map[string]any{"image_ref": ref}))
		e.reg.Reset()
		path := map[string]string{e.fx.Supply.Layered: "/app/config.yaml", e.fx.Supply.Big: "/etc/hello.txt"}[img]
		got := registrytest.Decode[tools.ReadFileOutput](t, e.call(t, "read_image_file", map[string]any{"image_ref": ref, "path": path}))
		if got.Content == "" {
			t.Errorf("%s %s: empty content", img, path)
		}
		if diff := cmp.Diff(map[string]int{"GET blobs": 1}, e.reg.Counts()); diff != "" {
			t.Errorf("%s %s: registry requests (-want +got):\n%s", img, path, diff)
		}
	}
}

func TestLayerBiggerThanTheReadCap(t *testing.T) {
	t.Parallel()
	if registrytest.BigFileSize <= oci.MaxLayerScanBytes {
		t.Fatalf("the big fixture (%d bytes) must exceed the read cap (%d)", registrytest.BigFileSize, oci.MaxLayerScanBytes)
	}
	e := newEnv(t, registrytest.Options{}, withTTL)
	ref := e.fx.Ref(e.fx.Supply.Big)
	var mu sync.Mutex
	var messages []string
	cs := connect(t, oci.New(withTTL), &mcp.ClientOptions{
		ProgressNotificationHandler: func(_ context.Context, req *mcp.ProgressNotificationClientRequest) {
			mu.Lock()
			messages = append(messages, req.Params.Message)
			mu.Unlock()
		},
	})
	params := &mcp.CallToolParams{Name: "list_image_files", Arguments: map[string]any{"image_ref": ref}}
	params.SetProgressToken("files")
	res, err := cs.CallTool(t.Context(), params)
	if err != nil {
		t.Fatal(err)
	}
	got := registrytest.Decode[tools.ListFilesOutput](t, res)
	var paths []string
	for _, f := range got.Files {
		paths = append(paths, f.Path)
	}
	if diff := cmp.Diff([]string{"/big", "/big/zeros", "/etc", "/etc/hello.txt"}, paths); diff != "" || !got.Truncated || !strings.Contains(got.Note, "512 MiB cap") {
		t.Errorf("listing stops at the cap: truncated %v, note %q, files (-want +got):\n%s", got.Truncated, got.Note, diff)
	}
	mu.Lock()
	if len(messages) < 3 || !strings.Contains(strings.Join(messages, "\n"), "layer 1 of 2") {
		t.Errorf("progress messages %q, want one per layer and more during the long one", messages)
	}
	mu.Unlock()

	zeros := registrytest.Decode[tools.ReadFileOutput](t, e.call(t, "read_image_file", map[string]any{"image_ref": ref, "path": "/big/zeros", "max_bytes": 10}))
	if !zeros.Binary || !zeros.Truncated || zeros.Size != registrytest.BigFileSize || zeros.Content != "" {
		t.Errorf("/big/zeros: %+v, want binary, truncated, size %d", zeros, registrytest.BigFileSize)
	}
	res = e.call(t, "read_image_file", map[string]any{"image_ref": ref, "path": "/big/after.txt"})
	if msg := registrytest.Text(res); !res.IsError || !strings.Contains(msg, "512 MiB cap") {
		t.Errorf("a file past the cap: got %v %q, want a too-large error naming the cap", res.IsError, msg)
	}
}
