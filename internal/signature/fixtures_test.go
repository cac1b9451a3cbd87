package signature_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/secure-systems-lab/go-securesystemslib/dsse"
	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	protodsse "github.com/sigstore/protobuf-specs/gen/pb-go/dsse"
	protorekor "github.com/sigstore/protobuf-specs/gen/pb-go/rekor/v1"
	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/testing/ca"
	"github.com/sigstore/sigstore-go/pkg/tlog"

	"github.com/registry-mcp/registry-mcp/internal/demo"
	"github.com/registry-mcp/registry-mcp/internal/registrytest"
)

const (
	identity = "release@example.com"
	issuer   = "https://issuer.example.com"
)

// fixture is an in-process registry with a virtual Sigstore (Fulcio, Rekor,
// a TSA) and a trusted root written for it.
type fixture struct {
	reg      *registrytest.Registry
	vs       *ca.VirtualSigstore
	rootPath string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	reg, err := registrytest.Start(registrytest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(reg.Close)
	vs, err := ca.NewVirtualSigstore()
	if err != nil {
		t.Fatal(err)
	}
	tr, err := root.NewTrustedRoot(root.TrustedRootMediaType01, vs.FulcioCertificateAuthorities(), rawLogIDs(t, vs.CTLogs()), vs.TimestampingAuthorities(), rawLogIDs(t, vs.RekorLogs()))
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(tr)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "trusted_root.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return &fixture{reg: reg, vs: vs, rootPath: path}
}

func (f *fixture) repo(t *testing.T, repo string) name.Repository {
	t.Helper()
	r, err := name.NewRepository(f.reg.Host + "/" + repo)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// pushImage pushes a random image and returns its digest.
func (f *fixture) pushImage(t *testing.T, repo string) (name.Repository, string) {
	t.Helper()
	img, err := random.Image(256, 1)
	if err != nil {
		t.Fatal(err)
	}
	r := f.repo(t, repo)
	if err := remote.Write(r.Tag("1"), img); err != nil {
		t.Fatal(err)
	}
	d, _ := img.Digest()
	return r, d.String()
}

type keyKind int

const (
	ecdsaKey keyKind = iota
	rsaKey
	ed25519Key
)

func newKey(t *testing.T, k keyKind) (crypto.Signer, string) {
	t.Helper()
	var key crypto.Signer
	var err error
	switch k {
	case rsaKey:
		key, err = rsa.GenerateKey(rand.Reader, 2048)
	case ed25519Key:
		_, key, err = ed25519.GenerateKey(rand.Reader)
	default:
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	if err != nil {
		t.Fatal(err)
	}
	pub, err := demo.PublicKeyPEM(key.Public())
	if err != nil {
		t.Fatal(err)
	}
	return key, string(pub)
}

// signWithKey pushes a cosign signature made with key over a payload naming
// signed; pushed, when set, replaces the payload after signing (tampering).
func (f *fixture) signWithKey(t *testing.T, repo name.Repository, attachTo, signed string, key crypto.Signer, pushed []byte) {
	t.Helper()
	payload := demo.SimpleSigningPayload(repo.Name(), signed)
	sig, err := demo.Sign(key, payload)
	if err != nil {
		t.Fatal(err)
	}
	if pushed != nil {
		payload = pushed
	}
	ann := map[string]string{demo.SignatureAnnotation: base64.StdEncoding.EncodeToString(sig)}
	if err := demo.PushCosignSignature(context.Background(), repo, attachTo, payload, ann); err != nil {
		t.Fatal(err)
	}
}

// signKeyless pushes a keyless cosign signature: a Fulcio certificate for
// id, the signature, and Rekor's signed entry timestamp logged at logged.
func (f *fixture) signKeyless(t *testing.T, repo name.Repository, digest, id string, logged time.Time) {
	t.Helper()
	payload := demo.SimpleSigningPayload(repo.Name(), digest)
	e, err := f.vs.SignAtTime(id, issuer, payload, logged)
	if err != nil {
		t.Fatal(err)
	}
	vc, _ := e.VerificationContent()
	sc, _ := e.SignatureContent()
	tle := f.logEntry(t, e)
	rb, _ := json.Marshal(map[string]any{
		"SignedEntryTimestamp": tle.GetInclusionPromise().GetSignedEntryTimestamp(),
		"Payload": map[string]any{
			"body": base64.StdEncoding.EncodeToString(tle.GetCanonicalizedBody()), "integratedTime": tle.GetIntegratedTime(),
			"logIndex": tle.GetLogIndex(), "logID": hex.EncodeToString(tle.GetLogId().GetKeyId()),
		},
	})
	ann := map[string]string{
		demo.SignatureAnnotation:          base64.StdEncoding.EncodeToString(sc.MessageSignatureContent().Signature()),
		"dev.sigstore.cosign/certificate": string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: vc.Certificate().Raw})),
		"dev.sigstore.cosign/bundle":      string(rb),
	}
	if err := demo.PushCosignSignature(context.Background(), repo, digest, payload, ann); err != nil {
		t.Fatal(err)
	}
}

// pushBundle attests the digest keylessly (a DSSE in-toto statement, as
// cosign v3 signs images) and stores the bundle as a referrer of subject.
func (f *fixture) pushBundle(t *testing.T, repo name.Repository, subject, statementDigest, id string) {
	t.Helper()
	e, err := f.vs.AttestAtTime(id, issuer, cosignStatement(repo, statementDigest), time.Now().Add(5*time.Minute), true)
	if err != nil {
		t.Fatal(err)
	}
	vc, _ := e.VerificationContent()
	sc, _ := e.SignatureContent()
	env := sc.EnvelopeContent().RawEnvelope()
	payload, _ := base64.StdEncoding.DecodeString(env.Payload)
	sig, _ := base64.StdEncoding.DecodeString(env.Signatures[0].Sig)
	pb := &protobundle.Bundle{
		MediaType: "application/vnd.dev.sigstore.bundle.v0.3+json",
		VerificationMaterial: &protobundle.VerificationMaterial{
			Content:     &protobundle.VerificationMaterial_Certificate{Certificate: &protocommon.X509Certificate{RawBytes: vc.Certificate().Raw}},
			TlogEntries: []*protorekor.TransparencyLogEntry{f.logEntry(t, e)},
		},
		Content: &protobundle.Bundle_DsseEnvelope{DsseEnvelope: &protodsse.Envelope{
			Payload: payload, PayloadType: env.PayloadType, Signatures: []*protodsse.Signature{{Sig: sig}},
		}},
	}
	f.pushProtoBundle(t, repo, subject, pb)
}

// cosignStatement is the in-toto statement cosign signs for an image: its
// subject is repo at digest.
func cosignStatement(repo name.Repository, digest string) []byte {
	stmt, _ := json.Marshal(map[string]any{
		"_type": "https://in-toto.io/Statement/v1", "predicateType": "https://sigstore.dev/cosign/sign/v1", "predicate": map[string]any{},
		"subject": []any{map[string]any{"name": repo.Name(), "digest": map[string]string{"sha256": digest[len("sha256:"):]}}},
	})
	return stmt
}

// pushProtoBundle checks pb is a bundle sigstore-go accepts and stores it as
// a referrer of subject.
func (f *fixture) pushProtoBundle(t *testing.T, repo name.Repository, subject string, pb *protobundle.Bundle) {
	t.Helper()
	b, err := bundle.NewBundle(pb)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := b.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	f.pushReferrer(t, repo, subject, raw)
}

// pushReferrer stores a bundle as an OCI 1.1 referrer of subject.
func (f *fixture) pushReferrer(t *testing.T, repo name.Repository, subject string, bundleJSON []byte) {
	t.Helper()
	const mt = "application/vnd.dev.sigstore.bundle.v0.3+json"
	img, err := mutate.Append(mutate.MediaType(empty.Image, types.OCIManifestSchema1), mutate.Addendum{Layer: static.NewLayer(bundleJSON, mt)})
	if err != nil {
		t.Fatal(err)
	}
	img = mutate.ConfigMediaType(img, mt)
	h, _ := v1.NewHash(subject)
	desc, err := remote.Head(repo.Digest(subject))
	if err != nil {
		t.Fatal(err)
	}
	desc.Digest = h
	img = mutate.Subject(img, *desc).(v1.Image)
	d, _ := img.Digest()
	if err := remote.Write(repo.Digest(d.String()), img); err != nil {
		t.Fatal(err)
	}
}

func demoPayload(repo name.Repository, digest string) []byte {
	return demo.SimpleSigningPayload(repo.Name(), digest)
}

// rawLogIDs gives the virtual Sigstore's logs the raw key ID a trusted root
// records (it keeps the hex text), so the root survives a JSON round trip.
func rawLogIDs(t *testing.T, logs map[string]*root.TransparencyLog) map[string]*root.TransparencyLog {
	t.Helper()
	for id, l := range logs {
		raw, err := hex.DecodeString(id)
		if err != nil {
			t.Fatal(err)
		}
		l.ID = raw
	}
	return logs
}

// logEntry completes the virtual Rekor's entry as a bundle carries it: the
// kind and version of the body, and the signed entry timestamp (which the
// entry keeps to itself, so it is signed again here).
func (f *fixture) logEntry(t *testing.T, e *ca.TestEntity) *protorekor.TransparencyLogEntry {
	t.Helper()
	entries, _ := e.TlogEntries()
	tle := entries[0].TransparencyLogEntry()
	var body struct {
		Kind       string `json:"kind"`
		APIVersion string `json:"apiVersion"`
	}
	if err := json.Unmarshal(tle.GetCanonicalizedBody(), &body); err != nil {
		t.Fatal(err)
	}
	set, err := f.vs.RekorSignPayload(tlog.RekorPayload{
		Body: base64.StdEncoding.EncodeToString(tle.GetCanonicalizedBody()), IntegratedTime: tle.GetIntegratedTime(),
		LogIndex: tle.GetLogIndex(), LogID: hex.EncodeToString(tle.GetLogId().GetKeyId()),
	})
	if err != nil {
		t.Fatal(err)
	}
	tle.KindVersion = &protorekor.KindVersion{Kind: body.Kind, Version: body.APIVersion}
	tle.InclusionPromise = &protorekor.InclusionPromise{SignedEntryTimestamp: set}
	return tle
}

// pushKeyBundle signs an in-toto statement naming digest with key, as a
// DSSE envelope in a bundle with no certificate and no log entry (cosign
// sign --key --tlog-upload=false --new-bundle-format), and stores it as a
// referrer of digest.
func (f *fixture) pushKeyBundle(t *testing.T, repo name.Repository, digest string, key crypto.Signer) {
	t.Helper()
	stmt := cosignStatement(repo, digest)
	const payloadType = "application/vnd.in-toto+json"
	sig, err := demo.Sign(key, dsse.PAE(payloadType, stmt))
	if err != nil {
		t.Fatal(err)
	}
	pb := &protobundle.Bundle{
		MediaType: "application/vnd.dev.sigstore.bundle.v0.3+json",
		VerificationMaterial: &protobundle.VerificationMaterial{
			Content: &protobundle.VerificationMaterial_PublicKey{PublicKey: &protocommon.PublicKeyIdentifier{Hint: "release-key"}},
		},
		Content: &protobundle.Bundle_DsseEnvelope{DsseEnvelope: &protodsse.Envelope{
			Payload: stmt, PayloadType: payloadType, Signatures: []*protodsse.Signature{{Sig: sig}},
		}},
	}
	f.pushProtoBundle(t, repo, digest, pb)
}

// signWithKeyLogged pushes a key-based cosign signature with the Rekor
// bundle annotation cosign adds when it uploads to the log: a hashedrekord
// entry for the signature (or for loggedSig, when set, to make the entry
// disagree with the signature) and the virtual Rekor's signed timestamp.
func (f *fixture) signWithKeyLogged(t *testing.T, repo name.Repository, digest string, key crypto.Signer, pubPEM string, loggedSig []byte) {
	t.Helper()
	payload := demo.SimpleSigningPayload(repo.Name(), digest)
	sig, err := demo.Sign(key, payload)
	if err != nil {
		t.Fatal(err)
	}
	if loggedSig == nil {
		loggedSig = sig
	}
	sum := sha256.Sum256(payload)
	body, _ := json.Marshal(map[string]any{
		"apiVersion": "0.0.1", "kind": "hashedrekord",
		"spec": map[string]any{
			"data":      map[string]any{"hash": map[string]string{"algorithm": "sha256", "value": hex.EncodeToString(sum[:])}},
			"signature": map[string]any{"content": base64.StdEncoding.EncodeToString(loggedSig), "publicKey": map[string]string{"content": base64.StdEncoding.EncodeToString([]byte(pubPEM))}},
		},
	})
	logID, err := f.vs.RekorLogID()
	if err != nil {
		t.Fatal(err)
	}
	integrated := time.Now().Unix()
	set, err := f.vs.RekorSignPayload(tlog.RekorPayload{Body: base64.StdEncoding.EncodeToString(body), IntegratedTime: integrated, LogIndex: 7, LogID: logID})
	if err != nil {
		t.Fatal(err)
	}
	rb, _ := json.Marshal(map[string]any{
		"SignedEntryTimestamp": set,
		"Payload":              map[string]any{"body": base64.StdEncoding.EncodeToString(body), "integratedTime": integrated, "logIndex": 7, "logID": logID},
	})
	ann := map[string]string{demo.SignatureAnnotation: base64.StdEncoding.EncodeToString(sig), "dev.sigstore.cosign/bundle": string(rb)}
	if err := demo.PushCosignSignature(context.Background(), repo, digest, payload, ann); err != nil {
		t.Fatal(err)
	}
}
