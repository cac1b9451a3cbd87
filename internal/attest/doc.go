// Package attest decodes what registries store about an image rather than
// the image itself: signatures, SBOMs, provenance, VEX documents and other
// attestations. It reads bytes and never talks to a registry; internal/oci
// finds the artifacts and internal/tools asks this package what they say.
// It does not verify signatures either: it reports who claims to have
// signed, not whether the claim holds.
//
// Things worth knowing about the domain:
//
//   - An artifact that describes an image is a "referrer": a manifest whose
//     subject is the image's digest. What it holds is told, in order of
//     trust, by an in-toto predicate type in its annotations, by its
//     artifact type (or, for older tools, its config media type) and by its
//     layers' media types. ReferrerKind turns these into one of the Kinds.
//   - Signatures come in several shapes. cosign's classic signature is a
//     "simple signing" JSON document (which image digest was signed) with
//     the signature and certificate in layer annotations; attached as an
//     OCI 1.1 referrer its artifact type is
//     application/vnd.dev.cosign.artifact.sig.v1+json. Newer cosign and
//     other sigstore clients write a sigstore bundle (verification material
//     plus a message signature or a DSSE envelope). Notation writes
//     application/vnd.cncf.notary.signature.
//   - A DSSE envelope ({"payloadType", "payload", "signatures"}) carries its
//     payload base64-encoded, usually an in-toto statement: {"_type",
//     "subject" (name and digests), "predicateType", "predicate"}. The
//     predicate type says what it is: SPDX (https://spdx.dev/Document) or
//     CycloneDX (https://cyclonedx.org/bom) SBOMs, SLSA provenance
//     (https://slsa.dev/provenance/v0.2 or v1), OpenVEX
//     (https://openvex.dev/ns), cosign's own sign/v1 statement.
//   - The same documents also appear bare: an SPDX or CycloneDX file as a
//     layer, an OpenVEX document. DecodePayload recognises them by content.
//   - Documents are attacker-controlled and can be huge (SBOMs of big
//     images reach tens of MiB): envelopes are capped (MaxEnvelopeBytes)
//     because their payload must be decoded whole; plain documents are
//     summarised while streaming (MaxPayloadScanBytes), keeping only the
//     first bytes asked for.
package attest
