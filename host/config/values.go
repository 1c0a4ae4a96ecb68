package config

import (
	"errors"
	"math"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/httpd-mpm/httpd-mpm/internal/cnum"
)

// atoi converts like C's atoi, which Apache uses for most numbers: leading
// white space and a sign are accepted, conversion stops at the first
// non-digit, and text without digits is 0. Values beyond int32 are clamped.
func atoi(s string) int {
	s = trimLeftSpace(s)
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	n := int64(0)
	for i := 0; i < len(s) && '0' <= s[i] && s[i] <= '9'; i++ {
		n = n*10 + int64(s[i]-'0')
		if n > math.MaxInt32 {
			n = math.MaxInt32 + 1
		}
	}
	if neg {
		n = -n
	}
	return int(max(min(n, math.MaxInt32), math.MinInt32))
}

// parseTimeout parses a duration the way Apache's ap_timeout_parameter_parse
// does for KeepAliveTimeout: an integer (seconds by default) followed by an
// optional unit, of which only the first letters count: "ms", "s", "mi"
// (minutes) or "h". Negative values are refused.
func parseTimeout(s string) (time.Duration, bool) {
	i := len(s) - len(trimLeftSpace(s))
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	j := i
	for j < len(s) && '0' <= s[j] && s[j] <= '9' {
		j++
	}
	n, unit := int64(0), s // without digits, strtol leaves the whole text
	if j > i {
		v, err := strconv.ParseInt(s[i:j], 10, 64)
		if err != nil {
			return 0, false
		}
		n, unit = v, s[j:]
	}
	if neg && n != 0 {
		return 0, false
	}
	if unit == "" {
		unit = "s"
	}
	var scale time.Duration
	switch {
	case unit[0] == 's':
		scale = time.Second
	case unit[0] == 'h':
		scale = time.Hour
	case strings.HasPrefix(unit, "ms"):
		scale = time.Millisecond
	case strings.HasPrefix(unit, "mi"):
		scale = time.Minute
	default:
		return 0, false
	}
	if n > int64(math.MaxInt64/scale) {
		return 0, false
	}
	return time.Duration(n) * scale, true
}

// Messages of Apache's Listen directive.
var (
	errListenAddr = errors.New("Invalid address or port")
	errListenPort = errors.New("Port must be specified")
)

// parseListen splits the address of a Listen directive,
// "[IP-address:]portnumber", the way Apache's apr_parse_addr_port does, with
// one difference: port 0 is allowed, for binding an ephemeral port. The host
// is "" for all addresses ("80", "*:80"); an IPv6 host is returned without
// brackets.
func parseListen(s string) (host string, port int, err error) {
	if s == "" {
		return "", 0, errListenPort
	}
	if cnum.Digits(s) {
		port, err = parsePort(s)
		return "", port, err
	}
	if s[0] == '[' {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return "", 0, errListenAddr
		}
		host, rest := s[1:end], s[end+1:]
		if !isIPv6(host) {
			return "", 0, errListenAddr
		}
		if rest == "" {
			return "", 0, errListenPort
		}
		if rest[0] != ':' || !cnum.Digits(rest[1:]) {
			return "", 0, errListenAddr
		}
		port, err = parsePort(rest[1:])
		return host, port, err
	}
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return "", 0, errListenPort
	}
	host, ps := s[:i], s[i+1:]
	if !cnum.Digits(ps) {
		return "", 0, errListenPort
	}
	if host == "" || (strings.Contains(host, ":") && !isIPv6(host)) {
		return "", 0, errListenAddr
	}
	if host == "*" {
		host = ""
	}
	port, err = parsePort(ps)
	return host, port, err
}

func parsePort(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n > 65535 {
		return 0, errListenAddr
	}
	return n, nil
}

// isIPv6 reports whether host is an IPv6 address, with an optional %zone.
func isIPv6(host string) bool {
	addr, _, _ := strings.Cut(host, "%")
	ip := net.ParseIP(addr)
	return ip != nil && strings.Contains(addr, ":")
}

// listenAddr is the canonical form of a Listen address: "host:port",
// "[v6]:port", or ":port" for all addresses.
func listenAddr(host string, port int) string {
	if host == "" {
		return ":" + strconv.Itoa(port)
	}
	return net.JoinHostPort(host, strconv.Itoa(port))
}
