package oci_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/registry-mcp/registry-mcp/internal/errdef"
	"github.com/registry-mcp/registry-mcp/internal/oci"
	"github.com/registry-mcp/registry-mcp/internal/registrytest"
)

func TestPolicyHosts(t *testing.T) {
	t.Parallel()
	p := oci.Policy{Allow: []string{"ghcr.io", "*.example.com", "docker.io", "127.0.0.1:*"}, Deny: []string{"bad.example.com"}}
	tests := map[string]bool{
		"ghcr.io": true, "quay.io": false, "reg.example.com": true, "bad.example.com": false,
		"index.docker.io": true, "127.0.0.1:5000": true, "localhost:5000": false,
	}
	for host, ok := range tests {
		err := p.CheckHost(host)
		if (err == nil) != ok {
			t.Errorf("%s: allowed=%v, want %v (%v)", host, err == nil, ok, err)
		}
		if err != nil && !errors.Is(err, errdef.ErrPolicy) {
			t.Errorf("%s: error %v is not errdef.ErrPolicy", host, err)
		}
	}
}

func TestPolicyAddresses(t *testing.T) {
	t.Parallel()
	def, private := oci.Policy{}, oci.Policy{DenyPrivate: true}
	tests := []struct {
		ip                string
		byDefault, if1918 bool
	}{
		{"169.254.169.254", false, false},
		{"fd00:ec2::254", false, false},
		{"fe80::1", false, false},
		{"::ffff:169.254.169.254", false, false},
		{"127.0.0.1", true, false},
		{"10.1.2.3", true, false},
		{"192.168.1.1", true, false},
		{"fd12::1", true, false},
		{"140.82.112.3", true, true},
	}
	for _, tt := range tests {
		ip := netip.MustParseAddr(tt.ip)
		if got := def.CheckIP(ip) == nil; got != tt.byDefault {
			t.Errorf("%s by default: allowed=%v, want %v", tt.ip, got, tt.byDefault)
		}
		if got := private.CheckIP(ip) == nil; got != tt.if1918 {
			t.Errorf("%s with DenyPrivate: allowed=%v, want %v", tt.ip, got, tt.if1918)
		}
	}
}

func TestPolicyIsEnforcedAtDialTime(t *testing.T) {
	t.Parallel()
	reg, fx := registrytest.StartSeeded(t, registrytest.Options{})
	c := oci.New(oci.Options{Policy: oci.Policy{DenyPrivate: true}})
	ref, err := c.ParseReference(fx.Ref(fx.App))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Manifest(t.Context(), ref); !errors.Is(err, errdef.ErrPolicy) {
		t.Errorf("loopback registry with DenyPrivate: got %v, want errdef.ErrPolicy", err)
	}
	if n := reg.Total(); n != 0 {
		t.Errorf("the registry saw %d requests; the dial must be refused before any", n)
	}
	meta, _ := c.ParseReference("169.254.169.254/latest/meta-data:x")
	if _, err := oci.New(oci.Options{}).Manifest(t.Context(), meta); !errors.Is(err, errdef.ErrPolicy) {
		t.Errorf("metadata address: got %v, want errdef.ErrPolicy", err)
	}
}

// TestRedirectsKeepCredentialsHome: a registry that redirects a blob to
// another host must not get that host our credentials, and a redirect
// outside the policy is refused.
func TestRedirectsKeepCredentialsHome(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var leaked []string
	cdn := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		leaked = append(leaked, r.Header.Get("Authorization"))
		mu.Unlock()
		http.Error(w, "gone", http.StatusNotFound)
	}))
	t.Cleanup(cdn.Close)
	cdnHost := strings.Replace(strings.TrimPrefix(cdn.URL, "http://"), "127.0.0.1", "localhost", 1)
	reg := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "" {
			w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if r.URL.Path == "/v2/" {
			return
		}
		http.Redirect(w, r, "http://"+cdnHost+"/blob", http.StatusTemporaryRedirect)
	}))
	t.Cleanup(reg.Close)
	host := strings.TrimPrefix(reg.URL, "http://")
	creds := oci.Keychain(oci.StaticCredentials{Registry: host, Username: "u", Password: "secret"}, authn.NewMultiKeychain())
	for _, tt := range []struct {
		name   string
		policy oci.Policy
		want   error
	}{
		{"allowed redirect", oci.Policy{}, errdef.ErrNotFound},
		{"redirect outside the allow list", oci.Policy{Allow: []string{host}}, errdef.ErrPolicy},
	} {
		c := oci.New(oci.Options{Keychain: creds, Policy: tt.policy})
		repo, err := c.ParseRepository(host + "/team/app")
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Blob(t.Context(), repo, "sha256:"+strings.Repeat("a", 64), 1<<20)
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, err, tt.want)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(leaked) != 1 || leaked[0] != "" {
		t.Errorf("the redirect target saw Authorization headers %q; want one request without credentials", leaked)
	}
}
