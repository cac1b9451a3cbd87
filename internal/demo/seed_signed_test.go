package demo_test

import (
	"testing"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/registry-mcp/registry-mcp/internal/demo"
	"github.com/registry-mcp/registry-mcp/internal/oci"
	"github.com/registry-mcp/registry-mcp/internal/signature"
)

// TestSeedSignedVerifiesWithItsKey pushes the signed image to the demo
// registry and checks it the way verify_image_signature does.
func TestSeedSignedVerifiesWithItsKey(t *testing.T) {
	t.Parallel()
	r, err := demo.Start("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	signed, err := demo.SeedSigned(t.Context(), r.Host)
	if err != nil {
		t.Fatal(err)
	}
	key, err := signature.ParsePublicKey(string(signed.PublicKeyPEM))
	if err != nil {
		t.Fatal(err)
	}
	ref, err := name.ParseReference(signed.Ref)
	if err != nil {
		t.Fatal(err)
	}
	found, _, err := signature.Find(t.Context(), oci.New(oci.Options{}), ref.Context(), signed.Digest)
	if err != nil {
		t.Fatal(err)
	}
	sigs, err := signature.Verify(t.Context(), found, []string{signed.Digest}, signature.Policy{Key: key})
	if err != nil {
		t.Fatal(err)
	}
	if len(sigs) != 1 || !sigs[0].Verified || sigs[0].Signer.KeyFingerprint != key.Fingerprint {
		t.Errorf("demo signature: %+v; want one, verified by the printed key", sigs)
	}
}
