// Package signature finds an image's signatures in a registry and verifies
// them with sigstore-go.
//
// Signatures live in two places:
//
//   - cosign's signature tag, sha256-<hex>.sig beside the image: an image
//     manifest whose layers are simple-signing payloads (JSON naming the
//     signed manifest digest under critical.image.docker-manifest-digest),
//     each annotated with its signature (dev.cosignproject.cosign/signature)
//     and, for keyless signing, the Fulcio certificate and chain
//     (dev.sigstore.cosign/certificate, .../chain) and Rekor's signed entry
//     timestamp (dev.sigstore.cosign/bundle).
//   - Sigstore bundles (application/vnd.dev.sigstore.bundle.v0.3+json and
//     the older ...bundle+json;version=0.1/0.2) stored as OCI referrers of
//     the image, as cosign v3 and other Sigstore clients write them.
//
// A signature counts only if it verifies under what the caller trusts: a
// public key, or a certificate identity and OIDC issuer checked against a
// Sigstore trusted root (Fulcio's CAs, Rekor's keys). A valid signature
// over a payload that names another digest does not sign this image.
package signature
