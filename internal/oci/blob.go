package oci

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/registry-mcp/registry-mcp/internal/cache"
	"github.com/registry-mcp/registry-mcp/internal/errdef"
)

// Blob fetches a small blob (a config, an SBOM) by digest, refusing one
// larger than limit, verifying its digest and caching it, in memory and in
// the shared cache when there is one.
func (c *Client) Blob(ctx context.Context, repo name.Repository, digest string, limit int64) ([]byte, error) {
	what := "blob " + shortDigest(digest) + " of " + DisplayName(repo)
	if b, ok := c.cache.localBlob(repo, digest); ok {
		return withinLimit(b, limit, what)
	}
	// The limit is part of the key: a caller allowing less must not share
	// (and fail) the fetch of one allowing more, nor the other way round.
	return coalesce(ctx, c, blobKey(repo, digest).String()+"|"+strconv.FormatInt(limit, 10), func(ctx context.Context) ([]byte, error) {
		lookup := func(ctx context.Context) ([]byte, bool) { return c.cache.blob(ctx, repo, digest) }
		if b, ok := lookup(ctx); ok {
			return withinLimit(b, limit, what)
		}
		b, err := cache.Once(ctx, c.cache.shared, blobKey(repo, digest).String(), lookup, func(ctx context.Context) ([]byte, error) {
			return c.fetchBlob(ctx, repo, digest, limit, what)
		})
		if err != nil {
			return nil, err
		}
		return withinLimit(b, limit, what)
	})
}

// fetchBlob GETs a blob under limit, verifies and caches it.
func (c *Client) fetchBlob(ctx context.Context, repo name.Repository, digest string, limit int64, what string) ([]byte, error) {
	resp, err := c.do(ctx, request{method: http.MethodGet, repo: repo, path: "blobs/" + digest, what: what, limit: limit})
	if err != nil {
		return nil, err
	}
	if strings.HasPrefix(digest, "sha256:") && sha256Digest(resp.body) != digest {
		return nil, fmt.Errorf("%w: %s sent content for %s that does not match its digest", errdef.ErrBadResponse, repo.RegistryStr(), what)
	}
	c.cache.putBlob(ctx, repo, digest, resp.body)
	return resp.body, nil
}

// withinLimit holds cached content to the caller's own limit.
func withinLimit(b []byte, limit int64, what string) ([]byte, error) {
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%w: %s is %d bytes, over the %d-byte limit", errdef.ErrTooLarge, what, len(b), limit)
	}
	return b, nil
}

// OpenBlob streams a blob (a layer) without buffering it. The reader checks
// the digest at EOF and reports a mismatch as an error from Read; the caller
// must Close it.
func (c *Client) OpenBlob(ctx context.Context, repo name.Repository, digest string) (io.ReadCloser, error) {
	rt, scheme, err := c.authTransport(ctx, repo)
	if err != nil {
		return nil, err
	}
	u := url.URL{Scheme: scheme, Host: repo.RegistryStr(), Path: "/v2/" + repo.RepositoryStr() + "/blobs/" + digest}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.httpClient(rt).Do(req)
	if err != nil {
		return nil, classifyTransportError(repo.RegistryStr(), err)
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		return nil, c.statusError(request{method: http.MethodGet, repo: repo, what: "layer " + shortDigest(digest)}, resp)
	}
	vr := &verifyingReader{body: resp.Body, want: digest, host: repo.RegistryStr()}
	if strings.HasPrefix(digest, "sha256:") {
		vr.h = sha256.New()
	}
	return vr, nil
}

type verifyingReader struct {
	body io.ReadCloser
	h    hash.Hash
	want string
	host string
}

func (v *verifyingReader) Read(p []byte) (int, error) {
	n, err := v.body.Read(p)
	if v.h != nil {
		v.h.Write(p[:n])
		if err == io.EOF && "sha256:"+hex.EncodeToString(v.h.Sum(nil)) != v.want {
			return n, fmt.Errorf("%w: %s sent a layer that does not match its digest %s", errdef.ErrBadResponse, v.host, shortDigest(v.want))
		}
	}
	return n, err
}

func (v *verifyingReader) Close() error { return v.body.Close() }

func shortDigest(d string) string {
	if i := strings.IndexByte(d, ':'); i >= 0 && len(d) > i+13 {
		return d[:i+13]
	}
	return d
}
