package attest

import (
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
)

// Fulcio certificate extensions (https://github.com/sigstore/fulcio/blob/main/docs/oid-info.md).
var (
	oidIssuerV1         = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 1, 1}  // raw string
	oidIssuerV2         = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 1, 8}  // DER UTF8String
	oidSourceRepository = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 1, 12} // DER UTF8String
	oidSourceDigest     = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 1, 13} // DER UTF8String
)

// identity is who signed, as a keyless (Fulcio) certificate tells it. It is
// read, not verified: nothing here checks a signature or a transparency log.
type identity struct {
	subject, issuer, repo, commit string
	keyed                         bool // signed with a key, no certificate
}

func (id identity) empty() bool { return id.subject == "" && id.issuer == "" && !id.keyed }

func (s *PayloadSummary) setIdentity(id identity) {
	s.Identity, s.Issuer = id.subject, id.issuer
	if s.SourceRepository == "" {
		s.SourceRepository, s.Commit = id.repo, id.commit
	}
}

// annotationIdentity reads the certificate cosign stores on a signature or attestation layer.
func annotationIdentity(ann map[string]string) identity {
	if block, _ := pem.Decode([]byte(ann["dev.sigstore.cosign/certificate"])); block != nil {
		return certIdentity(block.Bytes)
	}
	if ann["dev.cosignproject.cosign/signature"] != "" {
		return identity{keyed: true}
	}
	return identity{}
}

// bundleIdentity reads a sigstore bundle's verification material.
func bundleIdentity(b *sigstoreBundle) identity {
	vm := b.VerificationMaterial
	if vm == nil {
		return identity{}
	}
	raw := ""
	switch {
	case vm.Certificate != nil:
		raw = vm.Certificate.RawBytes
	case vm.X509CertificateChain != nil && len(vm.X509CertificateChain.Certificates) > 0:
		raw = vm.X509CertificateChain.Certificates[0].RawBytes
	case vm.PublicKey != nil:
		return identity{keyed: true}
	}
	der, err := decodeBase64(raw)
	if err != nil {
		return identity{}
	}
	return certIdentity(der)
}

func certIdentity(der []byte) identity {
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return identity{}
	}
	var id identity
	switch {
	case len(cert.EmailAddresses) > 0:
		id.subject = cert.EmailAddresses[0]
	case len(cert.URIs) > 0:
		id.subject = cert.URIs[0].String()
	default:
		id.subject = cert.Subject.CommonName
	}
	for _, ext := range cert.Extensions {
		switch {
		case ext.Id.Equal(oidIssuerV2):
			id.issuer = derString(ext.Value)
		case ext.Id.Equal(oidIssuerV1) && id.issuer == "":
			id.issuer = string(ext.Value)
		case ext.Id.Equal(oidSourceRepository):
			id.repo = derString(ext.Value)
		case ext.Id.Equal(oidSourceDigest):
			id.commit = derString(ext.Value)
		}
	}
	return id
}

func derString(b []byte) string {
	var s string
	if _, err := asn1.UnmarshalWithParams(b, &s, "utf8"); err != nil {
		return ""
	}
	return s
}

// describeSignature says who signed what, and whether it is about the image asked for.
func describeSignature(s PayloadSummary, subject string) string {
	out := "cosign signature"
	switch {
	case s.Identity != "":
		out += " by " + s.Identity
		if s.Issuer != "" {
			out += " (issuer " + s.Issuer + ")"
		}
	case s.Issuer == "":
		out += " (no certificate: signed with a key)"
	}
	if s.SignedDigest != "" {
		out += " of " + s.SignedDigest
		if subject != "" && s.SignedDigest != subject {
			out += fmt.Sprintf(", which is NOT the image asked about (%s)", subject)
		}
	}
	return out + "; not verified here (use cosign verify)"
}
