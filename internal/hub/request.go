package hub

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/registry-mcp/registry-mcp/internal/cache"
	"github.com/registry-mcp/registry-mcp/internal/errdef"
)

// call describes one API request.
type call struct {
	method string
	url    string
	body   any    // JSON-encoded when non-nil
	what   string // for error messages: "repository acme/api"
	host   string // for error messages when not the Hub API's host
	// account marks calls that fail before sending when there are no
	// credentials; the others read public data and use credentials when present.
	account bool
}

// server names the host a call goes to, for error messages.
func (c *Client) server(r call) string {
	return orDefault(r.host, c.host)
}

// response is an answer whose body has been read under MaxBodyBytes.
type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends r with the shared token, refreshing it once on a 401, and decodes a
// 2xx JSON answer into out (when non-nil). Any other answer becomes an error
// from the oci vocabulary.
func (c *Client) do(ctx context.Context, r call, out any) error {
	if c.baseErr != nil {
		return c.baseErr
	}
	cr := c.credentials(ctx)
	if r.account && !cr.ok {
		return needsAccount(r.what)
	}
	if r.method == http.MethodGet && out != nil && c.cache.enabled() {
		return c.cachedGet(ctx, r, cr, out)
	}
	resp, err := c.exchange(ctx, r, cr)
	if err != nil {
		return err
	}
	if r.method != http.MethodGet {
		c.cache.clear() // a write may have changed what a cached read says
	}
	if out == nil {
		return nil
	}
	return c.decode(resp, r, out)
}

// cachedGet answers a GET from the cache (this replica's, then the shared
// one), else lets one replica fetch it while the others asking at the same
// instant wait for its answer.
func (c *Client) cachedGet(ctx context.Context, r call, cr credentials, out any) error {
	key := cacheKey(cr, r.url)
	if body, ok := c.cache.get(ctx, key); ok {
		return c.decode(&response{status: http.StatusOK, body: body}, r, out)
	}
	decoded := false
	body, err := cache.Once(ctx, c.cache.shared, key, func(ctx context.Context) ([]byte, bool) {
		return c.cache.sharedGet(ctx, key)
	}, func(ctx context.Context) ([]byte, error) {
		resp, err := c.exchange(ctx, r, cr)
		if err != nil {
			return nil, err
		}
		if err := c.decode(resp, r, out); err != nil {
			return nil, err
		}
		decoded = true
		c.cache.put(ctx, key, resp.body) // only answers that decode are kept
		return resp.body, nil
	})
	if err != nil || decoded {
		return err
	}
	return c.decode(&response{status: http.StatusOK, body: body}, r, out)
}

// exchange sends r with the shared token, refreshing it once on a 401, and
// returns a 2xx answer or a classified error.
func (c *Client) exchange(ctx context.Context, r call, cr credentials) (*response, error) {
	token, err := c.bearer(ctx, cr)
	if err != nil {
		return nil, err
	}
	resp, err := c.send(ctx, r, token)
	if err != nil {
		return nil, err
	}
	if resp.status == http.StatusUnauthorized && token != "" {
		// The token may have been revoked or expired early: get a fresh one and
		// try once more. A second 401 is the answer.
		c.tokens.invalidate(token)
		if token, err = c.bearer(ctx, cr); err != nil {
			return nil, err
		}
		if resp, err = c.send(ctx, r, token); err != nil {
			return nil, err
		}
	}
	if err := c.statusError(resp, r, cr); err != nil {
		return nil, err
	}
	return resp, nil
}

// send makes one HTTP exchange under the per-request timeout.
func (c *Client) send(ctx context.Context, r call, token string) (*response, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var body io.Reader
	if r.body != nil {
		b, err := json.Marshal(r.body)
		if err != nil {
			return nil, fmt.Errorf("encoding %s: %w", r.what, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, r.url, body)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", errdef.ErrInvalidInput, r.what, err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "registry-mcp")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	start := c.now()
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, errdef.NetError(c.server(r), err)
	}
	defer resp.Body.Close()
	c.observeRateLimit(resp.Header)
	b, err := c.readBody(resp.Body, r)
	if err != nil {
		return nil, err
	}
	c.log.Debug("docker hub request", "method", r.method, "path", req.URL.Path, "status", resp.StatusCode,
		"authenticated", token != "", "elapsed", c.now().Sub(start))
	return &response{status: resp.StatusCode, header: resp.Header, body: b}, nil
}

// statusError classifies a non-2xx answer.
func (c *Client) statusError(resp *response, r call, cr credentials) error {
	s, what, host := resp.status, r.what, c.server(r)
	if s >= 200 && s < 300 {
		return nil
	}
	msg := c.serverMessage(resp, cr)
	switch s {
	case http.StatusBadRequest, http.StatusConflict, http.StatusUnprocessableEntity:
		return fmt.Errorf("%w: Docker Hub refused %s: %s", errdef.ErrInvalidInput, what, orDefault(msg, http.StatusText(s)))
	case http.StatusUnauthorized:
		if !cr.ok {
			return needsAccount(what)
		}
		return &errdef.CredentialsRejectedError{Service: "Docker Hub",
			What: fmt.Sprintf("the access token of %q for %s%s", cr.user, what, suffix(msg)),
			Vars: []string{"DOCKERHUB_TOKEN"}}
	case http.StatusForbidden:
		return fmt.Errorf("%w: %s%s", errdef.ErrDenied, what, suffix(msg))
	case http.StatusNotFound:
		return fmt.Errorf("%w: %s", errdef.ErrNotFound, what)
	case http.StatusTooManyRequests:
		return &errdef.RateLimitError{Host: host, RetryAfter: c.retryAfter(resp.header)}
	}
	return errdef.StatusError(host, s, resp.header, what)
}

// retryAfter reads Retry-After, falling back to X-RateLimit-Reset.
func (c *Client) retryAfter(h http.Header) time.Duration {
	now := c.now()
	if d := errdef.ParseRetryAfter(h.Get("Retry-After"), now); d > 0 {
		return d
	}
	if reset, err := strconv.ParseInt(strings.TrimSpace(h.Get("X-RateLimit-Reset")), 10, 64); err == nil {
		if d := time.Unix(reset, 0).Sub(now); d > 0 {
			return d.Round(time.Second)
		}
	}
	return 0
}

// decode parses a JSON answer, refusing HTML pages (proxies, captive portals,
// a wrong DOCKERHUB_API_URL) with a message that says so.
func (c *Client) decode(resp *response, r call, out any) error {
	what, host := r.what, c.server(r)
	body := bytes.TrimSpace(resp.body)
	ct := strings.ToLower(resp.header.Get("Content-Type"))
	if strings.Contains(ct, "html") || bytes.HasPrefix(body, []byte("<")) {
		return fmt.Errorf("%w: %s answered %s with an HTML page instead of JSON", errdef.ErrBadResponse, host, what)
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("%w: %s sent malformed JSON for %s: %w", errdef.ErrBadResponse, host, what, err)
	}
	return nil
}

// serverMessage extracts Docker Hub's own explanation from an error body,
// short, printable and with any credential removed.
func (c *Client) serverMessage(resp *response, cr credentials) string {
	var e struct {
		Message string `json:"message"`
		Detail  string `json:"detail"`
		Text    string `json:"text"`
	}
	if json.Unmarshal(resp.body, &e) != nil {
		return ""
	}
	msg := e.Message
	for _, m := range []string{e.Detail, e.Text} {
		if msg == "" {
			msg = m
		}
	}
	msg = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, msg)
	msg = c.redact(msg, cr)
	if r := []rune(msg); len(r) > 200 {
		msg = string(r[:200]) + "…"
	}
	return strings.TrimSpace(msg)
}

// redact removes the secret and the current token from text that came from
// the server, in case it echoes them.
func (c *Client) redact(s string, cr credentials) string {
	for _, secret := range []string{cr.secret, c.tokens.current()} {
		if len(secret) >= 4 {
			s = strings.ReplaceAll(s, secret, "[redacted]")
		}
	}
	return s
}

// observeRateLimit records the quota headers when an answer carries them.
func (c *Client) observeRateLimit(h http.Header) {
	limit, err1 := strconv.Atoi(strings.TrimSpace(h.Get("X-RateLimit-Limit")))
	remaining, err2 := strconv.Atoi(strings.TrimSpace(h.Get("X-RateLimit-Remaining")))
	if err1 != nil || err2 != nil {
		return
	}
	rl := RateLimit{Limit: limit, Remaining: remaining}
	if reset, err := strconv.ParseInt(strings.TrimSpace(h.Get("X-RateLimit-Reset")), 10, 64); err == nil && reset > 0 {
		rl.Reset = time.Unix(reset, 0).UTC()
	}
	c.rateMu.Lock()
	c.rate, c.seen = rl, true
	c.rateMu.Unlock()
}

func suffix(msg string) string {
	if msg == "" {
		return ""
	}
	return ": " + msg
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// needsAccount is the error for an anonymous call that Docker Hub only
// answers for an account.
func needsAccount(what string) error {
	return &errdef.NeedsAccountError{Service: "Docker Hub", Operation: what, Vars: []string{"DOCKERHUB_USERNAME", "DOCKERHUB_TOKEN"}}
}
