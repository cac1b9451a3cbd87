package attest

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/registry-mcp/registry-mcp/internal/errdef"
)

const (
	// MaxEnvelopeBytes caps a DSSE envelope or sigstore bundle: its payload
	// is one base64 string that must be decoded whole. SBOM attestations of
	// large images reach a few MiB.
	MaxEnvelopeBytes = 16 << 20
	// MaxPayloadScanBytes caps how much of a plain document (an SPDX or
	// CycloneDX file) is streamed to summarize it, so a huge SBOM costs
	// bounded time; a summary cut short says partial.
	MaxPayloadScanBytes = 64 << 20
)

// Payload formats.
const (
	FormatSPDX      = "spdx"
	FormatCycloneDX = "cyclonedx"
	FormatSLSA      = "slsa"
	FormatOpenVEX   = "openvex"
	FormatCosign    = "cosign"  // a cosign signature payload (simple signing or sign/v1 statement)
	FormatInToto    = "in-toto" // an in-toto statement with another predicate
	FormatJSON      = "json"
	FormatText      = "text"
	FormatBinary    = "binary"
)

// Payload is a referrer's content, decoded and summarized.
type Payload struct {
	Format        string
	Kind          string // "" when the content alone does not tell
	Envelope      string // "dsse", "sigstore-bundle" or ""
	PredicateType string
	Summary       PayloadSummary
	Content       []byte // the decoded document, at most MaxContent bytes, cut at a character boundary
	Truncated     bool
	Binary        bool
	Size          int64 // bytes of the decoded document
}

// PayloadOptions describe the blob being decoded.
type PayloadOptions struct {
	MediaType   string
	Annotations map[string]string // the layer's: cosign keeps the certificate here
	Size        int64             // the blob's size from its descriptor
	MaxContent  int
	Subject     string // the digest a signature should be about
}

// DecodePayload reads a referrer blob: it unwraps DSSE envelopes and
// sigstore bundles, recognises the document and summarizes it while
// streaming, keeping only the first MaxContent bytes.
func DecodePayload(r io.Reader, opts PayloadOptions) (*Payload, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(4096)
	if !isEnvelope(opts.MediaType, head) {
		return decodePlain(br, head, opts), nil
	}
	raw, err := io.ReadAll(io.LimitReader(br, MaxEnvelopeBytes+1))
	if err != nil {
		return nil, err
	}
	if len(raw) > MaxEnvelopeBytes {
		return nil, fmt.Errorf("%w: the envelope is over the %d-byte limit for decoding", errdef.ErrTooLarge, MaxEnvelopeBytes)
	}
	p, err := decodeEnvelope(raw, opts)
	if errors.Is(err, errNotEnvelope) {
		return decodePlain(bytes.NewReader(raw), raw, opts), nil // a document that merely mentions the keys
	}
	return p, err
}

// decodePlain streams a document: the JSON walker summarizes it while the
// first MaxContent bytes are kept, so memory stays bounded however big it is.
func decodePlain(r io.Reader, head []byte, opts PayloadOptions) *Payload {
	p := &Payload{Size: opts.Size}
	capture := &prefixWriter{max: opts.MaxContent + utf8.UTFMax}
	counted := &countingReader{r: io.TeeReader(io.LimitReader(r, MaxPayloadScanBytes), capture)}
	scan := newDocScan(counted)
	if trimmed := bytes.TrimSpace(head); len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') {
		if err := scan.run(); err != nil {
			scan.partial = true
		}
		_, _ = io.Copy(io.Discard, counted) // trailing whitespace; reaching EOF tells the size
		if counted.n >= MaxPayloadScanBytes {
			scan.partial = true
		}
	} else {
		_, _ = io.Copy(io.Discard, io.LimitReader(counted, int64(opts.MaxContent)+1))
	}
	if p.Size == 0 || counted.eof {
		p.Size = counted.n
	}
	p.setContent(capture.buf.Bytes(), opts.MaxContent, p.Size)
	scan.id = annotationIdentity(opts.Annotations)
	scan.finish(p, opts)
	return p
}

// isEnvelope spots a DSSE envelope or sigstore bundle by media type or, when
// the media type is vague, by the keys near the start of the document.
func isEnvelope(mediaType string, head []byte) bool {
	mt := strings.ToLower(mediaType)
	if strings.Contains(mt, "dsse") || strings.Contains(mt, "sigstore.bundle") {
		return true
	}
	return bytes.Contains(head, []byte(`"payloadType"`)) || bytes.Contains(head, []byte(`"verificationMaterial"`)) ||
		bytes.Contains(head, []byte(`"dsseEnvelope"`))
}

type dsseEnvelope struct {
	PayloadType string `json:"payloadType"`
	Payload     string `json:"payload"`
	Signatures  []struct {
		KeyID string `json:"keyid"`
	} `json:"signatures"`
}

type sigstoreBundle struct {
	MediaType            string `json:"mediaType"`
	VerificationMaterial *struct {
		Certificate *struct {
			RawBytes string `json:"rawBytes"`
		} `json:"certificate"`
		X509CertificateChain *struct {
			Certificates []struct {
				RawBytes string `json:"rawBytes"`
			} `json:"certificates"`
		} `json:"x509CertificateChain"`
		PublicKey *struct {
			Hint string `json:"hint"`
		} `json:"publicKey"`
	} `json:"verificationMaterial"`
	DSSEEnvelope     *dsseEnvelope `json:"dsseEnvelope"`
	MessageSignature *struct {
		MessageDigest struct {
			Algorithm string `json:"algorithm"`
			Digest    string `json:"digest"`
		} `json:"messageDigest"`
	} `json:"messageSignature"`
}

// errNotEnvelope: the JSON has neither a DSSE payload nor a bundle's parts.
var errNotEnvelope = errors.New("not an envelope")

// decodeEnvelope decodes a DSSE envelope or sigstore bundle and its payload.
func decodeEnvelope(raw []byte, opts PayloadOptions) (*Payload, error) {
	var b sigstoreBundle
	if err := json.Unmarshal(raw, &b); err != nil {
		return nil, fmt.Errorf("%w: the referrer claims to be a signed envelope but is not valid JSON", errdef.ErrBadResponse)
	}
	p := &Payload{Envelope: "dsse"}
	var id identity
	env := &dsseEnvelope{}
	if b.VerificationMaterial != nil || b.DSSEEnvelope != nil || b.MessageSignature != nil {
		p.Envelope = "sigstore-bundle"
		id = bundleIdentity(&b)
		if b.DSSEEnvelope != nil {
			env = b.DSSEEnvelope
		}
	} else if json.Unmarshal(raw, env) != nil || env.Payload == "" && env.PayloadType == "" {
		return nil, errNotEnvelope
	}
	if id.empty() {
		id = annotationIdentity(opts.Annotations)
	}
	if b.MessageSignature != nil && b.DSSEEnvelope == nil {
		// A bundle signing a digest directly carries no document to show.
		p.Format, p.Kind = FormatCosign, KindSignature
		p.Summary.SignedDigest = digestFromBase64(b.MessageSignature.MessageDigest.Algorithm, b.MessageSignature.MessageDigest.Digest)
		p.setContent(raw, opts.MaxContent, int64(len(raw)))
		p.Summary.setIdentity(id)
		p.Summary.Text = describeSignature(p.Summary, opts.Subject)
		return p, nil
	}
	doc, err := decodeBase64(env.Payload)
	if err != nil {
		return nil, fmt.Errorf("%w: the envelope's payload is not base64", errdef.ErrBadResponse)
	}
	scan := newDocScan(bytes.NewReader(doc))
	if err := scan.run(); err != nil {
		scan.partial = true
	}
	p.setContent(doc, opts.MaxContent, int64(len(doc)))
	scan.id = id
	scan.finish(p, opts)
	return p, nil
}

func decodeBase64(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, fmt.Errorf("not base64")
}

func digestFromBase64(alg, b64 string) string {
	b, err := decodeBase64(b64)
	if err != nil || len(b) == 0 {
		return ""
	}
	// Sigstore names algorithms SHA2_256, SHA2_384, SHA3_256; digests say sha256, sha3-256.
	alg = strings.ToLower(alg)
	alg = strings.Replace(strings.Replace(alg, "sha2_", "sha", 1), "_", "-", 1)
	if alg == "" {
		alg = "sha256"
	}
	return alg + ":" + hex.EncodeToString(b)
}

// setContent keeps the first max bytes of doc, cut at a character boundary,
// and reports binary content instead of mangling it into text.
func (p *Payload) setContent(doc []byte, max int, size int64) {
	p.Size = size
	p.Truncated = size > int64(max) || len(doc) > max
	if len(doc) > max {
		doc = doc[:max]
	}
	text, ok := TextPrefix(doc, p.Truncated)
	if !ok {
		p.Binary, p.Content = true, nil
		return
	}
	p.Content = text
}

// TextPrefix returns b as text, dropping a character cut in half at the end
// when cut is set; ok is false for binary content (NUL bytes or invalid UTF-8).
func TextPrefix(b []byte, cut bool) ([]byte, bool) {
	if cut {
		if j := lastRuneStart(b); j >= 0 && len(b)-j < runeLen(b[j]) {
			b = b[:j] // an incomplete sequence at the end is the cut, not the content
		}
	}
	if bytes.IndexByte(b, 0) >= 0 || !utf8.Valid(b) {
		return nil, false
	}
	return b, true
}

func lastRuneStart(b []byte) int {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			return i
		}
	}
	return -1
}

// runeLen is the length a UTF-8 sequence starting with c claims.
func runeLen(c byte) int {
	switch {
	case c < 0x80:
		return 1
	case c>>5 == 0x6:
		return 2
	case c>>4 == 0xe:
		return 3
	case c>>3 == 0x1e:
		return 4
	}
	return 1
}

// prefixWriter keeps the first max bytes written to it.
type prefixWriter struct {
	buf bytes.Buffer
	max int
}

func (w *prefixWriter) Write(p []byte) (int, error) {
	if room := w.max - w.buf.Len(); room > 0 {
		w.buf.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}

// countingReader counts bytes read and notes EOF.
type countingReader struct {
	r   io.Reader
	n   int64
	eof bool
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if err == io.EOF {
		c.eof = true
	}
	return n, err
}
