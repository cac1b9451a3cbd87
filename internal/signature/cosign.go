package signature

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	protorekor "github.com/sigstore/protobuf-specs/gen/pb-go/rekor/v1"
	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/tlog"
	"github.com/sigstore/sigstore-go/pkg/verify"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
)

// simpleSigning is the part of cosign's payload that says what is signed.
type simpleSigning struct {
	Critical struct {
		Image struct {
			DockerManifestDigest string `json:"docker-manifest-digest"`
		} `json:"image"`
		Type string `json:"type"`
	} `json:"critical"`
}

// rekorBundle is cosign's dev.sigstore.cosign/bundle annotation: Rekor's
// signed entry timestamp over the entry it logged.
type rekorBundle struct {
	SignedEntryTimestamp []byte `json:"SignedEntryTimestamp"`
	Payload              struct {
		Body           string `json:"body"`
		IntegratedTime int64  `json:"integratedTime"`
		LogIndex       int64  `json:"logIndex"`
		LogID          string `json:"logID"`
	} `json:"Payload"`
}

// cosignSig is a cosign signature layer, decoded.
type cosignSig struct {
	payload  []byte
	signed   string // the digest the payload names
	sig      []byte
	cert     *x509.Certificate
	entry    *tlog.Entry // nil without a (readable) Rekor bundle annotation
	entryErr error       // why the annotation could not be read
}

func parseCosign(f Found) (*cosignSig, error) {
	c := &cosignSig{payload: f.Payload}
	var ss simpleSigning
	if err := json.Unmarshal(f.Payload, &ss); err != nil || ss.Critical.Image.DockerManifestDigest == "" {
		return nil, errors.New("the payload is not a cosign simple-signing document naming a manifest digest")
	}
	c.signed = ss.Critical.Image.DockerManifestDigest
	sig, err := base64.StdEncoding.DecodeString(f.Annotations[annSignature])
	if err != nil || len(sig) == 0 {
		return nil, fmt.Errorf("the layer has no base64 signature in its %s annotation", annSignature)
	}
	c.sig = sig
	if pemText := f.Annotations[annCertificate]; pemText != "" {
		certs, err := cryptoutils.UnmarshalCertificatesFromPEMLimited([]byte(pemText), 10)
		if err != nil || len(certs) == 0 {
			return nil, fmt.Errorf("the %s annotation is not a PEM certificate", annCertificate)
		}
		c.cert = certs[0]
	}
	if b := f.Annotations[annRekorBundle]; b != "" {
		// Not fatal here: a key-based signature stands without its log entry.
		if c.entry, err = parseRekorBundle([]byte(b)); err != nil {
			c.entryErr = fmt.Errorf("the %s annotation: %s", annRekorBundle, firstLine(err.Error()))
		}
	}
	return c, nil
}

func parseRekorBundle(b []byte) (*tlog.Entry, error) {
	var rb rekorBundle
	if err := json.Unmarshal(b, &rb); err != nil {
		return nil, errors.New("not Rekor bundle JSON")
	}
	body, err := base64.StdEncoding.DecodeString(rb.Payload.Body)
	if err != nil {
		return nil, errors.New("the entry body is not base64")
	}
	logID, err := hex.DecodeString(rb.Payload.LogID)
	if err != nil {
		return nil, errors.New("the log ID is not hex")
	}
	// The annotation leaves out the entry's kind and version; its body says them.
	var kv struct {
		Kind       string `json:"kind"`
		APIVersion string `json:"apiVersion"`
	}
	if err := json.Unmarshal(body, &kv); err != nil {
		return nil, errors.New("the entry body is not JSON")
	}
	return tlog.ParseTransparencyLogEntry(&protorekor.TransparencyLogEntry{
		LogIndex: rb.Payload.LogIndex, LogId: &protocommon.LogId{KeyId: logID},
		KindVersion:    &protorekor.KindVersion{Kind: kv.Kind, Version: kv.APIVersion},
		IntegratedTime: rb.Payload.IntegratedTime, CanonicalizedBody: body,
		InclusionPromise: &protorekor.InclusionPromise{SignedEntryTimestamp: rb.SignedEntryTimestamp},
	})
}

// checkCosign verifies a cosign signature layer with the key, or keylessly
// with the identity, and checks that the payload names this image.
func checkCosign(ctx context.Context, s *Signature, f Found, digests []string, p Policy) error {
	c, err := parseCosign(f)
	if err != nil {
		s.Error = err.Error()
		return nil //nolint:nilerr // an unreadable signature is reported in the result; the call goes on
	}
	s.Subject = c.signed
	if c.cert != nil {
		s.Signer = identityOf(c.cert)
	}
	keyErr, idErr := errNeedsTrust, errNeedsTrust
	if p.Key != nil {
		keyErr = checkCosignKey(ctx, s, c, p)
	}
	if keyErr != nil && p.Identity != nil && c.cert != nil {
		tm, err := p.Roots.Get(ctx)
		if err != nil {
			return err
		}
		idErr = checkCosignKeyless(s, c, tm, p.Identity)
	}
	switch {
	case keyErr == nil || idErr == nil:
		if !names(digests, c.signed) {
			s.Verified = false
			s.Error = fmt.Sprintf("the signature is valid but signs %s, not this image (%s)", c.signed, joinDigests(digests))
			return nil
		}
		s.Verified = true
	case !errors.Is(idErr, errNeedsTrust):
		setError(s, idErr)
	case p.Identity != nil && c.cert == nil && p.Key == nil:
		s.Error = "signed with a key, not a certificate: pass public_key"
	case p.Key != nil && c.cert != nil && p.Identity == nil && errors.Is(keyErr, errWrongKey):
		s.Error = "signed with a certificate whose key is not public_key: pass certificate_identity and certificate_oidc_issuer"
	default:
		setError(s, keyErr)
	}
	return nil
}

var errWrongKey = errors.New("the signature does not verify under public_key")

// checkCosignKey checks the signature over the payload with the caller's
// key, and the Rekor entry when a trusted root is at hand.
func checkCosignKey(ctx context.Context, s *Signature, c *cosignSig, p Policy) error {
	if err := p.Key.verifier.VerifySignature(bytes.NewReader(c.sig), bytes.NewReader(c.payload)); err != nil {
		return fmt.Errorf("%w (%s)", errWrongKey, p.Key.Fingerprint)
	}
	s.Signer.KeyFingerprint = p.Key.Fingerprint
	if c.entry == nil || p.Roots == nil {
		return nil
	}
	// The same checks as for a keyless entry: Rekor's signed entry timestamp,
	// and the entry's signature, key and payload digest equal to this one's.
	if tm := p.Roots.Loaded(ctx); tm != nil {
		if _, err := verify.VerifyTlogEntry(&cosignEntity{c: c, key: p.Key}, tm, 1, true); err == nil {
			s.TransparencyLog = TransparencyLog{Verified: true, IntegratedTime: c.entry.IntegratedTime().UTC().Format(time.RFC3339)}
		}
	}
	return nil
}

// checkCosignKeyless hands the certificate, signature and Rekor entry to
// sigstore-go as one signed entity over the payload.
func checkCosignKeyless(s *Signature, c *cosignSig, tm root.TrustedMaterial, id *verify.CertificateIdentity) error {
	if c.entryErr != nil {
		return c.entryErr
	}
	if c.entry == nil {
		return errors.New("a keyless signature needs a transparency-log entry (the dev.sigstore.cosign/bundle annotation) and this one has none")
	}
	v, err := keylessVerifier(tm)
	if err != nil {
		return err
	}
	res, err := v.Verify(&cosignEntity{c: c}, verify.NewPolicy(verify.WithArtifact(bytes.NewReader(c.payload)), verify.WithCertificateIdentity(*id)))
	if err != nil {
		return err
	}
	if t, ok := tlogTime(res.VerifiedTimestamps); ok {
		s.TransparencyLog = t
	}
	return nil
}

// cosignEntity presents a cosign signature layer to sigstore-go: signed by
// its certificate, or by key when key is set.
type cosignEntity struct {
	c   *cosignSig
	key *PublicKey
}

func (e *cosignEntity) HasInclusionPromise() bool { return e.c.entry != nil }
func (e *cosignEntity) HasInclusionProof() bool   { return false }
func (e *cosignEntity) Version() (string, error)  { return "v0.1", nil }
func (e *cosignEntity) Timestamps() ([][]byte, error) {
	return nil, nil
}

func (e *cosignEntity) TlogEntries() ([]*tlog.Entry, error) {
	if e.c.entry == nil {
		return nil, nil
	}
	return []*tlog.Entry{e.c.entry}, nil
}

func (e *cosignEntity) VerificationContent() (verify.VerificationContent, error) {
	if e.key != nil {
		return keyContent{e.key}, nil
	}
	return bundle.NewCertificate(e.c.cert), nil
}

func (e *cosignEntity) SignatureContent() (verify.SignatureContent, error) {
	sum := sha256.Sum256(e.c.payload)
	return bundle.NewMessageSignature(sum[:], "SHA2_256", e.c.sig), nil
}

func joinDigests(ds []string) string {
	if len(ds) == 1 {
		return ds[0]
	}
	return fmt.Sprintf("%s or %s", ds[0], ds[1])
}

// keyContent is the caller's key as sigstore-go's verification content: the
// log entry's key must equal it, and it has no validity period.
type keyContent struct{ k *PublicKey }

func (kc keyContent) CompareKey(key any, _ root.TrustedMaterial) bool {
	eq, ok := key.(interface{ Equal(crypto.PublicKey) bool })
	return ok && eq.Equal(kc.k.key)
}
func (kc keyContent) ValidAtTime(time.Time, root.TrustedMaterial) bool { return true }
func (kc keyContent) Certificate() *x509.Certificate                   { return nil }
func (kc keyContent) Intermediates() []*x509.Certificate               { return nil }
func (kc keyContent) PublicKey() verify.PublicKeyProvider              { return kc }
func (kc keyContent) Hint() string                                     { return kc.k.Fingerprint }
