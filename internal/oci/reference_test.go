package oci_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/registry-mcp/registry-mcp/internal/errdef"
	"github.com/registry-mcp/registry-mcp/internal/oci"
)

func TestParseReferenceDefaultsLikeDocker(t *testing.T) {
	t.Parallel()
	c := oci.New(oci.Options{})
	digest := "sha256:" + strings.Repeat("ab", 32)
	tests := map[string]string{
		"alpine":                           "docker.io/library/alpine:latest",
		"alpine:3.20":                      "docker.io/library/alpine:3.20",
		"library/alpine:3.20":              "docker.io/library/alpine:3.20",
		"bitnami/redis":                    "docker.io/bitnami/redis:latest",
		"docker.io/library/alpine:latest":  "docker.io/library/alpine:latest",
		"index.docker.io/library/alpine":   "docker.io/library/alpine:latest",
		"registry-1.docker.io/nginx:1.27":  "docker.io/library/nginx:1.27",
		"ghcr.io/o/a@" + digest:            "ghcr.io/o/a@" + digest,
		"localhost:5000/x/y:z":             "localhost:5000/x/y:z",
		"quay.io/prometheus/node-exporter": "quay.io/prometheus/node-exporter:latest",
	}
	for in, want := range tests {
		ref, err := c.ParseReference(in)
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if got := oci.DisplayRef(ref); got != want {
			t.Errorf("%s: got %s, want %s", in, got, want)
		}
	}
	for in, hint := range map[string]string{
		"INVALID::ref":        "references look like",
		"Library/Alpine:3.20": `try "library/alpine:3.20"`,
		"ghcr.io/Org/App:1":   `try "ghcr.io/org/app:1"`,
		"":                    "image_ref is empty",
		"alpine@sha256:12":    "digest",
	} {
		_, err := c.ParseReference(in)
		if !errors.Is(err, errdef.ErrInvalidReference) || !strings.Contains(err.Error(), hint) {
			t.Errorf("%q: got %v, want an invalid-reference error containing %q", in, err, hint)
		}
	}
	for in, want := range map[string]string{"alpine": "docker.io/library/alpine", "ghcr.io/o/a": "ghcr.io/o/a"} {
		repo, err := c.ParseRepository(in)
		if err != nil || oci.DisplayName(repo) != want {
			t.Errorf("repository %s: got %v %v, want %s", in, oci.DisplayName(repo), err, want)
		}
	}
}
