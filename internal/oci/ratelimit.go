package oci

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/registry-mcp/registry-mcp/internal/errdef"
)

// rateLimitRepository is the repository Docker documents for reading the
// pull quota: a HEAD of its manifest shows the headers and spends nothing.
const rateLimitRepository = "ratelimitpreview/test:latest"

// PullQuota is Docker Hub's pull quota for the credentials in use.
type PullQuota struct {
	Limit         int
	Remaining     int
	WindowSeconds int
	Source        string // the IP address or account the quota is counted against
}

// RateLimit reads the pull quota from the RateLimit headers of a manifest
// HEAD on reg. For Docker Hub the host is the one every other call uses
// (index.docker.io, which serves registry-1.docker.io's API), so the Docker
// config's credentials for it apply.
func (c *Client) RateLimit(ctx context.Context, reg name.Registry) (*PullQuota, error) {
	ref, err := c.ParseReference(reg.RegistryStr() + "/" + rateLimitRepository) // keeps -insecure-registry
	if err != nil {
		return nil, err
	}
	head, err := c.HeadManifest(ctx, ref)
	host := CanonicalHost(reg.RegistryStr())
	if errors.Is(err, errdef.ErrNotFound) {
		return nil, fmt.Errorf("%w: %s has no %s to read a quota from; only Docker Hub publishes a pull quota this way", errdef.ErrUnsupported, host, rateLimitRepository)
	}
	if err != nil {
		return nil, err
	}
	q, ok := ParsePullQuota(head.RateLimit)
	if !ok {
		if host == "docker.io" {
			return nil, fmt.Errorf("%w: Docker Hub sent no RateLimit headers: the account in use has no pull limit", errdef.ErrUnsupported)
		}
		return nil, fmt.Errorf("%w: %s sent no RateLimit headers; it does not report a pull quota", errdef.ErrUnsupported, host)
	}
	return q, nil
}

// ParsePullQuota reads "ratelimit-limit: 100;w=21600", "ratelimit-remaining:
// 76;w=21600" and docker-ratelimit-source; ok is false without a limit.
func ParsePullQuota(h http.Header) (*PullQuota, bool) {
	limit, window, ok := parseQuotaValue(h.Get("Ratelimit-Limit"))
	if !ok {
		return nil, false
	}
	remaining, rw, ok := parseQuotaValue(h.Get("Ratelimit-Remaining"))
	if !ok {
		return nil, false
	}
	if window == 0 {
		window = rw
	}
	return &PullQuota{Limit: limit, Remaining: remaining, WindowSeconds: window, Source: h.Get("Docker-Ratelimit-Source")}, true
}

func parseQuotaValue(v string) (n, window int, ok bool) {
	parts := strings.Split(v, ";")
	n, err := strconv.Atoi(strings.TrimSpace(parts[0]))
	if err != nil || n < 0 {
		return 0, 0, false
	}
	for _, p := range parts[1:] {
		if w, found := strings.CutPrefix(strings.TrimSpace(p), "w="); found {
			window, _ = strconv.Atoi(w)
		}
	}
	return n, window, true
}
