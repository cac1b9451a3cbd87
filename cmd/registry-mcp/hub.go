package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"

	"github.com/registry-mcp/registry-mcp/internal/hub"
)

// checkHubAPIURL refuses a DOCKERHUB_API_URL that is not an http(s) URL at
// start-up, rather than on every Hub call.
func checkHubAPIURL(v string) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("DOCKERHUB_API_URL %q is not an http(s) URL such as %s", v, hub.DefaultBaseURL)
	}
	return nil
}

// newHubClient uses DOCKERHUB_USERNAME and DOCKERHUB_TOKEN, else the Docker
// config's credentials for docker.io, else anonymous access. Only whether
// credentials are set is logged, never their value.
func newHubClient(cfg *config, log *slog.Logger) *hub.Client {
	switch {
	case cfg.hubUsername != "" && cfg.hubToken != "":
		log.Info("Docker Hub API credentials are set", "source", "DOCKERHUB_USERNAME and DOCKERHUB_TOKEN")
	case cfg.hubUsername != "" || cfg.hubToken != "":
		log.Warn("only one of DOCKERHUB_USERNAME and DOCKERHUB_TOKEN is set; both are needed, so the Docker config or anonymous access is used")
	default:
		log.Info("Docker Hub API credentials are not set; using the Docker config's docker.io login if there is one, else anonymous access")
	}
	return hub.New(hub.Options{
		BaseURL:  cfg.hubAPIURL,
		Username: cfg.hubUsername,
		Token:    cfg.hubToken,
		Fallback: dockerConfigHubCredentials(authn.DefaultKeychain),
		Logger:   log,
		CacheTTL: cfg.cacheTTL,
		Shared:   cfg.sharedCache(log),
	})
}

// dockerConfigHubCredentials reads docker.io's entry of the Docker config
// (credential helpers included), as docker login wrote it.
func dockerConfigHubCredentials(kc authn.Keychain) func(context.Context) (string, string, bool) {
	return func(ctx context.Context) (string, string, bool) {
		reg, err := name.NewRegistry(name.DefaultRegistry)
		if err != nil {
			return "", "", false
		}
		a, err := authn.Resolve(ctx, kc, reg)
		if err != nil {
			return "", "", false
		}
		ac, err := authn.Authorization(ctx, a)
		if err != nil || ac.Username == "" || ac.Password == "" {
			return "", "", false
		}
		return ac.Username, ac.Password, true
	}
}
