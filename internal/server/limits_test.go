package server_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/registry-mcp/registry-mcp/internal/oci"
	"github.com/registry-mcp/registry-mcp/internal/registrytest"
	"github.com/registry-mcp/registry-mcp/internal/server"
	"github.com/registry-mcp/registry-mcp/internal/tools"
)

const initializeBody = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"0"}}}`

// limitedServer serves the handler with the given limits and token.
func limitedServer(t *testing.T, token string, limits server.Limits) *httptest.Server {
	t.Helper()
	cfg := server.Config{Version: "test", Deps: tools.Deps{Registry: oci.New(oci.Options{})}, AuthToken: token, Limits: limits}
	srv := httptest.NewServer(server.Handler(cfg, server.New(cfg), true))
	t.Cleanup(srv.Close)
	return srv
}

// clientFrom is an HTTP client whose connections come from a loopback
// address of its own, so the server sees a distinct client.
func clientFrom(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	return &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
}

func post(t *testing.T, hc *http.Client, url, token, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// TestRequestBodiesHaveADeadline: a client that sends its headers and then
// trickles the body loses the connection once the body deadline passes,
// and one without a valid token is refused at once, without the server
// waiting for the body.
func TestRequestBodiesHaveADeadline(t *testing.T) {
	t.Parallel()
	cfg := server.Config{Version: "test", Deps: tools.Deps{Registry: oci.New(oci.Options{})}, AuthToken: "s3cret"}
	h := server.Handler(cfg, server.New(cfg), true)
	srv := httptest.NewUnstartedServer(h)
	srv.Config = server.NewHTTPServer(h, 100*time.Millisecond)
	srv.Start()
	t.Cleanup(srv.Close)
	for _, tt := range []struct {
		name, path, token string
		want              int
	}{
		{"unauthenticated /mcp", "/mcp", "", http.StatusUnauthorized},
		{"authenticated /mcp", "/mcp", "s3cret", http.StatusRequestTimeout},
		{"authenticated SSE message endpoint", "/sse?sessionid=x", "s3cret", http.StatusRequestTimeout},
	} {
		conn, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		// On failure the server holds the connection: give up after a while.
		_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
		head := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n", tt.path, srv.Listener.Addr())
		if tt.token != "" {
			head += "Authorization: Bearer " + tt.token + "\r\n"
		}
		if _, err := io.WriteString(conn, head+"\r\n{"); err != nil {
			t.Fatal(err)
		}
		br := bufio.NewReader(conn)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Errorf("%s: no answer: %v", tt.name, err)
			conn.Close()
			continue
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("%s: status %d, want %d", tt.name, resp.StatusCode, tt.want)
		}
		if _, err := br.ReadByte(); err != io.EOF {
			t.Errorf("%s: the server kept the connection open (%v)", tt.name, err)
		}
		conn.Close()
	}
}

// TestForeignOriginsAreRefused: a request a browser marks as coming from
// another origin is refused on every method and path, GET /sse included.
func TestForeignOriginsAreRefused(t *testing.T) {
	t.Parallel()
	srv := limitedServer(t, "", server.Limits{})
	own := srv.URL
	for _, tt := range []struct {
		method, path string
		header       map[string]string
		want         int
	}{
		{"GET", "/sse", map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden},
		{"GET", "/sse", map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"GET", "/sse", map[string]string{"Sec-Fetch-Site": "same-site"}, http.StatusForbidden},
		{"GET", "/sse", map[string]string{"Origin": "null"}, http.StatusForbidden},
		{"POST", "/mcp", map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden},
		{"GET", "/mcp", map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden},
		{"DELETE", "/mcp", map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden},
		{"GET", "/healthz", map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden},
		{"GET", "/healthz", map[string]string{"Origin": own, "Sec-Fetch-Site": "same-origin"}, http.StatusOK},
		{"POST", "/mcp", map[string]string{"Origin": own}, http.StatusOK},
		{"POST", "/mcp", map[string]string{"Origin": strings.Replace(own, "127.0.0.1", "localhost", 1)}, http.StatusOK},
		{"POST", "/mcp", map[string]string{"Origin": "http://localhost:1"}, http.StatusForbidden},
	} {
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		req, err := http.NewRequestWithContext(ctx, tt.method, srv.URL+tt.path, strings.NewReader(initializeBody))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		for k, v := range tt.header {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		cancel()
		if resp.StatusCode != tt.want {
			t.Errorf("%s %s %v: status %d, want %d", tt.method, tt.path, tt.header, resp.StatusCode, tt.want)
		}
	}
}

// openSSE opens GET /sse and returns the message endpoint the server
// named, the response and a reader of the stream.
func openSSE(t *testing.T, hc *http.Client, base string) (*http.Response, string) {
	t.Helper()
	// A stream the server should have ended fails the test instead of
	// hanging it.
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/sse", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != http.StatusOK {
		return resp, ""
	}
	br := bufio.NewReader(resp.Body)
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("no endpoint event: %v", err)
		}
		if endpoint, ok := strings.CutPrefix(strings.TrimSpace(line), "data: "); ok {
			resp.Body = io.NopCloser(br)
			return resp, endpoint
		}
	}
}

// TestSSESessionsAreCappedAndExpire: SSE sessions are capped per client
// (429) and in total (503), and a session idle past the timeout is closed,
// which frees its slot.
func TestSSESessionsAreCappedAndExpire(t *testing.T) {
	t.Parallel()
	clk := registrytest.NewClock()
	srv := limitedServer(t, "", server.Limits{MaxSSESessions: 3, MaxSSESessionsPerClient: 2, SSEIdleTimeout: time.Minute, Now: clk.Now})
	a, b, c := clientFrom("127.0.0.1"), clientFrom("127.0.0.2"), clientFrom("127.0.0.3")
	first, endpoint := openSSE(t, a, srv.URL)
	if endpoint == "" {
		t.Fatalf("first session: status %d", first.StatusCode)
	}
	if resp, _ := openSSE(t, a, srv.URL); resp.StatusCode != http.StatusOK {
		t.Fatalf("second session: status %d", resp.StatusCode)
	}
	if resp, _ := openSSE(t, a, srv.URL); resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Errorf("third session of one client: status %d, Retry-After %q; want 429 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if resp, _ := openSSE(t, b, srv.URL); resp.StatusCode != http.StatusOK {
		t.Errorf("another client's session: status %d", resp.StatusCode)
	}
	if resp, _ := openSSE(t, c, srv.URL); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("a session over the total cap: status %d, want 503", resp.StatusCode)
	}

	ping := `{"jsonrpc":"2.0","method":"notifications/initialized"}`
	if resp := post(t, a, srv.URL+endpoint, "", ping); resp.StatusCode != http.StatusAccepted {
		t.Errorf("a message to a live session: status %d", resp.StatusCode)
	}
	clk.Advance(2 * time.Minute)
	if resp, _ := openSSE(t, c, srv.URL); resp.StatusCode != http.StatusOK {
		t.Errorf("after the others idled out: status %d, want 200", resp.StatusCode)
	}
	if _, err := io.Copy(io.Discard, first.Body); err != nil {
		t.Errorf("the idle session's stream: %v", err)
	}
	if resp := post(t, a, srv.URL+endpoint, "", ping); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a message to an expired session: status %d, want 404", resp.StatusCode)
	}
}

// TestSSESessionsBelongToTheirClient: a session's message endpoint does
// not answer another client, even one that learned the session id.
func TestSSESessionsBelongToTheirClient(t *testing.T) {
	t.Parallel()
	srv := limitedServer(t, "", server.Limits{})
	_, endpoint := openSSE(t, clientFrom("127.0.0.1"), srv.URL)
	ping := `{"jsonrpc":"2.0","method":"notifications/initialized"}`
	if resp := post(t, clientFrom("127.0.0.2"), srv.URL+endpoint, "", ping); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another client's message: status %d, want 404", resp.StatusCode)
	}
}

// TestPerClientLimits: one client over its rate or its requests in flight
// gets 429 with Retry-After; other clients are not affected, and the
// client is served again once its budget refills.
func TestPerClientLimits(t *testing.T) {
	t.Parallel()
	clk := registrytest.NewClock()
	srv := limitedServer(t, "", server.Limits{ClientRate: 1, ClientBurst: 2, ClientConcurrency: 1, Now: clk.Now})
	a, b := clientFrom("127.0.0.1"), clientFrom("127.0.0.2")
	for i, want := range []int{http.StatusOK, http.StatusOK, http.StatusTooManyRequests} {
		resp := post(t, a, srv.URL+"/mcp", "", initializeBody)
		if resp.StatusCode != want {
			t.Errorf("request %d: status %d, want %d", i+1, resp.StatusCode, want)
		}
		if want == http.StatusTooManyRequests && resp.Header.Get("Retry-After") != "1" {
			t.Errorf("request %d: Retry-After %q, want 1", i+1, resp.Header.Get("Retry-After"))
		}
	}
	if resp := post(t, b, srv.URL+"/mcp", "", initializeBody); resp.StatusCode != http.StatusOK {
		t.Errorf("another client: status %d", resp.StatusCode)
	}
	clk.Advance(time.Second)

	// One request in flight (its body not yet sent) fills the client's
	// concurrency: the next one is refused.
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	head := fmt.Sprintf("POST /mcp HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: %d\r\n\r\n", srv.Listener.Addr(), len(initializeBody))
	if _, err := io.WriteString(conn, head); err != nil {
		t.Fatal(err)
	}
	for i, busy := 0, false; !busy; i++ {
		if i == 1000 {
			t.Fatal("the request in flight never took the client's slot")
		}
		// The server may not have taken the slot yet: retry until it has,
		// without moving the clock (so no rate budget is spent).
		resp := post(t, a, srv.URL+"/mcp", "", initializeBody)
		busy = resp.StatusCode == http.StatusTooManyRequests
		if !busy {
			clk.Advance(time.Second)
		}
	}
	if _, err := io.WriteString(conn, initializeBody); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("the request in flight: status %d", resp.StatusCode)
	}
}

// TestUnauthorizedCarriesABearerChallenge: a 401 from the MCP endpoints
// says Bearer, so a client knows to authenticate.
func TestUnauthorizedCarriesABearerChallenge(t *testing.T) {
	t.Parallel()
	srv := limitedServer(t, "s3cret", server.Limits{})
	for _, path := range []string{"/mcp", "/sse"} {
		resp := post(t, http.DefaultClient, srv.URL+path, "wrong", initializeBody)
		if got := resp.Header.Get("WWW-Authenticate"); resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(got, "Bearer") {
			t.Errorf("%s: status %d, WWW-Authenticate %q; want 401 with a Bearer challenge", path, resp.StatusCode, got)
		}
	}
}
