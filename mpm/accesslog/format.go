// Package accesslog formats access-log lines in Apache's mod_log_config format
// language (LogFormat, CustomLog) and writes each line with a single write(2), so that
// lines from many processes appending to one file (O_APPEND) or one pipe never
// interleave.
//
// Every directive of mod_log_config 2.4 parses. %{VAR}e is the request's environment
// variable (package env), %{NAME}n its note (http1.Conn.Notes), %{NAME}C its cookie. Those
// that describe something this server does not have are logged as "-": %R (handler),
// %f (file name), %L (log id), %^FB (time to first byte) and %{...}^ti/^to (trailers).
// %l is always "-" (no identd). Nothing on the logging path allocates, but %C over a
// request with several Cookie lines.
package accesslog

import (
	"errors"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/httpd-mpm/httpd-mpm/mpm/env"
)

// Nicknames that exist before any LogFormat line: Apache's stock httpd.conf defines
// common and combined with these strings; a LogFormat with the same nickname replaces
// them.
var Nicknames = map[string]string{
	"common":   `%h %l %u %t "%r" %>s %b`,
	"combined": `%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"`,
}

// Default is the format of a TransferLog without a preceding nickname-less LogFormat
// (Apache's compiled-in Common Log Format).
const Default = `%h %l %u %t "%r" %>s %b`

// Entry is what one line describes. Its byte slices and Header maps are only read
// during Format.Append.
type Entry struct {
	Request *http.Request // may be partly filled for a request the engine refused
	Line    []byte        // the request line as received ("" if none arrived)
	Status  int           // the final status (%>s), of the last request of a chain of internal redirects
	// OrigStatus is the status the first request had when it was
	// redirected internally (%s, %<s: http1.Conn.OrigStatus), 0 for
	// Status.
	OrigStatus int
	// LineUnparsed: the request was refused as its line was read, before
	// apache2 parses it (http1.Conn.LineUnparsed): %m and %U are "-".
	LineUnparsed bool
	// Hostname is the host of an absolute-form target refused once the
	// fields were read (http1.Conn.RefusedHostname), as sent: %V, where
	// the request has no Host, as apache2's r->hostname.
	Hostname string
	// Last is the last request of a chain of internal redirects (its
	// method, URL-path and query are %m, %>U and %q:
	// http1.Conn.LastRequest), nil for Request.
	Last *http.Request
	// OrigMethod is the first request's method when a handler changed it
	// before its redirect (%<m: http1.Conn.OrigMethod), "" for Request's.
	OrigMethod string
	BodyBytes  int64
	Start, End time.Time
	RemoteAddr string      // the client, "ip:port" (mod_remoteip's, port 0, or the peer)
	PeerAddr   string      // the connection's peer, "ip:port" (%{c}a, %{c}h); "" for RemoteAddr
	LocalAddr  net.Addr    // the server's side of the connection, nil if unknown
	Header     http.Header // the response header
	ServerName string      // ServerName, "[scheme://]host[:port]" (%v, %p)
	// CanonicalName is UseCanonicalName On: %V is then ServerName's host
	// (%v), not the request's (apache2's ap_get_server_name).
	CanonicalName bool
	Requests      int   // requests served on the connection, this one included
	BytesIn       int64 // bytes of the connection the request took (%I)
	BytesOut      int64 // bytes of the response, header included (%O)
	KeepAlive     bool  // the connection stays open after this response
	// User is the user name the request's credentials gave (%u), when UserSet.
	User    string
	UserSet bool
	Env     *env.Vars // the request's environment variables, nil for none
	// OrigEnv are the variables of the first request of a chain of
	// internal redirects, when it was redirected (the CustomLog
	// conditions': http1.Conn.OrigEnv); Env's when nil.
	OrigEnv *env.Vars
	Notes   *env.Vars // the request's notes (%{NAME}n: http1.Conn.Notes), nil for none
	// OrigNotes are the notes of the request an internal redirect started
	// from (%<{NAME}n: http1.Conn.OrigNotes); Notes' when nil.
	OrigNotes *env.Vars
	// OrigBodyBytes are the body bytes of the first request of a chain of
	// internal redirects, when Redirected (%<b, %<B:
	// http1.Conn.OrigBodyBytes); BodyBytes' otherwise.
	OrigBodyBytes int64
	Redirected    bool
}

// Format is a parsed format string. It is safe for concurrent use.
type Format struct {
	items []item
}

type item struct {
	kind     byte   // directive letter, or 0 for literal text
	text     string // literal text, or the {argument}
	key      string // canonical header key for %i and %o
	statuses []int  // status condition, nil for none
	negate   bool
	which    byte // '<' (the original request's), '>' (the final one's), or 0 for the directive's default
}

// errRanOff is Apache's message for a format that ends inside a directive.
var errRanOff = errors.New("Ran off end of LogFormat parsing args to some directive")

// known are the directive letters mod_log_config 2.4 (with mod_logio and
// mod_ssl's c and x) registers.
const known = "aABbcCDefhHiIklLmnoOpPqrRsStTuUvVxX^"

// Parse parses a LogFormat string. Its errors are Apache's words.
func Parse(s string) (*Format, error) {
	f := &Format{}
outer:
	for len(s) > 0 {
		i := strings.IndexByte(s, '%')
		if i != 0 {
			if i < 0 {
				i = len(s)
			}
			f.items = append(f.items, item{text: unescape(s[:i])})
			s = s[i:]
			continue
		}
		s = s[1:]
		var it item
	mods:
		for {
			if s == "" {
				return nil, errRanOff
			}
			switch c := s[0]; {
			case c == '%':
				it.text = "%"
				s = s[1:]
				f.items = append(f.items, it)
				continue outer
			case c == '!':
				it.negate = true
				s = s[1:]
			case c == '<' || c == '>':
				it.which = c
				s = s[1:]
			case c == ',':
				s = s[1:]
			case c >= '0' && c <= '9':
				j := 0
				n := 0
				for j < len(s) && s[j] >= '0' && s[j] <= '9' {
					n = n*10 + int(s[j]-'0')
					j++
				}
				it.statuses = append(it.statuses, n)
				s = s[j:]
			case c == '{':
				j := strings.IndexByte(s, '}')
				if j < 0 {
					return nil, errRanOff
				}
				it.text = s[1:j]
				s = s[j+1:]
			default:
				break mods
			}
		}
		c := s[0]
		if c == '^' {
			if len(s) < 3 {
				return nil, errRanOff
			}
			if s[1:3] != "ti" && s[1:3] != "to" && s[1:3] != "FB" {
				return nil, errors.New("Unrecognized LogFormat directive %" + s[:3])
			}
			s = s[3:]
			it.kind = '^'
			f.items = append(f.items, it)
			continue
		}
		if strings.IndexByte(known, c) < 0 {
			return nil, errors.New("Unrecognized LogFormat directive %" + string(c))
		}
		it.kind = c
		if c == 'i' || c == 'o' {
			it.key = http.CanonicalHeaderKey(it.text)
		}
		s = s[1:]
		f.items = append(f.items, it)
	}
	return f, nil
}

// unescape applies the backslash escapes Apache's parser knows in literal text:
// \n, \t and \\ (a backslash before anything else stays).
func unescape(s string) string {
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			switch s[i+1] {
			case 'n':
				b.WriteByte('\n')
				i++
				continue
			case 't':
				b.WriteByte('\t')
				i++
				continue
			case '\\':
				b.WriteByte('\\')
				i++
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
