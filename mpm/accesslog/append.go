package accesslog

import (
	"net"
	"net/http"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
	"github.com/httpd-mpm/httpd-mpm/mpm/sslvars"
)

var pid = strconv.Itoa(os.Getpid())

// Append appends the line for e, without the newline.
func (f *Format) Append(b []byte, e *Entry) []byte {
	for i := range f.items {
		it := &f.items[i]
		if it.kind == 0 {
			b = append(b, it.text...)
			continue
		}
		if it.statuses != nil {
			in := false
			for _, s := range it.statuses {
				if s == e.Status {
					in = true
					break
				}
			}
			if in == it.negate {
				b = append(b, '-')
				continue
			}
		}
		b = it.append(b, e)
	}
	return b
}

// origStatus is the status of the first request of e's chain of internal
// redirects.
func (e *Entry) origStatus() int {
	if e.OrigStatus != 0 {
		return e.OrigStatus
	}
	return e.Status
}

func (it *item) append(b []byte, e *Entry) []byte {
	r := e.Request
	switch it.kind {
	case 'a', 'h':
		if it.text == "c" && e.PeerAddr != "" {
			return appendHost(b, e.PeerAddr) // the connection's, not mod_remoteip's
		}
		return appendHost(b, e.RemoteAddr)
	case 'A':
		return appendLocal(b, e.LocalAddr, false)
	case 'B', 'b':
		// The last request's unless %<b, as apache2's.
		n := e.BodyBytes
		if it.which == '<' && e.Redirected {
			n = e.OrigBodyBytes
		}
		if n == 0 && it.kind == 'b' {
			return append(b, '-')
		}
		return strconv.AppendInt(b, n, 10)
	case 'I':
		return strconv.AppendInt(b, e.BytesIn, 10)
	case 'O':
		return strconv.AppendInt(b, e.BytesOut, 10)
	case 'S':
		return strconv.AppendInt(b, e.BytesIn+e.BytesOut, 10)
	case 'D':
		return strconv.AppendInt(b, e.End.Sub(e.Start).Microseconds(), 10)
	case 'T':
		d := e.End.Sub(e.Start)
		switch it.text {
		case "ms":
			return strconv.AppendInt(b, d.Milliseconds(), 10)
		case "us":
			return strconv.AppendInt(b, d.Microseconds(), 10)
		}
		return strconv.AppendInt(b, int64(d/time.Second), 10)
	case 'H':
		if r == nil || r.Proto == "" {
			return append(b, "HTTP/1.0"...)
		}
		return appendEscaped(b, r.Proto)
	case 'i':
		if r != nil {
			if v := r.Header[http1.FieldKey(r.Header, it.key)]; len(v) > 0 {
				return appendValues(b, v)
			}
		}
		return append(b, '-')
	case 'o':
		return appendOut(b, it.key, e.Header)
	case 'k':
		return strconv.AppendInt(b, int64(max(e.Requests-1, 0)), 10)
	case 'm':
		// The last request's unless %<m, as apache2's.
		m := ""
		switch {
		case it.which == '<':
			m = e.OrigMethod
		case e.Last != nil:
			m = e.Last.Method
		}
		if m == "" && r != nil && !e.LineUnparsed { // apache2's r->method is NULL then
			m = r.Method
		}
		if m == "" {
			return append(b, '-')
		}
		return appendEscaped(b, m)
	case 'p':
		switch it.text {
		case "remote":
			return appendPort(b, e.RemoteAddr)
		case "local":
			return appendLocal(b, e.LocalAddr, true)
		}
		// The canonical port, as apache2's: the ServerName's, else the default
		// port of its scheme (ap_default_port: 443 for https://, else 80).
		scheme, _, port := http1.SplitServerName(e.ServerName)
		if port == "" {
			port = http1.DefaultPort(scheme)
		}
		return append(b, port...)
	case 'P':
		if it.text == "tid" || it.text == "hextid" {
			return append(b, '-')
		}
		return append(b, pid...)
	case 'q':
		// The last request's unless %<q, as apache2's.
		if it.which != '<' && e.Last != nil {
			r = e.Last
		}
		if r != nil && r.URL != nil && (r.URL.RawQuery != "" || r.URL.ForceQuery) {
			b = append(b, '?')
			return appendEscaped(b, r.URL.RawQuery)
		}
		return b
	case 'r':
		if len(e.Line) == 0 && noRequest(r) {
			return append(b, '-')
		}
		return appendEscapedBytes(b, e.Line)
	case 's':
		// The original request's unless %>s, as apache2's.
		if it.which != '>' {
			return strconv.AppendInt(b, int64(e.origStatus()), 10)
		}
		return strconv.AppendInt(b, int64(e.Status), 10)
	case 't':
		return appendTime(b, it.text, e)
	case 'U':
		// The first request's unless %>U, as apache2's.
		if it.which == '>' && e.Last != nil {
			r = e.Last
		} else if e.LineUnparsed {
			return append(b, '-') // apache2's r->uri is NULL
		}
		if noRequest(r) {
			return append(b, '-')
		}
		if r == nil || r.URL == nil || r.URL.Path == "" {
			return append(b, '/')
		}
		return appendEscaped(b, r.URL.Path)
	case 'v':
		_, host, _ := http1.SplitServerName(e.ServerName)
		if host == "" {
			return appendLocal(b, e.LocalAddr, false)
		}
		return appendEscaped(b, host)
	case 'V':
		if !e.CanonicalName && r != nil && r.Host != "" {
			return appendEscaped(b, http1.RequestHost(r.Host))
		}
		if !e.CanonicalName && e.Hostname != "" {
			return appendEscaped(b, e.Hostname)
		}
		return (&item{kind: 'v'}).append(b, e)
	case 'u':
		switch {
		case !e.UserSet:
			return append(b, '-')
		case e.User == "":
			return append(b, '"', '"')
		}
		return appendEscaped(b, e.User)
	case 'e':
		// The last request's unless %<{VAR}e, as apache2's.
		vars := e.Env
		if it.which == '<' && e.OrigEnv != nil {
			vars = e.OrigEnv
		}
		if v, ok := vars.Get(it.text); ok {
			return appendEscaped(b, v)
		}
		return append(b, '-')
	case 'C':
		if r != nil {
			if v, ok := cookie(r.Header["Cookie"], it.text); ok {
				return appendEscaped(b, v)
			}
		}
		return append(b, '-')
	case 'x', 'c':
		if v := sslItem(it.kind, it.text, e.Request); v != "" {
			return appendEscaped(b, v)
		}
		return append(b, '-')
	case 'n':
		notes := e.Notes
		if it.which == '<' && e.OrigNotes != nil {
			notes = e.OrigNotes
		}
		if v, ok := notes.Get(it.text); ok {
			return appendEscaped(b, v)
		}
		return append(b, '-')
	case 'X':
		if e.KeepAlive {
			return append(b, '+')
		}
		return append(b, '-')
	}
	// %l and what this server does not have.
	return append(b, '-')
}

// sslItem is mod_ssl's %{name}x (ssl_var_lookup's SSL_* and HTTPS) and
// %{name}c (its compatibility names), "" for none.
func sslItem(kind byte, name string, r *http.Request) string {
	ok := r != nil && r.TLS != nil
	if kind == 'x' {
		if name == "HTTPS" {
			if ok {
				return "on"
			}
			return "off"
		}
		return sslvars.Var(r, name)
	}
	if !ok {
		return ""
	}
	switch name {
	case "version":
		name = "SSL_PROTOCOL"
	case "cipher":
		name = "SSL_CIPHER"
	case "subjectdn", "clientcert":
		name = "SSL_CLIENT_S_DN"
	case "issuerdn", "cacert":
		name = "SSL_CLIENT_I_DN"
	default: // errcode is "-", errstr the verify error crypto/tls ended the handshake with
		return ""
	}
	return sslvars.Var(r, name)
}

// appendOut is %{name}o, apache2's log_header_out: the name is looked up
// in any spelling (a Header line may have set "x-foo"); Content-Type is the
// response's type without its parameters (ap_field_noparam), Set-Cookie
// every line joined with ", ", any other name its first line (apr_table_get).
func appendOut(b []byte, name string, h http.Header) []byte {
	v := h[http1.FieldKey(h, name)]
	switch {
	case len(v) == 0:
		return append(b, '-')
	case name == "Set-Cookie":
		return appendValues(b, v)
	case name == "Content-Type":
		t, _, _ := strings.Cut(v[0], ";")
		return appendEscaped(b, strings.TrimRight(t, " \t"))
	}
	return appendEscaped(b, v[0])
}

// cookie is %{name}C, apache2's log_cookie: the value of the first cookie
// named name, compared without regard to case, in the Cookie field (its
// lines joined with ", ", as apache2 merges them), a cookie being a
// ";"-separated "name=value" with a name and a value, both trimmed of
// blanks.
func cookie(lines []string, name string) (string, bool) {
	var s string
	switch len(lines) {
	case 0:
		return "", false
	case 1:
		s = lines[0]
	default:
		s = strings.Join(lines, ", ")
	}
	for s != "" {
		tok, rest, semi := strings.Cut(s, ";")
		s = rest
		tok = strings.TrimLeft(tok, "=") // apr_strtok skips leading delimiters
		i := strings.IndexByte(tok, '=')
		if i < 0 || i == len(tok)-1 {
			continue // no value
		}
		if n := strings.TrimRight(strings.TrimLeft(tok[:i], " \t"), spaces); strings.EqualFold(n, name) {
			v := strings.TrimLeft(tok[i+1:], " \t")
			if semi && rest == "" {
				// apache2's log_cookie looks for the blanks to trim from
				// the ';' that ends the field, and finds none.
				return v, true
			}
			return strings.TrimRight(v, spaces), true
		}
	}
	return "", false
}

// spaces are C's isspace.
const spaces = " \t\n\v\f\r"

// appendValues appends a header's values as Apache's table lookup shows them: the
// values of a repeated field joined with ", ".
func appendValues(b []byte, v []string) []byte {
	for i, s := range v {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = appendEscaped(b, s)
	}
	return b
}

// appendHost appends the address part of "ip:port" (IPv6 without brackets).
func appendHost(b []byte, hostport string) []byte {
	if hostport == "" {
		return append(b, '-')
	}
	if ap, err := netip.ParseAddrPort(hostport); err == nil {
		return ap.Addr().AppendTo(b)
	}
	if i := strings.LastIndexByte(hostport, ':'); i > 0 {
		hostport = hostport[:i]
	}
	return append(b, strings.Trim(hostport, "[]")...)
}

// appendLocal appends the address or the port of a, without allocating for TCP.
func appendLocal(b []byte, a net.Addr, port bool) []byte {
	if t, ok := a.(*net.TCPAddr); ok {
		ap := t.AddrPort()
		if port {
			return strconv.AppendUint(b, uint64(ap.Port()), 10)
		}
		return ap.Addr().Unmap().AppendTo(b)
	}
	if a == nil {
		return append(b, '-')
	}
	if port {
		return appendPort(b, a.String())
	}
	return appendHost(b, a.String())
}

func appendPort(b []byte, hostport string) []byte {
	if i := strings.LastIndexByte(hostport, ':'); i >= 0 {
		return append(b, hostport[i+1:]...)
	}
	return append(b, '-')
}

// appendEscaped is Apache's ap_escape_logitem: '"' and '\' get a backslash, \b \n \r
// \t \v are written as such, other control bytes and bytes >= 0x7f as \xhh.
func appendEscaped(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		b = appendEscapedByte(b, s[i])
	}
	return b
}

func appendEscapedBytes(b []byte, s []byte) []byte {
	for _, c := range s {
		b = appendEscapedByte(b, c)
	}
	return b
}

const hexDigits = "0123456789abcdef"

func appendEscapedByte(b []byte, c byte) []byte {
	switch {
	case c == '"' || c == '\\':
		return append(b, '\\', c)
	case c >= ' ' && c < 0x7f:
		return append(b, c)
	case c == '\b':
		return append(b, '\\', 'b')
	case c == '\n':
		return append(b, '\\', 'n')
	case c == '\r':
		return append(b, '\\', 'r')
	case c == '\t':
		return append(b, '\\', 't')
	case c == '\v':
		return append(b, '\\', 'v')
	}
	return append(b, '\\', 'x', hexDigits[c>>4], hexDigits[c&15])
}

// appendTime is %t and %{format}t.
func appendTime(b []byte, format string, e *Entry) []byte {
	t := e.Start
	if rest, ok := strings.CutPrefix(format, "end:"); ok {
		t, format = e.End, rest
	} else if rest, ok := strings.CutPrefix(format, "begin:"); ok {
		format = rest
	}
	switch format {
	case "":
		return append(b, clfTime(t)...)
	case "sec":
		return strconv.AppendInt(b, t.Unix(), 10)
	case "msec":
		return strconv.AppendInt(b, t.UnixMilli(), 10)
	case "usec":
		return strconv.AppendInt(b, t.UnixMicro(), 10)
	case "msec_frac":
		return appendPadded(b, int64(t.Nanosecond()/1e6), 3)
	case "usec_frac":
		return appendPadded(b, int64(t.Nanosecond()/1e3), 6)
	}
	return appendStrftime(b, format, t.Local())
}

func appendPadded(b []byte, n int64, width int) []byte {
	var tmp [20]byte
	d := strconv.AppendInt(tmp[:0], n, 10)
	for i := len(d); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, d...)
}

// clfTime is "[02/Jan/2006:15:04:05 -0700]" in local time, formatted at most once a
// second per process.
func clfTime(t time.Time) string {
	sec := t.Unix()
	if c := clfCache.Load(); c != nil && c.sec == sec {
		return c.s
	}
	s := t.Local().Format("[02/Jan/2006:15:04:05 -0700]")
	clfCache.Store(&cachedTime{sec: sec, s: s})
	return s
}

type cachedTime struct {
	sec int64
	s   string
}

var clfCache atomic.Pointer[cachedTime]

// noRequest says r is the engine's record of a connection whose request
// line timed out part-way (no method): apache2 logs its 408 with neither
// the_request nor r->uri, "-".
func noRequest(r *http.Request) bool { return r != nil && r.Method == "" }
