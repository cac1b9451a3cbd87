package oci

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/registry-mcp/registry-mcp/internal/errdef"
)

// request describes one registry API call.
type request struct {
	method string
	repo   name.Repository
	path   string // after /v2/<repository>/, e.g. "manifests/latest"
	query  url.Values
	accept []string
	what   string // for error messages: "manifest alpine:3.20"
	limit  int64  // body cap; zero for HEAD
}

// response is a registry answer whose body has been read under the cap.
type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends a request with the repository's credentials, retrying transient
// failures, and returns the bounded body of a 2xx answer or a classified error.
func (c *Client) do(ctx context.Context, r request) (*response, error) {
	var lastErr error
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		resp, err := c.once(ctx, r)
		if err == nil {
			return resp, nil
		}
		lastErr = err
		wait, retry := errdef.RetryDelay(err, attempt, MaxRetryWait)
		if !retry || attempt == maxAttempts {
			break
		}
		c.log.Debug("retrying registry request", "what", r.what, "attempt", attempt, "wait", wait, "error", err)
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
	}
	return nil, lastErr
}

func (c *Client) once(ctx context.Context, r request) (*response, error) {
	rt, scheme, err := c.authTransport(ctx, r.repo)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	u := url.URL{Scheme: scheme, Host: r.repo.RegistryStr(), Path: "/v2/" + r.repo.RepositoryStr() + "/" + r.path}
	if len(r.query) > 0 {
		u.RawQuery = r.query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errdef.ErrInvalidReference, err)
	}
	if len(r.accept) > 0 {
		req.Header.Set("Accept", strings.Join(r.accept, ", "))
	}
	resp, err := c.httpClient(rt).Do(req)
	if err != nil {
		return nil, classifyTransportError(r.repo.RegistryStr(), err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, c.statusError(r, resp)
	}
	out := &response{status: resp.StatusCode, header: resp.Header}
	if r.method == http.MethodHead {
		return out, nil
	}
	out.body, err = readCapped(resp, r.limit, r.what)
	if errors.Is(err, errdef.ErrTooLarge) {
		return nil, err
	}
	if err != nil {
		return nil, errdef.NetError(r.repo.RegistryStr(), err)
	}
	return out, nil
}

func (c *Client) httpClient(rt http.RoundTripper) *http.Client {
	return &http.Client{Transport: rt, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) >= maxRedirects {
			return fmt.Errorf("%w: more than %d redirects", errdef.ErrBadResponse, maxRedirects)
		}
		return c.opts.Policy.CheckHost(req.URL.Host)
	}}
}

// readCapped reads a body of at most limit bytes; a larger one is ErrTooLarge.
func readCapped(resp *http.Response, limit int64, what string) ([]byte, error) {
	if resp.ContentLength > limit {
		return nil, fmt.Errorf("%w: %s is %d bytes, over the %d-byte limit", errdef.ErrTooLarge, what, resp.ContentLength, limit)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(body)) > limit {
		return nil, fmt.Errorf("%w: %s is over the %d-byte limit", errdef.ErrTooLarge, what, limit)
	}
	return body, nil
}

// statusError classifies a non-2xx answer, preferring the registry's own error code.
func (c *Client) statusError(r request, resp *http.Response) error {
	host := r.repo.RegistryStr()
	var body []byte
	if r.method != http.MethodHead {
		body, _ = io.ReadAll(io.LimitReader(resp.Body, MaxErrorBodyBytes))
	}
	if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
		// A token the registry no longer accepts is dropped so the next call starts afresh.
		c.forgetTransport(r.repo)
	}
	if err := registryCodeError(host, resp, body, r.what); err != nil {
		return err
	}
	err := errdef.StatusError(host, resp.StatusCode, resp.Header, r.what)
	return errdef.MarkTransient(resp.StatusCode, err)
}

// registryCodeError maps the distribution spec's error codes, when present.
func registryCodeError(host string, resp *http.Response, body []byte, what string) error {
	var env struct {
		Errors []struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	if len(body) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, &env); err != nil || len(env.Errors) == 0 {
		return nil //nolint:nilerr // a body without error codes is classified by its status instead
	}
	code, msg := env.Errors[0].Code, env.Errors[0].Message
	detail := what
	if msg != "" {
		detail = what + " (" + truncate(msg, 200) + ")"
	}
	switch transport.ErrorCode(code) {
	case transport.ManifestUnknownErrorCode, transport.NameUnknownErrorCode, transport.BlobUnknownErrorCode:
		return fmt.Errorf("%w: %s", errdef.ErrNotFound, detail)
	case transport.UnauthorizedErrorCode:
		return &errdef.UnauthorizedError{Host: host, Detail: detail + " on " + host}
	case transport.DeniedErrorCode:
		return fmt.Errorf("%w: %s on %s", errdef.ErrDenied, detail, host)
	case transport.TooManyRequestsErrorCode:
		return &errdef.RateLimitError{Host: host, RetryAfter: errdef.ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now())}
	case transport.UnsupportedErrorCode:
		return fmt.Errorf("%w: %s", errdef.ErrUnsupported, detail)
	}
	return nil
}

// classifyTransportError maps errors from go-containerregistry's ping and
// token exchange, and from the HTTP client, into the shared vocabulary.
func classifyTransportError(host string, err error) error {
	var te *transport.Error
	if errors.As(err, &te) {
		switch te.StatusCode {
		case http.StatusUnauthorized:
			return &errdef.UnauthorizedError{Host: host, Detail: host + " refused the credentials"}
		case http.StatusForbidden:
			return fmt.Errorf("%w: %s refused access", errdef.ErrDenied, host)
		case http.StatusTooManyRequests:
			return &errdef.RateLimitError{Host: host}
		case http.StatusNotFound:
			return fmt.Errorf("%w: %s has no registry API at /v2/ (is it an OCI registry?)", errdef.ErrBadResponse, host)
		}
		if te.StatusCode >= 500 {
			return fmt.Errorf("%w: %s answered HTTP %d", errdef.ErrServerFailed, host, te.StatusCode)
		}
		return fmt.Errorf("%w: %s answered HTTP %d to the registry API", errdef.ErrBadResponse, host, te.StatusCode)
	}
	if errors.Is(err, errdef.ErrPolicy) {
		return policyCause(err)
	}
	for _, known := range []error{errdef.ErrBadResponse, errdef.ErrTooLarge, errdef.ErrUnauthorized} {
		if errors.Is(err, known) {
			return err
		}
	}
	var syntaxErr *json.SyntaxError
	if errors.As(err, &syntaxErr) || strings.Contains(err.Error(), "invalid character") {
		return fmt.Errorf("%w: %s answered with something that is not JSON", errdef.ErrBadResponse, host)
	}
	if strings.Contains(err.Error(), "malformed www-authenticate") || strings.Contains(err.Error(), "invalid realm") {
		return fmt.Errorf("%w: %s sent an unusable authentication challenge", errdef.ErrBadResponse, host)
	}
	return errdef.NetError(host, err)
}

// truncate keeps the first n runes of s: a cut inside a rune would leave
// invalid UTF-8 in the message.
func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// looksLikeHTML spots an HTML page where JSON was expected (a proxy or login page).
func looksLikeHTML(body []byte, header http.Header) bool {
	if strings.HasPrefix(header.Get("Content-Type"), "text/html") {
		return true
	}
	b := bytes.TrimSpace(body)
	return len(b) > 0 && b[0] == '<'
}

// policyCause digs the policy's own refusal out of the HTTP client's
// wrapping, so the message names the rule rather than a dial failure.
func policyCause(err error) error {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if strings.HasPrefix(e.Error(), errdef.ErrPolicy.Error()+":") {
			return e
		}
	}
	return err
}
