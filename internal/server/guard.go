package server

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// sameOrigin refuses, on every method and path, a request that a browser
// marks as coming from another site: an Origin that is not this server's,
// or Sec-Fetch-Site other than same-origin or none. Go's
// http.CrossOriginProtection lets GET through (a safe method), but a GET
// here opens an SSE session, so it is not safe in that sense. Requests
// without either header (MCP clients that are not browsers) pass.
func sameOrigin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isSameOrigin(r) {
			http.Error(w, "forbidden: cross-origin request", http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func isSameOrigin(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
	default:
		return false
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false // includes "null", sent by sandboxed frames and file: pages
	}
	return strings.EqualFold(u.Host, r.Host) || sameLoopback(u.Host, r.Host)
}

// sameLoopback reports whether two host:port values name one loopback
// listener under different names (localhost:8080 and 127.0.0.1:8080): a
// client may call the server one and its page the other.
func sameLoopback(a, b string) bool {
	ha, pa, err1 := net.SplitHostPort(a)
	hb, pb, err2 := net.SplitHostPort(b)
	return err1 == nil && err2 == nil && pa == pb && isLoopbackName(ha) && isLoopbackName(hb)
}

// errBodyTimeout reports a request body that did not arrive in time.
var errBodyTimeout = errors.New("request body not received in time")

// refusalsClose makes a refused request that came with a body close its
// connection: net/http would otherwise read on through a body it has no use
// for (a client trickling one holds the connection until the read timeout).
func refusalsClose(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength != 0 && r.Body != nil && r.Body != http.NoBody {
			w = &closeOnRefusal{ResponseWriter: w}
		}
		next.ServeHTTP(w, r)
	})
}

// closeOnRefusal answers a refused request (4xx, 5xx) with Connection:
// close, so the server does not read on through a body it has no use for.
type closeOnRefusal struct{ http.ResponseWriter }

func (c *closeOnRefusal) WriteHeader(code int) {
	if code >= 400 {
		c.Header().Set("Connection", "close")
	}
	c.ResponseWriter.WriteHeader(code)
}

func (c *closeOnRefusal) Unwrap() http.ResponseWriter { return c.ResponseWriter }

// bufPool recycles request body buffers: a tool call's body is a few
// hundred bytes, and reading it into a pooled buffer spares an allocation
// that io.ReadAll would grow for each request.
var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// readBody reads the whole body (at most mcp.DefaultMaxRequestBodyBytes)
// before the handler runs, under the server's read timeout (NewHTTPServer):
// a body that does not arrive in time is answered 408 and its connection
// closed. Once the body is read, net/http lifts the read deadline itself, so
// a long tool call is not cut off by it.
func readBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		buf := bufPool.Get().(*bytes.Buffer)
		defer func() {
			if buf.Cap() <= 64<<10 {
				buf.Reset()
				bufPool.Put(buf)
			}
		}()
		_, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, mcp.DefaultMaxRequestBodyBytes))
		if err != nil {
			if isTimeout(err) {
				err = errBodyTimeout
			}
			bodyError(w, err)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(buf.Bytes()))
		next.ServeHTTP(w, r)
	})
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// challenge makes every 401 carry WWW-Authenticate: Bearer, which tells a
// client to start its auth flow. The SDK's middleware sets the header only
// when it has parameters to name (the OAuth resource metadata).
func challenge(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(&bearerChallenge{ResponseWriter: w}, r)
	})
}

type bearerChallenge struct{ http.ResponseWriter }

func (b *bearerChallenge) WriteHeader(code int) {
	if code == http.StatusUnauthorized && b.Header().Get("WWW-Authenticate") == "" {
		b.Header().Set("WWW-Authenticate", `Bearer realm="registry-mcp"`)
	}
	b.ResponseWriter.WriteHeader(code)
}

func (b *bearerChallenge) Unwrap() http.ResponseWriter { return b.ResponseWriter }
