package server

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// sseHandler serves the legacy HTTP+SSE transport (MCP 2024-11-05): a GET
// opens a session and streams the server's messages as SSE events; the
// client POSTs its messages to the endpoint the first event names.
//
// It replaces the SDK's mcp.SSEHandler, which drops the verified bearer
// token between the POST and the server (so the write-scope check could
// not see it) and keeps sessions without limit or expiry. Here every POSTed
// request carries the token info of the POST that delivered it, a POST must
// come from the client that opened the session, and sessions are capped in
// total and per client and closed when idle.
type sseHandler struct {
	server *mcp.Server
	limits Limits
	log    *slog.Logger

	mu        sync.Mutex
	sessions  map[string]*sseSession
	perClient map[string]int
}

func newSSEHandler(s *mcp.Server, limits Limits, log *slog.Logger) *sseHandler {
	return &sseHandler{server: s, limits: limits, log: log,
		sessions: map[string]*sseSession{}, perClient: map[string]int{}}
}

func (h *sseHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		h.open(w, r)
	case http.MethodPost:
		h.post(w, r)
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

// open starts a session and holds the GET until the session ends: the
// client hangs up, the server closes it, it idles out, or shutdown.
func (h *sseHandler) open(w http.ResponseWriter, r *http.Request) {
	h.expireIdle()
	client := clientKey(r)
	sess, status := h.add(client)
	if sess == nil {
		w.Header().Set("Retry-After", "60")
		http.Error(w, "too many SSE sessions: close an idle one, or use Streamable HTTP at /mcp", status)
		return
	}
	defer h.remove(sess)
	sess.w = w
	sess.endpoint = r.URL.Path + "?sessionid=" + sess.id
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	ss, err := h.server.Connect(r.Context(), sess, nil)
	if err != nil {
		h.log.Warn("SSE session could not start", "error", err)
		return
	}
	defer ss.Close()
	idle := time.NewTimer(h.limits.SSEIdleTimeout)
	defer idle.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-sess.done:
			return
		case <-idle.C:
			if left := sess.idleLeft(h.limits); left > 0 {
				idle.Reset(left)
				continue
			}
			h.log.Debug("SSE session closed after idling", "idle_timeout", h.limits.SSEIdleTimeout)
			return
		}
	}
}

// add registers a new session for client, or reports the status that
// refuses it: 503 when the server is full, 429 when this client is.
func (h *sseHandler) add(client string) (*sseSession, int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.sessions) >= h.limits.MaxSSESessions {
		return nil, http.StatusServiceUnavailable
	}
	if h.perClient[client] >= h.limits.MaxSSESessionsPerClient {
		return nil, http.StatusTooManyRequests
	}
	sess := &sseSession{id: rand.Text(), client: client, now: h.limits.Now,
		incoming: make(chan jsonrpc.Message, 16), done: make(chan struct{})}
	sess.touch()
	h.sessions[sess.id] = sess
	h.perClient[client]++
	return sess, 0
}

func (h *sseHandler) remove(sess *sseSession) {
	sess.close()
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.sessions[sess.id] != sess {
		return
	}
	delete(h.sessions, sess.id)
	if h.perClient[sess.client]--; h.perClient[sess.client] <= 0 {
		delete(h.perClient, sess.client)
	}
}

// expireIdle closes every session idle for longer than the limit. Each
// session's own timer does this too; sweeping when a session opens means a
// full server frees idle slots before it refuses anyone.
func (h *sseHandler) expireIdle() {
	h.mu.Lock()
	var idle []*sseSession
	for _, sess := range h.sessions {
		if sess.idleLeft(h.limits) <= 0 {
			idle = append(idle, sess)
		}
	}
	h.mu.Unlock()
	for _, sess := range idle {
		h.remove(sess)
	}
}

// post delivers one client message to its session. The message carries the
// token info of this POST, so a tool sees the scopes of the request that
// asked for it, exactly as over Streamable HTTP.
func (h *sseHandler) post(w http.ResponseWriter, r *http.Request) {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		http.Error(w, "Content-Type must be application/json", http.StatusUnsupportedMediaType)
		return
	}
	h.mu.Lock()
	sess := h.sessions[r.URL.Query().Get("sessionid")]
	h.mu.Unlock()
	// A session belongs to the client that opened it; to anyone else it
	// does not exist.
	if sess == nil || sess.client != clientKey(r) {
		http.Error(w, "session not found", http.StatusNotFound)
		return
	}
	data, err := io.ReadAll(r.Body)
	if err != nil {
		bodyError(w, err)
		return
	}
	msg, err := jsonrpc.DecodeMessage(data)
	if err != nil {
		http.Error(w, "the body is not a JSON-RPC message", http.StatusBadRequest)
		return
	}
	if req, ok := msg.(*jsonrpc.Request); ok {
		req.Extra = &mcp.RequestExtra{TokenInfo: auth.TokenInfoFromContext(r.Context()), Header: r.Header}
	}
	sess.touch()
	select {
	case sess.incoming <- msg:
		w.WriteHeader(http.StatusAccepted)
	case <-sess.done:
		http.Error(w, "session closed", http.StatusNotFound)
	case <-r.Context().Done():
	}
}

// sseSession is one SSE session: an mcp.Transport whose connection reads
// the POSTed messages and writes events to the held GET response.
type sseSession struct {
	id, client, endpoint string
	w                    http.ResponseWriter
	now                  func() time.Time
	incoming             chan jsonrpc.Message

	mu         sync.Mutex // guards w, closed and lastActive
	closed     bool
	done       chan struct{}
	lastActive time.Time
}

// Connect sends the endpoint event that tells the client where to POST.
func (s *sseSession) Connect(context.Context) (mcp.Connection, error) {
	if err := s.event("endpoint", []byte(s.endpoint)); err != nil {
		return nil, err
	}
	return sseConn{s}, nil
}

func (s *sseSession) touch() {
	s.mu.Lock()
	s.lastActive = s.now()
	s.mu.Unlock()
}

// idleLeft is how long the session may still idle before it is closed.
func (s *sseSession) idleLeft(l Limits) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return l.SSEIdleTimeout - s.now().Sub(s.lastActive)
}

func (s *sseSession) event(name string, data []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return io.EOF
	}
	buf := make([]byte, 0, len(name)+len(data)+16)
	buf = append(append(append(append(buf, "event: "...), name...), "\ndata: "...), data...)
	buf = append(buf, "\n\n"...)
	if _, err := s.w.Write(buf); err != nil {
		return err
	}
	return http.NewResponseController(s.w).Flush()
}

func (s *sseSession) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.closed = true
		close(s.done)
	}
}

// sseConn is the session's mcp.Connection.
type sseConn struct{ s *sseSession }

func (c sseConn) Read(ctx context.Context) (jsonrpc.Message, error) {
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case msg := <-c.s.incoming:
		return msg, nil
	case <-c.s.done:
		return nil, io.EOF
	}
}

func (c sseConn) Write(ctx context.Context, msg jsonrpc.Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	data, err := jsonrpc.EncodeMessage(msg)
	if err != nil {
		return err
	}
	return c.s.event("message", data)
}

func (c sseConn) Close() error {
	c.s.close()
	return nil
}

func (c sseConn) SessionID() string { return c.s.id }

// bodyError answers a body that could not be read: too large or too slow.
func bodyError(w http.ResponseWriter, err error) {
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		http.Error(w, fmt.Sprintf("request body over %d bytes", tooLarge.Limit), http.StatusRequestEntityTooLarge)
	case errors.Is(err, errBodyTimeout):
		w.Header().Set("Connection", "close")
		http.Error(w, "request body not received in time", http.StatusRequestTimeout)
	default:
		http.Error(w, "cannot read the request body", http.StatusBadRequest)
	}
}

// retryAfter formats a delay as whole seconds, at least one.
func retryAfter(d time.Duration) string {
	s := int((d + time.Second - 1) / time.Second)
	return strconv.Itoa(max(s, 1))
}
