package oci

import (
	"context"
	"encoding/binary"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/registry-mcp/registry-mcp/internal/errdef"
)

// alwaysDenied are addresses that are never a registry and often a
// credential vending machine: link-local ranges and the cloud metadata
// services, refused whatever the flags say.
var alwaysDenied = []netip.Prefix{
	// IPv4 link-local. Holds 169.254.169.254, the metadata service of AWS,
	// GCP, Azure, Oracle Cloud, OpenStack, DigitalOcean, Hetzner and others;
	// AWS ECS task metadata (169.254.170.2); Tencent Cloud (169.254.0.23).
	netip.MustParsePrefix("169.254.0.0/16"),
	netip.MustParsePrefix("fe80::/10"),          // IPv6 link-local
	netip.MustParsePrefix("fd00:ec2::254/128"),  // AWS instance metadata over IPv6
	netip.MustParsePrefix("fd20:ce::254/128"),   // GCP metadata server over IPv6
	netip.MustParsePrefix("100.100.100.200/32"), // Alibaba Cloud ECS metadata
	netip.MustParsePrefix("192.0.0.192/32"),     // Oracle Cloud legacy instance metadata
	// Azure WireServer: the host agent endpoint that hands VM extensions
	// their settings and certificates; reachable from every Azure VM.
	netip.MustParsePrefix("168.63.129.16/32"),
}

// privateRanges are refused with DenyPrivate, besides what netip calls
// loopback, private and unspecified.
var privateRanges = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),      // "this network": Linux delivers 0.x.y.z to the local host
	netip.MustParsePrefix("100.64.0.0/10"),  // carrier-grade NAT (RFC 6598): provider-internal networks
	netip.MustParsePrefix("64:ff9b:1::/48"), // local-use NAT64 (RFC 8215): translates into private IPv4
}

// embeddingPrefixes are the IPv6 forms that carry an IPv4 address a
// translator or tunnel will deliver to: NAT64 (RFC 6052), 6to4 (RFC 3056)
// and Teredo (RFC 4380, the client's address stored inverted).
var (
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour = netip.MustParsePrefix("2002::/16")
	teredo    = netip.MustParsePrefix("2001::/32")
)

// embeddedIPv4 returns the IPv4 address an IPv6 address stands for, if any.
func embeddedIPv4(ip netip.Addr) (netip.Addr, bool) {
	if !ip.Is6() || ip.Is4In6() {
		return netip.Addr{}, false
	}
	b := ip.As16()
	var v4 [4]byte
	switch {
	case nat64.Contains(ip):
		copy(v4[:], b[12:16])
	case sixToFour.Contains(ip):
		copy(v4[:], b[2:6])
	case teredo.Contains(ip):
		binary.BigEndian.PutUint32(v4[:], ^binary.BigEndian.Uint32(b[12:16]))
	default:
		return netip.Addr{}, false
	}
	return netip.AddrFrom4(v4), true
}

// CheckIP refuses the addresses the policy forbids. It runs at dial time,
// after DNS resolution, so a name that re-resolves to a forbidden address
// (DNS rebinding) is caught on every connection. An IPv6 address that
// embeds an IPv4 one (IPv4-mapped, NAT64, 6to4, Teredo) is judged by the
// IPv4 address too.
func (p Policy) CheckIP(ip netip.Addr) error {
	ip = ip.Unmap().WithZone("")
	if err := p.checkOne(ip); err != nil {
		return err
	}
	if v4, ok := embeddedIPv4(ip); ok {
		if err := p.checkOne(v4); err != nil {
			return fmt.Errorf("%w (%s embeds %s)", err, ip, v4)
		}
	}
	return nil
}

func (p Policy) checkOne(ip netip.Addr) error {
	for _, pre := range alwaysDenied {
		if pre.Contains(ip) {
			return fmt.Errorf("%w: %s is a link-local or cloud metadata address", errdef.ErrPolicy, ip)
		}
	}
	if !p.DenyPrivate {
		return nil
	}
	private := ip.IsLoopback() || ip.IsPrivate() || ip.IsUnspecified()
	for _, pre := range privateRanges {
		private = private || pre.Contains(ip)
	}
	if private {
		return fmt.Errorf("%w: %s is a private or loopback address (-deny-private-networks)", errdef.ErrPolicy, ip)
	}
	return nil
}

// deniedAddr is a deny entry matched against the address dialed.
type deniedAddr struct {
	prefix netip.Prefix
	port   string // "" for any
	name   string // the deny entry it came from
}

func (d deniedAddr) matches(ip netip.Addr, port string) bool {
	return d.prefix.Contains(ip.Unmap()) && (d.port == "" || d.port == port)
}

// denyEntries sorts the deny list into address entries and exact names to
// resolve; globs are matched against names only, by CheckHost.
func (p Policy) denyEntries() (addrs []deniedAddr, names []deniedAddr) {
	for _, e := range p.Deny {
		host, port := splitHostPort(e)
		if pre, ok := parsePrefix(host); ok {
			addrs = append(addrs, deniedAddr{prefix: pre, port: port, name: e})
		} else if host != "" && !strings.ContainsAny(host, `*?[\`) {
			names = append(names, deniedAddr{port: port, name: host})
		}
	}
	return addrs, names
}

// denyResolveTTL is how long the addresses of denied names are trusted; a
// minute follows a host that moves without a lookup per connection.
const denyResolveTTL = time.Minute

// dialGuard enforces the policy on every connection, after DNS resolution.
type dialGuard struct {
	policy Policy
	dialer net.Dialer
	addrs  []deniedAddr
	names  []deniedAddr
	lookup func(ctx context.Context, host string) ([]netip.Addr, error)
	now    func() time.Time

	mu       sync.Mutex
	resolved []deniedAddr
	expires  time.Time
}

// policyDialer returns a DialContext that enforces the policy.
func (p Policy) policyDialer(d *net.Dialer) func(ctx context.Context, network, addr string) (net.Conn, error) {
	g := &dialGuard{policy: p, dialer: *d, now: time.Now, lookup: func(ctx context.Context, host string) ([]netip.Addr, error) {
		return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	}}
	g.addrs, g.names = p.denyEntries()
	return g.DialContext
}

// DialContext dials with a check of the address actually connected to.
func (g *dialGuard) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	denied := slices.Concat(g.deniedNames(ctx), g.addrs)
	d := g.dialer
	d.Control = func(_, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("%w: cannot check address %s", errdef.ErrPolicy, address)
		}
		if err := g.policy.CheckIP(ap.Addr()); err != nil {
			return err
		}
		port := fmt.Sprint(ap.Port())
		for _, da := range denied {
			if da.matches(ap.Addr(), port) {
				return fmt.Errorf("%w: %s is an address of %s, refused by -deny-registries", errdef.ErrPolicy, ap.Addr().Unmap(), da.name)
			}
		}
		return nil
	}
	return d.DialContext(ctx, network, address)
}

// deniedNames resolves the exact names of the deny list, at most once per
// denyResolveTTL. A name that does not resolve denies no address.
func (g *dialGuard) deniedNames(ctx context.Context) []deniedAddr {
	if len(g.names) == 0 {
		return nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.now().Before(g.expires) {
		return g.resolved
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	var out []deniedAddr
	for _, n := range g.names {
		ips, _ := g.lookup(ctx, n.name)
		for _, ip := range ips {
			ip = ip.Unmap()
			out = append(out, deniedAddr{prefix: netip.PrefixFrom(ip, ip.BitLen()), port: n.port, name: n.name})
		}
	}
	g.resolved, g.expires = out, g.now().Add(denyResolveTTL)
	return out
}

// guardRedirects applies the policy to every redirect hop before it is
// dialed, whichever HTTP client follows it (ours, or go-containerregistry's
// for pings and token exchanges): the hop's host must pass CheckHost, and a
// redirect may not leave HTTPS for plain HTTP, which would hand the request
// (and what the next hop answers) to anyone on the path.
func (p Policy) guardRedirects(rt http.RoundTripper) http.RoundTripper {
	return &redirectGuard{inner: rt, policy: p}
}

type redirectGuard struct {
	inner  http.RoundTripper
	policy Policy
}

func (g *redirectGuard) RoundTrip(req *http.Request) (*http.Response, error) {
	if prev := req.Response; prev != nil && prev.Request != nil {
		from := prev.Request.URL
		if strings.EqualFold(from.Scheme, "https") && !strings.EqualFold(req.URL.Scheme, "https") {
			return nil, fmt.Errorf("%w: %s redirected from HTTPS to plain %s://%s; a redirect may not downgrade the connection",
				errdef.ErrPolicy, from.Host, req.URL.Scheme, req.URL.Host)
		}
		if err := g.policy.CheckHost(req.URL.Host); err != nil {
			return nil, err
		}
	}
	return g.inner.RoundTrip(req)
}

// CloseIdleConnections passes through to the wrapped transport.
func (g *redirectGuard) CloseIdleConnections() {
	if t, ok := g.inner.(interface{ CloseIdleConnections() }); ok {
		t.CloseIdleConnections()
	}
}
