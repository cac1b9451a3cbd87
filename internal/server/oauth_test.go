package server_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/registry-mcp/registry-mcp/internal/hub"
	"github.com/registry-mcp/registry-mcp/internal/oci"
	"github.com/registry-mcp/registry-mcp/internal/registrytest"
	"github.com/registry-mcp/registry-mcp/internal/server"
	"github.com/registry-mcp/registry-mcp/internal/tools"
)

// issuer is a local OAuth authorization server: metadata and a JWKS.
type issuer struct {
	srv *httptest.Server
	key *rsa.PrivateKey
}

func newIssuer(t *testing.T) *issuer {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	is := &issuer{key: key}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/oauth-authorization-server", func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]string{"issuer": is.srv.URL, "jwks_uri": is.srv.URL + "/jwks"})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{{
			"kty": "RSA", "kid": "k1", "alg": "RS256",
			"n": base64.RawURLEncoding.EncodeToString(key.N.Bytes()),
			"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(key.E)).Bytes()),
		}}})
	})
	is.srv = httptest.NewServer(mux)
	t.Cleanup(is.srv.Close)
	return is
}

func (is *issuer) token(t *testing.T, key *rsa.PrivateKey, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	tok.Header["kid"] = "k1"
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestOAuthResourceServer(t *testing.T) {
	t.Parallel()
	is := newIssuer(t)
	const audience = "https://registry-mcp.example/mcp"
	cfg := server.Config{Version: "test", Deps: tools.Deps{Registry: oci.New(oci.Options{})},
		OAuth: &server.OAuthConfig{Issuer: is.srv.URL, Audience: audience}}
	srv := httptest.NewServer(server.Handler(cfg, server.New(cfg), true))
	t.Cleanup(srv.Close)

	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	good := jwt.MapClaims{"iss": is.srv.URL, "aud": audience, "sub": "alice", "exp": now.Add(time.Hour).Unix(), "scope": "registry:read"}
	with := func(k string, v any) jwt.MapClaims {
		c := jwt.MapClaims{}
		for key, val := range good {
			c[key] = val
		}
		c[k] = v
		return c
	}
	tests := []struct {
		name  string
		token string
		want  int
	}{
		{"valid", is.token(t, is.key, good), http.StatusOK},
		{"expired", is.token(t, is.key, with("exp", now.Add(-time.Hour).Unix())), http.StatusUnauthorized},
		{"wrong audience", is.token(t, is.key, with("aud", "https://other.example")), http.StatusUnauthorized},
		{"wrong issuer", is.token(t, is.key, with("iss", "https://evil.example")), http.StatusUnauthorized},
		{"wrong signature", is.token(t, otherKey, good), http.StatusUnauthorized},
		{"not a JWT", "opaque-token", http.StatusUnauthorized},
		{"issued in the future", is.token(t, is.key, with("iat", now.Add(5*time.Minute).Unix())), http.StatusUnauthorized},
		{"issued within the 30 s leeway", is.token(t, is.key, with("iat", now.Add(10*time.Second).Unix())), http.StatusOK},
	}
	initialize := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"0"}}}`
	for _, tt := range tests {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/mcp", strings.NewReader(initialize))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		req.Header.Set("Authorization", "Bearer "+tt.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("%s: status %d, want %d", tt.name, resp.StatusCode, tt.want)
		}
		if resp.StatusCode == http.StatusUnauthorized && !strings.Contains(resp.Header.Get("WWW-Authenticate"), "/.well-known/oauth-protected-resource") {
			t.Errorf("%s: 401 without resource_metadata in WWW-Authenticate: %q", tt.name, resp.Header.Get("WWW-Authenticate"))
		}
	}

	resp, err := http.Get(srv.URL + "/.well-known/oauth-protected-resource")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var meta struct {
		Resource             string   `json:"resource"`
		AuthorizationServers []string `json:"authorization_servers"`
		ScopesSupported      []string `json:"scopes_supported"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&meta); err != nil {
		t.Fatal(err)
	}
	if meta.Resource != audience || len(meta.AuthorizationServers) != 1 || meta.AuthorizationServers[0] != is.srv.URL || len(meta.ScopesSupported) != 2 {
		t.Errorf("protected resource metadata %+v", meta)
	}
}

// TestWriteToolsNeedTheWriteScope: over OAuth, a token without
// registry:write may read but not call a write tool, over Streamable HTTP
// and over legacy SSE alike.
func TestWriteToolsNeedTheWriteScope(t *testing.T) {
	t.Parallel()
	is := newIssuer(t)
	hubEmu := registrytest.NewHub(t)
	const audience = "https://registry-mcp.example/mcp"
	cfg := server.Config{Version: "test",
		Deps:  tools.Deps{Registry: oci.New(oci.Options{}), Hub: hub.New(hub.Options{BaseURL: hubEmu.URL, Username: registrytest.HubUser, Token: registrytest.HubToken})},
		Tools: tools.Options{ReadOnly: false},
		OAuth: &server.OAuthConfig{Issuer: is.srv.URL, Audience: audience}}
	srv := httptest.NewServer(server.Handler(cfg, server.New(cfg), true))
	t.Cleanup(srv.Close)
	transports := map[string]func(hc *http.Client) mcp.Transport{
		"streamable": func(hc *http.Client) mcp.Transport {
			return &mcp.StreamableClientTransport{Endpoint: srv.URL + "/mcp", HTTPClient: hc}
		},
		"sse": func(hc *http.Client) mcp.Transport {
			return &mcp.SSEClientTransport{Endpoint: srv.URL + "/sse", HTTPClient: hc}
		},
	}
	for name, transport := range transports {
		for _, tt := range []struct {
			scope     string
			forbidden bool
		}{
			{"registry:read", true},
			{"registry:read registry:write", false},
		} {
			repo := fmt.Sprintf("made-over-%s-by-%d", name, len(tt.scope))
			tok := is.token(t, is.key, jwt.MapClaims{"iss": is.srv.URL, "aud": audience, "sub": "bob", "exp": time.Now().Add(time.Hour).Unix(), "scope": tt.scope})
			c := mcp.NewClient(&mcp.Implementation{Name: "t", Version: "0"}, nil)
			cs, err := c.Connect(t.Context(), transport(&http.Client{Transport: bearer{tok}}), nil)
			if err != nil {
				t.Fatalf("%s %s: connect: %v", name, tt.scope, err)
			}
			res := registrytest.Call(t, cs, "create_hub_repository", map[string]any{"namespace": registrytest.HubUser, "name": repo})
			msg := registrytest.Text(res)
			if got := res.IsError && strings.Contains(msg, "registry:write"); got != tt.forbidden {
				t.Errorf("%s, scope %q: forbidden=%v (%s), want %v", name, tt.scope, got, msg, tt.forbidden)
			}
			if !tt.forbidden && res.IsError {
				t.Errorf("%s, scope %q: the write should have gone through: %s", name, tt.scope, msg)
			}
			info := registrytest.Call(t, cs, "get_hub_repository", map[string]any{"namespace": registrytest.HubUser, "repository": repo})
			if exists := registrytest.Decode[map[string]any](t, info)["exists"] == true; exists == tt.forbidden {
				t.Errorf("%s, scope %q: repository exists=%v after the call", name, tt.scope, exists)
			}
			_ = cs.Close()
		}
	}
}

// TestPerClientLimitsFollowTheOAuthSubject: with OAuth, the per-client
// limits count per subject, not per address: two users behind one address
// (a proxy) do not share a budget.
func TestPerClientLimitsFollowTheOAuthSubject(t *testing.T) {
	t.Parallel()
	is := newIssuer(t)
	const audience = "https://registry-mcp.example/mcp"
	clk := registrytest.NewClock()
	cfg := server.Config{Version: "test", Deps: tools.Deps{Registry: oci.New(oci.Options{})},
		OAuth:  &server.OAuthConfig{Issuer: is.srv.URL, Audience: audience},
		Limits: server.Limits{ClientRate: 1, ClientBurst: 1, Now: clk.Now}}
	srv := httptest.NewServer(server.Handler(cfg, server.New(cfg), true))
	t.Cleanup(srv.Close)
	tokenOf := func(sub string) string {
		return is.token(t, is.key, jwt.MapClaims{"iss": is.srv.URL, "aud": audience, "sub": sub, "exp": time.Now().Add(time.Hour).Unix(), "scope": "registry:read"})
	}
	alice, bob := tokenOf("alice"), tokenOf("bob")
	for i, tt := range []struct {
		token string
		want  int
	}{{alice, http.StatusOK}, {alice, http.StatusTooManyRequests}, {bob, http.StatusOK}} {
		if resp := post(t, http.DefaultClient, srv.URL+"/mcp", tt.token, initializeBody); resp.StatusCode != tt.want {
			t.Errorf("request %d: status %d, want %d", i+1, resp.StatusCode, tt.want)
		}
	}
}
