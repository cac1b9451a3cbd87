package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"

	"github.com/registry-mcp/registry-mcp/internal/demo"
	"github.com/registry-mcp/registry-mcp/internal/osv"
)

// osvService is the sample OSV service the trust scenarios scan against,
// counting the requests it answers.
type osvService struct {
	srv      *httptest.Server
	requests atomic.Int64
}

func startOSV() *osvService {
	o := &osvService{}
	h := demo.NewOSVService().Handler()
	o.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.requests.Add(1)
		h.ServeHTTP(w, r)
	}))
	return o
}

// client is a fresh OSV client (empty caches), as a new process has.
func (o *osvService) client() *osv.Client {
	c, err := osv.New(osv.Options{BaseURL: o.srv.URL})
	if err != nil {
		panic(err) // the URL is the test server's own
	}
	return c
}

// trustScenarios measures the trust tools on the sample images and the
// demo's cosign-signed image.
func trustScenarios(imgs demo.TrustImages, signed *demo.SignedImage) []scenario {
	repoOf := func(ref string) string { // host:port/repo:tag → host:port/repo
		if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
			return ref[:i]
		}
		return ref
	}
	debian, alpine := imgs.Debian, imgs.Alpine
	return []scenario{
		{tool: "list_image_packages", label: "Debian, 2 layers", args: map[string]any{"image_ref": debian}, repos: []string{repoOf(debian)}},
		{tool: "list_image_packages", label: "Alpine, 1 layer", args: map[string]any{"image_ref": alpine}, repos: []string{repoOf(alpine)}},
		{tool: "scan_image_vulnerabilities", label: "Debian, 9 packages", args: map[string]any{"image_ref": debian}, repos: []string{repoOf(debian)}},
		{tool: "verify_image_signature", label: "cosign tag, public key", repos: []string{repoOf(signed.Ref)},
			args: map[string]any{"image_ref": signed.Ref, "public_key": string(signed.PublicKeyPEM)}},
		{tool: "verify_image_signature", label: "cosign tag, no key", repos: []string{repoOf(signed.Ref)},
			args: map[string]any{"image_ref": signed.Ref}},
	}
}
