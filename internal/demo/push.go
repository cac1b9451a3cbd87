package demo

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Target is a registry the sample images are pushed to: the demo's own, or
// the test kit's. Loopback hosts are spoken to over plain HTTP.
type Target struct {
	Host string // host:port, as in image references
}

// PushImage writes an image under repo:tag.
func (t Target) PushImage(repo, tag string, img v1.Image) error {
	ref, err := name.NewTag(fmt.Sprintf("%s/%s:%s", t.Host, repo, tag))
	if err != nil {
		return err
	}
	return remote.Write(ref, img)
}

// PushIndex writes an index, and the images it lists, under repo:tag.
func (t Target) PushIndex(repo, tag string, idx v1.ImageIndex) error {
	ref, err := name.NewTag(fmt.Sprintf("%s/%s:%s", t.Host, repo, tag))
	if err != nil {
		return err
	}
	return remote.WriteIndex(ref, idx)
}

// blob is one layer of an artifact.
type blob struct {
	MediaType   string
	Data        []byte
	Annotations map[string]string
}

// artifact is an OCI 1.1 artifact manifest: the empty config unless Config
// is set (cosign's legacy tags use an image config), and a subject.
type artifact struct {
	Subject      *v1.Descriptor
	ArtifactType string
	Config       []byte
	Layers       []blob
	Annotations  map[string]string
}

// pushArtifact uploads the blobs and the manifest, by tag or (without one)
// by digest, and returns the manifest's digest. go-containerregistry keeps
// the referrers tag schema itself when the registry has no referrers API.
// The manifest is written by hand because go-containerregistry's image
// types cannot express artifactType or a subject with an empty config.
func (t Target) pushArtifact(repoName, tag string, a artifact) (string, error) {
	repo, err := name.NewRepository(t.Host + "/" + repoName)
	if err != nil {
		return "", err
	}
	desc := func(mt string, data []byte, ann map[string]string) (map[string]any, error) {
		l := static.NewLayer(data, types.MediaType(mt))
		if err := remote.WriteLayer(repo, l); err != nil {
			return nil, err
		}
		d, _ := l.Digest()
		out := map[string]any{"mediaType": mt, "digest": d.String(), "size": len(data)}
		if len(ann) > 0 {
			out["annotations"] = ann
		}
		return out, nil
	}
	cfgType, cfgData := "application/vnd.oci.empty.v1+json", []byte("{}")
	if a.Config != nil {
		cfgType, cfgData = string(types.OCIConfigJSON), a.Config
	}
	cfg, err := desc(cfgType, cfgData, nil)
	if err != nil {
		return "", err
	}
	m := map[string]any{"schemaVersion": 2, "mediaType": types.OCIManifestSchema1, "config": cfg}
	var layers []any
	for _, b := range a.Layers {
		d, err := desc(b.MediaType, b.Data, b.Annotations)
		if err != nil {
			return "", err
		}
		layers = append(layers, d)
	}
	m["layers"] = layers
	if a.ArtifactType != "" {
		m["artifactType"] = a.ArtifactType
	}
	if a.Subject != nil {
		m["subject"] = a.Subject
	}
	if len(a.Annotations) > 0 {
		m["annotations"] = a.Annotations
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return "", err
	}
	d, _, err := v1.SHA256(bytes.NewReader(raw))
	if err != nil {
		return "", err
	}
	var ref name.Reference = repo.Digest(d.String())
	if tag != "" {
		ref = repo.Tag(tag)
	}
	return d.String(), remote.Put(ref, rawManifest{raw: raw, mt: types.OCIManifestSchema1})
}

type rawManifest struct {
	raw []byte
	mt  types.MediaType
}

func (m rawManifest) RawManifest() ([]byte, error)        { return m.raw, nil }
func (m rawManifest) MediaType() (types.MediaType, error) { return m.mt, nil }
