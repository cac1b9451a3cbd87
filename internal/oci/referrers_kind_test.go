package oci_test

import (
	"bytes"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/registry-mcp/registry-mcp/internal/attest"
	"github.com/registry-mcp/registry-mcp/internal/oci"
	"github.com/registry-mcp/registry-mcp/internal/registrytest"
)

// TestCosignOCI11SignatureIsASignature: cosign attaching a signature as an
// OCI 1.1 referrer (artifact type application/vnd.dev.cosign.artifact.sig.v1+json)
// is kind signature in the list, found by the signature filter, and its
// content decodes as a signature too.
func TestCosignOCI11SignatureIsASignature(t *testing.T) {
	t.Parallel()
	_, fx := registrytest.StartSeeded(t, registrytest.Options{})
	c := oci.New(oci.Options{})
	ref, err := c.ParseReference(fx.Ref(fx.App))
	if err != nil {
		t.Fatal(err)
	}
	subject, err := c.Manifest(t.Context(), ref)
	if err != nil {
		t.Fatal(err)
	}
	payload := []byte(`{"critical":{"identity":{"docker-reference":"x"},"image":{"docker-manifest-digest":"` + subject.Digest +
		`"},"type":"cosign container image signature"},"optional":null}`)
	const sigType = "application/vnd.dev.cosign.artifact.sig.v1+json"
	sig := pushCosignSignature(t, ref.Context(), subject, sigType, payload)

	for _, filter := range []string{"", attest.KindSignature} {
		list, err := c.Referrers(t.Context(), ref, filter)
		if err != nil {
			t.Fatal(err)
		}
		var got *oci.Referrer
		for i := range list.Referrers {
			if list.Referrers[i].Digest == sig {
				got = &list.Referrers[i]
			}
		}
		if got == nil || got.Kind != attest.KindSignature || got.ArtifactType != sigType {
			t.Errorf("filter %q: the cosign signature is %+v; want it listed, kind signature", filter, got)
		}
	}
	p, err := attest.DecodePayload(bytes.NewReader(payload), attest.PayloadOptions{MediaType: "application/vnd.dev.cosign.simplesigning.v1+json", MaxContent: 1 << 10, Subject: subject.Digest})
	if err != nil || p.Kind != attest.KindSignature {
		t.Errorf("its content decodes as kind %q (%v); want signature, as in the list", p.Kind, err)
	}
}

// pushCosignSignature writes what cosign writes in OCI 1.1 mode: a manifest
// with the cosign config media type, one simple-signing layer and a subject.
func pushCosignSignature(t *testing.T, repo name.Repository, subject *oci.Manifest, configType string, payload []byte) string {
	t.Helper()
	h, err := v1.NewHash(subject.Digest)
	if err != nil {
		t.Fatal(err)
	}
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.MediaType(configType))
	img, err = mutate.Append(img, mutate.Addendum{
		Layer:       static.NewLayer(payload, "application/vnd.dev.cosign.simplesigning.v1+json"),
		Annotations: map[string]string{"dev.cosignproject.cosign/signature": "MEUCIQ=="},
	})
	if err != nil {
		t.Fatal(err)
	}
	img = mutate.Subject(img, v1.Descriptor{MediaType: types.MediaType(subject.MediaType), Digest: h, Size: subject.Size}).(v1.Image)
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(repo.Digest(d.String()), img); err != nil {
		t.Fatal(err)
	}
	return d.String()
}
