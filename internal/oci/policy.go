package oci

import (
	"fmt"
	"net"
	"net/netip"
	"path"
	"strings"

	"github.com/registry-mcp/registry-mcp/internal/errdef"
)

// Policy decides which registries may be contacted. A prompt-injected model
// can name any host, so the server must not become a way into the networks
// it runs in.
//
// Names are compared after normalisation: lower case, without a trailing dot
// ("EVIL.test." is "evil.test"), IPv4-mapped IPv6 literals as the IPv4
// address they stand for ("[::ffff:10.0.0.1]" is "10.0.0.1").
//
// Deny entries match both names and addresses:
//   - a glob (*.evil.test) is matched against the registry's name only;
//   - an exact name (evil.test, evil.test:5000) is matched against the name,
//     and is also resolved at dial time: a connection to any address it
//     resolves to is refused, so the host cannot be reached through an IP
//     literal or another name for the same machine. Where the name shares an
//     address with others (a CDN), those are refused too; -allow-registries
//     is the tighter boundary;
//   - an IP address or CIDR prefix (203.0.113.5, 10.0.0.0/8) is matched
//     against IP literals and, at dial time, against every address
//     connected to, whatever name led there.
//
// Allow entries match names only.
type Policy struct {
	// Allow, when non-empty, lists the only registry hosts allowed (globs: *.example.com).
	Allow []string
	// Deny lists registry hosts refused (globs, exact names, addresses or CIDR prefixes), checked after Allow.
	Deny []string
	// DenyPrivate also refuses loopback, RFC 1918, unique-local and
	// carrier-grade NAT addresses, and IPv6 forms that embed them.
	DenyPrivate bool
}

// normalHost lowers a host, drops a trailing dot and brackets, and writes an
// IP literal in its canonical form (IPv4-mapped IPv6 as IPv4).
func normalHost(host string) string {
	h := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(host)), ".")
	if ip, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")); err == nil {
		return ip.Unmap().WithZone("").String()
	}
	return h
}

// splitHostPort splits host[:port], normalising the host; port is "" when absent.
func splitHostPort(hostport string) (host, port string) {
	s := strings.TrimSpace(hostport)
	if h, p, err := net.SplitHostPort(s); err == nil {
		return normalHost(h), p
	}
	return normalHost(s), ""
}

// candidates are the forms of a registry host the globs are matched against:
// host:port, host and the canonical Docker Hub name.
func candidates(hostport string) []string {
	host, port := splitHostPort(hostport)
	out := []string{host, CanonicalHost(host)}
	if port != "" {
		out = append(out, net.JoinHostPort(host, port))
		if strings.Contains(host, ":") { // globs are written without brackets: ::1:5000
			out = append(out, host+":"+port)
		}
	}
	return out
}

// CheckHost applies the allow and deny lists to a registry host[:port].
func (p Policy) CheckHost(hostport string) error {
	cands := candidates(hostport)
	if len(p.Allow) > 0 && !matchAny(p.Allow, cands) {
		return fmt.Errorf("%w: registry %s is not in the allowed list (-allow-registries)", errdef.ErrPolicy, hostport)
	}
	if matchAny(p.Deny, cands) || p.deniesLiteral(hostport) {
		return fmt.Errorf("%w: registry %s is refused by -deny-registries", errdef.ErrPolicy, hostport)
	}
	return nil
}

// deniesLiteral reports whether hostport is an IP literal inside a denied
// address or prefix.
func (p Policy) deniesLiteral(hostport string) bool {
	host, _ := splitHostPort(hostport)
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	for _, d := range p.Deny {
		if pre, ok := parsePrefix(d); ok && pre.Contains(ip) {
			return true
		}
	}
	return false
}

// parsePrefix reads a deny entry that is an address (a /32 or /128) or a CIDR prefix.
func parsePrefix(entry string) (netip.Prefix, bool) {
	s := normalHost(entry)
	if pre, err := netip.ParsePrefix(s); err == nil {
		if pre.Addr().Is4In6() && pre.Bits() >= 96 {
			pre = netip.PrefixFrom(pre.Addr().Unmap(), pre.Bits()-96)
		}
		return pre.Masked(), true
	}
	if ip, err := netip.ParseAddr(s); err == nil {
		return netip.PrefixFrom(ip, ip.BitLen()), true
	}
	return netip.Prefix{}, false
}

func matchAny(globs, cands []string) bool {
	for _, g := range globs {
		g = normalGlob(g)
		for _, c := range cands {
			if ok, _ := path.Match(g, c); ok {
				return true
			}
		}
	}
	return false
}

// normalGlob normalises a list entry as normalHost does, keeping its port.
func normalGlob(g string) string {
	host, port := splitHostPort(g)
	if port == "" {
		return host
	}
	return host + ":" + port
}
