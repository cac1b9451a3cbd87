package osv

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/registry-mcp/registry-mcp/internal/errdef"
)

// DefaultURL is osv.dev's API.
const DefaultURL = "https://api.osv.dev"

// Bounds on the conversation with the service.
const (
	// MaxBatchQueries is the service's own limit on queries in one querybatch.
	MaxBatchQueries = 1000
	// MaxBatchBytes caps one querybatch answer: it names only ids and
	// modification times (about 60 bytes each), so even a thousand queries
	// with hundreds of vulnerabilities each fit.
	MaxBatchBytes = 32 << 20
	// MaxRecordBytes caps one record; the largest (Linux kernel advisories
	// listing every affected version) are a few hundred KiB.
	MaxRecordBytes = 4 << 20
	// MaxErrorBodyBytes caps how much of an error answer is read.
	MaxErrorBodyBytes = 64 << 10
	// DefaultTimeout bounds each request, headers and body.
	DefaultTimeout = 30 * time.Second
	// MaxRetryWait is the longest Retry-After honoured by waiting; a longer
	// one is reported with its delay.
	MaxRetryWait = 5 * time.Second
	// DefaultResultTTL is how long a package version's list of
	// vulnerabilities is reused. Advisories are published a few times a day.
	DefaultResultTTL = time.Hour
	// maxAttempts bounds retries of a 429 or 5xx answer.
	maxAttempts = 3
	// maxRedirects bounds redirects, as for registries.
	maxRedirects = 5
	// maxPages bounds the page tokens followed for one query.
	maxPages = 20
	// maxResults and maxRecords bound the caches (entries).
	maxResults = 50_000
	maxRecords = 20_000
	// fetchers is how many records are fetched at once.
	fetchers = 8
)

// Options configure a Client; the zero value talks to osv.dev.
type Options struct {
	// BaseURL of the service; empty means DefaultURL.
	BaseURL string
	// Timeout bounds each request; zero means DefaultTimeout.
	Timeout time.Duration
	// ResultTTL is how long a package version's answer is reused; zero
	// means DefaultResultTTL.
	ResultTTL time.Duration
	// Transport is the base HTTP transport; nil means a tuned default.
	Transport http.RoundTripper
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives debug logs; nil discards them.
	Logger *slog.Logger
}

// Client asks an OSV service about package versions. It is safe for
// concurrent use; keep one per process so its caches are shared.
type Client struct {
	base    *url.URL
	source  string
	http    *http.Client
	timeout time.Duration
	ttl     time.Duration
	now     func() time.Time
	log     *slog.Logger

	mu      sync.Mutex
	results map[Query]cachedResult
	records map[string]*Vulnerability // id@modified
}

type cachedResult struct {
	vulns []vulnRef
	at    time.Time
}

// New returns a Client, refusing a base URL that is not http(s).
func New(opts Options) (*Client, error) {
	raw := opts.BaseURL
	if raw == "" {
		raw = DefaultURL
	}
	u, err := ParseURL(raw)
	if err != nil {
		return nil, err
	}
	c := &Client{
		base: u, source: strings.TrimSuffix(u.String(), "/"),
		timeout: opts.Timeout, ttl: opts.ResultTTL, now: opts.Now, log: opts.Logger,
		results: map[Query]cachedResult{}, records: map[string]*Vulnerability{},
	}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	if c.ttl <= 0 {
		c.ttl = DefaultResultTTL
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	rt := opts.Transport
	if rt == nil {
		rt = defaultTransport(c.timeout)
	}
	c.http = &http.Client{Transport: rt, CheckRedirect: checkRedirect}
	return c, nil
}

// ParseURL checks a vulnerability source URL: http or https, a host, no
// credentials, query or fragment.
func ParseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("vulnerability source %q is not an http(s) URL of an OSV service, e.g. %s", raw, DefaultURL)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	return u, nil
}

// Source is the service's URL, as results name it.
func (c *Client) Source() string { return c.source }

func defaultTransport(timeout time.Duration) http.RoundTripper {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil // reached directly, as registries are
	t.DialContext = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	t.TLSHandshakeTimeout = 10 * time.Second
	t.ResponseHeaderTimeout = timeout
	return t
}

// checkRedirect bounds redirects and refuses a downgrade to plain HTTP.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects {
		return fmt.Errorf("%w: more than %d redirects", errdef.ErrBadResponse, maxRedirects)
	}
	if via[0].URL.Scheme == "https" && req.URL.Scheme != "https" {
		return fmt.Errorf("%w: a redirect from https to %s", errdef.ErrBadResponse, req.URL.Scheme)
	}
	return nil
}

// ServiceError is a failure to get an answer from the vulnerability
// source. It wraps the classified cause (ErrUnreachable, ErrRateLimited,
// ErrBadResponse, ErrTooLarge).
type ServiceError struct {
	Source string
	Err    error
}

func (e *ServiceError) Error() string {
	return fmt.Sprintf("vulnerability source %s: %v", e.Source, e.Err)
}

func (e *ServiceError) Unwrap() error { return e.Err }

// post sends one JSON request and decodes the answer, retrying transient failures.
func (c *Client) call(ctx context.Context, method, path string, body any, limit int64, out any) error {
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return err
		}
	}
	var lastErr error
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		err := c.once(ctx, method, path, payload, limit, out)
		if err == nil {
			return nil
		}
		lastErr = err
		wait, retry := errdef.RetryDelay(err, attempt, MaxRetryWait)
		if !retry || attempt == maxAttempts {
			break
		}
		c.log.Debug("retrying OSV request", "path", path, "attempt", attempt, "wait", wait, "error", err)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
	if errors.Is(lastErr, context.Canceled) {
		return lastErr
	}
	return &ServiceError{Source: c.source, Err: lastErr}
}

func (c *Client) once(ctx context.Context, method, path string, payload []byte, limit int64, out any) error {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	u := *c.base
	u.Path += path
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return fmt.Errorf("%w: %w", errdef.ErrInvalidInput, err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "registry-mcp")
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if errors.Is(err, errdef.ErrBadResponse) {
			return err
		}
		return errdef.NetError(c.base.Host, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, MaxErrorBodyBytes))
		err := errdef.StatusError(c.base.Host, resp.StatusCode, resp.Header, method+" "+path)
		return errdef.MarkTransient(resp.StatusCode, err)
	}
	if resp.ContentLength > limit {
		return fmt.Errorf("%w: the answer to %s is %d bytes, over the %d-byte limit", errdef.ErrTooLarge, path, resp.ContentLength, limit)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return errdef.NetError(c.base.Host, err)
	}
	if int64(len(b)) > limit {
		return fmt.Errorf("%w: the answer to %s is over the %d-byte limit", errdef.ErrTooLarge, path, limit)
	}
	if t := bytes.TrimSpace(b); len(t) > 0 && t[0] == '<' || strings.Contains(resp.Header.Get("Content-Type"), "html") {
		return fmt.Errorf("%w: %s answered %s with an HTML page instead of JSON; is it an OSV service?", errdef.ErrBadResponse, c.base.Host, path)
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("%w: %s sent malformed JSON for %s", errdef.ErrBadResponse, c.base.Host, path)
	}
	return nil
}
