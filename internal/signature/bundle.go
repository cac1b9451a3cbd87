package signature

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/verify"
)

// checkBundle verifies a Sigstore bundle: keyless with the identity (its
// certificate), or with the key (a key-signed bundle). The bundle must sign
// one of the image's digests: a DSSE statement naming it as a subject, or a
// message signature over the manifest itself.
func checkBundle(ctx context.Context, s *Signature, f Found, digests []string, p Policy) error {
	var b bundle.Bundle
	if err := b.UnmarshalJSON(f.Payload); err != nil {
		s.Error = "not a Sigstore bundle sigstore-go can read: " + firstLine(err.Error())
		return nil
	}
	vc, err := b.VerificationContent()
	if err != nil {
		s.Error = firstLine(err.Error())
		return nil
	}
	cert := vc.Certificate()
	if cert != nil {
		s.Signer = identityOf(cert)
	}
	var v *verify.Verifier
	var pol verify.PolicyOption
	switch {
	case cert != nil && p.Identity != nil:
		tm, err := p.Roots.Get(ctx)
		if err != nil {
			return err
		}
		v, err = keylessVerifier(tm)
		if err != nil {
			s.Error = firstLine(err.Error())
			return nil
		}
		pol = verify.WithCertificateIdentity(*p.Identity)
	case cert == nil && p.Key != nil:
		v, err = keyVerifier(ctx, p, b.HasInclusionProof() || b.HasInclusionPromise())
		if err != nil {
			s.Error = firstLine(err.Error())
			return nil
		}
		pol = verify.WithKey()
	case cert != nil && p.Key != nil:
		s.Error = "signed with a certificate, not a key: pass certificate_identity and certificate_oidc_issuer"
		return nil
	case cert == nil && p.Identity != nil:
		s.Error = "signed with a key, not a certificate: pass public_key"
		return nil
	default:
		return nil // nothing to check with; the summary says what to pass
	}
	res, err := verifyAgainst(v, &b, pol, f.Subject, digests)
	if err != nil {
		s.Error = firstLine(err.Error())
		return nil
	}
	s.Verified, s.Subject = true, res.subject
	if cert == nil {
		s.Signer.KeyFingerprint = p.Key.Fingerprint
	}
	if t, ok := tlogTime(res.VerifiedTimestamps); ok {
		s.TransparencyLog = t
	}
	return nil
}

type bundleResult struct {
	*verify.VerificationResult
	subject string
}

// verifyAgainst tries the digest the bundle is attached to first, then the
// image's other digest (a bundle on the index may sign a platform, or the
// reverse).
func verifyAgainst(v *verify.Verifier, b *bundle.Bundle, pol verify.PolicyOption, attached string, digests []string) (*bundleResult, error) {
	order := append([]string{attached}, digests...)
	var first error
	tried := map[string]bool{}
	for _, d := range order {
		if tried[d] {
			continue
		}
		tried[d] = true
		alg, raw, ok := digestBytes(d)
		if !ok {
			continue
		}
		res, err := v.Verify(b, verify.NewPolicy(verify.WithArtifactDigest(alg, raw), pol))
		if err == nil {
			return &bundleResult{res, d}, nil
		}
		if first == nil {
			first = err
		}
	}
	if first == nil {
		first = errors.New("no digest to check the bundle against")
	}
	return nil, first
}

// keyVerifier checks key-signed bundles: the caller's key, plus the trusted
// root's logs when the bundle has a log entry and the root is at hand (then
// the entry is checked too).
func keyVerifier(ctx context.Context, p Policy, logged bool) (*verify.Verifier, error) {
	km := root.NewTrustedPublicKeyMaterial(func(string) (root.TimeConstrainedVerifier, error) {
		return root.NewExpiringKey(p.Key.verifier, time.Time{}, time.Time{}), nil
	})
	if p.Roots != nil && logged {
		if tm := p.Roots.Loaded(ctx); tm != nil {
			return verify.NewVerifier(root.TrustedMaterialCollection{km, tm}, verify.WithTransparencyLog(1), verify.WithObserverTimestamps(1))
		}
	}
	v, err := verify.NewVerifier(km, verify.WithNoObserverTimestamps())
	if err != nil {
		return nil, fmt.Errorf("key verifier: %w", err)
	}
	return v, nil
}
