package authz

import (
	"errors"
	"maps"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
	"github.com/httpd-mpm/httpd-mpm/mpm/static"
)

func init() {
	Register("all", parseAll)
	Register("method", parseMethod)
	Register("ip", parseIP)
	Register("host", parseHost)
	Register("forward-dns", parseForwardDNS)
	Register("local", func([]string) (Checker, error) { return CheckFunc(checkLocal), nil })
	Register("env", func(args []string) (Checker, error) { return envChecker(args), nil })
	// mod_authz_user and mod_authz_groupfile's providers, until authentication
	// registers its own: without an authenticated user they can only refuse.
	for _, name := range []string{"user", "valid-user", "group"} {
		Register(name, func([]string) (Checker, error) { return allChecker(false), nil })
	}
}

// allChecker is "Require all granted" (true) or "denied".
type allChecker bool

func (a allChecker) Check(*http.Request, *Log) Result {
	if a {
		return Granted
	}
	return Denied
}

func parseAll(args []string) (Checker, error) {
	arg := strings.Join(args, " ")
	switch {
	case strings.EqualFold(arg, "granted"):
		return allChecker(true), nil
	case strings.EqualFold(arg, "denied"):
		return allChecker(false), nil
	}
	return nil, errors.New("Argument for 'Require all' must be 'granted' or 'denied'")
}

// methodBits numbers the methods as apache2 does (ap_method_number_of); HEAD is
// GET.
var methodBits = func() map[string]uint64 {
	m := map[string]uint64{}
	for i, name := range []string{"GET", "PUT", "POST", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
		"PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "VERSION-CONTROL", "CHECKOUT",
		"UNCHECKOUT", "CHECKIN", "UPDATE", "LABEL", "REPORT", "MKWORKSPACE", "MKACTIVITY", "BASELINE-CONTROL", "MERGE"} {
		m[name] = 1 << i
	}
	m["HEAD"] = m["GET"]
	return m
}()

// allMethods are every method's bits.
const allMethods = ^uint64(0)

// invalidMethod is the bit of M_INVALID, the number of a method apache2 neither
// knows nor had registered; the methods a <Limit> names that apache2 does not
// know are registered (ap_method_register) with the numbers after it, up to
// lastMethod (then they too are M_INVALID).
const (
	invalidMethod = uint64(1) << 26
	lastMethod    = 62
)

// registered are the methods <Limit> and <LimitExcept> registered, with their
// bits; it is only added to (apache2 forgets them on a restart: so many
// different names are not expected that this matters).
var (
	registered   atomic.Pointer[map[string]uint64]
	registerLock sync.Mutex
)

// methodBit is the bit of the method m (case matters, as in apache2).
func methodBit(m string) uint64 {
	if b, ok := methodBits[m]; ok {
		return b
	}
	if r := registered.Load(); r != nil {
		if b, ok := (*r)[m]; ok {
			return b
		}
	}
	return invalidMethod
}

// registerMethod is m's bit, giving m the next one if it has none.
func registerMethod(m string) uint64 {
	if b := methodBit(m); b != invalidMethod {
		return b
	}
	registerLock.Lock()
	defer registerLock.Unlock()
	old := registered.Load()
	if old != nil {
		if b, ok := (*old)[m]; ok {
			return b
		}
	}
	next := map[string]uint64{}
	if old != nil {
		next = maps.Clone(*old)
	}
	n := 27 + len(next)
	if n > lastMethod {
		return invalidMethod
	}
	next[m] = uint64(1) << n
	registered.Store(&next)
	return next[m]
}

// MethodKnown reports whether apache2 would know the method m in a .htaccess
// file: one of its own or one a <Limit> of the server's configuration named (a
// .htaccess file cannot register methods).
func MethodKnown(m string) bool { return methodBit(m) != invalidMethod }

type methodChecker uint64

func (m methodChecker) Check(r *http.Request, _ *Log) Result {
	if methodBit(r.Method)&uint64(m) != 0 {
		return Granted
	}
	return Denied
}

func parseMethod(args []string) (Checker, error) {
	var m methodChecker
	for _, a := range args {
		bit := methodBit(a)
		if bit == invalidMethod {
			return nil, errors.New("Invalid Method '" + a + "'")
		}
		m |= methodChecker(bit)
	}
	return m, nil
}

// RequestEnv reports whether the request environment variable name is set for r
// (SetEnvIf, SetEnv: http1.Env), for Require env and Allow/Deny from env=; tests
// replace it.
var RequestEnv = func(r *http.Request, name string) bool { return http1.Env(r).Has(name) }

// envChecker is mod_authz_core's env provider: one of the variables is set.
type envChecker []string

func (e envChecker) Check(r *http.Request, _ *Log) Result {
	for _, name := range e {
		if RequestEnv(r, name) {
			return Granted
		}
	}
	return Denied
}

type ipChecker []netip.Prefix

func (ips ipChecker) Check(r *http.Request, _ *Log) Result {
	if a, ok := clientAddr(r); ok {
		for _, p := range ips {
			if p.Contains(a) {
				return Granted
			}
		}
	}
	return Denied
}

func parseIP(args []string) (Checker, error) {
	if len(args) == 0 {
		return nil, errors.New("'require ip' requires an argument")
	}
	var ips ipChecker
	for _, w := range args {
		p, err := ParseSubnet(w)
		if err != nil {
			if errors.Is(err, errNotIP) {
				return nil, errors.New("ip address '" + w + "' appears to be invalid")
			}
			return nil, errors.New("ip address '" + w + "' appears to be invalid: " + err.Error())
		}
		ips = append(ips, p)
	}
	return ips, nil
}

// The errors of ParseSubnet, as APR words them.
var (
	errNotIP   = errors.New("not an IP address")
	errBadIP   = errors.New("The specified IP address is invalid.")
	errBadMask = errors.New("The specified network mask is invalid.")
)

// ParseSubnet reads an address as apr_ipsubnet_create does: a full IPv4 or IPv6
// address, a partial IPv4 one ("10.1" for 10.1.0.0/16), or either with "/bits" or
// (IPv4) "/netmask". errNotIP means it does not look like an address at all.
func ParseSubnet(s string) (netip.Prefix, error) {
	addr, mask, hasMask := strings.Cut(s, "/")
	if !LooksLikeIP(addr) {
		return netip.Prefix{}, errNotIP
	}
	a, err := netip.ParseAddr(addr)
	bits := 0
	switch {
	case err == nil && a.Is4In6(), err == nil && a.Zone() != "":
		return netip.Prefix{}, errBadIP
	case err == nil:
		bits = a.BitLen()
	case hasMask:
		return netip.Prefix{}, errBadIP
	default:
		a, bits, err = parseNetwork(addr)
		if err != nil {
			return netip.Prefix{}, err
		}
	}
	if hasMask {
		n, ok := atoi(mask)
		switch {
		case ok && n > 0 && n <= a.BitLen():
			bits = n
		case a.Is4():
			m, err := netip.ParseAddr(mask)
			if err != nil || !m.Is4() {
				return netip.Prefix{}, errBadMask
			}
			// A netmask need not be contiguous in APR; here it must be.
			mb := m.As4()
			v := uint32(mb[0])<<24 | uint32(mb[1])<<16 | uint32(mb[2])<<8 | uint32(mb[3])
			bits = 0
			for v&0x80000000 != 0 {
				bits++
				v <<= 1
			}
			if v != 0 {
				return netip.Prefix{}, errBadMask
			}
		default:
			return netip.Prefix{}, errBadMask
		}
	}
	return a.Prefix(bits)
}

func atoi(s string) (int, bool) {
	if s == "" || len(s) > 4 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

// LooksLikeIP is APR's test: anything with ':' or only digits and dots.
func LooksLikeIP(s string) bool {
	if s == "" {
		return false
	}
	if strings.ContainsRune(s, ':') {
		return true
	}
	return strings.Trim(s, "0123456789.") == ""
}

// parseNetwork is APR's legacy partial address: "a.b.c." or "a.b" for the first
// octets.
func parseNetwork(s string) (netip.Addr, int, error) {
	var b [4]byte
	octets := 0
	for s != "" {
		i := strings.IndexByte(s, '.')
		part := s
		if i >= 0 {
			part, s = s[:i], s[i+1:]
		} else {
			s = ""
		}
		n, ok := atoi(part)
		if !ok || n > 255 || octets == 4 {
			return netip.Addr{}, 0, errBadIP
		}
		b[octets] = byte(n)
		octets++
	}
	return netip.AddrFrom4(b), octets * 8, nil
}

// clientAddr is r's client address, IPv4 for an IPv4-mapped one.
func clientAddr(r *http.Request) (netip.Addr, bool) {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}, false
	}
	return ap.Addr().Unmap().WithZone(""), true
}

var (
	localhost4 = netip.MustParsePrefix("127.0.0.0/8")
	localhost6 = netip.IPv6Loopback()
)

// checkLocal is mod_authz_host's local provider: a loopback client, or one whose
// address is the connection's local address.
func checkLocal(r *http.Request, _ *Log) Result {
	a, ok := clientAddr(r)
	if !ok {
		return Denied
	}
	if localhost4.Contains(a) || a == localhost6 {
		return Granted
	}
	if c := http1.ConnFromRequest(r); c != nil {
		if l, ok := c.LocalAddr().(*net.TCPAddr); ok {
			if la, ok := netip.AddrFromSlice(l.IP); ok && la.Unmap() == a {
				return Granted
			}
		}
	}
	return Denied
}

type hostChecker struct {
	line  string
	names []string
}

func parseHost(args []string) (Checker, error) {
	return &hostChecker{line: strings.Join(args, " "), names: args}, nil
}

// Check is mod_authz_host's host provider: the client's name by a double reverse
// lookup, matched against each name or ".domain" suffix; a '#' ends the list.
func (h *hostChecker) Check(r *http.Request, log *Log) Result {
	name, ok := RemoteHost(r)
	if !ok {
		log.Printf(r, static.LevelError, "authz_host", "AH01753: access check of '%s' to %s failed, reason: unable to get the remote host name", h.line, r.URL.Path)
		return Denied
	}
	names := h.names
	if i := strings.IndexByte(h.line, '#'); i >= 0 {
		if i == 0 {
			log.Printf(r, static.LevelError, "authz_host", "AH10120: authz_host authorize: dubious empty 'Require host %s' with only comment", h.line)
			return Denied
		}
		log.Printf(r, static.LevelWarn, "authz_host", "AH10121: authz_host authorize: ignoring comment in 'Require host %s'", h.line)
		names = strings.Fields(h.line[:i])
	}
	for _, w := range names {
		if InDomain(w, name) {
			return Granted
		}
	}
	return Denied
}

// InDomain is mod_authz_host's in_domain: what ends with domain at a label
// boundary (or domain starts with '.'), ignoring case.
func InDomain(domain, what string) bool {
	if len(what) < len(domain) || !strings.EqualFold(domain, what[len(what)-len(domain):]) {
		return false
	}
	return len(what) == len(domain) || domain[0] == '.' || what[len(what)-len(domain)-1] == '.'
}

// RemoteHost is the client's host name by apache2's double reverse lookup (the name
// of the address must resolve back to it); false when there is none.
func RemoteHost(r *http.Request) (string, bool) {
	a, ok := clientAddr(r)
	if !ok {
		return "", false
	}
	ctx := r.Context()
	names, err := net.DefaultResolver.LookupAddr(ctx, a.String())
	if err != nil || len(names) == 0 {
		return "", false
	}
	name := strings.TrimSuffix(names[0], ".")
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", name)
	if err != nil {
		return "", false
	}
	for _, x := range addrs {
		if x.Unmap() == a {
			return name, true
		}
	}
	return "", false
}

type forwardDNS []string

func parseForwardDNS(args []string) (Checker, error) { return forwardDNS(args), nil }

// Check is mod_authz_host's forward-dns provider: the client's address is one of
// the names' addresses.
func (f forwardDNS) Check(r *http.Request, log *Log) Result {
	a, ok := clientAddr(r)
	if !ok {
		return Denied
	}
	for _, w := range f {
		comment := false
		if i := strings.IndexByte(w, '#'); i >= 0 {
			if i == 0 {
				break
			}
			w, comment = w[:i], true
		}
		addrs, err := net.DefaultResolver.LookupNetIP(r.Context(), "ip", w)
		if err != nil {
			log.Printf(r, static.LevelWarn, "authz_host", "AH03356: No sockaddr info for \"%s\"", w)
		}
		for _, x := range addrs {
			match := x.Unmap() == a
			yes := "no"
			if match {
				yes = "yes"
			}
			log.Printf(r, LevelDebug, "authz_host", "AH03355: access check for %s as '%s': %s", a, w, yes)
			if match {
				return Granted
			}
		}
		if comment {
			break
		}
	}
	return Denied
}
