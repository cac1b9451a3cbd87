package demo

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"strings"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/klauspost/compress/zstd"
)

// BigFileSize is the size of the zero-filled file in the Big image: just over
// oci.MaxLayerScanBytes (512 MiB), so reading past it spends the read cap.
// It compresses (zstd) to a few kilobytes.
const BigFileSize = 513 << 20

// SupplyFixtures are the supply-chain and filesystem sample images.
type SupplyFixtures struct {
	// Signed has referrers: an SPDX SBOM, a SLSA provenance in a DSSE
	// envelope, an OpenVEX document and a sigstore bundle signature (through
	// the referrers API, or its tag schema when the registry lacks it), and
	// cosign's legacy .sig and .att tags. Referrers maps a name (sbom,
	// provenance, vex, bundle, sig, att) to the referrer's manifest digest.
	Signed       string
	SignedDigest string
	Referrers    map[string]string
	// Layered has a gzip, a zstd and a plain tar layer with whiteouts, an
	// opaque directory, a symlinked /etc/os-release, a merged-usr /lib link,
	// binary files and a text file bigger than the default read size.
	Layered       string
	LayeredLayers []string // layer digests, bottom up
	// AppNext is demo/app:1.1: App's two lower layers, a new top layer, and
	// changed env, labels, cmd, user and ports.
	AppNext string
	// Big's bottom layer holds a BigFileSize file of zeros, then big/after.txt;
	// its top layer holds etc/hello.txt. Only SeedBig pushes it.
	Big       string
	BigLayers []string
	// RateLimit is ratelimitpreview/test:latest, the repository get_rate_limit reads.
	RateLimit string
}

// entry is a tar entry of a sample layer: a File, or a hard link,
// or a file of zeros streamed rather than held in memory.
type entry struct {
	File
	Hardlink string // this path is a hard link to Hardlink
	Zeros    int64
}

// tarLayer builds a layer compressed with "gzip", "zstd" or "none".
func tarLayer(compression string, entries ...entry) (v1.Layer, error) {
	var buf bytes.Buffer
	var w interface {
		Write([]byte) (int, error)
		Close() error
	}
	mt := types.OCILayer
	switch compression {
	case "gzip":
		w = gzip.NewWriter(&buf)
	case "zstd":
		zw, err := zstd.NewWriter(&buf, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1))
		if err != nil {
			return nil, err
		}
		w, mt = zw, types.OCILayerZStd
	default:
		w, mt = nopCloser{&buf}, types.OCIUncompressedLayer
	}
	tw := tar.NewWriter(w)
	zeros := make([]byte, 1<<20)
	for _, e := range entries {
		hdr := &tar.Header{Name: e.Path, Mode: e.Mode, ModTime: Created, Size: int64(len(e.Content)), Typeflag: tar.TypeReg}
		switch {
		case e.Dir:
			hdr.Typeflag, hdr.Size = tar.TypeDir, 0
		case e.Linkname != "":
			hdr.Typeflag, hdr.Size, hdr.Linkname = tar.TypeSymlink, 0, e.Linkname
		case e.Hardlink != "":
			hdr.Typeflag, hdr.Size, hdr.Linkname = tar.TypeLink, 0, e.Hardlink
		case e.Zeros > 0:
			hdr.Size = e.Zeros
		}
		if hdr.Mode == 0 {
			hdr.Mode = map[bool]int64{true: 0o755, false: 0o644}[e.Dir]
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, err
		}
		for left := e.Zeros; left > 0; left -= int64(len(zeros)) {
			if _, err := tw.Write(zeros[:min(left, int64(len(zeros)))]); err != nil {
				return nil, err
			}
		}
		if e.Zeros == 0 && hdr.Typeflag == tar.TypeReg {
			if _, err := tw.Write([]byte(e.Content)); err != nil {
				return nil, err
			}
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return static.NewLayer(buf.Bytes(), mt), nil
}

type nopCloser struct{ *bytes.Buffer }

func (nopCloser) Close() error { return nil }

func files(fs ...File) []entry {
	out := make([]entry, len(fs))
	for i, f := range fs {
		out[i] = entry{File: f}
	}
	return out
}

// seedRateLimit pushes the repository get_rate_limit reads on Docker Hub,
// so that the tool can be tried against the demo registry too.
func seedRateLimit(r Target, f *Fixtures) error {
	img, err := PlatformImage("linux", "amd64", "")
	if err != nil {
		return err
	}
	f.Supply.RateLimit = "ratelimitpreview/test:latest"
	return r.PushImage("ratelimitpreview/test", "latest", img)
}

// BigText is the content of /app/big.txt in the Layered image: 65535 bytes
// of text, then a two-byte character straddling the 64 KiB mark. It is
// built when asked, not at package init: every start of the binary would
// otherwise pay for 200 KB that only -demo uses.
func BigText() string {
	return strings.Repeat("a", 65535) + "é" + strings.Repeat("line of text\n", 10000)
}

func seedLayered(r Target, f *Fixtures) error {
	s := &f.Supply
	dir := func(p string) File { return File{Path: p, Dir: true} }
	bottom, err := tarLayer("gzip", append(files(
		dir("etc/"), File{Path: "etc/os-release", Linkname: "../usr/lib/os-release"},
		dir("usr/"), dir("usr/lib/"), File{Path: "usr/lib/os-release", Content: "NAME=\"Layered Linux\"\nID=layered\nVERSION_ID=2.0\nPRETTY_NAME=\"Layered Linux 2.0\"\n"},
		File{Path: "lib", Linkname: "usr/lib"},
		dir("opt/"), dir("opt/old/"), File{Path: "opt/old/a.txt", Content: "a\n"}, File{Path: "opt/old/b.txt", Content: "b\n"},
		dir("var/"), dir("var/cache/"), File{Path: "var/cache/x.bin", Content: "cache"},
		dir("tmp/"), File{Path: "tmp/gone.txt", Content: "soon deleted\n"},
		dir("data/"), File{Path: "data/keep.txt", Content: "v1\n"},
		dir("bin/"), File{Path: "bin/tool", Content: "\x7fELF\x02\x01\x01\x00\x00\x00binary", Mode: 0o755},
	), entry{File: File{Path: "bin/tool-link"}, Hardlink: "bin/tool"})...)
	if err != nil {
		return err
	}
	middle, err := tarLayer("zstd", files(
		File{Path: "tmp/.wh.gone.txt"},
		File{Path: "opt/old/.wh..wh..opq"}, File{Path: "opt/old/c.txt", Content: "c\n"},
		File{Path: "data/keep.txt", Content: "v2\n"},
		File{Path: "var/.wh.cache"},
		File{Path: "etc/motd", Content: "hello from the zstd layer\n"},
		dir("text/"), File{Path: "text/utf8.txt", Content: "héllo wörld ✓\n"}, File{Path: "text/latin1.txt", Content: "caf\xe9\n"},
	)...)
	if err != nil {
		return err
	}
	top, err := tarLayer("none", files(dir("app/"), File{Path: "app/big.txt", Content: BigText()}, File{Path: "app/config.yaml", Content: "port: 8080\n"})...)
	if err != nil {
		return err
	}
	img, err := Image(ImageSpec{
		OS: "linux", Architecture: "amd64", Layers: []v1.Layer{bottom, middle, top},
		CreatedBy: []string{"ADD rootfs.tar.gz / # buildkit", "RUN cleanup # buildkit", "COPY app /app # buildkit"},
		Config:    v1.Config{Cmd: []string{"/bin/tool"}},
	})
	if err != nil {
		return err
	}
	if s.LayeredLayers, err = layerDigests(img); err != nil {
		return err
	}
	s.Layered = "demo/layered:1.0"
	return r.PushImage("demo/layered", "1.0", img)
}

func layerDigests(img v1.Image) ([]string, error) {
	m, err := img.Manifest()
	if err != nil {
		return nil, err
	}
	out := make([]string, len(m.Layers))
	for i, l := range m.Layers {
		out[i] = l.Digest.String()
	}
	return out, nil
}

// bigLayer is built once per process: streaming 513 MiB of zeros through
// zstd takes a moment, and the result is only a few kilobytes.
var bigLayer = sync.OnceValues(func() (v1.Layer, error) {
	return tarLayer("zstd",
		entry{File: File{Path: "big/", Dir: true}},
		entry{File: File{Path: "big/zeros"}, Zeros: BigFileSize},
		entry{File: File{Path: "big/after.txt", Content: "after\n"}})
})

// SeedBig pushes demo/big:1.0 (Supply.Big), whose bottom layer holds a
// BigFileSize file of zeros. It is not one of DefaultSteps: streaming 513 MiB
// through zstd costs about a second of CPU, worth it only to tests of the
// read caps.
func SeedBig(r Target, f *Fixtures) error {
	s := &f.Supply
	bottom, err := bigLayer()
	if err != nil {
		return err
	}
	top, err := tarLayer("gzip", files(File{Path: "etc/", Dir: true}, File{Path: "etc/hello.txt", Content: "hello\n"})...)
	if err != nil {
		return err
	}
	img, err := Image(ImageSpec{OS: "linux", Architecture: "amd64", Layers: []v1.Layer{bottom, top}, CreatedBy: []string{"ADD big /big", "ADD hello /etc"}})
	if err != nil {
		return err
	}
	if s.BigLayers, err = layerDigests(img); err != nil {
		return err
	}
	s.Big = "demo/big:1.0"
	return r.PushImage("demo/big", "1.0", img)
}

func seedAppNext(r Target, f *Fixtures) error {
	s := &f.Supply
	layers, err := f.AppImage.Layers()
	if err != nil {
		return err
	}
	top := Layer(File{Path: "app/static/", Dir: true}, File{Path: "app/static/index.html", Content: "<h1>hello v1.1</h1>\n"})
	img, err := Image(ImageSpec{
		OS: "linux", Architecture: "amd64", Layers: []v1.Layer{layers[0], layers[1], top},
		CreatedBy: []string{"/bin/sh -c #(nop) ADD file:4b1e0a9d in / ", "|1 VERSION=1.1 /bin/sh -c mkdir /app && cp server /app/server", "COPY static /app/static # buildkit"},
		Config: v1.Config{
			Env:          []string{"PATH=/usr/local/bin:/usr/bin:/bin", "APP_ENV=staging", "FEATURE_X=1"},
			Entrypoint:   []string{"/app/server"},
			Cmd:          []string{"--port", "9090"},
			WorkingDir:   "/app",
			User:         "app",
			ExposedPorts: map[string]struct{}{"9090/tcp": {}},
			Labels: map[string]string{
				"org.opencontainers.image.source":   "https://github.com/example/demo",
				"org.opencontainers.image.version":  "1.1",
				"org.opencontainers.image.revision": "abc123",
			},
		},
	})
	if err != nil {
		return err
	}
	s.AppNext = "demo/app:1.1"
	return r.PushImage("demo/app", "1.1", img)
}
