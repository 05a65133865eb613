package messaging

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// blocked are the address ranges an outbound call must never reach unless
// allowed (docs/reliability.md M11): a webhook URL is typed in by a user and
// could point at the machine's own services or a cloud metadata endpoint.
var blocked = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"), netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("169.254.0.0/16"), netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.0.0.0/24"), netip.MustParsePrefix("192.168.0.0/16"), netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("224.0.0.0/3"), netip.MustParsePrefix("::/127"), netip.MustParsePrefix("fc00::/7"),
	netip.MustParsePrefix("fe80::/10"), netip.MustParsePrefix("ff00::/8"), netip.MustParsePrefix("64:ff9b::/96"),
}

// AllowDial reports whether a connection to ip may be opened: not to a
// blocked range unless one of allow covers it.
func AllowDial(ip netip.Addr, allow []netip.Prefix) bool {
	// A zone identifier (fe80::1%eth0) scopes an address to a link: never a
	// public gateway. Prefixes never contain a zoned address, so without
	// this it would slip past every range below.
	if ip.Zone() != "" {
		return false
	}
	ip = ip.Unmap()
	for _, p := range allow {
		if p.Contains(ip) {
			return true
		}
	}
	for _, p := range blocked {
		if p.Contains(ip) {
			return false
		}
	}
	return ip.IsValid()
}

// NewHTTPClient returns the client every channel uses: the address check
// runs at dial time, after DNS (so a name that resolves to a private
// address, or rebinding, is caught), redirects are not followed (a 3xx is a
// failure), and each call has a timeout. allow lists ranges a LAN install
// opts into, such as its SMS gateway's address.
func NewHTTPClient(timeout time.Duration, allow []netip.Prefix) *http.Client {
	dialer := guardedDialer(allow)
	return &http.Client{
		Timeout:       timeout,
		Transport:     &http.Transport{DialContext: dialer.DialContext, MaxIdleConnsPerHost: 8, IdleConnTimeout: 90 * time.Second},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// guardedDialer checks every address it connects to with AllowDial, after
// name resolution: the check no DNS trick can get around.
func guardedDialer(allow []netip.Prefix) *net.Dialer {
	return &net.Dialer{Timeout: 10 * time.Second, Control: func(_, address string, _ syscall.RawConn) error {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return err
		}
		ip, err := netip.ParseAddr(host)
		if err != nil || !AllowDial(ip, allow) {
			return fmt.Errorf("messaging: refusing to connect to %s: a private, loopback or reserved address (allow it in settings for a LAN gateway)", host)
		}
		return nil
	}}
}
