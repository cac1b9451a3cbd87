package attest_test

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/registry-mcp/registry-mcp/internal/attest"
	"github.com/registry-mcp/registry-mcp/internal/errdef"
)

func dsseOf(payload string) string {
	return `{"payloadType":"application/vnd.in-toto+json","payload":"` + base64.StdEncoding.EncodeToString([]byte(payload)) + `","signatures":[{"keyid":"","sig":"AA=="}]}`
}

func TestDecodePayload(t *testing.T) {
	t.Parallel()
	n := func(v int) *int { return &v }
	tests := []struct {
		name, doc, mediaType string
		ann                  map[string]string
		format, kind         string
		summary              attest.PayloadSummary
	}{
		{
			name:   "SLSA v0.2 from BuildKit, predicate before its type",
			doc:    `{"_type":"https://in-toto.io/Statement/v0.1","predicate":{"builder":{"id":"https://github.com/docker/buildx"},"buildType":"https://mobyproject.org/buildkit@v1","materials":[{"uri":"pkg:docker/alpine@3.20","digest":{"sha256":"ab"}},{"uri":"https://github.com/o/r.git#main","digest":{"sha1":"feed"}}]},"predicateType":"https://slsa.dev/provenance/v0.2"}`,
			format: attest.FormatSLSA, kind: attest.KindProvenance,
			summary: attest.PayloadSummary{Builder: "https://github.com/docker/buildx", BuildType: "https://mobyproject.org/buildkit@v1", SourceRepository: "https://github.com/o/r.git", Commit: "feed"},
		},
		{
			name: "SLSA v1 from BuildKit: configSource in externalParameters",
			doc: dsseOf(`{"predicateType":"https://slsa.dev/provenance/v1","predicate":{"buildDefinition":{"buildType":"https://github.com/moby/buildkit/blob/master/docs/attestations/slsa-definitions.md",` +
				`"externalParameters":{"configSource":{"uri":"https://github.com/o/r.git#refs/tags/v1","digest":{"sha1":"beef"},"path":"Dockerfile"}}},"runDetails":{"builder":{"id":"https://github.com/o/r/actions/runs/1"}}}}`),
			format: attest.FormatSLSA, kind: attest.KindProvenance,
			summary: attest.PayloadSummary{Builder: "https://github.com/o/r/actions/runs/1", BuildType: "https://github.com/moby/buildkit/blob/master/docs/attestations/slsa-definitions.md", SourceRepository: "https://github.com/o/r.git", Commit: "beef"},
		},
		{
			name:      "bare CycloneDX, media type says nothing",
			doc:       `{"bomFormat":"CycloneDX","specVersion":"1.6","metadata":{"component":{"name":"app"}},"components":[{"name":"a","version":"1"},{"name":"b"}]}`,
			mediaType: "application/octet-stream", format: attest.FormatCycloneDX, kind: attest.KindSBOM,
			summary: attest.PayloadSummary{PackageCount: n(2), TopPackages: []string{"a 1", "b"}},
		},
		{
			name:   "OpenVEX 0.0.x with plain-string vulnerabilities",
			doc:    `{"@context":"https://openvex.dev/ns","statements":[{"vulnerability":"CVE-1","status":"affected"},{"vulnerability":"CVE-2","status":"affected"}]}`,
			format: attest.FormatOpenVEX, kind: attest.KindVEX,
			summary: attest.PayloadSummary{Statements: n(2)},
		},
		{
			name:   "in-toto statement with an unknown predicate",
			doc:    dsseOf(`{"predicateType":"https://cosign.sigstore.dev/attestation/vuln/v1","predicate":{}}`),
			format: attest.FormatInToto, kind: attest.KindAttestation,
		},
		{
			name:   "key-signed cosign signature",
			doc:    `{"critical":{"identity":{"docker-reference":"r"},"image":{"docker-manifest-digest":"sha256:other"},"type":"cosign container image signature"}}`,
			ann:    map[string]string{"dev.cosignproject.cosign/signature": "AA=="},
			format: attest.FormatCosign, kind: attest.KindSignature,
			summary: attest.PayloadSummary{SignedDigest: "sha256:other", MatchesSubject: new(bool)},
		},
		{
			name:      "sigstore bundle signing a digest",
			doc:       `{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"publicKey":{"hint":"k"}},"messageSignature":{"messageDigest":{"algorithm":"SHA2_256","digest":"3q2+7w=="},"signature":"AA=="}}`,
			mediaType: "application/vnd.dev.sigstore.bundle.v0.3+json", format: attest.FormatCosign, kind: attest.KindSignature,
			summary: attest.PayloadSummary{SignedDigest: "sha256:deadbeef"},
		},
		{
			name:   "a document that only mentions an envelope's key",
			doc:    `{"spdxVersion":"SPDX-2.3","annotations":[{"payloadType":"x"}],"packages":[{"name":"a","versionInfo":"1"}]}`,
			format: attest.FormatSPDX, kind: attest.KindSBOM,
			summary: attest.PayloadSummary{PackageCount: n(1), TopPackages: []string{"a 1"}},
		},
		{name: "plain text", doc: "hello\n", format: attest.FormatText},
		{name: "JSON of no known kind", doc: `{"a":[1,2,{"b":null}]}`, format: attest.FormatJSON},
	}
	for _, tt := range tests {
		p, err := attest.DecodePayload(strings.NewReader(tt.doc), attest.PayloadOptions{MediaType: tt.mediaType, Annotations: tt.ann, MaxContent: 1 << 20, Subject: "sha256:subject"})
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if p.Format != tt.format || p.Kind != tt.kind {
			t.Errorf("%s: format %q kind %q, want %q %q", tt.name, p.Format, p.Kind, tt.format, tt.kind)
		}
		if p.Summary.Text == "" {
			t.Errorf("%s: no summary text", tt.name)
		}
		p.Summary.Text = ""
		if diff := cmp.Diff(tt.summary, p.Summary); diff != "" {
			t.Errorf("%s: summary (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestDecodePayloadEdges(t *testing.T) {
	t.Parallel()
	t.Run("a cut JSON document gives a partial summary", func(t *testing.T) {
		doc := `{"spdxVersion":"SPDX-2.3","packages":[{"name":"a"},{"name":"b"},{"name":"c"`
		p, err := attest.DecodePayload(strings.NewReader(doc), attest.PayloadOptions{MaxContent: 10})
		if err != nil {
			t.Fatal(err)
		}
		if !p.Summary.Partial || p.Format != attest.FormatSPDX || *p.Summary.PackageCount != 2 || !strings.Contains(p.Summary.Text, "first part") {
			t.Errorf("got %+v", p.Summary)
		}
		if !p.Truncated || string(p.Content) != doc[:10] || p.Size != int64(len(doc)) {
			t.Errorf("content %q truncated %v size %d", p.Content, p.Truncated, p.Size)
		}
	})
	t.Run("binary content is reported, not mangled", func(t *testing.T) {
		p, err := attest.DecodePayload(strings.NewReader("\x00\x01\x02cose"), attest.PayloadOptions{MaxContent: 100, Size: 7})
		if err != nil {
			t.Fatal(err)
		}
		if !p.Binary || p.Content != nil || p.Format != attest.FormatBinary || p.Size != 7 {
			t.Errorf("got binary %v content %q format %q size %d", p.Binary, p.Content, p.Format, p.Size)
		}
	})
	t.Run("an envelope over the cap is refused", func(t *testing.T) {
		big := `{"payloadType":"x","payload":"` + strings.Repeat("A", attest.MaxEnvelopeBytes) + `"}`
		_, err := attest.DecodePayload(strings.NewReader(big), attest.PayloadOptions{MaxContent: 10})
		if !errors.Is(err, errdef.ErrTooLarge) {
			t.Errorf("got %v, want errdef.ErrTooLarge", err)
		}
	})
	t.Run("a DSSE payload that is not base64", func(t *testing.T) {
		_, err := attest.DecodePayload(strings.NewReader(`{"payloadType":"x","payload":"%%%"}`), attest.PayloadOptions{MaxContent: 10})
		if !errors.Is(err, errdef.ErrBadResponse) {
			t.Errorf("got %v, want errdef.ErrBadResponse", err)
		}
	})
}

func TestTextPrefix(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		cut  bool
		want string
		ok   bool
	}{
		{"héllo", false, "héllo", true},
		{"h\xc3", true, "h", true},     // é cut in half by the cap
		{"a✓"[:3], true, "a", true},    // a three-byte rune cut after two
		{"caf\xe9", false, "", false},  // Latin-1
		{"caf\xe9", true, "caf", true}, // ...or the start of a three-byte rune the cap cut
		{"caf\xe9!", true, "", false},  // Latin-1 inside the text stays binary
		{"a\x00b", false, "", false},   // NUL
		{"\xc3", false, "", false},     // incomplete and not cut: invalid
		{"", true, "", true},
	}
	for _, tt := range tests {
		got, ok := attest.TextPrefix([]byte(tt.in), tt.cut)
		if ok != tt.ok || string(got) != tt.want {
			t.Errorf("TextPrefix(%q, %v) = %q, %v; want %q, %v", tt.in, tt.cut, got, ok, tt.want, tt.ok)
		}
	}
}

func TestReferrerKind(t *testing.T) {
	t.Parallel()
	tests := []struct {
		artifactType, mediaType string
		ann                     map[string]string
		want                    string
	}{
		{"application/vnd.dev.cosign.simplesigning.v1+json", "", nil, attest.KindSignature},
		{"application/vnd.cncf.notary.signature", "", nil, attest.KindSignature},
		{"application/vnd.dev.cosign.artifact.sig.v1+json", "application/vnd.oci.image.manifest.v1+json", nil, attest.KindSignature},
		{"application/vnd.dev.cosign.artifact.sbom.v1+json", "", nil, attest.KindSBOM},
		{"application/vnd.dev.sigstore.bundle.v0.3+json", "", map[string]string{"dev.sigstore.bundle.predicateType": "https://slsa.dev/provenance/v1"}, attest.KindProvenance},
		{"application/vnd.dev.sigstore.bundle.v0.3+json", "", nil, attest.KindSignature},
		{"application/spdx+json", "", nil, attest.KindSBOM},
		{"application/vnd.cyclonedx+xml", "", nil, attest.KindSBOM},
		{"application/vnd.openvex+json", "", nil, attest.KindVEX},
		{"application/vnd.in-toto+json", "", map[string]string{"in-toto.io/predicate-type": "https://spdx.dev/Document"}, attest.KindSBOM},
		{"application/vnd.in-toto+json", "", nil, attest.KindAttestation},
		{"", "application/vnd.attest.image.manifest.v1+json", nil, attest.KindOther},
		{"application/vnd.example.thing", "", nil, attest.KindOther},
	}
	for _, tt := range tests {
		if got := attest.ReferrerKind(tt.artifactType, tt.mediaType, tt.ann); got != tt.want {
			t.Errorf("ReferrerKind(%q, %q, %v) = %q, want %q", tt.artifactType, tt.mediaType, tt.ann, got, tt.want)
		}
	}
}
