package signature

import (
	"context"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sigstore/sigstore-go/pkg/fulcio/certificate"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/verify"

	"github.com/registry-mcp/registry-mcp/internal/errdef"
)

// Policy is what the caller trusts. With neither Key nor Identity, signatures
// are listed and none verifies.
type Policy struct {
	// Key checks key-based signatures (cosign sign --key).
	Key *PublicKey
	// Identity checks keyless signatures: the certificate's subject and OIDC
	// issuer, the chain to Fulcio and the transparency-log entry, against
	// the trusted root from Roots.
	Identity *verify.CertificateIdentity
	// Roots supplies the trusted root; consulted only when a keyless
	// signature is checked (or, if already at hand, for a key-based
	// signature's log entry).
	Roots *Roots
}

// NewIdentity builds the identity policy from the tool's arguments. Exactly
// one of identity and identityRegexp, and issuer, must be set.
func NewIdentity(identity, identityRegexp, issuer string) (*verify.CertificateIdentity, error) {
	if identity == "" && identityRegexp == "" && issuer == "" {
		return nil, nil
	}
	switch {
	case identity != "" && identityRegexp != "":
		return nil, fmt.Errorf("%w: pass certificate_identity or certificate_identity_regexp, not both", errdef.ErrInvalidInput)
	case identity == "" && identityRegexp == "":
		return nil, fmt.Errorf("%w: certificate_oidc_issuer needs certificate_identity (e.g. https://github.com/o/r/.github/workflows/release.yml@refs/heads/main, or an email) or certificate_identity_regexp", errdef.ErrInvalidInput)
	case issuer == "":
		return nil, fmt.Errorf("%w: a certificate identity needs certificate_oidc_issuer too (e.g. https://token.actions.githubusercontent.com or https://accounts.google.com)", errdef.ErrInvalidInput)
	}
	id, err := verify.NewShortCertificateIdentity(issuer, "", identity, identityRegexp)
	if err != nil {
		return nil, fmt.Errorf("%w: certificate_identity_regexp: %s", errdef.ErrInvalidInput, firstLine(err.Error()))
	}
	return &id, nil
}

// Signature is the outcome for one signature.
type Signature struct {
	Digest string `json:"digest" jsonschema:"Manifest holding the signature: the .sig tag's or the referrer's"`
	Layer  string `json:"layer,omitempty"`
	Format string `json:"format" jsonschema:"cosign (signature tag) or sigstore-bundle (OCI referrer)"`
	// Subject is the digest the signature signs (the one its payload names),
	// or, when that is not known, the digest it is attached to.
	Subject         string          `json:"subject"`
	Verified        bool            `json:"verified"`
	Signer          Signer          `json:"signer"`
	TransparencyLog TransparencyLog `json:"transparency_log"`
	Error           string          `json:"error,omitempty"`
}

// Signer says who signed: a key's fingerprint, or a certificate's identity
// and issuer (as the certificate claims them, when not verified).
type Signer struct {
	KeyFingerprint string `json:"key_fingerprint,omitempty"`
	Identity       string `json:"identity,omitempty"`
	Issuer         string `json:"issuer,omitempty"`
}

// TransparencyLog says whether a Rekor entry for the signature was checked
// against the trusted root, and when it was logged.
type TransparencyLog struct {
	Verified       bool   `json:"verified"`
	IntegratedTime string `json:"integrated_time,omitempty"`
}

// Verify checks each signature found against the policy. imageDigests are
// the digests that name the image (the index and the chosen platform's
// manifest): a signature must sign one of them. The error is only for a
// trusted root that a keyless check needs and cannot get.
func Verify(ctx context.Context, found []Found, imageDigests []string, p Policy) ([]Signature, error) {
	out := make([]Signature, 0, len(found))
	for _, f := range found {
		s, err := verifyOne(ctx, f, imageDigests, p)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func verifyOne(ctx context.Context, f Found, digests []string, p Policy) (Signature, error) {
	s := Signature{Digest: f.Digest, Layer: f.Layer, Format: f.Format, Subject: f.Subject}
	if f.Err != nil {
		s.Error = "cannot be read: " + firstLine(f.Err.Error())
		return s, nil //nolint:nilerr // reported in the result; other signatures may still verify
	}
	if f.Format == FormatCosign {
		return s, checkCosign(ctx, &s, f, digests, p)
	}
	return s, checkBundle(ctx, &s, f, digests, p)
}

// errNeedsTrust marks a signature left unchecked because the caller passed
// nothing to check it with.
var errNeedsTrust = errors.New("not checked")

func setError(s *Signature, err error) {
	if err != nil && !errors.Is(err, errNeedsTrust) {
		s.Error = firstLine(err.Error())
	}
}

// identityOf reads who a certificate names, as it claims it.
func identityOf(cert *x509.Certificate) Signer {
	sum, err := certificate.SummarizeCertificate(cert)
	if err != nil {
		return Signer{}
	}
	return Signer{Identity: sum.SubjectAlternativeName, Issuer: sum.Issuer}
}

// tlogTime reads the first transparency-log time a verification established.
func tlogTime(ts []verify.TimestampVerificationResult) (TransparencyLog, bool) {
	for _, t := range ts {
		if t.Type == "Tlog" {
			return TransparencyLog{Verified: true, IntegratedTime: t.Timestamp.UTC().Format(time.RFC3339)}, true
		}
	}
	return TransparencyLog{}, false
}

// keylessVerifier requires a transparency-log entry verified against the
// trusted root and a time from it (or a timestamp authority) at which the
// certificate was valid, as cosign does by default. Embedded SCTs are not
// required: the log entry already proves the certificate was logged.
func keylessVerifier(tm root.TrustedMaterial) (*verify.Verifier, error) {
	return verify.NewVerifier(tm, verify.WithTransparencyLog(1), verify.WithObserverTimestamps(1))
}

// digestBytes splits sha256:<hex> into what sigstore-go compares.
func digestBytes(d string) (string, []byte, bool) {
	alg, h, ok := strings.Cut(d, ":")
	b, err := hex.DecodeString(h)
	return alg, b, ok && err == nil
}

func names(digests []string, d string) bool { return slices.Contains(digests, d) }
