package demo

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// SignedRepository is where SeedSigned pushes its image.
const SignedRepository = "demo/cosign-signed"

// Cosign's media type and annotation for a signature layer.
const (
	SimpleSigningMediaType = "application/vnd.dev.cosign.simplesigning.v1+json"
	SignatureAnnotation    = "dev.cosignproject.cosign/signature"
)

// SignedImage is the image SeedSigned pushed.
type SignedImage struct {
	Ref          string // host/demo/cosign-signed:1.0
	Digest       string // its manifest digest, the one the signature signs
	PublicKeyPEM []byte // the key that verifies the signature
}

// SeedSigned pushes to the registry at host (plain HTTP) a small image and a
// cosign signature of it made with a freshly generated ECDSA P-256 key, as
// `cosign sign --key` stores it: a simple-signing payload in the image's
// sha256-<hex>.sig tag. It returns the reference and the public key, which
// the demo prints so that verify_image_signature can be tried.
func SeedSigned(ctx context.Context, host string) (*SignedImage, error) {
	repo, err := name.NewRepository(host+"/"+SignedRepository, name.Insecure)
	if err != nil {
		return nil, err
	}
	img, err := random.Image(512, 1)
	if err != nil {
		return nil, err
	}
	ref := repo.Tag("1.0")
	if err := remote.Write(ref, img, remote.WithContext(ctx)); err != nil {
		return nil, fmt.Errorf("push %s: %w", ref, err)
	}
	digest, err := img.Digest()
	if err != nil {
		return nil, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	payload := SimpleSigningPayload(repo.Name(), digest.String())
	sig, err := Sign(key, payload)
	if err != nil {
		return nil, err
	}
	if err := PushCosignSignature(ctx, repo, digest.String(), payload, map[string]string{SignatureAnnotation: base64.StdEncoding.EncodeToString(sig)}); err != nil {
		return nil, err
	}
	pub, err := PublicKeyPEM(key.Public())
	if err != nil {
		return nil, err
	}
	return &SignedImage{Ref: ref.String(), Digest: digest.String(), PublicKeyPEM: pub}, nil
}

// SimpleSigningPayload is cosign's payload for a container image signature.
func SimpleSigningPayload(dockerReference, manifestDigest string) []byte {
	b, _ := json.Marshal(map[string]any{
		"critical": map[string]any{
			"identity": map[string]string{"docker-reference": dockerReference},
			"image":    map[string]string{"docker-manifest-digest": manifestDigest},
			"type":     "cosign container image signature",
		},
		"optional": nil,
	})
	return b
}

// Sign signs a payload as cosign does: SHA-256 and ASN.1 for ECDSA,
// PKCS #1 v1.5 with SHA-256 for RSA, and the message itself for Ed25519.
func Sign(key crypto.Signer, payload []byte) ([]byte, error) {
	if _, ok := key.(ed25519.PrivateKey); ok {
		return key.Sign(rand.Reader, payload, crypto.Hash(0))
	}
	sum := sha256.Sum256(payload)
	return key.Sign(rand.Reader, sum[:], crypto.SHA256)
}

// PublicKeyPEM encodes a public key as cosign.pub holds it.
func PublicKeyPEM(pub crypto.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// PushCosignSignature pushes a signature layer (payload with annotations,
// at least the signature's) to subjectDigest's cosign tag sha256-<hex>.sig
// in repo, replacing what the tag held.
func PushCosignSignature(ctx context.Context, repo name.Repository, subjectDigest string, payload []byte, annotations map[string]string) error {
	layer := static.NewLayer(payload, SimpleSigningMediaType)
	img, err := mutate.Append(mutate.MediaType(empty.Image, types.OCIManifestSchema1), mutate.Addendum{Layer: layer, Annotations: annotations})
	if err != nil {
		return err
	}
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	tag := repo.Tag(strings.Replace(subjectDigest, ":", "-", 1) + ".sig")
	if err := remote.Write(tag, img, remote.WithContext(ctx)); err != nil {
		return fmt.Errorf("push %s: %w", tag, err)
	}
	return nil
}
