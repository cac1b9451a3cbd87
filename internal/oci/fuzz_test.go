package oci

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/registry-mcp/registry-mcp/internal/errdef"
)

// The fuzz targets below take untrusted input: what a model types and what a
// registry sends. Each must never panic and must keep its invariants.

func FuzzParseReference(f *testing.F) {
	for _, s := range []string{"alpine", "alpine:3.20", "docker.io/library/alpine:latest", "ghcr.io/o/a@sha256:" + strings.Repeat("a", 64),
		"localhost:5000/x/y:z", "INVALID::ref", "Library/Alpine", "", "a/b/c/d:e@sha256:00", "[::1]:5000/x"} {
		f.Add(s)
	}
	c := New(Options{})
	f.Fuzz(func(t *testing.T, s string) {
		ref, err := c.ParseReference(s)
		if err != nil {
			if !strings.HasPrefix(err.Error(), errdef.ErrInvalidReference.Error()) {
				t.Fatalf("%q: error %q is not an invalid-reference error", s, err)
			}
			return
		}
		if DisplayRef(ref) == "" || ref.Context().RepositoryStr() == "" {
			t.Fatalf("%q parsed to an empty reference", s)
		}
	})
}

func FuzzNextLast(f *testing.F) {
	for _, s := range []string{`</v2/x/tags/list?n=100&last=b>; rel="next"`, `</v2/x/tags/list?last=a%20b>; rel=next`, `<>; rel="next"`, `garbage`, `<%zz>; rel="next"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, link string) {
		last, ok := nextLast(link)
		if !ok && last != "" {
			t.Fatalf("%q: no next link but last %q", link, last)
		}
	})
}

func FuzzParseManifest(f *testing.F) {
	for _, s := range []string{
		`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"digest":"sha256:` + strings.Repeat("a", 64) + `","size":1,"platform":{"os":"linux","architecture":"amd64"}}]}`,
		`{"schemaVersion":2,"config":{"digest":"sha256:` + strings.Repeat("b", 64) + `","size":2},"layers":[]}`,
		`{"schemaVersion":1,"fsLayers":[]}`, `<html>`, `{}`, `[]`, `null`, `{"manifests":null}`,
	} {
		f.Add([]byte(s), "application/json")
	}
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		m, err := parseManifest(body, contentType, "reg", "x")
		if err != nil {
			return
		}
		if (m.Index == nil) == (m.Image == nil) {
			t.Fatalf("a parsed manifest must be exactly one of index or image: %s", body)
		}
		if m.Index != nil {
			for _, p := range IndexPlatforms(m.Index) {
				if p.OS == "" || p.OS == "unknown" {
					t.Fatalf("platform list kept %+v", p)
				}
			}
		}
	})
}

func FuzzDockerfileLine(f *testing.F) {
	for _, s := range []string{"/bin/sh -c #(nop)  CMD [\"sh\"]", "/bin/sh -c #(nop) ADD file:abc in / ", "|2 A=b C=d /bin/sh -c make", "RUN /bin/sh -c apk add x # buildkit", "COPY . . # buildkit", "weird", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, createdBy string) {
		line := DockerfileLine(createdBy)
		if strings.Contains(line, "\n") {
			t.Fatalf("%q rendered across lines: %q", createdBy, line)
		}
		if utf8.ValidString(createdBy) && !utf8.ValidString(line) {
			t.Fatalf("%q became invalid UTF-8", createdBy)
		}
		_ = ReconstructDockerfile([]v1.History{{CreatedBy: createdBy}, {CreatedBy: createdBy, EmptyLayer: true}})
	})
}

func FuzzParseVersion(f *testing.F) {
	for _, s := range []string{"1.2.3", "v1", "1.2.3-rc.1+b", "01.2", "1..2", "-", "1.2.3-"} {
		f.Add(s, "2.0")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		va, okA := ParseVersion(a)
		vb, okB := ParseVersion(b)
		if okA && okB && (va.Compare(vb) > 0) != (vb.Compare(va) < 0) {
			t.Fatalf("Compare is not antisymmetric for %q and %q", a, b)
		}
		tags := []string{a, b, "latest", "1.0"}
		if err := SortTags(tags, "semver-desc"); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzWWWAuthenticate serves a fuzzed challenge and checks the client turns
// whatever it says into an error of the vocabulary, never a panic or a hang.
func FuzzWWWAuthenticate(f *testing.F) {
	for _, s := range []string{`Bearer realm="http://127.0.0.1:1/token",service="x",scope="repository:a:pull"`, `Basic realm="x"`, `Bearer`, `Bearer realm=`, `Bearer realm="http://169.254.169.254/"`, `,,,`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, challenge string) {
		if strings.ContainsAny(challenge, "\r\n\x00") {
			return // not expressible as a header value
		}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("WWW-Authenticate", challenge)
			w.WriteHeader(http.StatusUnauthorized)
		}))
		defer srv.Close()
		c := New(Options{Timeout: 2e9})
		ref, err := c.ParseReference(strings.TrimPrefix(srv.URL, "http://") + "/team/app:1")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Manifest(t.Context(), ref); err == nil {
			t.Fatalf("challenge %q: a registry that only says 401 cannot yield a manifest", challenge)
		}
	})
}
