package demo

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Created is the build time every sample image records, so digests and
// outputs are the same on every start.
var Created = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// File is one entry of a sample layer.
type File struct {
	Path     string
	Content  string
	Mode     int64 // default 0644 (0755 for directories)
	Dir      bool
	Linkname string // for a symlink
}

// Layer builds a gzip-compressed tar layer from files.
func Layer(files ...File) v1.Layer {
	var raw bytes.Buffer
	tw := tar.NewWriter(&raw)
	for _, f := range files {
		hdr := &tar.Header{Name: f.Path, Mode: f.Mode, ModTime: Created, Size: int64(len(f.Content)), Typeflag: tar.TypeReg}
		switch {
		case f.Dir:
			hdr.Typeflag, hdr.Size = tar.TypeDir, 0
			if hdr.Mode == 0 {
				hdr.Mode = 0o755
			}
		case f.Linkname != "":
			hdr.Typeflag, hdr.Size, hdr.Linkname = tar.TypeSymlink, 0, f.Linkname
		}
		if hdr.Mode == 0 {
			hdr.Mode = 0o644
		}
		_ = tw.WriteHeader(hdr)
		if hdr.Typeflag == tar.TypeReg {
			_, _ = tw.Write([]byte(f.Content))
		}
	}
	_ = tw.Close()
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write(raw.Bytes())
	_ = zw.Close()
	return static.NewLayer(gz.Bytes(), types.OCILayer)
}

// ImageSpec describes a sample image: its layers, each with the history
// command that made it, and its runtime config.
type ImageSpec struct {
	OS, Architecture, Variant string
	Layers                    []v1.Layer
	CreatedBy                 []string // one per layer
	EmptySteps                []string // history steps that made no layer, appended after the layers
	Config                    v1.Config
}

// Image builds an OCI image from a spec.
func Image(spec ImageSpec) (v1.Image, error) {
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	var adds []mutate.Addendum
	for i, l := range spec.Layers {
		h := v1.History{Created: v1.Time{Time: Created}}
		if i < len(spec.CreatedBy) {
			h.CreatedBy = spec.CreatedBy[i]
		}
		adds = append(adds, mutate.Addendum{Layer: l, History: h, MediaType: types.OCILayer})
	}
	img, err := mutate.Append(img, adds...)
	if err != nil {
		return nil, err
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cfg = cfg.DeepCopy()
	for _, step := range spec.EmptySteps {
		cfg.History = append(cfg.History, v1.History{Created: v1.Time{Time: Created}, CreatedBy: step, EmptyLayer: true})
	}
	cfg.OS, cfg.Architecture, cfg.Variant = spec.OS, spec.Architecture, spec.Variant
	cfg.Created = v1.Time{Time: Created}
	cfg.Config = spec.Config
	return mutate.ConfigFile(img, cfg)
}

// PlatformImage is a small image for one platform.
func PlatformImage(os, arch, variant string) (v1.Image, error) {
	return Image(ImageSpec{
		OS: os, Architecture: arch, Variant: variant,
		Layers:    []v1.Layer{Layer(File{Path: "etc/", Dir: true}, File{Path: "etc/platform", Content: os + "/" + arch + "/" + variant + "\n"})},
		CreatedBy: []string{"ADD rootfs.tar / # buildkit"},
		Config:    v1.Config{Cmd: []string{"/bin/sh"}, Env: []string{"PATH=/usr/bin:/bin"}},
	})
}

// IndexOf builds an index of platform images, with a BuildKit-style
// attestation manifest for the first one when attest is set.
func IndexOf(attest bool, images ...v1.Image) (v1.ImageIndex, error) {
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	var adds []mutate.IndexAddendum
	for _, img := range images {
		cfg, err := img.ConfigFile()
		if err != nil {
			return nil, err
		}
		adds = append(adds, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{
			Platform: &v1.Platform{OS: cfg.OS, Architecture: cfg.Architecture, Variant: cfg.Variant},
		}})
	}
	if attest && len(images) > 0 {
		att, err := attestationManifest()
		if err != nil {
			return nil, err
		}
		d, err := images[0].Digest()
		if err != nil {
			return nil, err
		}
		adds = append(adds, mutate.IndexAddendum{Add: att, Descriptor: v1.Descriptor{
			Platform: &v1.Platform{OS: "unknown", Architecture: "unknown"},
			Annotations: map[string]string{
				"vnd.docker.reference.type":   "attestation-manifest",
				"vnd.docker.reference.digest": d.String(),
			},
		}})
	}
	return mutate.AppendManifests(idx, adds...), nil
}

// attestationManifest is a BuildKit-style attestation: an image whose
// layers are in-toto statements (an SPDX SBOM and a SLSA provenance).
func attestationManifest() (v1.Image, error) {
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	sbom := static.NewLayer([]byte(`{"_type":"https://in-toto.io/Statement/v0.1","predicateType":"https://spdx.dev/Document","subject":[],"predicate":{"spdxVersion":"SPDX-2.3","name":"demo","packages":[{"name":"busybox","versionInfo":"1.36.1"},{"name":"musl","versionInfo":"1.2.5"}]}}`), "application/vnd.in-toto+json")
	prov := static.NewLayer([]byte(`{"_type":"https://in-toto.io/Statement/v0.1","predicateType":"https://slsa.dev/provenance/v0.2","subject":[],"predicate":{"builder":{"id":"https://github.com/docker/buildx"},"invocation":{"configSource":{"uri":"https://github.com/example/demo.git","digest":{"sha1":"0123456789abcdef0123456789abcdef01234567"}}}}}`), "application/vnd.in-toto+json")
	return mutate.Append(img,
		mutate.Addendum{Layer: sbom, MediaType: "application/vnd.in-toto+json", Annotations: map[string]string{"in-toto.io/predicate-type": "https://spdx.dev/Document"}},
		mutate.Addendum{Layer: prov, MediaType: "application/vnd.in-toto+json", Annotations: map[string]string{"in-toto.io/predicate-type": "https://slsa.dev/provenance/v0.2"}},
	)
}
