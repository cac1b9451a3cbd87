package hub

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/registry-mcp/registry-mcp/internal/errdef"
)

const (
	// assumedTokenLifetime applies when a token carries no readable "exp";
	// Docker documents access tokens as lasting ten minutes.
	assumedTokenLifetime = 10 * time.Minute
	// refreshMargin is how long before expiry a token is replaced, so that a
	// request never leaves with a token about to lapse. Short-lived tokens are
	// replaced at half their lifetime instead.
	refreshMargin = time.Minute
)

// credentials are the account used for the token exchange.
type credentials struct {
	user, secret string
	ok           bool
}

// credentials resolves the account once: explicit options first, then the
// fallback (the Docker config), else anonymous.
func (c *Client) credentials(ctx context.Context) credentials {
	c.credsMu.Lock()
	defer c.credsMu.Unlock()
	if c.creds != nil {
		return *c.creds
	}
	cr := credentials{}
	switch {
	case c.opts.Username != "" && c.opts.Token != "":
		cr = credentials{user: c.opts.Username, secret: c.opts.Token, ok: true}
	case c.opts.Fallback != nil:
		// An identity token ("<token>" user, from Docker Desktop's login) is an
		// OAuth refresh token that /v2/auth/token does not accept.
		if user, secret, ok := c.opts.Fallback(ctx); ok && user != "" && secret != "" && user != "<token>" {
			cr = credentials{user: user, secret: secret, ok: true}
		}
	}
	c.creds = &cr
	return cr
}

// tokenCache holds the one bearer token all calls share. Concurrent callers
// that find it missing or stale wait for a single exchange.
type tokenCache struct {
	mu        sync.Mutex
	token     string
	claims    tokenClaims
	refreshAt time.Time
	flight    *exchange // non-nil while an exchange is in progress
}

// exchange is one in-flight token request; done closes when it settles.
type exchange struct {
	done  chan struct{}
	token string
	err   error
}

// tokenClaims are the JWT claims this client reads; the signature is not
// checked (the token is only passed back to the server that issued it).
type tokenClaims struct {
	Exp float64 `json:"exp"` // seconds; some issuers send fractions
	Hub struct {
		Username string `json:"username"`
	} `json:"https://hub.docker.com"`
}

func (t *tokenCache) current() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.token
}

// invalidate drops token if it is still the cached one, so that a 401 seen by
// several callers causes one refresh, not one per caller.
func (t *tokenCache) invalidate(token string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.token == token {
		t.token, t.refreshAt = "", time.Time{}
	}
}

// bearer returns a valid token, or "" when anonymous.
func (c *Client) bearer(ctx context.Context, cr credentials) (string, error) {
	if !cr.ok {
		return "", nil
	}
	t := &c.tokens
	t.mu.Lock()
	if t.token != "" && c.now().Before(t.refreshAt) {
		tok := t.token
		t.mu.Unlock()
		return tok, nil
	}
	if f := t.flight; f != nil {
		t.mu.Unlock()
		select {
		case <-f.done:
			return f.token, f.err
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	f := &exchange{done: make(chan struct{})}
	t.flight = f
	t.mu.Unlock()

	// The exchange outlives a cancelled caller so that others waiting on it
	// are not failed by someone else's cancellation; the timeout still bounds it.
	tok, claims, err := c.exchangeToken(context.WithoutCancel(ctx), cr)

	t.mu.Lock()
	f.token, f.err = tok, err
	if err == nil {
		t.token, t.claims, t.refreshAt = tok, claims, c.refreshTime(claims)
	}
	t.flight = nil
	close(f.done)
	t.mu.Unlock()
	return tok, err
}

// refreshTime is when a token with these claims should be replaced.
func (c *Client) refreshTime(cl tokenClaims) time.Time {
	now := c.now()
	lifetime := assumedTokenLifetime
	if cl.Exp > 0 {
		lifetime = time.Unix(int64(cl.Exp), 0).Sub(now)
	}
	margin := min(refreshMargin, lifetime/2)
	return now.Add(lifetime - margin)
}

// exchangeToken trades the access token for a short-lived bearer.
func (c *Client) exchangeToken(ctx context.Context, cr credentials) (string, tokenClaims, error) {
	r := call{
		method: http.MethodPost,
		url:    c.endpoint(false, "v2", "auth", "token"),
		body:   map[string]string{"identifier": cr.user, "secret": cr.secret},
		what:   "the access token exchange",
	}
	resp, err := c.send(ctx, r, "")
	if err != nil {
		return "", tokenClaims{}, err
	}
	if resp.status == http.StatusUnauthorized || resp.status == http.StatusForbidden {
		return "", tokenClaims{}, &errdef.CredentialsRejectedError{Service: "Docker Hub",
			What: fmt.Sprintf("the access token of %q%s", cr.user, suffix(c.serverMessage(resp, cr))),
			Vars: []string{"DOCKERHUB_USERNAME", "DOCKERHUB_TOKEN"}}
	}
	if err := c.statusError(resp, r, cr); err != nil {
		return "", tokenClaims{}, err
	}
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if err := c.decode(resp, r, &out); err != nil {
		return "", tokenClaims{}, err
	}
	if out.AccessToken == "" {
		return "", tokenClaims{}, fmt.Errorf("%w: %s issued an empty access token", errdef.ErrBadResponse, c.host)
	}
	return out.AccessToken, parseClaims(out.AccessToken), nil
}

// username is the account the current token belongs to, as the token says;
// "" when unknown.
func (t *tokenCache) username() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.claims.Hub.Username
}

// parseClaims reads a JWT payload without verifying it; anything unreadable
// yields zero claims (and so the assumed lifetime).
func parseClaims(token string) tokenClaims {
	var cl tokenClaims
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return cl
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return cl
	}
	if json.Unmarshal(payload, &cl) != nil {
		return tokenClaims{}
	}
	return cl
}
