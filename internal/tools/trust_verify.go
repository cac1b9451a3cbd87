package tools

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/registry-mcp/registry-mcp/internal/oci"
	"github.com/registry-mcp/registry-mcp/internal/signature"
)

// VerifySignatureInput names the image and what its signer is trusted by.
type VerifySignatureInput struct {
	ImageRef                  string `json:"image_ref" jsonschema:"Image reference"`
	Platform                  string `json:"platform,omitempty" jsonschema:"os/arch[/variant] of an index"`
	PublicKey                 string `json:"public_key,omitempty" jsonschema:"PEM public key (cosign.pub)"`
	CertificateIdentity       string `json:"certificate_identity,omitempty" jsonschema:"Keyless signer: email or URI"`
	CertificateIdentityRegexp string `json:"certificate_identity_regexp,omitempty" jsonschema:"Keyless signer regexp"`
	CertificateOIDCIssuer     string `json:"certificate_oidc_issuer,omitempty" jsonschema:"Keyless signer's OIDC issuer"`
}

// VerifySignatureOutput says whether the image is signed by whom the caller trusts.
type VerifySignatureOutput struct {
	Reference   string                `json:"reference"`
	Digest      string                `json:"digest"`
	IndexDigest string                `json:"index_digest,omitempty"`
	Verified    bool                  `json:"verified"`
	Signatures  []signature.Signature `json:"signatures"`
	Truncated   bool                  `json:"truncated,omitempty"`
	Summary     string                `json:"summary"`

	isIndex bool // image_ref names an index
}

// defaultRoots is the public-good trusted root, for servers built without
// Deps.Sigstore; it is fetched only when a keyless check needs it.
var defaultRoots = sync.OnceValue(func() *signature.Roots { return signature.NewRoots("") })

func verifyImageSignatureTool() *toolDef {
	t := readOnlyTool("verify_image_signature", "Verify image signatures",
		"Verify cosign/Sigstore image signatures: public_key, or keyless identity + OIDC issuer.",
		inputSchema[VerifySignatureInput](nil, nil))
	return define(ToolsetTrust, t, verifyImageSignature)
}

func verifyImageSignature(ctx context.Context, d Deps, _ *mcp.CallToolRequest, in VerifySignatureInput) (VerifySignatureOutput, error) {
	ref, err := d.Registry.ParseReference(in.ImageRef)
	if err != nil {
		return VerifySignatureOutput{}, err
	}
	want, err := parsePlatform(in.Platform)
	if err != nil {
		return VerifySignatureOutput{}, err
	}
	p, err := signaturePolicy(d, in)
	if err != nil {
		return VerifySignatureOutput{}, err
	}
	out := VerifySignatureOutput{Reference: oci.DisplayRef(ref), Signatures: []signature.Signature{}}
	digests, err := signedDigests(ctx, d, ref, want, &out)
	if err != nil {
		return VerifySignatureOutput{}, err
	}
	found, truncated, err := findSignatures(ctx, d, ref.Context(), digests)
	if err != nil {
		return VerifySignatureOutput{}, err
	}
	out.Truncated = truncated
	sigs, err := signature.Verify(ctx, found, digests, p)
	if err != nil {
		return VerifySignatureOutput{}, err
	}
	out.Signatures = append(out.Signatures, sigs...)
	for _, s := range sigs {
		out.Verified = out.Verified || s.Verified
	}
	out.Summary = summarizeSignatures(out, p)
	return out, nil
}

// findSignatures looks for the signatures of each digest at once: an index
// and its platform's image cost the round trips of one.
func findSignatures(ctx context.Context, d Deps, repo name.Repository, digests []string) ([]signature.Found, bool, error) {
	type result struct {
		found     []signature.Found
		truncated bool
		err       error
	}
	results := make([]result, len(digests))
	var wg sync.WaitGroup
	for i, dg := range digests {
		wg.Go(func() {
			r := &results[i]
			r.found, r.truncated, r.err = signature.Find(ctx, d.Registry, repo, dg)
		})
	}
	wg.Wait()
	var all []signature.Found
	truncated := false
	for _, r := range results {
		if r.err != nil {
			return nil, false, r.err
		}
		all, truncated = append(all, r.found...), truncated || r.truncated
	}
	return all, truncated, nil
}

// signaturePolicy checks the trust arguments before anything is fetched.
func signaturePolicy(d Deps, in VerifySignatureInput) (signature.Policy, error) {
	p := signature.Policy{Roots: d.Sigstore}
	if p.Roots == nil {
		p.Roots = defaultRoots()
	}
	if strings.TrimSpace(in.PublicKey) != "" {
		k, err := signature.ParsePublicKey(in.PublicKey)
		if err != nil {
			return p, err
		}
		p.Key = k
	}
	id, err := signature.NewIdentity(strings.TrimSpace(in.CertificateIdentity), strings.TrimSpace(in.CertificateIdentityRegexp), strings.TrimSpace(in.CertificateOIDCIssuer))
	if err != nil {
		return p, err
	}
	p.Identity = id
	return p, nil
}

// signedDigests lists the digests whose signatures count: the manifest the
// reference names and, with platform on an index, that platform's image.
func signedDigests(ctx context.Context, d Deps, ref name.Reference, want *oci.Platform, out *VerifySignatureOutput) ([]string, error) {
	m, err := d.Registry.Manifest(ctx, ref)
	if err != nil {
		return nil, err
	}
	out.Digest, out.isIndex = m.Digest, m.IsIndex()
	if !m.IsIndex() || want == nil {
		return []string{m.Digest}, nil
	}
	// By digest: the index is in the cache, whatever the tag TTL.
	res, err := d.Registry.Resolve(ctx, ref.Context().Digest(m.Digest), want)
	if err != nil {
		return nil, err
	}
	out.Digest, out.IndexDigest = res.Image.Digest, m.Digest
	return []string{m.Digest, res.Image.Digest}, nil
}

// summarizeSignatures says in a sentence or two what was found, what
// verified against which digest, and what to pass when nothing could.
func summarizeSignatures(out VerifySignatureOutput, p signature.Policy) string {
	if len(out.Signatures) == 0 {
		hint := ""
		if out.IndexDigest == "" && out.isIndex {
			hint = " Signatures may be on a platform's image instead: pass platform to check one."
		}
		return fmt.Sprintf("No signatures found for %s: neither cosign's sha256-<hex>.sig tag nor a Sigstore bundle referrer exists for %s.%s", out.Reference, digestsChecked(out), hint)
	}
	keyless, keyed := 0, 0
	for _, s := range out.Signatures {
		if s.Signer.Identity != "" || s.Format == signature.FormatBundle {
			keyless++
		} else {
			keyed++
		}
	}
	found := fmt.Sprintf("%d signature(s) found (%d keyless, %d key-based)", len(out.Signatures), keyless, keyed)
	if p.Key == nil && p.Identity == nil {
		return found + "; none checked: " + whatToPass(keyless, keyed)
	}
	trust := trustedBy(p)
	if out.Verified {
		return fmt.Sprintf("Verified: %s; %s by %s, signing %s.", found, countVerified(out.Signatures), trust, matchedDigests(out))
	}
	first := ""
	for _, s := range out.Signatures {
		if s.Error != "" {
			first = " First problem: " + s.Error + "."
			break
		}
	}
	return fmt.Sprintf("Not verified: %s, and none verifies under %s.%s", found, trust, first)
}

func whatToPass(keyless, keyed int) string {
	var parts []string
	if keyed > 0 {
		parts = append(parts, "pass public_key (PEM) for key-based signatures")
	}
	if keyless > 0 {
		parts = append(parts, "pass certificate_identity (or certificate_identity_regexp) and certificate_oidc_issuer for keyless ones")
	}
	return strings.Join(parts, "; ") + "."
}

func trustedBy(p signature.Policy) string {
	var parts []string
	if p.Key != nil {
		parts = append(parts, "public key "+p.Key.Fingerprint)
	}
	if p.Identity != nil {
		parts = append(parts, "the given certificate identity and issuer")
	}
	return strings.Join(parts, " or ")
}

func countVerified(sigs []signature.Signature) string {
	n := 0
	for _, s := range sigs {
		if s.Verified {
			n++
		}
	}
	return fmt.Sprintf("%d verified", n)
}

// matchedDigests names which of the image's digests the verified signatures sign.
func matchedDigests(out VerifySignatureOutput) string {
	seen := map[string]bool{}
	var parts []string
	for _, s := range out.Signatures {
		if !s.Verified || seen[s.Subject] {
			continue
		}
		seen[s.Subject] = true
		what := "the image " + s.Subject
		if s.Subject == out.IndexDigest {
			what = "the index " + s.Subject
		} else if out.IndexDigest != "" {
			what = "the platform's image " + s.Subject
		}
		parts = append(parts, what)
	}
	return strings.Join(parts, " and ")
}

func digestsChecked(out VerifySignatureOutput) string {
	if out.IndexDigest != "" {
		return "the index " + out.IndexDigest + " or the platform's image " + out.Digest
	}
	return out.Digest
}
