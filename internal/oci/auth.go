package oci

import (
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
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

// CredentialSource says which credentials a Client sends to a registry, so
// that advice after a refusal can tell a wrong password from none at all.
type CredentialSource struct {
	// Static is "token" or "basic" when the static credentials (OCI_TOKEN,
	// OCI_USERNAME) are the ones sent, else "".
	Static string
	// Fallback is true when the fallback keychain (the Docker config, a
	// credential helper) supplies the credentials sent.
	Fallback bool
	// StaticHost is the registry the static credentials are bound to, when
	// there are any: with Static empty, they were not sent to this one.
	StaticHost string
}

// Credentials describes the credentials sent to host; the zero value means anonymous.
func (c *Client) Credentials(host string) CredentialSource {
	k, ok := c.keychain.(*keychain)
	if !ok {
		return CredentialSource{Fallback: c.resolves(c.keychain, host)}
	}
	var src CredentialSource
	if !k.static.Empty() {
		src.StaticHost = CanonicalHost(k.static.Registry)
		if src.StaticHost == CanonicalHost(host) {
			src.Static = "basic"
			if k.static.Token != "" {
				src.Static = "token"
			}
			return src
		}
	}
	src.Fallback = k.fallback != nil && c.resolves(k.fallback, host)
	return src
}

// resolves reports whether kc has credentials for host.
func (c *Client) resolves(kc authn.Keychain, host string) bool {
	reg, err := name.NewRegistry(host, name.WeakValidation)
	if err != nil {
		return false
	}
	a, err := kc.Resolve(reg)
	return err == nil && a != authn.Anonymous
}
