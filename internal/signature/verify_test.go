package signature_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/registry-mcp/registry-mcp/internal/demo"
	"github.com/registry-mcp/registry-mcp/internal/errdef"
	"github.com/registry-mcp/registry-mcp/internal/oci"
	"github.com/registry-mcp/registry-mcp/internal/signature"
)

// check finds the signatures of digest in repo and verifies them.
func check(t *testing.T, f *fixture, repo name.Repository, digest string, p signature.Policy) []signature.Signature {
	t.Helper()
	c := oci.New(oci.Options{})
	found, _, err := signature.Find(t.Context(), c, repo, digest)
	if err != nil {
		t.Fatal(err)
	}
	if p.Roots == nil {
		p.Roots = signature.NewRoots(f.rootPath)
	}
	sigs, err := signature.Verify(t.Context(), found, []string{digest}, p)
	if err != nil {
		t.Fatal(err)
	}
	return sigs
}

func keyPolicy(t *testing.T, pemText string) signature.Policy {
	t.Helper()
	k, err := signature.ParsePublicKey(pemText)
	if err != nil {
		t.Fatal(err)
	}
	return signature.Policy{Key: k}
}

func identityPolicy(t *testing.T, id, idRegexp, iss string) signature.Policy {
	t.Helper()
	ci, err := signature.NewIdentity(id, idRegexp, iss)
	if err != nil {
		t.Fatal(err)
	}
	return signature.Policy{Identity: ci}
}

func one(t *testing.T, sigs []signature.Signature) signature.Signature {
	t.Helper()
	if len(sigs) != 1 {
		t.Fatalf("found %d signatures, want 1: %+v", len(sigs), sigs)
	}
	return sigs[0]
}

func TestKeyBasedCosignSignatures(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, tc := range []struct {
		name string
		kind keyKind
	}{{"ecdsa", ecdsaKey}, {"rsa", rsaKey}, {"ed25519", ed25519Key}} {
		t.Run(tc.name, func(t *testing.T) {
			repo, digest := f.pushImage(t, "keyed/"+tc.name)
			key, pub := newKey(t, tc.kind)
			f.signWithKey(t, repo, digest, digest, key, nil)
			_, otherPub := newKey(t, tc.kind)

			s := one(t, check(t, f, repo, digest, keyPolicy(t, pub)))
			want := keyPolicy(t, pub).Key.Fingerprint
			if !s.Verified || s.Format != "cosign" || s.Signer.KeyFingerprint != want || s.Subject != digest || s.Error != "" {
				t.Errorf("right key: %+v; want verified, cosign, signer %s", s, want)
			}
			s = one(t, check(t, f, repo, digest, keyPolicy(t, otherPub)))
			if s.Verified || !strings.Contains(s.Error, "does not verify under public_key") || s.Signer.KeyFingerprint != "" {
				t.Errorf("wrong key: %+v; want unverified with an error", s)
			}
		})
	}
}

func TestTamperedPayloadDoesNotVerify(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	repo, digest := f.pushImage(t, "tampered")
	key, pub := newKey(t, ecdsaKey)
	tampered := []byte(strings.Replace(string(demoPayload(repo, digest)), "cosign container image signature", "cosign container image signaturE", 1))
	f.signWithKey(t, repo, digest, digest, key, tampered)
	if s := one(t, check(t, f, repo, digest, keyPolicy(t, pub))); s.Verified || s.Error == "" {
		t.Errorf("tampered payload: %+v; want unverified with an error", s)
	}
}

func TestSignatureOfAnotherDigestIsNotThisImage(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	repo, digest := f.pushImage(t, "other")
	_, otherDigest := f.pushImage(t, "other-image")
	key, pub := newKey(t, ecdsaKey)
	f.signWithKey(t, repo, digest, otherDigest, key, nil)
	s := one(t, check(t, f, repo, digest, keyPolicy(t, pub)))
	if s.Verified || !strings.Contains(s.Error, "signs "+otherDigest+", not this image") || s.Subject != otherDigest {
		t.Errorf("signature over another digest: %+v; want unverified, naming %s", s, otherDigest)
	}
}

func TestNoSignature(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	repo, digest := f.pushImage(t, "unsigned")
	_, pub := newKey(t, ecdsaKey)
	if sigs := check(t, f, repo, digest, keyPolicy(t, pub)); len(sigs) != 0 {
		t.Errorf("unsigned image: %+v; want no signatures", sigs)
	}
}

func TestKeylessCosignSignature(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	repo, digest := f.pushImage(t, "keyless")
	f.signKeyless(t, repo, digest, identity, time.Now().Add(5*time.Minute))
	expiredRepo, expiredDigest := f.pushImage(t, "keyless-expired")
	// Logged 30 minutes in: the 10-minute certificate had expired by then.
	f.signKeyless(t, expiredRepo, expiredDigest, identity, time.Now().Add(30*time.Minute))

	s := one(t, check(t, f, repo, digest, identityPolicy(t, identity, "", issuer)))
	if !s.Verified || s.Signer.Identity != identity || s.Signer.Issuer != issuer || !s.TransparencyLog.Verified || s.TransparencyLog.IntegratedTime == "" {
		t.Errorf("right identity: %+v; want verified with its log entry", s)
	}
	s = one(t, check(t, f, repo, digest, identityPolicy(t, "", `^release@example\.(com|org)$`, issuer)))
	if !s.Verified {
		t.Errorf("identity regexp: %+v; want verified", s)
	}
	for name, p := range map[string]signature.Policy{
		"wrong identity": identityPolicy(t, "someone@example.com", "", issuer),
		"wrong issuer":   identityPolicy(t, identity, "", "https://other.example.com"),
	} {
		if s := one(t, check(t, f, repo, digest, p)); s.Verified || s.Error == "" || s.Signer.Identity != identity {
			t.Errorf("%s: %+v; want unverified with an error, naming the certificate's identity", name, s)
		}
	}
	s = one(t, check(t, f, expiredRepo, expiredDigest, identityPolicy(t, identity, "", issuer)))
	if s.Verified || !strings.Contains(s.Error, "certificate") {
		t.Errorf("expired certificate: %+v; want unverified with a certificate error", s)
	}
	// A root that is not the one that issued the certificate.
	other := newFixture(t)
	p := identityPolicy(t, identity, "", issuer)
	p.Roots = signature.NewRoots(other.rootPath)
	if s := one(t, check(t, f, repo, digest, p)); s.Verified {
		t.Errorf("another trusted root: %+v; want unverified", s)
	}
}

func TestSigstoreBundleReferrer(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	repo, digest := f.pushImage(t, "bundled")
	f.pushBundle(t, repo, digest, digest, identity)
	otherRepo, otherDigest := f.pushImage(t, "bundled-other")
	_, unrelated := f.pushImage(t, "unrelated")
	f.pushBundle(t, otherRepo, otherDigest, unrelated, identity)

	s := one(t, check(t, f, repo, digest, identityPolicy(t, identity, "", issuer)))
	if !s.Verified || s.Format != "sigstore-bundle" || !s.TransparencyLog.Verified || s.Signer.Issuer != issuer {
		t.Errorf("bundle, right identity: %+v; want verified", s)
	}
	if s := one(t, check(t, f, repo, digest, identityPolicy(t, "someone@example.com", "", issuer))); s.Verified || s.Error == "" {
		t.Errorf("bundle, wrong identity: %+v; want unverified", s)
	}
	if s := one(t, check(t, f, otherRepo, otherDigest, identityPolicy(t, identity, "", issuer))); s.Verified || s.Error == "" {
		t.Errorf("bundle whose statement names another digest: %+v; want unverified", s)
	}
	s = one(t, check(t, f, repo, digest, signature.Policy{}))
	if s.Verified || s.Error != "" || s.Signer.Identity != identity {
		t.Errorf("bundle, nothing to check with: %+v; want listed with its claimed signer, unverified, no error", s)
	}
}

func TestKeylessNeedsATrustedRoot(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	repo, digest := f.pushImage(t, "keyless")
	f.signKeyless(t, repo, digest, identity, time.Now().Add(5*time.Minute))
	c := oci.New(oci.Options{})
	found, _, err := signature.Find(t.Context(), c, repo, digest)
	if err != nil {
		t.Fatal(err)
	}
	p := identityPolicy(t, identity, "", issuer)
	p.Roots = signature.NewRoots(f.rootPath + ".missing")
	_, err = signature.Verify(context.Background(), found, []string{digest}, p)
	if err == nil || !strings.Contains(err.Error(), "-sigstore-trusted-root") || !errors.Is(err, errdef.ErrUnsupported) {
		t.Errorf("missing trusted root file: %v; want an error naming the flag", err)
	}
}

func TestParsePublicKeyRejectsBadPEM(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"", "not a key", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----", strings.Repeat("A", 20000)} {
		_, err := signature.ParsePublicKey(in)
		if !errors.Is(err, errdef.ErrInvalidInput) || !strings.Contains(err.Error(), "public_key") {
			t.Errorf("ParsePublicKey(%.20q) = %v; want an invalid-input error naming public_key", in, err)
		}
	}
}

func TestNewIdentityArguments(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ id, re, iss string }{
		{identity, "", ""}, {"", "", issuer}, {identity, ".*", issuer}, {"", "(", issuer},
	} {
		if _, err := signature.NewIdentity(tc.id, tc.re, tc.iss); !errors.Is(err, errdef.ErrInvalidInput) {
			t.Errorf("NewIdentity(%q, %q, %q) = %v; want invalid input", tc.id, tc.re, tc.iss, err)
		}
	}
}

func TestKeySignedBundle(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	repo, digest := f.pushImage(t, "key-bundle")
	key, pub := newKey(t, ecdsaKey)
	f.pushKeyBundle(t, repo, digest, key)
	_, otherPub := newKey(t, ecdsaKey)

	s := one(t, check(t, f, repo, digest, keyPolicy(t, pub)))
	if !s.Verified || s.Format != "sigstore-bundle" || s.Signer.KeyFingerprint != keyPolicy(t, pub).Key.Fingerprint || s.TransparencyLog.Verified {
		t.Errorf("right key: %+v; want verified, not logged", s)
	}
	if s := one(t, check(t, f, repo, digest, keyPolicy(t, otherPub))); s.Verified || s.Error == "" {
		t.Errorf("wrong key: %+v; want unverified with an error", s)
	}
	if s := one(t, check(t, f, repo, digest, identityPolicy(t, identity, "", issuer))); s.Verified || !strings.Contains(s.Error, "pass public_key") {
		t.Errorf("identity on a key-signed bundle: %+v; want a hint to pass public_key", s)
	}
}

func TestKeyBasedSignatureLogEntry(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	key, pub := newKey(t, ecdsaKey)
	repo, digest := f.pushImage(t, "key-logged")
	f.signWithKeyLogged(t, repo, digest, key, pub, nil)
	s := one(t, check(t, f, repo, digest, keyPolicy(t, pub)))
	if !s.Verified || !s.TransparencyLog.Verified || s.TransparencyLog.IntegratedTime == "" {
		t.Errorf("logged key signature with a trusted root file: %+v; want verified with its log entry", s)
	}

	// Without a local root, the log entry is not checked (no fetch for a key).
	p := keyPolicy(t, pub)
	p.Roots = signature.NewRoots("")
	if s := one(t, check(t, f, repo, digest, p)); !s.Verified || s.TransparencyLog.Verified {
		t.Errorf("no trusted root at hand: %+v; want verified, log not checked", s)
	}

	// An entry that logs another signature does not vouch for this one.
	otherRepo, otherDigest := f.pushImage(t, "key-logged-other")
	other, err := demo.Sign(key, []byte("another payload"))
	if err != nil {
		t.Fatal(err)
	}
	f.signWithKeyLogged(t, otherRepo, otherDigest, key, pub, other)
	if s := one(t, check(t, f, otherRepo, otherDigest, keyPolicy(t, pub))); !s.Verified || s.TransparencyLog.Verified {
		t.Errorf("entry for another signature: %+v; want the signature verified but not its log entry", s)
	}
}
