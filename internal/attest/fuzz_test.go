package attest

import (
	"bytes"
	"encoding/base64"
	"testing"
	"unicode/utf8"
)

// FuzzDecodePayload feeds registry-controlled bytes, bare or in a DSSE
// envelope, to the decoder: it must not panic, must keep at most
// MaxContent bytes, and what it calls text must be valid UTF-8.
func FuzzDecodePayload(f *testing.F) {
	f.Add([]byte(`{"spdxVersion":"SPDX-2.3","packages":[{"name":"a","versionInfo":"1"}]}`), "application/spdx+json", 64)
	f.Add([]byte(`{"_type":"https://in-toto.io/Statement/v1","predicateType":"https://slsa.dev/provenance/v1","predicate":{}}`), "", 16)
	f.Add([]byte(`{"payloadType":"application/vnd.in-toto+json","payload":"`+base64.StdEncoding.EncodeToString([]byte(`{"predicateType":"https://openvex.dev/ns"}`))+`"}`), "application/vnd.dsse.envelope.v1+json", 32)
	f.Add([]byte(`{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{},"dsseEnvelope":{}}`), "", 8)
	f.Add([]byte("plain text \xe2\x82"), "text/plain", 13)
	f.Fuzz(func(t *testing.T, data []byte, mediaType string, maxContent int) {
		if maxContent < 0 || maxContent > 1<<16 {
			return
		}
		p, err := DecodePayload(bytes.NewReader(data), PayloadOptions{MediaType: mediaType, Size: int64(len(data)), MaxContent: maxContent})
		if err != nil {
			return
		}
		if len(p.Content) > maxContent {
			t.Fatalf("content of %d bytes, over the %d asked for", len(p.Content), maxContent)
		}
		if !p.Binary && !utf8.Valid(p.Content) {
			t.Fatalf("text content is not valid UTF-8: %q", p.Content)
		}
		if p.Kind != "" && !IsKind(p.Kind) {
			t.Fatalf("kind %q is not one of the Kinds", p.Kind)
		}
	})
}
