package signature

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/sigstore/sigstore/pkg/cryptoutils"
	sigsig "github.com/sigstore/sigstore/pkg/signature"

	"github.com/registry-mcp/registry-mcp/internal/errdef"
)

// maxKeyPEM bounds the public key argument: an RSA-8192 key in PEM is under 2 KiB.
const maxKeyPEM = 16 << 10

// PublicKey is a caller's public key, ready to check cosign signatures.
type PublicKey struct {
	key         crypto.PublicKey
	verifier    sigsig.Verifier
	Fingerprint string // sha256:<hex> of the DER SubjectPublicKeyInfo, as `openssl pkey -pubin -outform DER | sha256sum` prints it
}

// ParsePublicKey reads a PEM public key (ECDSA, RSA or Ed25519). The error
// wraps errdef.ErrInvalidInput and says what a good value looks like.
func ParsePublicKey(pemText string) (*PublicKey, error) {
	pemText = strings.TrimSpace(pemText)
	if len(pemText) > maxKeyPEM {
		return nil, fmt.Errorf("%w: public_key is %d bytes; a PEM public key is at most a few KiB", errdef.ErrInvalidInput, len(pemText))
	}
	key, err := cryptoutils.UnmarshalPEMToPublicKey([]byte(pemText))
	if err != nil {
		return nil, fmt.Errorf("%w: public_key is not a PEM public key (%s); pass the text of cosign.pub, starting with -----BEGIN PUBLIC KEY-----", errdef.ErrInvalidInput, firstLine(err.Error()))
	}
	switch key.(type) {
	case *ecdsa.PublicKey, *rsa.PublicKey, ed25519.PublicKey:
	default:
		return nil, fmt.Errorf("%w: public_key holds a %T; ECDSA, RSA and Ed25519 keys are supported", errdef.ErrInvalidInput, key)
	}
	// cosign signs with SHA-256 whatever the key (Ed25519 signs the message itself).
	v, err := sigsig.LoadVerifier(key, crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("%w: public_key: %s", errdef.ErrInvalidInput, firstLine(err.Error()))
	}
	der, err := cryptoutils.MarshalPublicKeyToDER(key)
	if err != nil {
		return nil, fmt.Errorf("%w: public_key: %s", errdef.ErrInvalidInput, firstLine(err.Error()))
	}
	return &PublicKey{key: key, verifier: v, Fingerprint: fingerprint(der)}, nil
}

func fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// firstLine keeps an error from a library short enough for a result: its
// first line, cut at 300 bytes.
func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 300 {
		s = strings.ToValidUTF8(s[:300], "") + "…"
	}
	return s
}
