package server

import (
	"crypto/sha256"
	"encoding/hex"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/modelcontextprotocol/go-sdk/auth"
	"golang.org/x/time/rate"
)

// Limits bound what one HTTP client, and all of them together, may hold.
// The zero value of a field means its default; the defaults are far above
// what an MCP client driven by a model does (a handful of calls a second,
// one or two at a time), so only a runaway or hostile client meets them.
type Limits struct {
	// ClientRate is the sustained requests per second one client may make
	// (default 100); ClientBurst how many it may make at once (default 200).
	// A negative ClientRate turns the rate limit off.
	ClientRate  float64
	ClientBurst int
	// ClientConcurrency is how many requests one client may have in flight
	// (default 32); negative turns the limit off. An open SSE stream is not
	// a request in flight: SSE sessions have their own caps.
	ClientConcurrency int
	// MaxSSESessions caps open SSE sessions in total (default 1000), and
	// MaxSSESessionsPerClient for one client (default 16).
	MaxSSESessions          int
	MaxSSESessionsPerClient int
	// SSEIdleTimeout closes an SSE session that received nothing for that
	// long (default 10 min); the client reconnects when it needs to.
	SSEIdleTimeout time.Duration
	// Now is the clock (default time.Now); tests move it instead of sleeping.
	Now func() time.Time
}

// Default limits; see Limits.
const (
	DefaultClientRate        = 100
	DefaultClientBurst       = 200
	DefaultClientConcurrency = 32
	DefaultMaxSSESessions    = 1000
	DefaultMaxSSEPerClient   = 16
	DefaultSSEIdleTimeout    = 10 * time.Minute
)

// withDefaults fills the zero fields.
func (l Limits) withDefaults() Limits {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	if l.ClientRate == 0 {
		l.ClientRate = DefaultClientRate
	}
	def(&l.ClientBurst, DefaultClientBurst)
	def(&l.ClientConcurrency, DefaultClientConcurrency)
	def(&l.MaxSSESessions, DefaultMaxSSESessions)
	def(&l.MaxSSESessionsPerClient, DefaultMaxSSEPerClient)
	if l.SSEIdleTimeout == 0 {
		l.SSEIdleTimeout = DefaultSSEIdleTimeout
	}
	if l.Now == nil {
		l.Now = time.Now
	}
	return l
}

// clientKey names the client a request comes from: the OAuth subject (or,
// without one, a hash of the token) when a token identifies someone, else
// the remote IP. The static MCP_AUTH_TOKEN is shared by every client, so it
// identifies no one: those clients are told apart by address.
func clientKey(r *http.Request) string {
	if ti := auth.TokenInfoFromContext(r.Context()); ti != nil {
		if ti.UserID != "" {
			return "sub:" + ti.UserID
		}
		if id, _ := ti.Extra[tokenIDKey].(string); id != "" {
			return "token:" + id
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return "addr:" + host
}

// tokenIDKey is the TokenInfo.Extra entry that holds a hash of an OAuth
// token without a subject, so limits can key on it without keeping it.
const tokenIDKey = "registry-mcp/token-id" //nolint:gosec // a map key name, not a credential

func tokenID(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:8])
}

// clientLimiter applies the per-client rate and concurrency limits.
type clientLimiter struct {
	limits Limits

	mu      sync.Mutex
	clients map[string]*clientState
	sweepAt int // prune idle entries when the map reaches this size
}

type clientState struct {
	rate     *rate.Limiter
	inFlight int
}

// minSweep is the client count below which idle entries are kept.
const minSweep = 1024

func newClientLimiter(l Limits) *clientLimiter {
	return &clientLimiter{limits: l, clients: map[string]*clientState{}, sweepAt: minSweep}
}

// wrap answers 429 with Retry-After when the client is over a limit.
func (cl *clientLimiter) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A stream (GET /sse) is held for the session's life; it counts
		// against the rate, not against requests in flight.
		counted := r.Method != http.MethodGet
		key := clientKey(r)
		wait, ok := cl.acquire(key, counted)
		if !ok {
			w.Header().Set("Retry-After", retryAfter(wait))
			http.Error(w, "too many requests from this client: retry after "+retryAfter(wait)+" s", http.StatusTooManyRequests)
			return
		}
		if counted {
			defer cl.release(key)
		}
		next.ServeHTTP(w, r)
	})
}

// acquire takes one request from key's budget, or says how long to wait.
func (cl *clientLimiter) acquire(key string, counted bool) (time.Duration, bool) {
	now := cl.limits.Now()
	cl.mu.Lock()
	defer cl.mu.Unlock()
	st := cl.state(key, now)
	if counted && cl.limits.ClientConcurrency > 0 && st.inFlight >= cl.limits.ClientConcurrency {
		return time.Second, false
	}
	if st.rate != nil {
		res := st.rate.ReserveN(now, 1)
		if d := res.DelayFrom(now); d > 0 {
			res.CancelAt(now)
			return d, false
		}
	}
	if counted {
		st.inFlight++
	}
	return 0, true
}

func (cl *clientLimiter) release(key string) {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	if st := cl.clients[key]; st != nil {
		st.inFlight--
	}
}

// state finds or makes key's entry, pruning entries of clients that are
// idle and back to a full bucket (forgetting them changes nothing) so the
// map cannot grow without bound.
func (cl *clientLimiter) state(key string, now time.Time) *clientState {
	if st := cl.clients[key]; st != nil {
		return st
	}
	if len(cl.clients) >= cl.sweepAt {
		for k, st := range cl.clients {
			if st.inFlight == 0 && (st.rate == nil || st.rate.TokensAt(now) >= float64(st.rate.Burst())) {
				delete(cl.clients, k)
			}
		}
		cl.sweepAt = max(minSweep, 2*len(cl.clients))
	}
	st := &clientState{}
	if cl.limits.ClientRate > 0 {
		st.rate = rate.NewLimiter(rate.Limit(cl.limits.ClientRate), cl.limits.ClientBurst)
	}
	cl.clients[key] = st
	return st
}
