package attest

import "strings"

// Kinds of referrer, from what the artifact says about itself.
const (
	KindSignature   = "signature"
	KindSBOM        = "sbom"
	KindProvenance  = "provenance"
	KindVEX         = "vex"
	KindAttestation = "attestation"
	KindOther       = "other"
)

// Kinds lists every kind, for filters and schemas.
var Kinds = []string{KindSignature, KindSBOM, KindProvenance, KindVEX, KindAttestation, KindOther}

// IsKind reports whether s names one of the Kinds.
func IsKind(s string) bool {
	for _, k := range Kinds {
		if s == k {
			return true
		}
	}
	return false
}

// predicateAnnotations are where tools record an in-toto predicate type:
// BuildKit on attestation layers, cosign on .att layers, sigstore bundles
// on the referrer descriptor.
var predicateAnnotations = []string{"in-toto.io/predicate-type", "predicateType", "dev.sigstore.bundle.predicateType"}

// ReferrerKind classifies a referrer by its artifact type (or config media
// type), its media type and the predicate type its annotations name.
func ReferrerKind(artifactType, mediaType string, annotations map[string]string) string {
	for _, k := range predicateAnnotations {
		if pt := annotations[k]; pt != "" {
			return PredicateKind(pt)
		}
	}
	if k := typeKind(strings.ToLower(artifactType)); k != "" {
		return k
	}
	if k := typeKind(strings.ToLower(mediaType)); k != "" {
		return k
	}
	return KindOther
}

// knownTypes are artifact and media types whose kind is exact; the
// substring rules of typeKind catch the rest (and future versions).
var knownTypes = map[string]string{
	"application/vnd.dev.cosign.artifact.sig.v1+json":  KindSignature, // cosign's OCI 1.1 signature referrer
	"application/vnd.dev.cosign.simplesigning.v1+json": KindSignature, // the payload cosign signs
	"application/vnd.dev.cosign.artifact.sbom.v1+json": KindSBOM,      // cosign attach sbom, OCI 1.1
	"application/vnd.cncf.notary.signature":            KindSignature, // Notary Project (notation)
}

// typeKind maps a media or artifact type to a kind, or "" if it says nothing.
func typeKind(t string) string {
	if k, ok := knownTypes[t]; ok {
		return k
	}
	switch {
	case t == "":
		return ""
	case strings.Contains(t, "cosign.simplesigning"), strings.Contains(t, "notary.signature"),
		strings.Contains(t, "sigstore.bundle"), strings.Contains(t, "signature"):
		return KindSignature
	case strings.Contains(t, "spdx"), strings.Contains(t, "cyclonedx"), strings.Contains(t, "syft"), strings.Contains(t, "sbom"):
		return KindSBOM
	case strings.Contains(t, "slsa"), strings.Contains(t, "provenance"):
		return KindProvenance
	case strings.Contains(t, "vex"), strings.Contains(t, "csaf"):
		return KindVEX
	case strings.Contains(t, "in-toto"), strings.Contains(t, "dsse"), strings.Contains(t, "attestation"):
		return KindAttestation
	}
	return ""
}

// PredicateKind maps an in-toto predicate type to a kind.
func PredicateKind(predicateType string) string {
	pt := strings.ToLower(predicateType)
	switch {
	case strings.Contains(pt, "sigstore.dev/cosign/sign"):
		return KindSignature
	case strings.Contains(pt, "spdx"), strings.Contains(pt, "cyclonedx"):
		return KindSBOM
	case strings.Contains(pt, "slsa.dev/provenance"):
		return KindProvenance
	case strings.Contains(pt, "openvex"), strings.Contains(pt, "/vex"):
		return KindVEX
	}
	return KindAttestation
}
