package demo

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/url"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// The keyless identity the fixture certificates name: a GitHub Actions
// workflow, its OIDC issuer, and the repository and commit it built.
const (
	SignerIdentity = "https://github.com/example/signed/.github/workflows/release.yml@refs/heads/main"
	SignerIssuer   = "https://token.actions.githubusercontent.com"
	SourceRepo     = "https://github.com/example/signed"
	SourceCommit   = "c0ffee0123456789abcdef0123456789abcdef01"
)

// seedSigned pushes demo/signed:1.0 and its referrers.
func seedSigned(r Target, f *Fixtures) error {
	s := &f.Supply
	img, err := Image(ImageSpec{OS: "linux", Architecture: "amd64", Layers: []v1.Layer{Layer(File{Path: "hello.txt", Content: "signed\n"})}, CreatedBy: []string{"COPY hello.txt /"}})
	if err != nil {
		return err
	}
	const repo = "demo/signed"
	if err := r.PushImage(repo, "1.0", img); err != nil {
		return err
	}
	digest, _ := img.Digest()
	size, _ := img.Size()
	mt, _ := img.MediaType()
	s.Signed, s.SignedDigest = repo+":1.0", digest.String()
	subject := &v1.Descriptor{MediaType: mt, Digest: digest, Size: size}
	cert, certDER, err := fixtureCertificate()
	if err != nil {
		return err
	}
	s.Referrers = map[string]string{}
	push := func(key, tag string, m artifact) error {
		d, err := r.pushArtifact(repo, tag, m)
		s.Referrers[key] = d
		return err
	}
	statement := func(predicateType string, predicate any) []byte {
		b, _ := json.Marshal(map[string]any{
			"_type": "https://in-toto.io/Statement/v1", "predicateType": predicateType, "predicate": predicate,
			"subject": []any{map[string]any{"name": "demo/signed", "digest": map[string]string{"sha256": digest.Hex}}},
		})
		return b
	}
	steps := []struct {
		key, tag string
		m        artifact
	}{
		{"sbom", "", artifact{Subject: subject, ArtifactType: "application/spdx+json", Layers: []blob{{MediaType: "application/spdx+json", Data: spdxDocument(30)}}}},
		{"provenance", "", artifact{Subject: subject, ArtifactType: "application/vnd.in-toto+json",
			Annotations: map[string]string{"in-toto.io/predicate-type": "https://slsa.dev/provenance/v1"}, Layers: []blob{{
				MediaType: "application/vnd.dsse.envelope.v1+json", Data: dsse(statement("https://slsa.dev/provenance/v1", slsaV1())),
				Annotations: map[string]string{"in-toto.io/predicate-type": "https://slsa.dev/provenance/v1"},
			}}}},
		{"vex", "", artifact{Subject: subject, ArtifactType: "application/vnd.openvex+json", Layers: []blob{{MediaType: "application/vnd.openvex+json", Data: openVEX()}}}},
		{"bundle", "", artifact{Subject: subject, ArtifactType: "application/vnd.dev.sigstore.bundle.v0.3+json",
			Annotations: map[string]string{"dev.sigstore.bundle.predicateType": "https://sigstore.dev/cosign/sign/v1"},
			Layers: []blob{{MediaType: "application/vnd.dev.sigstore.bundle.v0.3+json",
				Data: sigstoreBundle(certDER, statement("https://sigstore.dev/cosign/sign/v1", map[string]any{}))}}}},
		{"sig", "sha256-" + digest.Hex + ".sig", artifact{Config: []byte(`{"architecture":"","os":""}`), Layers: []blob{{
			MediaType: "application/vnd.dev.cosign.simplesigning.v1+json", Data: simpleSigning(r.Host+"/"+repo, digest.String()),
			Annotations: map[string]string{"dev.cosignproject.cosign/signature": "MEUCIQ==", "dev.sigstore.cosign/certificate": cert},
		}}}},
		{"att", "sha256-" + digest.Hex + ".att", artifact{Config: []byte(`{"architecture":"","os":""}`), Layers: []blob{{
			MediaType: "application/vnd.dsse.envelope.v1+json", Data: dsse(statement("https://cyclonedx.org/bom", cycloneDX())),
			Annotations: map[string]string{"predicateType": "https://cyclonedx.org/bom", "dev.sigstore.cosign/certificate": cert},
		}}}},
	}
	for _, st := range steps {
		if err := push(st.key, st.tag, st.m); err != nil {
			return fmt.Errorf("push %s referrer: %w", st.key, err)
		}
	}
	return nil
}

func dsse(payload []byte) []byte {
	b, _ := json.Marshal(map[string]any{
		"payloadType": "application/vnd.in-toto+json", "payload": base64.StdEncoding.EncodeToString(payload),
		"signatures": []any{map[string]string{"keyid": "", "sig": "MEUCIQ=="}},
	})
	return b
}

func spdxDocument(packages int) []byte {
	var pkgs []any
	for i := range packages {
		pkgs = append(pkgs, map[string]any{"SPDXID": fmt.Sprintf("SPDXRef-Package-%d", i), "name": fmt.Sprintf("pkg%02d", i), "versionInfo": fmt.Sprintf("1.%d.0", i)})
	}
	b, _ := json.Marshal(map[string]any{
		"spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT", "name": "demo/signed",
		"creationInfo": map[string]any{"created": Created.Format(time.RFC3339), "creators": []string{"Tool: registrytest"}},
		"packages":     pkgs,
	})
	return b
}

func slsaV1() map[string]any {
	return map[string]any{
		"buildDefinition": map[string]any{
			"buildType": "https://actions.github.io/buildtypes/workflow/v1",
			"externalParameters": map[string]any{"workflow": map[string]any{
				"ref": "refs/heads/main", "repository": SourceRepo, "path": ".github/workflows/release.yml",
			}},
			"resolvedDependencies": []any{map[string]any{"uri": "git+" + SourceRepo + "@refs/heads/main", "digest": map[string]string{"gitCommit": SourceCommit}}},
		},
		"runDetails": map[string]any{"builder": map[string]any{"id": "https://github.com/actions/runner/github-hosted"}},
	}
}

func cycloneDX() map[string]any {
	return map[string]any{
		"bomFormat": "CycloneDX", "specVersion": "1.5",
		"metadata":   map[string]any{"component": map[string]any{"name": "demo/signed", "type": "container"}},
		"components": []any{map[string]any{"type": "library", "name": "openssl", "version": "3.3.1"}, map[string]any{"type": "library", "name": "zlib", "version": "1.3.1"}},
	}
}

func openVEX() []byte {
	b, _ := json.Marshal(map[string]any{
		"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.com/vex/demo-signed", "author": "Example Security",
		"timestamp": Created.Format(time.RFC3339), "version": 1,
		"statements": []any{
			map[string]any{"vulnerability": map[string]any{"name": "CVE-2024-0001"}, "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"},
			map[string]any{"vulnerability": map[string]any{"name": "CVE-2024-0002"}, "status": "fixed"},
		},
	})
	return b
}

func simpleSigning(dockerRef, digest string) []byte {
	b, _ := json.Marshal(map[string]any{
		"critical": map[string]any{
			"identity": map[string]string{"docker-reference": dockerRef},
			"image":    map[string]string{"docker-manifest-digest": digest},
			"type":     "cosign container image signature",
		},
		"optional": nil,
	})
	return b
}

func sigstoreBundle(certDER, statement []byte) []byte {
	var env map[string]any
	_ = json.Unmarshal(dsse(statement), &env)
	b, _ := json.Marshal(map[string]any{
		"mediaType":            "application/vnd.dev.sigstore.bundle.v0.3+json",
		"verificationMaterial": map[string]any{"certificate": map[string]string{"rawBytes": base64.StdEncoding.EncodeToString(certDER)}},
		"dsseEnvelope":         env,
	})
	return b
}

// fixtureCertificate is a self-signed stand-in for a Fulcio certificate:
// the identity as a URI SAN, the issuer, source repository and commit as
// Fulcio's extensions. Its key is derived from a fixed seed, so it is stable.
func fixtureCertificate() (pemText string, der []byte, err error) {
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))
	ext := func(id asn1.ObjectIdentifier, v string) pkix.Extension {
		b, _ := asn1.MarshalWithParams(v, "utf8")
		return pkix.Extension{Id: id, Value: b}
	}
	san, _ := url.Parse(SignerIdentity)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), NotBefore: Created, NotAfter: Created.Add(10 * time.Minute), URIs: []*url.URL{san},
		ExtraExtensions: []pkix.Extension{
			ext(asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 1, 8}, SignerIssuer),
			ext(asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 1, 12}, SourceRepo),
			ext(asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 1, 13}, SourceCommit),
		},
	}
	der, err = x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return "", nil, err
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), der, nil
}
