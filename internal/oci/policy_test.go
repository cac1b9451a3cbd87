package oci_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
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
		{"100.100.100.200", false, false},         // Alibaba Cloud metadata
		{"192.0.0.192", false, false},             // Oracle Cloud metadata
		{"168.63.129.16", false, false},           // Azure WireServer
		{"fd20:ce::254", false, false},            // GCP metadata over IPv6
		{"64:ff9b::a9fe:a9fe", false, false},      // NAT64 form of 169.254.169.254
		{"2002:a9fe:a9fe::1", false, false},       // 6to4 form of 169.254.169.254
		{"100.64.0.1", true, false},               // carrier-grade NAT
		{"100.127.255.254", true, false},          // carrier-grade NAT
		{"0.1.2.3", true, false},                  // "this network"
		{"64:ff9b::a00:1", true, false},           // NAT64 form of 10.0.0.1
		{"64:ff9b::7f00:1", true, false},          // NAT64 form of 127.0.0.1
		{"2002:c0a8:101::1", true, false},         // 6to4 form of 192.168.1.1
		{"2001:0:1:2:3:4:f5ff:fffe", true, false}, // Teredo client 10.0.0.1 (stored inverted)
		{"64:ff9b:1::1", true, false},             // local-use NAT64
		{"64:ff9b::8c52:7003", true, true},        // NAT64 form of a public address
		{"2002:8c52:7003::1", true, true},         // 6to4 form of a public address
		{"2001:0:1:2:3:4:73ad:8ffc", true, true},  // Teredo client 140.82.112.3
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

func TestDenyRegistriesNormalisesNames(t *testing.T) {
	t.Parallel()
	p := oci.Policy{Deny: []string{"evil.test", "203.0.113.0/24", "[2001:db8::1]", "*.bad.test"}}
	refused := []string{
		"evil.test", "EVIL.test", "evil.test.", "Evil.Test.:5000",
		"203.0.113.5", "203.0.113.5:443", "[::ffff:203.0.113.5]:5000", "[::ffff:cb00:7105]",
		"[2001:db8::1]:443", "2001:db8::1", "x.bad.test.", "X.BAD.TEST",
	}
	for _, h := range refused {
		if err := p.CheckHost(h); !errors.Is(err, errdef.ErrPolicy) {
			t.Errorf("%s: got %v, want errdef.ErrPolicy", h, err)
		}
	}
	for _, h := range []string{"good.test", "evil.test.good.test", "203.0.114.5", "[2001:db8::2]:443"} {
		if err := p.CheckHost(h); err != nil {
			t.Errorf("%s: got %v, want allowed", h, err)
		}
	}
	allow := oci.Policy{Allow: []string{"GHCR.io."}}
	if err := allow.CheckHost("ghcr.io."); err != nil {
		t.Errorf("allow list with trailing dots: %v", err)
	}
}

// TestDenyRegistriesFollowsTheAddress: an exact name on the deny list is
// resolved, so its IP literal cannot reach it either.
func TestDenyRegistriesFollowsTheAddress(t *testing.T) {
	t.Parallel()
	reg, fx := registrytest.StartSeeded(t, registrytest.Options{})
	for _, deny := range []string{"localhost", "127.0.0.1"} {
		c := oci.New(oci.Options{Policy: oci.Policy{Deny: []string{deny}}})
		ref, err := c.ParseReference(fx.Ref(fx.App)) // 127.0.0.1:port/...
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Manifest(t.Context(), ref); !errors.Is(err, errdef.ErrPolicy) {
			t.Errorf("deny %s, registry at its address: got %v, want errdef.ErrPolicy", deny, err)
		}
	}
	_, port, _ := strings.Cut(reg.Host, ":")
	c := oci.New(oci.Options{Policy: oci.Policy{Deny: []string{"127.0.0.1"}}})
	for _, host := range []string{"[::ffff:127.0.0.1]:" + port, "[::ffff:7f00:1]:" + port} {
		ref, err := c.ParseReference(host + "/" + fx.App)
		if err != nil {
			t.Fatalf("%s: %v", host, err)
		}
		if _, err := c.Manifest(t.Context(), ref); !errors.Is(err, errdef.ErrPolicy) {
			t.Errorf("deny 127.0.0.1, registry named %s: got %v, want errdef.ErrPolicy", host, err)
		}
	}
	if n := reg.Total(); n != 0 {
		t.Errorf("the registry saw %d requests; want none", n)
	}
}

// TestRedirectMayNotDowngrade: an HTTPS registry redirecting a blob to
// plain HTTP is refused before the HTTP host is dialed.
func TestRedirectMayNotDowngrade(t *testing.T) {
	t.Parallel()
	var plainHits atomic.Int32
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		plainHits.Add(1)
		_, _ = w.Write([]byte("hijacked"))
	}))
	t.Cleanup(plain.Close)
	reg := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v2/" {
			return
		}
		http.Redirect(w, r, plain.URL+"/blob", http.StatusTemporaryRedirect)
	}))
	t.Cleanup(reg.Close)
	c := oci.New(oci.Options{Transport: reg.Client().Transport})
	repo, err := c.ParseRepository(strings.TrimPrefix(reg.URL, "https://") + "/team/app")
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Blob(t.Context(), repo, "sha256:"+strings.Repeat("a", 64), 1<<20)
	if !errors.Is(err, errdef.ErrPolicy) || !strings.Contains(err.Error(), "downgrade") {
		t.Errorf("https → http redirect: got %v, want an errdef.ErrPolicy naming the downgrade", err)
	}
	if n := plainHits.Load(); n != 0 {
		t.Errorf("the plain-HTTP host saw %d requests; want none", n)
	}
}

// TestRedirectHopsOfTheTokenExchangeArePoliced: go-containerregistry
// follows redirects of pings and token requests with its own HTTP client;
// the policy still judges each hop.
func TestRedirectHopsOfTheTokenExchangeArePoliced(t *testing.T) {
	t.Parallel()
	var deniedHits atomic.Int32
	denied := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		deniedHits.Add(1)
		_, _ = w.Write([]byte(`{"token":"t"}`))
	}))
	t.Cleanup(denied.Close)
	deniedURL := strings.Replace(denied.URL, "127.0.0.1", "localhost", 1)
	var reg *httptest.Server
	reg = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/token":
			http.Redirect(w, r, deniedURL+"/token", http.StatusFound)
		default:
			w.Header().Set("WWW-Authenticate", `Bearer realm="`+reg.URL+`/token",service="test"`)
			w.WriteHeader(http.StatusUnauthorized)
		}
	}))
	t.Cleanup(reg.Close)
	c := oci.New(oci.Options{Policy: oci.Policy{Deny: []string{"localhost:*"}}})
	ref, err := c.ParseReference(strings.TrimPrefix(reg.URL, "http://") + "/team/app:1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Manifest(t.Context(), ref); !errors.Is(err, errdef.ErrPolicy) {
		t.Errorf("a token exchange redirected to a denied host: got %v, want errdef.ErrPolicy", err)
	}
	if n := deniedHits.Load(); n != 0 {
		t.Errorf("the denied host saw %d requests; want none", n)
	}
}

// FuzzDenyNormalisation: a denied plain name stays denied however it is
// spelled (case, a trailing dot), and no host string makes CheckHost panic.
func FuzzDenyNormalisation(f *testing.F) {
	for _, s := range []string{"evil.test", "203.0.113.5", "Registry-1.Docker.io", "a", "::ffff:10.0.0.1", "[fe80::1%eth0]:5000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_ = oci.Policy{Allow: []string{s}, Deny: []string{s}}.CheckHost(s)
		if s == "" || strings.HasSuffix(s, ".") || strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") != "" {
			return
		}
		for _, spelt := range []string{s, strings.ToUpper(s), s + ".", strings.ToUpper(s) + "."} {
			if err := (oci.Policy{Deny: []string{s}}).CheckHost(spelt); !errors.Is(err, errdef.ErrPolicy) {
				t.Fatalf("deny %q, host %q: got %v, want errdef.ErrPolicy", s, spelt, err)
			}
		}
	})
}
