package main

import (
	"archive/tar"
	"bytes"
	"errors"
	"flag"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

const (
	hello     = "./testdata/hello"
	fixedDate = "2026-01-02T03:04:05Z"
)

// helloDir holds the binaries helloBinaries builds, for the whole run.
var helloDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "registry-mcp-image-test-")
	if err != nil {
		panic(err)
	}
	helloDir = dir
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// helloBinaries cross-compiles testdata/hello once for the two default
// platforms: small stand-ins for registry-mcp that are real static ELF files.
var helloBinaries = sync.OnceValues(func() (map[string]string, error) {
	dir := helloDir
	bins := map[string]string{}
	for _, arch := range []string{"amd64", "arm64"} {
		out := filepath.Join(dir, arch)
		c := exec.Command("go", "build", "-trimpath", "-o", out, hello)
		c.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+arch)
		if b, err := c.CombinedOutput(); err != nil {
			return nil, errors.New(string(b))
		}
		bins[arch] = out
	}
	return bins, nil
})

func prebuilt(t *testing.T) map[string]string {
	t.Helper()
	bins, err := helloBinaries()
	if err != nil {
		t.Fatalf("building testdata/hello: %v", err)
	}
	return bins
}

func fakeCA(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "ca.crt")
	if err := os.WriteFile(p, []byte("-----BEGIN CERTIFICATE-----\nfake\n-----END CERTIFICATE-----\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// runTool runs the command with args and fails the test on an error.
func runTool(t *testing.T, args ...string) string {
	t.Helper()
	var log bytes.Buffer
	if err := run(t.Context(), args, &log); err != nil {
		t.Fatalf("registry-mcp-image %v: %v\n%s", args, err, log.String())
	}
	return log.String()
}

// platformImages opens the layout the way `crane push` does (one entry, an
// index) and returns its images by platform, and the index's annotations.
func platformImages(t *testing.T, dir string) (map[string]v1.Image, map[string]string) {
	t.Helper()
	root, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	rm, err := root.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(rm.Manifests) != 1 || rm.Manifests[0].MediaType != types.OCIImageIndex {
		t.Fatalf("index.json: want one OCI image index, got %+v", rm.Manifests)
	}
	idx, err := root.ImageIndex(rm.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	imgs := map[string]v1.Image{}
	for _, d := range im.Manifests {
		if d.Platform == nil || d.MediaType != types.OCIManifestSchema1 {
			t.Fatalf("index entry %+v: want an OCI image manifest with a platform", d)
		}
		img, err := idx.Image(d.Digest)
		if err != nil {
			t.Fatal(err)
		}
		imgs[d.Platform.String()] = img
	}
	ann := im.Annotations
	ann["ref.name"] = rm.Manifests[0].Annotations["org.opencontainers.image.ref.name"]
	return imgs, ann
}

// entry is a file of an image's merged filesystem, keyed by its path
// without a leading or trailing slash.
type entry struct {
	mode     int64
	uid, gid int
	body     string
}

func filesystem(t *testing.T, img v1.Image) map[string]entry {
	t.Helper()
	rc := mutate.Extract(img)
	defer rc.Close()
	tr := tar.NewReader(rc)
	fs := map[string]entry{}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return fs
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		fs[strings.TrimSuffix(h.Name, "/")] = entry{mode: h.Mode, uid: h.Uid, gid: h.Gid, body: string(b)}
	}
}

func TestLayoutFromPrebuiltBinaries(t *testing.T) {
	t.Parallel()
	bins := prebuilt(t)
	out := filepath.Join(t.TempDir(), "layout")
	runTool(t, "-out", out, "-version", "1.2.3", "-commit", "0123abc", "-date", fixedDate, "-ca-certs", fakeCA(t),
		"-binary", "linux/amd64="+bins["amd64"], "-binary", "linux/arm64="+bins["arm64"])

	imgs, ann := platformImages(t, out)
	if len(imgs) != 2 || imgs["linux/amd64"] == nil || imgs["linux/arm64"] == nil {
		t.Fatalf("platforms = %v, want linux/amd64 and linux/arm64", keys(imgs))
	}
	if ann["ref.name"] != "1.2.3" || ann["io.modelcontextprotocol.server.name"] != serverName {
		t.Errorf("annotations = %v, want ref name 1.2.3 and the server name on the index", ann)
	}
	wantLabels := map[string]string{
		"io.modelcontextprotocol.server.name":    "io.github.registry-mcp/registry-mcp",
		"org.opencontainers.image.title":         "registry-mcp",
		"org.opencontainers.image.description":   description,
		"org.opencontainers.image.source":        "https://github.com/registry-mcp/registry-mcp",
		"org.opencontainers.image.url":           "https://github.com/registry-mcp/registry-mcp",
		"org.opencontainers.image.documentation": "https://github.com/registry-mcp/registry-mcp/tree/main/docs/install",
		"org.opencontainers.image.version":       "1.2.3",
		"org.opencontainers.image.revision":      "0123abc",
		"org.opencontainers.image.created":       fixedDate,
	}
	for plat, img := range imgs {
		cf, err := img.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		if cf.OS+"/"+cf.Architecture != plat || cf.Created.Format(time.RFC3339) != fixedDate {
			t.Errorf("%s: config says %s/%s created %s", plat, cf.OS, cf.Architecture, cf.Created)
		}
		c := cf.Config
		if diff := cmp.Diff([]string{"/registry-mcp"}, c.Entrypoint); diff != "" {
			t.Errorf("%s entrypoint (-want +got):\n%s", plat, diff)
		}
		if diff := cmp.Diff([]string{"-transport", "stdio"}, c.Cmd); diff != "" {
			t.Errorf("%s cmd (-want +got):\n%s", plat, diff)
		}
		if c.User != "65532:65532" {
			t.Errorf("%s user = %q, want 65532:65532 (non-root)", plat, c.User)
		}
		if diff := cmp.Diff(wantLabels, c.Labels); diff != "" {
			t.Errorf("%s labels (-want +got):\n%s", plat, diff)
		}
		if len(cf.History) < 2 || !strings.HasPrefix(cf.History[1].CreatedBy, "COPY registry-mcp") {
			t.Errorf("%s history = %+v, want the COPY of the binary", plat, cf.History)
		}
		mt, err := img.MediaType()
		if err != nil || mt != types.OCIManifestSchema1 {
			t.Errorf("%s media type %q (%v), want an OCI manifest", plat, mt, err)
		}

		fs := filesystem(t, img)
		arch := strings.TrimPrefix(plat, "linux/")
		want, err := os.ReadFile(bins[arch])
		if err != nil {
			t.Fatal(err)
		}
		if f, ok := fs["registry-mcp"]; !ok || f.mode != 0o755 || f.body != string(want) {
			t.Errorf("%s: /registry-mcp present %v, mode %o; want the %s binary, mode 755", plat, ok, f.mode, arch)
		}
		if !strings.Contains(fs["etc/passwd"].body, "nonroot:x:65532:65532:") {
			t.Errorf("%s: /etc/passwd = %q, want the nonroot user", plat, fs["etc/passwd"].body)
		}
		if h := fs["home/nonroot"]; h.uid != 65532 || h.gid != 65532 {
			t.Errorf("%s: /home/nonroot owned by %d:%d, want 65532:65532", plat, h.uid, h.gid)
		}
		if fs["tmp"].mode != 0o1777 || !strings.Contains(fs["etc/ssl/certs/ca-certificates.crt"].body, "fake") {
			t.Errorf("%s: /tmp mode %o, CA bundle %q; want 1777 and the given bundle", plat, fs["tmp"].mode, fs["etc/ssl/certs/ca-certificates.crt"].body)
		}
	}

	a, _ := imgs["linux/amd64"].Layers()
	b, _ := imgs["linux/arm64"].Layers()
	da, _ := a[0].Digest()
	db, _ := b[0].Digest()
	if len(a) != 2 || len(b) != 2 || da != db {
		t.Errorf("want two layers per image, the first shared by both platforms: %s vs %s", da, db)
	}
}

func TestLayoutIsReproducible(t *testing.T) {
	t.Parallel()
	bins := prebuilt(t)
	ca := fakeCA(t)
	var digests []string
	for range 2 {
		out := filepath.Join(t.TempDir(), "layout")
		log := runTool(t, "-out", out, "-date", fixedDate, "-ca-certs", ca,
			"-binary", "linux/amd64="+bins["amd64"], "-binary", "linux/arm64="+bins["arm64"])
		digests = append(digests, regexp.MustCompile(`sha256:[0-9a-f]{64}`).FindString(log))
	}
	if digests[0] == "" || digests[0] != digests[1] {
		t.Errorf("two builds with the same -date and inputs gave index digests %q; want one", digests)
	}
}

// TestBuildsWithLdflags covers the path without -binary: the command runs
// go build itself, and stamps the version, commit and date in.
func TestBuildsWithLdflags(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-compiles twice")
	}
	t.Parallel()
	out := filepath.Join(t.TempDir(), "layout")
	runTool(t, "-out", out, "-pkg", hello, "-version", "v9.8.7", "-commit", "feed", "-date", fixedDate, "-ca-certs", "")
	imgs, _ := platformImages(t, out)
	if len(imgs) != 2 {
		t.Fatalf("platforms = %v", keys(imgs))
	}
	for plat, img := range imgs {
		if _, ok := filesystem(t, img)["etc/ssl/certs/ca-certificates.crt"]; ok {
			t.Errorf("%s: CA bundle present with -ca-certs \"\"", plat)
		}
	}
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		return
	}
	bin := filepath.Join(t.TempDir(), "hello")
	if err := os.WriteFile(bin, []byte(filesystem(t, imgs["linux/amd64"])["registry-mcp"].body), 0o755); err != nil {
		t.Fatal(err)
	}
	got, err := exec.Command(bin).Output()
	if err != nil {
		t.Fatal(err)
	}
	if want := "v9.8.7 feed " + fixedDate + "\n"; string(got) != want {
		t.Errorf("the image's binary printed %q, want %q: -ldflags -X main.version/commit/date", got, want)
	}
}

func TestRefusesBinariesThatCannotRun(t *testing.T) {
	t.Parallel()
	bins := prebuilt(t)
	text := filepath.Join(t.TempDir(), "script")
	if err := os.WriteFile(text, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, binary, want string
	}{
		{"other architecture", "linux/arm64=" + bins["amd64"], "not arm64"},
		{"not ELF", "linux/arm64=" + text, "not a Linux (ELF) executable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out := filepath.Join(t.TempDir(), "layout")
			err := run(t.Context(), []string{"-out", out, "-platforms", "linux/arm64", "-ca-certs", "", "-binary", tc.binary}, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want one saying %q", err, tc.want)
			}
			if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("%s was written despite the error", out)
			}
		})
	}
}

func TestOutputDirectory(t *testing.T) {
	t.Parallel()
	bins := prebuilt(t)
	args := func(out string) []string {
		return []string{"-out", out, "-platforms", "linux/amd64", "-ca-certs", "", "-binary", "linux/amd64=" + bins["amd64"]}
	}

	t.Run("replaces a layout", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "layout")
		runTool(t, args(out)...)
		stale := filepath.Join(out, "blobs", "sha256", "stale")
		if err := os.WriteFile(stale, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		runTool(t, args(out)...)
		if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("a blob of the previous layout survived: %v", err)
		}
		if imgs, _ := platformImages(t, out); len(imgs) != 1 {
			t.Errorf("platforms = %v, want linux/amd64", keys(imgs))
		}
	})
	t.Run("leaves other files alone", func(t *testing.T) {
		out := t.TempDir()
		keep := filepath.Join(out, "notes.txt")
		if err := os.WriteFile(keep, []byte("mine"), 0o644); err != nil {
			t.Fatal(err)
		}
		err := run(t.Context(), args(out), io.Discard)
		if err == nil || !strings.Contains(err.Error(), "not an OCI layout") {
			t.Errorf("error = %v, want a refusal to replace a directory that is not a layout", err)
		}
		if b, _ := os.ReadFile(keep); string(b) != "mine" {
			t.Errorf("notes.txt = %q after the refusal", b)
		}
	})
}

func TestFlags(t *testing.T) {
	t.Parallel()
	now := func() time.Time { return time.Date(2026, 3, 4, 5, 6, 7, 890, time.UTC) }
	for _, tc := range []struct {
		name    string
		args    []string
		epoch   string
		wantErr string
		check   func(t *testing.T, o options)
	}{
		{name: "defaults", check: func(t *testing.T, o options) {
			if o.out != "dist/image-layout" || o.version != "dev" || platformList(o.platforms) != "linux/amd64, linux/arm64" ||
				!o.created.Equal(now().Truncate(time.Second)) || o.caCerts != defaultCACerts {
				t.Errorf("options = %+v", o)
			}
		}},
		{name: "SOURCE_DATE_EPOCH", epoch: "1767323045", check: func(t *testing.T, o options) {
			if got := o.created.Format(time.RFC3339); got != fixedDate {
				t.Errorf("created = %s, want %s", got, fixedDate)
			}
		}},
		{name: "-date wins over SOURCE_DATE_EPOCH", args: []string{"-date", "2027-01-01T00:00:00+02:00"}, epoch: "1", check: func(t *testing.T, o options) {
			if got := o.created.Format(time.RFC3339); got != "2026-12-31T22:00:00Z" {
				t.Errorf("created = %s", got)
			}
		}},
		{name: "variant", args: []string{"-platforms", "linux/arm/v7"}, check: func(t *testing.T, o options) {
			if len(o.platforms) != 1 || o.platforms[0] != (platform{"linux", "arm", "v7"}) {
				t.Errorf("platforms = %v", o.platforms)
			}
		}},
		{name: "bad date", args: []string{"-date", "yesterday"}, wantErr: "RFC 3339"},
		{name: "bad epoch", epoch: "soon", wantErr: "SOURCE_DATE_EPOCH"},
		{name: "bad platform", args: []string{"-platforms", "arm64"}, wantErr: "os/arch"},
		{name: "duplicate platform", args: []string{"-platforms", "linux/amd64,linux/amd64"}, wantErr: "twice"},
		{name: "binary without path", args: []string{"-binary", "linux/amd64"}, wantErr: "os/arch=path"},
		{name: "binary for an unlisted platform", args: []string{"-binary", "linux/s390x=/x"}, wantErr: "not in -platforms"},
		{name: "empty version", args: []string{"-version", ""}, wantErr: "-version"},
		{name: "stray argument", args: []string{"build"}, wantErr: "unexpected argument"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			getenv := func(k string) string {
				if k == "SOURCE_DATE_EPOCH" {
					return tc.epoch
				}
				return ""
			}
			o, err := parseFlags(tc.args, getenv, now, io.Discard)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("error = %v, want one mentioning %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, o)
		})
	}
	if _, err := parseFlags([]string{"-h"}, os.Getenv, now, io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v, want flag.ErrHelp", err)
	}
}

func TestUnsafeVersionIsRefused(t *testing.T) {
	t.Parallel()
	err := run(t.Context(), []string{"-out", filepath.Join(t.TempDir(), "l"), "-version", "1.0 -X main.commit=evil", "-ca-certs", ""}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "may hold only") {
		t.Errorf("error = %v, want the version refused before it reaches -ldflags", err)
	}
}

// TestLabelsMatchDockerfile keeps the two ways of building the image in
// step: every label the Dockerfile sets to a fixed value is set here too.
func TestLabelsMatchDockerfile(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	got := labels("v", "c", time.Unix(0, 0))
	re := regexp.MustCompile(`(?m)^\s*(?:LABEL\s+)?([a-z][a-z0-9.-]+)="([^"$]*)"`)
	found := 0
	for _, m := range re.FindAllStringSubmatch(string(b), -1) {
		found++
		if got[m[1]] != m[2] {
			t.Errorf("Dockerfile sets %s=%q, registry-mcp-image sets %q", m[1], m[2], got[m[1]])
		}
	}
	if found < 5 {
		t.Errorf("found %d fixed labels in the Dockerfile; the pattern no longer matches its LABEL lines", found)
	}
	for _, want := range []string{`ENTRYPOINT ["/registry-mcp"]`, `CMD ["-transport", "stdio"]`, "USER 65532:65532"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("Dockerfile lacks %s, which the image built here has", want)
		}
	}
}

func keys[V any](m map[string]V) []string {
	var s []string
	for k := range m {
		s = append(s, k)
	}
	return s
}
