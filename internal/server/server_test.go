package server_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/registry-mcp/registry-mcp/internal/oci"
	"github.com/registry-mcp/registry-mcp/internal/registrytest"
	"github.com/registry-mcp/registry-mcp/internal/server"
	"github.com/registry-mcp/registry-mcp/internal/tools"
)

func newHTTPServer(t *testing.T, authToken string) (*httptest.Server, *registrytest.Fixtures) {
	t.Helper()
	_, fx := registrytest.StartSeeded(t, registrytest.Options{})
	cfg := server.Config{Version: "test", Deps: tools.Deps{Registry: oci.New(oci.Options{})}, AuthToken: authToken}
	srv := httptest.NewServer(server.Handler(cfg, server.New(cfg), true))
	t.Cleanup(srv.Close)
	return srv, fx
}

// bearer adds a token to every request of an MCP client.
type bearer struct{ token string }

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return http.DefaultTransport.RoundTrip(r)
}

func TestTransportsServeTheTools(t *testing.T) {
	t.Parallel()
	srv, fx := newHTTPServer(t, "s3cret")
	hc := &http.Client{Transport: bearer{"s3cret"}}
	transports := map[string]mcp.Transport{
		"streamable": &mcp.StreamableClientTransport{Endpoint: srv.URL + "/mcp", HTTPClient: hc},
		"sse":        &mcp.SSEClientTransport{Endpoint: srv.URL + "/sse", HTTPClient: hc},
	}
	for name, tr := range transports {
		t.Run(name, func(t *testing.T) {
			c := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "0"}, nil)
			cs, err := c.Connect(t.Context(), tr, nil)
			if err != nil {
				t.Fatalf("connect: %v", err)
			}
			defer cs.Close()
			list, err := cs.ListTools(t.Context(), nil)
			if err != nil || len(list.Tools) == 0 {
				t.Fatalf("tools/list: %v (%d tools)", err, len(list.Tools))
			}
			res := registrytest.Call(t, cs, "get_image_info", map[string]any{"image_ref": fx.Ref(fx.App)})
			if got := registrytest.Decode[tools.ImageInfo](t, res); got.Digest != fx.AppDigest {
				t.Errorf("digest %s, want %s", got.Digest, fx.AppDigest)
			}
		})
	}
}

func TestHTTPGuards(t *testing.T) {
	t.Parallel()
	srv, _ := newHTTPServer(t, "s3cret")
	initialize := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"0"}}}`
	tests := []struct {
		name   string
		method string
		path   string
		header map[string]string
		want   int
	}{
		{"health needs no token", "GET", "/healthz", nil, http.StatusOK},
		{"no token", "POST", "/mcp", nil, http.StatusUnauthorized},
		{"wrong token", "POST", "/mcp", map[string]string{"Authorization": "Bearer nope"}, http.StatusUnauthorized},
		{"SSE without token", "GET", "/sse", nil, http.StatusUnauthorized},
		{"right token", "POST", "/mcp", map[string]string{"Authorization": "Bearer s3cret"}, http.StatusOK},
		{"DNS rebinding: foreign Host", "POST", "/mcp", map[string]string{"Authorization": "Bearer s3cret", "Host": "evil.example"}, http.StatusForbidden},
		{"cross-origin browser request", "POST", "/mcp", map[string]string{"Authorization": "Bearer s3cret", "Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
	}
	for _, tt := range tests {
		req, err := http.NewRequestWithContext(t.Context(), tt.method, srv.URL+tt.path, strings.NewReader(initialize))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		for k, v := range tt.header {
			if k == "Host" {
				req.Host = v
				continue
			}
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("%s: status %d, want %d", tt.name, resp.StatusCode, tt.want)
		}
	}
}
