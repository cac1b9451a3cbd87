package registrytest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
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
	"strings"
	"sync"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/klauspost/compress/zstd"
)

// BigFileSize is the size of the zero-filled file in the Big image: just over
// oci.MaxLayerScanBytes (512 MiB), so reading past it spends the read cap.
// It compresses (zstd) to a few kilobytes.
const BigFileSize = 513 << 20

// Signer is the keyless identity the fixture certificates name.
const (
	SignerIdentity = "https://github.com/example/signed/.github/workflows/release.yml@refs/heads/main"
	SignerIssuer   = "https://token.actions.githubusercontent.com"
	SourceRepo     = "https://github.com/example/signed"
	SourceCommit   = "c0ffee0123456789abcdef0123456789abcdef01"
)

// SupplyFixtures are the supply-chain and filesystem fixtures.
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
	// its top layer holds etc/hello.txt.
	Big       string
	BigLayers []string
	// RateLimit is ratelimitpreview/test:latest, the repository get_rate_limit reads.
	RateLimit string
}

// entry is a tar entry of a supply fixture layer: a File, or a hard link,
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

// seedSupply pushes the supply-chain and filesystem fixtures.
func seedSupply(r *Registry, f *Fixtures) error {
	s := &f.Supply
	for _, step := range []func(*Registry, *Fixtures, *SupplyFixtures) error{seedLayered, seedBig, seedAppNext, seedSigned} {
		if err := step(r, f, s); err != nil {
			return err
		}
	}
	img, err := PlatformImage("linux", "amd64", "")
	if err != nil {
		return err
	}
	s.RateLimit = "ratelimitpreview/test:latest"
	return r.PushImage("ratelimitpreview/test", "latest", img)
}

// BigText is the content of /app/big.txt in the Layered image: 65535 bytes
// of text, then a two-byte character straddling the 64 KiB mark.
var BigText = strings.Repeat("a", 65535) + "é" + strings.Repeat("line of text\n", 10000)

func seedLayered(r *Registry, _ *Fixtures, s *SupplyFixtures) error {
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
	top, err := tarLayer("none", files(dir("app/"), File{Path: "app/big.txt", Content: BigText}, File{Path: "app/config.yaml", Content: "port: 8080\n"})...)
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

func seedBig(r *Registry, _ *Fixtures, s *SupplyFixtures) error {
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

func seedAppNext(r *Registry, f *Fixtures, s *SupplyFixtures) error {
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

// seedSigned pushes demo/signed:1.0 and its referrers.
func seedSigned(r *Registry, _ *Fixtures, s *SupplyFixtures) error {
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
// by digest; go-containerregistry keeps the referrers tag schema itself
// when the registry has no referrers API.
func (r *Registry) pushArtifact(repoName, tag string, a artifact) (string, error) {
	repo, err := name.NewRepository(r.Host + "/" + repoName)
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
