package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/registry-mcp/registry-mcp/internal/demo"
	"github.com/registry-mcp/registry-mcp/internal/registrytest"
)

// TestSigstoreTrustedRootReachesTheTool checks the flag's wiring: a keyless
// check reads the file it names, and a key-based check needs none.
func TestSigstoreTrustedRootReachesTheTool(t *testing.T) {
	t.Parallel()
	reg, fx := registrytest.StartSeeded(t, registrytest.Options{})
	signed, err := demo.SeedSigned(t.Context(), reg.Host)
	if err != nil {
		t.Fatal(err)
	}
	missing := t.TempDir() + "/no_trusted_root.json"
	var out, errOut bytes.Buffer
	err = run(context.Background(), []string{"call", "-sigstore-trusted-root", missing, "verify_image_signature", "image_ref=" + fx.Ref(fx.Supply.Signed),
		"certificate_identity=" + registrytest.SignerIdentity, "certificate_oidc_issuer=" + registrytest.SignerIssuer}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error()+out.String(), missing) {
		t.Errorf("keyless check with a missing trusted root: %v %s; want an error naming %s", err, out.String(), missing)
	}
	out.Reset()
	err = run(context.Background(), []string{"call", "-sigstore-trusted-root", missing, "verify_image_signature", "image_ref=" + signed.Ref, "public_key=" + string(signed.PublicKeyPEM)}, &out, &errOut)
	var res struct {
		Verified bool `json:"verified"`
	}
	if err != nil || json.Unmarshal(out.Bytes(), &res) != nil || !res.Verified {
		t.Errorf("key-based check: %v %s; want verified without the trusted root", err, out.String())
	}
}
