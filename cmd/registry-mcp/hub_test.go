package main

import (
	"bytes"
	"encoding/base64"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
)

func TestHubConfigFromEnv(t *testing.T) {
	t.Parallel()
	c, err := parseConfig(nil, envOf(map[string]string{
		"DOCKERHUB_USERNAME": "alice", "DOCKERHUB_TOKEN": "dckr_pat_x", "DOCKERHUB_API_URL": "http://127.0.0.1:9/",
	}), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if c.hubUsername != "alice" || c.hubToken != "dckr_pat_x" || c.hubAPIURL != "http://127.0.0.1:9/" {
		t.Errorf("hub config %q %q %q", c.hubUsername, c.hubToken, c.hubAPIURL)
	}
	for _, bad := range []string{"hub.docker.com", "ftp://hub.docker.com", "https://"} {
		_, err := parseConfig(nil, envOf(map[string]string{"DOCKERHUB_API_URL": bad}), &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), "DOCKERHUB_API_URL") {
			t.Errorf("DOCKERHUB_API_URL=%q: %v, want an error naming the variable", bad, err)
		}
	}
}

func TestHubStartupLogNamesNoSecret(t *testing.T) {
	t.Parallel()
	for _, env := range []map[string]string{
		{"DOCKERHUB_USERNAME": "alice-user", "DOCKERHUB_TOKEN": "dckr_pat_secret"},
		{"DOCKERHUB_TOKEN": "dckr_pat_secret"},
		{},
	} {
		c, err := parseConfig(nil, envOf(env), &bytes.Buffer{})
		if err != nil {
			t.Fatal(err)
		}
		var logs bytes.Buffer
		if newHubClient(c, slog.New(slog.NewTextHandler(&logs, nil))) == nil {
			t.Fatal("no client")
		}
		if !strings.Contains(logs.String(), "Docker Hub API credentials") && !strings.Contains(logs.String(), "DOCKERHUB_TOKEN") {
			t.Errorf("%v: the log does not say whether Hub credentials are set: %s", env, logs.String())
		}
		if strings.Contains(logs.String(), "dckr_pat_secret") || strings.Contains(logs.String(), "alice-user") {
			t.Errorf("%v: the log names a credential: %s", env, logs.String())
		}
	}
}

// TestHubFallbackReadsDockerLogin sets DOCKER_CONFIG, so it does not run in parallel.
func TestHubFallbackReadsDockerLogin(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("DOCKER_CONFIG", dir)
	t.Setenv("REGISTRY_AUTH_FILE", filepath.Join(dir, "none.json"))
	fallback := dockerConfigHubCredentials(authn.DefaultKeychain)
	if user, _, ok := fallback(t.Context()); ok {
		t.Fatalf("an empty Docker config gave credentials for %q", user)
	}
	auth := base64.StdEncoding.EncodeToString([]byte("bob:dckr_pat_bob"))
	cfg := `{"auths":{"https://index.docker.io/v1/":{"auth":"` + auth + `"},"ghcr.io":{"auth":"` +
		base64.StdEncoding.EncodeToString([]byte("other:ghcr-secret")) + `"}}}`
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	user, secret, ok := fallback(t.Context())
	if !ok || user != "bob" || secret != "dckr_pat_bob" {
		t.Errorf("fallback gave %q, %t; want docker.io's login bob", user, ok)
	}
}
