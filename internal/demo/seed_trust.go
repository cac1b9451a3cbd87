package demo

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// TrustImages are the sample images with package databases.
type TrustImages struct {
	// Debian is a Debian 12 image: dpkg status with openssl 3.0.11 and an
	// old zlib, a Go program built with go1.21.0 and golang.org/x/net
	// v0.17.0, Python requests 2.31.0 and npm lodash 4.17.20. Its lower
	// layer holds an older dpkg status and a node_modules directory that the
	// upper layer replaces and deletes (whiteouts), which must not count.
	Debian string
	// Alpine is an Alpine 3.20 image with busybox 1.36.1-r28.
	Alpine string
}

// trustCreated is the sample images' creation time, fixed so their digests are.
var trustCreated = time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)

// tarEntry is one entry of a sample layer: a file, a directory (Dir) or a
// symbolic link (Link).
type tarEntry struct {
	Path    string
	Content []byte
	Mode    int64
	Dir     bool
	Link    string
}

// SeedTrust pushes the sample trust images to the registry at host (plain
// HTTP; loopback registries are meant) and returns their references.
func SeedTrust(host string, opts ...remote.Option) (TrustImages, error) {
	debian, err := pushImage(host+"/demo/trust-debian:12", opts,
		[]tarEntry{
			{Path: "etc/", Dir: true},
			{Path: "usr/lib/os-release", Content: []byte(DebianOSRelease)},
			{Path: "etc/os-release", Link: "../usr/lib/os-release"},
			{Path: "var/lib/dpkg/status", Content: []byte("Package: ghost\nStatus: install ok installed\nVersion: 0.1-1\n\n")},
			{Path: "opt/old/node_modules/left-pad/package.json", Content: []byte(`{"name":"left-pad","version":"1.1.0"}`)},
		},
		[]tarEntry{
			{Path: "var/lib/dpkg/status", Content: []byte(DebianStatus)},
			{Path: "opt/.wh.old"},
			{Path: "usr/local/bin/server", Content: SampleGoBinary(), Mode: 0o755},
			{Path: "usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA", Content: []byte(PythonMetadata)},
			{Path: "srv/app/node_modules/lodash/package.json", Content: []byte(NPMPackageJSON)},
			{Path: "srv/app/package.json", Content: []byte(`{"name":"demo-app","version":"1.0.0","dependencies":{"lodash":"4.17.20"}}`)},
		})
	if err != nil {
		return TrustImages{}, err
	}
	alpine, err := pushImage(host+"/demo/trust-alpine:3.20", opts,
		[]tarEntry{
			{Path: "etc/os-release", Content: []byte(AlpineOSRelease)},
			{Path: "lib/apk/db/installed", Content: []byte(AlpineInstalled)},
			{Path: "bin/busybox", Content: []byte("\x7fELF not really busybox"), Mode: 0o755},
		})
	if err != nil {
		return TrustImages{}, err
	}
	return TrustImages{Debian: debian, Alpine: alpine}, nil
}

// pushImage builds a linux/amd64 image from layers (bottom first) and pushes it.
func pushImage(ref string, opts []remote.Option, layers ...[]tarEntry) (string, error) {
	r, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		return "", err
	}
	img := empty.Image
	for _, entries := range layers {
		l, err := trustLayer(entries)
		if err != nil {
			return "", err
		}
		if img, err = mutate.Append(img, mutate.Addendum{Layer: l, History: v1.History{Created: v1.Time{Time: trustCreated}, CreatedBy: "COPY rootfs / # demo"}}); err != nil {
			return "", err
		}
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return "", err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Created = "linux", "amd64", v1.Time{Time: trustCreated}
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		return "", err
	}
	if err := remote.Write(r, img, append([]remote.Option{remote.WithTransport(http.DefaultTransport)}, opts...)...); err != nil {
		return "", fmt.Errorf("pushing %s: %w", ref, err)
	}
	return ref, nil
}

// trustLayer builds a gzip-compressed layer.
func trustLayer(entries []tarEntry) (v1.Layer, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		hdr := &tar.Header{Name: e.Path, Mode: e.Mode, ModTime: trustCreated, Size: int64(len(e.Content)), Typeflag: tar.TypeReg}
		switch {
		case e.Dir:
			hdr.Typeflag, hdr.Mode = tar.TypeDir, 0o755
		case e.Link != "":
			hdr.Typeflag, hdr.Linkname, hdr.Mode = tar.TypeSymlink, e.Link, 0o777
		case hdr.Mode == 0:
			hdr.Mode = 0o644
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, err
		}
		if _, err := tw.Write(e.Content); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	b := buf.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil })
}
