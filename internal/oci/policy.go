package oci

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"path"
	"strings"
	"syscall"

	"github.com/registry-mcp/registry-mcp/internal/errdef"
)

// Policy decides which registries may be contacted. A prompt-injected model
// can name any host, so the server must not become a way into the networks
// it runs in.
type Policy struct {
	// Allow, when non-empty, lists the only registry hosts allowed (globs: *.example.com).
	Allow []string
	// Deny lists registry hosts refused (globs), checked after Allow.
	Deny []string
	// DenyPrivate also refuses loopback, RFC 1918 and unique-local addresses.
	DenyPrivate bool
}

// alwaysDenied are link-local and cloud metadata addresses: never a registry,
// often a credential vending machine.
var alwaysDenied = []netip.Prefix{
	netip.MustParsePrefix("169.254.0.0/16"),
	netip.MustParsePrefix("fe80::/10"),
	netip.MustParsePrefix("fd00:ec2::254/128"),
}

// CheckHost applies the allow and deny globs to a registry host[:port].
func (p Policy) CheckHost(hostport string) error {
	host := strings.ToLower(hostport)
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	candidates := []string{strings.ToLower(hostport), host, CanonicalHost(host)}
	if len(p.Allow) > 0 && !matchAny(p.Allow, candidates) {
		return fmt.Errorf("%w: registry %s is not in the allowed list (-allow-registries)", errdef.ErrPolicy, hostport)
	}
	if matchAny(p.Deny, candidates) {
		return fmt.Errorf("%w: registry %s is refused by -deny-registries", errdef.ErrPolicy, hostport)
	}
	return nil
}

func matchAny(globs, candidates []string) bool {
	for _, g := range globs {
		g = strings.ToLower(strings.TrimSpace(g))
		for _, c := range candidates {
			if ok, _ := path.Match(g, c); ok {
				return true
			}
		}
	}
	return false
}

// CheckIP refuses the addresses the policy forbids. It runs at dial time,
// after DNS resolution, so a name that re-resolves to a forbidden address
// (DNS rebinding) is caught on every connection.
func (p Policy) CheckIP(ip netip.Addr) error {
	ip = ip.Unmap()
	for _, pre := range alwaysDenied {
		if pre.Contains(ip) {
			return fmt.Errorf("%w: %s is a link-local or cloud metadata address", errdef.ErrPolicy, ip)
		}
	}
	if p.DenyPrivate && (ip.IsLoopback() || ip.IsPrivate() || ip.IsUnspecified()) {
		return fmt.Errorf("%w: %s is a private or loopback address (-deny-private-networks)", errdef.ErrPolicy, ip)
	}
	return nil
}

// dialControl enforces CheckIP on every outgoing connection.
func (p Policy) dialControl(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: cannot check address %s", errdef.ErrPolicy, address)
	}
	return p.CheckIP(ap.Addr())
}

// policyDialer returns a DialContext that enforces the policy.
func (p Policy) policyDialer(d *net.Dialer) func(ctx context.Context, network, addr string) (net.Conn, error) {
	d.Control = p.dialControl
	return d.DialContext
}
