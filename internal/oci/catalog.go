package oci

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/registry-mcp/registry-mcp/internal/errdef"
)

// MaxCatalogPageBytes caps one /v2/_catalog response; registries that ignore
// n can send every repository at once.
const MaxCatalogPageBytes = 16 << 20

// catalogScope is the token scope the distribution spec's catalog needs.
const catalogScope = "registry:catalog:*"

// RepositoryPage is one page of a registry's catalog.
type RepositoryPage struct {
	Repositories []string
	// Last is the value to pass as last for the next page; empty on the last page.
	Last string
}

// ErrNoCatalog explains that Docker Hub has no catalog API. It matches ErrUnsupported.
var ErrNoCatalog = fmt.Errorf("%w: Docker Hub does not offer the registry catalog (/v2/_catalog)", errdef.ErrUnsupported)

// Catalog fetches one page of at most n repository names after last.
func (c *Client) Catalog(ctx context.Context, reg name.Registry, n int, last string) (*RepositoryPage, error) {
	if CanonicalHost(reg.RegistryStr()) == "docker.io" {
		return nil, ErrNoCatalog
	}
	rt, scheme, err := c.catalogTransport(ctx, reg)
	if err != nil {
		return nil, err
	}
	q := url.Values{"n": {strconv.Itoa(n)}}
	if last != "" {
		q.Set("last", last)
	}
	u := url.URL{Scheme: scheme, Host: reg.RegistryStr(), Path: "/v2/_catalog", RawQuery: q.Encode()}
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %q is not a registry host[:port]", errdef.ErrInvalidReference, reg.RegistryStr())
	}
	resp, err := c.httpClient(rt).Do(req)
	if err != nil {
		return nil, classifyTransportError(reg.RegistryStr(), err)
	}
	defer resp.Body.Close()
	what := "the catalog of " + CanonicalHost(reg.RegistryStr())
	switch {
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusMethodNotAllowed:
		return nil, fmt.Errorf("%w: %s does not offer the registry catalog (/v2/_catalog); many hosted registries turn it off", errdef.ErrUnsupported, CanonicalHost(reg.RegistryStr()))
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return nil, c.statusError(request{method: http.MethodGet, repo: reg.Repo("_catalog"), what: what}, resp)
	}
	body, err := readCapped(resp, MaxCatalogPageBytes, what)
	if err != nil {
		return nil, err
	}
	var cat struct {
		Repositories []string `json:"repositories"`
	}
	if looksLikeHTML(body, resp.Header) || json.Unmarshal(body, &cat) != nil {
		return nil, fmt.Errorf("%w: %s answered the catalog with something that is not a repository list", errdef.ErrBadResponse, reg.RegistryStr())
	}
	page := &RepositoryPage{}
	page.Repositories, page.Last = cutPage(cat.Repositories, n, last, resp.Header.Get("Link"))
	return page, nil
}

// catalogTransport authenticates for the catalog scope, once per registry.
// The key cannot clash with a repository's: names never start with '_'.
func (c *Client) catalogTransport(ctx context.Context, reg name.Registry) (http.RoundTripper, string, error) {
	if err := c.opts.Policy.CheckHost(reg.RegistryStr()); err != nil {
		return nil, "", err
	}
	key := reg.RegistryStr() + "/_catalog"
	ch, err := c.challenge(ctx, reg)
	if err != nil {
		return nil, "", err
	}
	if rt, ok := c.transports.Get(key); ok {
		return rt.(http.RoundTripper), schemeOf(ch), nil
	}
	rt, err := coalesce(ctx, c, "auth:"+key, func(ctx context.Context) (http.RoundTripper, error) {
		rt, err := c.newCatalogTransport(ctx, reg, ch)
		if err == nil {
			c.transports.Add(key, rt, 1)
		}
		return rt, err
	})
	if err != nil {
		return nil, "", err
	}
	return rt, schemeOf(ch), nil
}

func (c *Client) newCatalogTransport(ctx context.Context, reg name.Registry, ch *transport.Challenge) (http.RoundTripper, error) {
	auth, err := c.keychain.Resolve(reg)
	if err != nil {
		c.log.Warn("credential lookup failed; continuing anonymously", "registry", reg.RegistryStr(), "error", err)
		auth = authn.Anonymous
	}
	if !strings.EqualFold(ch.Scheme, "bearer") {
		return &basicTransport{inner: c.base, auth: auth, host: reg.RegistryStr()}, nil
	}
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	tok, err := transport.Exchange(ctx, reg, auth, c.base, []string{catalogScope}, ch)
	if err != nil {
		return nil, classifyTransportError(reg.RegistryStr(), err)
	}
	if tok.Token == "" {
		tok.Token = tok.AccessToken
	}
	rt, err := transport.FromToken(reg, auth, c.base, ch, tok)
	if err != nil {
		return nil, classifyTransportError(reg.RegistryStr(), err)
	}
	return rt, nil
}
