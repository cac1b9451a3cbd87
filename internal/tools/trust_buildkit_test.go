package tools_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/registry-mcp/registry-mcp/internal/inventory"
	"github.com/registry-mcp/registry-mcp/internal/registrytest"
	"github.com/registry-mcp/registry-mcp/internal/tools"
)

// BuildKit keeps an image's SBOM in the index: an attestation manifest
// (platform unknown/unknown, vnd.docker.reference.type
// attestation-manifest) whose in-toto layer has predicate type
// https://spdx.dev/Document. The demo's multi-platform index has one for
// its linux/amd64 image only.
func TestListImagePackagesReadsBuildKitAttestations(t *testing.T) {
	t.Parallel()
	e := newTrustEnv(t, registrytest.Options{}, withTTL)
	ref := e.fx.Ref(e.fx.Multi)
	idx, err := e.fx.MultiIndex.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	var attestation string
	for _, m := range idx.Manifests {
		if m.Annotations["vnd.docker.reference.type"] == "attestation-manifest" {
			attestation = m.Digest.String()
		}
	}

	out := registrytest.Decode[tools.PackagesOutput](t, e.call(t, "list_image_packages", map[string]any{"image_ref": ref, "platform": "linux/amd64"}))
	loc := "sbom " + attestation
	want := []inventory.Package{{Name: "busybox", Version: "1.36.1", Location: loc}, {Name: "musl", Version: "1.2.5", Location: loc}}
	if diff := cmp.Diff(want, out.Packages); diff != "" || !cmp.Equal(out.Sources, []string{"sbom"}) {
		t.Errorf("packages (-want +got):\n%s\nsources %v", diff, out.Sources)
	}

	// The attestation describes the amd64 image: arm64's layers are read.
	arm := registrytest.Decode[tools.PackagesOutput](t, e.call(t, "list_image_packages", map[string]any{"image_ref": ref, "platform": "linux/arm64"}))
	if arm.Total != 0 || cmp.Equal(arm.Sources, []string{"sbom"}) {
		t.Errorf("linux/arm64: total %d, sources %v; another platform's attestation was used", arm.Total, arm.Sources)
	}
}
