package oci

import (
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/registry-mcp/registry-mcp/internal/errdef"
)

// dockerHubHosts are the spellings of Docker Hub's registry host.
var dockerHubHosts = map[string]bool{
	"docker.io":            true,
	"index.docker.io":      true,
	"registry-1.docker.io": true,
}

// CanonicalHost maps the Docker Hub spellings to docker.io and lowercases the rest.
func CanonicalHost(host string) string {
	h := strings.ToLower(strings.TrimSpace(host))
	if dockerHubHosts[h] {
		return "docker.io"
	}
	return h
}

// ParseReference parses an image reference with Docker Hub defaulting.
func (c *Client) ParseReference(s string) (name.Reference, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, fmt.Errorf("%w: image_ref is empty; give a reference such as alpine:3.20 or ghcr.io/owner/app@sha256:<digest>", errdef.ErrInvalidReference)
	}
	if err := refuseScheme(s); err != nil {
		return nil, err
	}
	s = hubAlias(s)
	ref, err := name.ParseReference(s, c.nameOptions(s)...)
	if err != nil && hasUpperRepository(s) {
		lower := lowerRepository(s)
		if _, lerr := name.ParseReference(lower, c.nameOptions(lower)...); lerr == nil {
			return nil, fmt.Errorf("%w: %q: repository names must be lowercase (try %q)", errdef.ErrInvalidReference, s, lower)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %s; references look like [registry/]repository[:tag|@sha256:digest] in lowercase", errdef.ErrInvalidReference, s, explainNameError(err))
	}
	return ref, nil
}

// ParseRepository parses a repository name (no tag or digest) with Docker Hub defaulting.
func (c *Client) ParseRepository(s string) (name.Repository, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return name.Repository{}, fmt.Errorf("%w: repository is empty; give one such as alpine or ghcr.io/owner/app", errdef.ErrInvalidReference)
	}
	if err := refuseScheme(s); err != nil {
		return name.Repository{}, err
	}
	if strings.Contains(s, "@") || strings.Contains(s[strings.LastIndex(s, "/")+1:], ":") {
		return name.Repository{}, fmt.Errorf("%w: %q: give a repository without a tag or digest (e.g. %s)", errdef.ErrInvalidReference, s, trimTagOrDigest(s))
	}
	s = hubAlias(s)
	repo, err := name.NewRepository(s, c.nameOptions(s)...)
	if err != nil {
		return name.Repository{}, fmt.Errorf("%w: %q: %s", errdef.ErrInvalidReference, s, explainNameError(err))
	}
	return repo, nil
}

// ParseRegistry parses a registry host[:port].
func (c *Client) ParseRegistry(s string) (name.Registry, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		s = "docker.io"
	}
	if err := refuseScheme(s); err != nil {
		return name.Registry{}, err
	}
	reg, err := name.NewRegistry(s, c.nameOptions(s+"/x")...)
	if err != nil || strings.Contains(s, "/") {
		return name.Registry{}, fmt.Errorf("%w: %q is not a registry host[:port]", errdef.ErrInvalidReference, s)
	}
	return reg, nil
}

// hubAlias rewrites registry-1.docker.io, which go-containerregistry does
// not know as Docker Hub, to docker.io, so that library/ defaulting applies.
func hubAlias(s string) string {
	if rest, ok := strings.CutPrefix(s, "registry-1.docker.io/"); ok {
		return "docker.io/" + rest
	}
	return s
}

func (c *Client) nameOptions(s string) []name.Option {
	// Not name.StrictValidation: that refuses the Docker Hub defaulting
	// ("alpine" → docker.io/library/alpine:latest) people rely on.
	var opts []name.Option
	host := s
	if i := strings.IndexByte(s, '/'); i >= 0 {
		host = s[:i]
	}
	if c.insecure[strings.ToLower(host)] {
		opts = append(opts, name.Insecure)
	}
	return opts
}

func trimTagOrDigest(s string) string {
	if i := strings.IndexByte(s, '@'); i >= 0 {
		s = s[:i]
	}
	slash := strings.LastIndex(s, "/")
	if i := strings.LastIndex(s, ":"); i > slash {
		s = s[:i]
	}
	return s
}

// explainNameError shortens go-containerregistry's validation messages.
// refuseScheme refuses a URL where a reference belongs (http://host/repo),
// saying what to write instead: references name no scheme, the client picks
// HTTPS, or plain HTTP for loopback and -insecure-registry hosts.
func refuseScheme(s string) error {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return nil
	}
	return fmt.Errorf("%w: %q: a reference has no scheme; drop %q and write %q (plain HTTP is used for loopback registries and those allowed with -insecure-registry)",
		errdef.ErrInvalidReference, s, scheme+"://", rest)
}

func explainNameError(err error) string {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "repository can only contain"):
		return "repository names may only contain lowercase letters, digits and separators (. _ -)"
	case strings.Contains(msg, "tag can only contain"):
		return "tags may only contain letters, digits, '_', '.' and '-' (at most 128)"
	case strings.Contains(msg, "digest"):
		return "a digest looks like sha256: followed by 64 hex digits"
	}
	return msg
}

// DisplayName renders a repository as people write it: docker.io/library/alpine.
func DisplayName(repo name.Repository) string {
	return CanonicalHost(repo.RegistryStr()) + "/" + repo.RepositoryStr()
}

// DisplayRef renders a reference with its registry spelled as in DisplayName.
func DisplayRef(ref name.Reference) string {
	sep := ":"
	if _, ok := ref.(name.Digest); ok {
		sep = "@"
	}
	return DisplayName(ref.Context()) + sep + ref.Identifier()
}

// Platform is an os/architecture[/variant] triple, optionally with the digest
// and size of the manifest that serves it.
type Platform struct {
	OS           string `json:"os"`
	Architecture string `json:"architecture"`
	Variant      string `json:"variant,omitempty"`
	Digest       string `json:"digest,omitempty"`
}

// String renders os/arch[/variant].
func (p Platform) String() string {
	s := p.OS + "/" + p.Architecture
	if p.Variant != "" {
		s += "/" + p.Variant
	}
	return s
}

// ParsePlatform parses os/arch[/variant] as in linux/arm64/v8.
func ParsePlatform(s string) (*Platform, error) {
	parts := strings.Split(strings.TrimSpace(s), "/")
	if len(parts) < 2 || len(parts) > 3 {
		return nil, fmt.Errorf("%w: platform %q must be os/arch[/variant], such as linux/amd64 or linux/arm/v7", errdef.ErrInvalidInput, s)
	}
	for _, p := range parts {
		if p == "" || strings.ContainsAny(p, " \t:@") {
			return nil, fmt.Errorf("%w: platform %q must be os/arch[/variant], such as linux/amd64 or linux/arm/v7", errdef.ErrInvalidInput, s)
		}
	}
	p := &Platform{OS: strings.ToLower(parts[0]), Architecture: strings.ToLower(parts[1])}
	if len(parts) == 3 {
		p.Variant = strings.ToLower(parts[2])
	}
	return p, nil
}

// Matches reports whether candidate serves the wanted platform. An empty
// wanted variant matches any; arm64's implied variant v8 matches an empty one.
func (p Platform) Matches(candidate Platform) bool {
	if p.OS != candidate.OS || p.Architecture != candidate.Architecture {
		return false
	}
	if p.Variant == "" || p.Variant == candidate.Variant {
		return true
	}
	return p.Architecture == "arm64" && (p.Variant == "v8" && candidate.Variant == "" || p.Variant == "" && candidate.Variant == "v8")
}

// repositoryPart is s without a leading registry host and a trailing tag or digest.
func repositoryPart(s string) (host, repo, rest string) {
	if i := strings.IndexByte(s, '/'); i > 0 && strings.ContainsAny(s[:i], ".:") || strings.HasPrefix(s, "localhost/") {
		host, s = s[:i+1], s[i+1:]
	}
	repo = trimTagOrDigest(s)
	return host, repo, s[len(repo):]
}

func hasUpperRepository(s string) bool {
	_, repo, _ := repositoryPart(s)
	return repo != strings.ToLower(repo)
}

func lowerRepository(s string) string {
	host, repo, rest := repositoryPart(s)
	return host + strings.ToLower(repo) + rest
}
