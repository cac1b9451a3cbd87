package tools_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"

	"github.com/registry-mcp/registry-mcp/internal/demo"
	"github.com/registry-mcp/registry-mcp/internal/oci"
	"github.com/registry-mcp/registry-mcp/internal/registrytest"
	"github.com/registry-mcp/registry-mcp/internal/server"
	"github.com/registry-mcp/registry-mcp/internal/signature"
	"github.com/registry-mcp/registry-mcp/internal/tools"
)

// signedEnv is the seeded registry plus demo.SeedSigned's key-signed image,
// served with a trusted root file that does not exist: any keyless check
// must say so, and nothing may reach for Sigstore's public-good root.
func signedEnv(t *testing.T, clientOpts oci.Options) (*env, *demo.SignedImage) {
	t.Helper()
	reg, fx := registrytest.StartSeeded(t, registrytest.Options{})
	signed, err := demo.SeedSigned(t.Context(), reg.Host)
	if err != nil {
		t.Fatal(err)
	}
	s := server.New(server.Config{Version: "test", Tools: tools.Options{ReadOnly: true}, Deps: tools.Deps{
		Registry: oci.New(clientOpts), Sigstore: signature.NewRoots(t.TempDir() + "/missing_trusted_root.json"),
	}})
	return &env{reg: reg, fx: fx, cs: registrytest.Connect(t, s, nil)}, signed
}

func verifyCall(t *testing.T, e *env, args map[string]any) tools.VerifySignatureOutput {
	t.Helper()
	res := e.call(t, "verify_image_signature", args)
	if res.IsError {
		t.Fatalf("verify_image_signature %v: %s", args, registrytest.Text(res))
	}
	return registrytest.Decode[tools.VerifySignatureOutput](t, res)
}

func TestVerifyImageSignatureWithKey(t *testing.T) {
	t.Parallel()
	e, signed := signedEnv(t, oci.Options{})
	out := verifyCall(t, e, map[string]any{"image_ref": signed.Ref, "public_key": string(signed.PublicKeyPEM)})
	if !out.Verified || len(out.Signatures) != 1 || out.Digest != signed.Digest {
		t.Fatalf("right key: %+v; want verified, one signature, digest %s", out, signed.Digest)
	}
	s := out.Signatures[0]
	if !s.Verified || s.Format != "cosign" || !strings.HasPrefix(s.Signer.KeyFingerprint, "sha256:") || s.Subject != signed.Digest || s.TransparencyLog.Verified {
		t.Errorf("signature: %+v", s)
	}
	if !strings.Contains(out.Summary, "Verified") || !strings.Contains(out.Summary, s.Signer.KeyFingerprint) {
		t.Errorf("summary %q should say it verified and under which key", out.Summary)
	}

	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	otherPEM, _ := demo.PublicKeyPEM(other.Public())
	out = verifyCall(t, e, map[string]any{"image_ref": signed.Ref, "public_key": string(otherPEM)})
	if out.Verified || out.Signatures[0].Verified || out.Signatures[0].Error == "" || !strings.Contains(out.Summary, "Not verified") {
		t.Errorf("wrong key: %+v; want not verified, with the reason", out)
	}
}

func TestVerifyImageSignatureListsWithoutTrust(t *testing.T) {
	t.Parallel()
	e, _ := signedEnv(t, oci.Options{})
	// demo/signed carries a keyless cosign signature and a Sigstore bundle.
	out := verifyCall(t, e, map[string]any{"image_ref": e.fx.Ref(e.fx.Supply.Signed)})
	if out.Verified || len(out.Signatures) != 2 {
		t.Fatalf("%+v; want two signatures, not verified", out)
	}
	formats := map[string]string{}
	for _, s := range out.Signatures {
		formats[s.Format] = s.Signer.Identity
	}
	want := map[string]string{"cosign": registrytest.SignerIdentity, "sigstore-bundle": registrytest.SignerIdentity}
	if diff := cmp.Diff(want, formats); diff != "" {
		t.Errorf("formats and claimed signers (-want +got):\n%s", diff)
	}
	if !strings.Contains(out.Summary, "certificate_identity") || !strings.Contains(out.Summary, "certificate_oidc_issuer") {
		t.Errorf("summary %q should say which arguments to pass", out.Summary)
	}
	unsigned := verifyCall(t, e, map[string]any{"image_ref": e.fx.Ref(e.fx.App)})
	if unsigned.Verified || len(unsigned.Signatures) != 0 || !strings.Contains(unsigned.Summary, "No signatures") || strings.Contains(unsigned.Summary, "platform") {
		t.Errorf("unsigned image: %+v", unsigned)
	}
	index := verifyCall(t, e, map[string]any{"image_ref": e.fx.Ref(e.fx.Multi)})
	if index.Verified || len(index.Signatures) != 0 || !strings.Contains(index.Summary, "pass platform") {
		t.Errorf("unsigned index: %+v; the summary should suggest platform", index)
	}
}

func TestVerifyImageSignatureOnTheIndexWithPlatform(t *testing.T) {
	t.Parallel()
	e, _ := signedEnv(t, oci.Options{})
	repo, _ := name.NewRepository(e.fx.Host + "/demo/multi")
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	pub, _ := demo.PublicKeyPEM(key.Public())
	payload := demo.SimpleSigningPayload(repo.Name(), e.fx.MultiDigest)
	sig, _ := demo.Sign(key, payload)
	if err := demo.PushCosignSignature(t.Context(), repo, e.fx.MultiDigest, payload, map[string]string{demo.SignatureAnnotation: base64.StdEncoding.EncodeToString(sig)}); err != nil {
		t.Fatal(err)
	}
	e.reg.Reset()
	out := verifyCall(t, e, map[string]any{"image_ref": e.fx.Ref(e.fx.Multi), "platform": "linux/arm64", "public_key": string(pub)})
	// Two subjects: the index and the platform's image, each asked for
	// referrers and its .sig tag; only the index has a signature to read.
	want := map[string]int{"GET ping": 1, "GET manifests": 3, "GET referrers": 2, "HEAD manifests": 2, "GET blobs": 1}
	if diff := cmp.Diff(want, e.reg.Counts()); diff != "" {
		t.Errorf("registry requests (-want +got):\n%s", diff)
	}
	if !out.Verified || out.IndexDigest != e.fx.MultiDigest || out.Digest == e.fx.MultiDigest {
		t.Fatalf("%+v; want verified, index digest %s and the platform's own digest", out, e.fx.MultiDigest)
	}
	if out.Signatures[0].Subject != e.fx.MultiDigest || !strings.Contains(out.Summary, "the index "+e.fx.MultiDigest) {
		t.Errorf("signature %+v, summary %q: should say the index digest was matched", out.Signatures[0], out.Summary)
	}
}

func TestVerifyImageSignatureBadInput(t *testing.T) {
	t.Parallel()
	e, signed := signedEnv(t, oci.Options{})
	for _, tc := range []struct {
		name string
		args map[string]any
		want string
	}{
		{"bad PEM", map[string]any{"image_ref": signed.Ref, "public_key": "-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----"}, "public_key"},
		{"identity without issuer", map[string]any{"image_ref": signed.Ref, "certificate_identity": "a@example.com"}, "certificate_oidc_issuer"},
		{"bad regexp", map[string]any{"image_ref": signed.Ref, "certificate_identity_regexp": "(", "certificate_oidc_issuer": "https://x"}, "certificate_identity_regexp"},
		{"no trusted root", map[string]any{"image_ref": e.fx.Ref(e.fx.Supply.Signed), "certificate_identity": registrytest.SignerIdentity, "certificate_oidc_issuer": registrytest.SignerIssuer}, "-sigstore-trusted-root"},
	} {
		res := e.call(t, "verify_image_signature", tc.args)
		if !res.IsError || !strings.Contains(registrytest.Text(res), tc.want) {
			t.Errorf("%s: %s; want an error naming %s", tc.name, registrytest.Text(res), tc.want)
		}
	}
	// A key-based check never needs the trusted root.
	if out := verifyCall(t, e, map[string]any{"image_ref": signed.Ref, "public_key": string(signed.PublicKeyPEM), "certificate_identity": "a@example.com", "certificate_oidc_issuer": "https://x"}); !out.Verified {
		t.Errorf("key and identity on a key-signed image: %+v; want verified by the key, without the trusted root", out)
	}
}

// TestVerifyImageSignatureRequestCounts pins what a call costs: the image
// manifest, the referrers API, a HEAD of the .sig tag, and the signature's
// manifest and payload; within the tag TTL a repeat costs nothing.
func TestVerifyImageSignatureRequestCounts(t *testing.T) {
	t.Parallel()
	e, signed := signedEnv(t, withTTL)
	args := map[string]any{"image_ref": signed.Ref, "public_key": string(signed.PublicKeyPEM)}
	for _, step := range []struct {
		name string
		want map[string]int
	}{
		{"first call", map[string]int{"GET ping": 1, "GET manifests": 2, "GET referrers": 1, "HEAD manifests": 1, "GET blobs": 1}},
		{"within the TTL", map[string]int{}},
	} {
		e.reg.Reset()
		if out := verifyCall(t, e, args); !out.Verified {
			t.Fatalf("%s: %+v", step.name, out)
		}
		if diff := cmp.Diff(step.want, e.reg.Counts()); diff != "" {
			t.Errorf("%s: registry requests (-want +got):\n%s", step.name, diff)
		}
	}
}
