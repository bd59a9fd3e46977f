package hook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
)

// ErrAddressRefused: the endpoint's address is loopback, link-local,
// private, unspecified or otherwise not on the public internet, and no
// admin allowed it.
var ErrAddressRefused = errors.New("address refused")

// ParseURL checks the syntax of an endpoint URL: http or https, a host,
// no user name or password, no fragment, at most MaxURLLength.
func ParseURL(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, errors.New("is required: the http or https URL deliveries are posted to")
	}
	if len(raw) > MaxURLLength {
		return nil, fmt.Errorf("is %d characters; at most %d", len(raw), MaxURLLength)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("is not a URL: %v", err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("must start with https:// or http://, not %q", u.Scheme+":")
	case u.Hostname() == "":
		return nil, errors.New("has no host")
	case u.User != nil:
		return nil, errors.New("must not hold a user name or password: the deliveries are signed instead")
	case u.Fragment != "" || strings.HasSuffix(raw, "#"):
		return nil, errors.New("must not hold a fragment (#...)")
	}
	return u, nil
}

// sharedSpace is 100.64.0.0/10, carrier-grade NAT: not public either.
var sharedSpace = netip.MustParsePrefix("100.64.0.0/10")

// IPv6 prefixes that carry an IPv4 address a packet ends up at: NAT64
// (64:ff9b::/96, the IPv4 address in the last 32 bits) and 6to4
// (2002::/16, in bits 16-47).
var (
	nat64  = netip.MustParsePrefix("64:ff9b::/96")
	sixTo4 = netip.MustParsePrefix("2002::/16")
)

// Refused says why a is not a public unicast address, or "" when it is.
// An IPv6 address that embeds an IPv4 one (mapped, NAT64, 6to4) is
// judged by the IPv4 address.
func Refused(a netip.Addr) string {
	a = a.Unmap()
	if a.Is6() && (nat64.Contains(a) || sixTo4.Contains(a)) {
		b := a.As16()
		var v4 [4]byte
		if nat64.Contains(a) {
			copy(v4[:], b[12:16])
		} else {
			copy(v4[:], b[2:6])
		}
		if why := Refused(netip.AddrFrom4(v4)); why != "" {
			return why + " (inside an IPv6 address)"
		}
		return ""
	}
	switch {
	case !a.IsValid():
		return "not an IP address"
	case a.IsUnspecified():
		return "unspecified"
	case a.IsLoopback():
		return "loopback"
	case a.IsLinkLocalUnicast(), a.IsLinkLocalMulticast():
		return "link-local"
	case a.IsPrivate(), sharedSpace.Contains(a):
		return "private"
	case a.IsMulticast(), a.IsInterfaceLocalMulticast():
		return "multicast"
	case a.Is4() && a == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		return "broadcast"
	}
	return ""
}

// Guard keeps deliveries to public addresses: it checks a host's
// addresses when an endpoint is added, and the address of every
// connection a delivery makes, so a name that later resolves elsewhere
// (DNS rebinding) is refused too. Allow lets every address through: an
// endpoint an admin explicitly allowed.
type Guard struct {
	Allow    bool
	Resolver *net.Resolver // nil: net.DefaultResolver
}

// CheckHost resolves the URL's host and refuses it when any of its
// addresses is refused.
func (g Guard) CheckHost(ctx context.Context, u *url.URL) error {
	if g.Allow {
		return nil
	}
	host := u.Hostname()
	var addrs []netip.Addr
	if a, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{a}
	} else {
		r := g.Resolver
		if r == nil {
			r = net.DefaultResolver
		}
		if addrs, err = r.LookupNetIP(ctx, "ip", host); err != nil {
			return fmt.Errorf("host %s does not resolve: %v", host, err)
		}
	}
	for _, a := range addrs {
		why := Refused(a)
		if why == "" {
			continue
		}
		what := fmt.Sprintf("%s resolves to %s, a %s address", host, a, why)
		if a.String() == host {
			what = fmt.Sprintf("%s is a %s address", host, why)
		}
		return fmt.Errorf("%w: %s; an admin may allow it (tandem webhooks add --allow-private-address, allow_private_address in the API)", ErrAddressRefused, what)
	}
	return nil
}

// Control is a net.Dialer Control function that refuses a connection to
// a refused address, unless g.Allow.
func (g Guard) Control(_, address string, _ syscall.RawConn) error {
	if g.Allow {
		return nil
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s is not an IP address and port", ErrAddressRefused, address)
	}
	if why := Refused(ap.Addr()); why != "" {
		return fmt.Errorf("%w: %s is a %s address", ErrAddressRefused, ap.Addr(), why)
	}
	return nil
}
