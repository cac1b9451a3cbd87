package oci

import (
	"github.com/google/go-containerregistry/pkg/authn"
)

// StaticCredentials are credentials given explicitly (OCI_TOKEN, or
// OCI_USERNAME + OCI_PASSWORD), bound to exactly one registry host.
type StaticCredentials struct {
	Registry string // host[:port]; the Docker Hub spellings are one host
	Username string
	Password string
	Token    string // a registry bearer token, sent as is
}

// Empty reports whether no credential is set.
func (s StaticCredentials) Empty() bool {
	return s.Token == "" && (s.Username == "" || s.Password == "")
}

// Keychain resolves credentials for a registry: the static credentials for
// their own host only, then the fallback (the Docker config, credential
// helpers and podman's auth file), then anonymous.
func Keychain(static StaticCredentials, fallback authn.Keychain) authn.Keychain {
	return &keychain{static: static, fallback: fallback}
}

type keychain struct {
	static   StaticCredentials
	fallback authn.Keychain
}

func (k *keychain) Resolve(r authn.Resource) (authn.Authenticator, error) {
	if !k.static.Empty() && CanonicalHost(r.RegistryStr()) == CanonicalHost(k.static.Registry) {
		if k.static.Token != "" {
			return authn.FromConfig(authn.AuthConfig{RegistryToken: k.static.Token}), nil
		}
		return &authn.Basic{Username: k.static.Username, Password: k.static.Password}, nil
	}
	if k.fallback == nil {
		return authn.Anonymous, nil
	}
	return k.fallback.Resolve(r)
}
