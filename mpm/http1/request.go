package http1

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"unsafe"
)

// protoError is a request the engine answers itself (status != 0) or drops silently
// (status == 0). notes is HTML inserted where Apache puts its "error-notes".
type protoError struct {
	status int
	notes  string
	err    error // underlying I/O error, if any
	// sound: the head was read whole and its framing is sound, the input
	// still usable (a bad or missing Host: apache2's ap_check_request_header,
	// whose die_before_hooks leaves the body to an ErrorDocument's script).
	sound bool
	log   string // core's info line about it (Server.RefusalLog), if any
}

func (e *protoError) Error() string {
	if e.err != nil {
		return "http1: " + e.err.Error()
	}
	return "http1: request answered " + statusCode(e.status)
}

func (e *protoError) Unwrap() error { return e.err }

// Apache 2.4.71's error-notes for the header limits.
const (
	noteFieldTooLong = "Size of a request header field exceeds server limit."
	noteTooManyField = "The number of request header fields exceeds this server's limit."
)

var (
	errBadRequest = &protoError{status: http.StatusBadRequest}
	// errBadTarget is a target apache2's ap_parse_request_line refuses
	// (apr_uri_parse fails, a user in it: AH02422), found once the fields
	// are read here: apache2 read none of them, which mod_logio's %I
	// shows (the request line alone).
	errBadTarget  = &protoError{status: http.StatusBadRequest}
	errBadHost    = &protoError{status: http.StatusBadRequest, sound: true}
	errURITooLong = &protoError{status: http.StatusRequestURITooLong}
	// errLineLF is a request line ended by a bare LF: apache2's
	// read_request_line refuses it before it parses it, as one too long
	// (errURITooLong; see Conn.LineUnparsed).
	errLineLF     = &protoError{status: http.StatusBadRequest}
	errFieldLong  = &protoError{status: http.StatusBadRequest, notes: noteFieldTooLong}
	errFieldCount = &protoError{status: http.StatusBadRequest, notes: noteTooManyField, log: "AH00563: Number of request headers exceeds LimitRequestFields"}

	errLineTooLong = errors.New("line too long")
	errBareLF      = errors.New("line not terminated by CRLF")
)

// headString is the head's string readRequest made (parser.str), or a copy
// of the head as far as it was read when it made none (a head refused before
// it was whole).
func (p *parser) headString() string {
	if p.str == nil {
		return string(p.head)
	}
	return unsafe.String(p.str, len(p.head))
}

// mergedTooLong reports whether a repeated field of h, its values joined
// with ", " as apache2 merges them, is longer than limit (apache2's check
// after merging, AH00560).
func mergedTooLong(h http.Header, limit int) bool {
	for _, vs := range h {
		if len(vs) < 2 {
			continue
		}
		n := 2 * (len(vs) - 1)
		for _, v := range vs {
			n += len(v)
		}
		if n > limit {
			return true
		}
	}
	return false
}

// The fields that decide framing and routing, looked up while the header is built.
const (
	spHost = iota
	spCL
	spTE
	spConn
	spExpect
	nSpecial
)

var specialNames = [nSpecial]string{"Host", "Content-Length", "Transfer-Encoding", "Connection", "Expect"}

func specialIndex(k string) int {
	switch k {
	case "Host":
		return spHost
	case "Content-Length":
		return spCL
	case "Transfer-Encoding":
		return spTE
	case "Connection":
		return spConn
	case "Expect":
		return spExpect
	}
	return -1
}

// maxBlankLines is how many empty lines may precede a request line (Apache's
// DEFAULT_LIMIT_BLANK_LINES).
const maxBlankLines = 10

// span is a half-open byte range [start, end) of parser.head.
type span struct{ start, end int32 }

func (s span) of(str string) string { return str[s.start:s.end] }

// field is one header field line of parser.head. A fold line (obs-fold) continues the
// value of the field before it and has an empty name.
type field struct {
	name, value span
	// sent is where head holds the name as the client spelled it, when
	// that is not its canonical form (keepSpellings); 0 otherwise.
	sent int32
	fold bool
	odd  bool // the name is not in its canonical form until keepSpellings
	gone bool // removed from the request after it was read (RemovedField)
}

// parser holds the per-connection scratch space for reading request heads. It is reused
// for every request; nothing handed to the handler points into it.
type parser struct {
	head []byte // request line and field lines, CRLF stripped, names canonicalised (then the odd ones as sent)
	// str is the data of head's one string copy (len(head) bytes) once the
	// head is whole, of which the request's RequestURI and Header are
	// substrings (and so SentFieldNames' names); nil until then (headString).
	// A string's, not a view of head: the next request reuses head, and the
	// names may outlive it. A pointer, not a string: 8 bytes less keep a Conn
	// in its size class (TestConnSizeClass).
	str    *byte
	fields []field
	// trace is, for a TRACE request only, its request line and fields as received
	// (names in their own case, obs-fold joined), CRLF-terminated: the echo's body.
	trace []byte
	line  span // the request line in head; empty until it is read
}

// reqInfo carries what the engine needs beyond the *http.Request.
type reqInfo struct {
	chunked        bool // body is chunked
	expectContinue bool // "Expect: 100-continue" (apache2's r->expecting_100)
	expect         bool // a non-empty Expect header other than 100-continue (answer 417)
	kaToken        bool // Connection carries keep-alive
	clientClose    bool // the client ends the connection after this request (close, or HTTP/1.0 without keep-alive)
	closeAfter     bool // framing forces closing after the response (TE on HTTP/1.0, TE with CL)
	leaveBody      bool // TE with CL: nothing but the handler reads the body (apache2's AP_CONN_CLOSE)
	badScheme      bool // an absolute-form target of another scheme than http and https (400 after the post-read phase)
}

// readRequest reads one request head from br and fills req's Method, URL, Proto,
// ProtoMajor, ProtoMinor, Header, Host, RequestURI, ContentLength, TransferEncoding and
// Close. Header values get their one-element slices from vals when it is long enough.
// On a *protoError with status 0 the connection is dropped without a response.
// c, if not nil, is told when the request line is read (lineRead): an argument,
// not a field of the parser, which is one of c's (TestConnSizeClass).
func (p *parser) readRequest(c *Conn, br *bufio.Reader, cfg *limits, req *http.Request, vals []string) (info reqInfo, perr *protoError) {
	p.head = p.head[:0]
	p.str = nil
	p.fields = p.fields[:0]
	p.trace = p.trace[:0]
	p.line = span{}

	// Request line, after at most maxBlankLines empty lines.
	var line span
	for blank := 0; ; blank++ {
		var err error
		line, err = p.readLine(br, cfg.lineLimit)
		if c != nil && (err != nil || line.end > line.start) {
			c.lineRead()
		}
		if err != nil {
			switch err {
			case errLineTooLong:
				p.line = line // its start, which apache2's %r shows
				return info, errURITooLong
			case errBareLF:
				p.line = line // with its LF, as apache2's %r shows it
				return info, errLineLF
			}
			return info, &protoError{err: err} // EOF or timeout inside the request line: drop
		}
		if line.end > line.start {
			break
		}
		if blank == maxBlankLines {
			return info, errBadRequest
		}
		p.head = p.head[:0]
	}
	p.line = line
	mEnd, tStart, tEnd, ok := splitRequestLine(p.head[line.start:line.end])
	if !ok {
		return info, errBadRequest
	}
	major, minor, ok := parseVersion(p.head[tEnd+1 : line.end])
	if !ok {
		return info, errBadRequest
	}
	isTrace := string(p.head[line.start:line.start+mEnd]) == http.MethodTrace
	if isTrace {
		p.trace = append(p.trace, p.head[line.start:line.end]...)
	}

	// Field lines up to the empty line.
	nfields := 0
	odd := false         // some name is not in its canonical form
	var fieldStart int32 // start of the field a fold line continues
	for {
		ln, err := p.readLine(br, cfg.fieldLimit)
		if err != nil {
			switch {
			case err == errLineTooLong:
				return info, fieldTooLong(p.head[ln.start:ln.end])
			case err == errBareLF:
				return info, errBadRequest
			case isTimeout(err):
				return info, &protoError{status: http.StatusRequestTimeout, err: err}
			}
			return info, &protoError{err: err}
		}
		b := p.head[ln.start:ln.end]
		if len(b) == 0 {
			break
		}
		if b[0] == ' ' || b[0] == '\t' {
			// obs-fold: replaced by a single SP when the value is built (RFC 9112 §5.2),
			// which is what apache2 does too.
			if len(p.fields) == 0 {
				return info, errBadRequest
			}
			v := trimOWS(ln.start, ln.end, p.head)
			if !validValue(p.head[v.start:v.end]) {
				return info, p.skipField(br, cfg)
			}
			if int(ln.end-fieldStart) > cfg.fieldLimit {
				return info, errFieldLong
			}
			p.fields = append(p.fields, field{value: v, fold: true})
			if isTrace {
				p.trace = append(append(p.trace, ' '), p.head[v.start:v.end]...)
			}
			continue
		}
		colon := bytes.IndexByte(b, ':')
		if colon <= 0 {
			return info, p.skipField(br, cfg)
		}
		if isTrace {
			p.trace = append(append(p.trace, '\r', '\n'), b[:colon]...)
		}
		valid, canonical := checkName(b[:colon])
		if !valid {
			return info, p.skipField(br, cfg)
		}
		odd = odd || !canonical
		v := trimOWS(ln.start+int32(colon)+1, ln.end, p.head)
		if !validValue(p.head[v.start:v.end]) {
			return info, p.skipField(br, cfg)
		}
		if isTrace {
			p.trace = append(append(p.trace, ':', ' '), p.head[v.start:v.end]...)
		}
		fieldStart = ln.start
		nfields++
		if nfields > cfg.maxFields {
			p.skipField(br, cfg)
			return info, errFieldCount
		}
		p.fields = append(p.fields, field{name: span{ln.start, ln.start + int32(colon)}, value: v, odd: !canonical})
	}
	if odd {
		p.keepSpellings()
	}

	// One string holds the whole head; everything below is a substring of it.
	s := string(p.head)
	p.str = unsafe.StringData(s)
	req.Method = internMethod(s[:mEnd])
	req.RequestURI = s[tStart:tEnd]
	req.Proto = internProto(s[tEnd+1 : line.end])
	req.ProtoMajor, req.ProtoMinor = major, minor
	// Any version from 1.0 up is served, as apache2 does (HTTP/2.0 and
	// HTTP/3.0 too, as HTTP/1.1: its proto_num); 1.0 alone is the old one.
	http10 := major == 1 && minor == 0

	h := make(http.Header, nfields)
	if len(vals) < nfields {
		vals = make([]string, nfields)
	}
	// Field names are compared with the earlier ones (cheap for the usual dozen fields)
	// so that a name is hashed once; vals gives every first value its own one-element
	// slice from a single allocation.
	var (
		spec    [nSpecial]struct{ n, i int } // count and vals index of the framing fields
		last    string
		nv      int
		scanDup = len(p.fields) <= 32
		merged  bool // a name is repeated
	)
	for fi, f := range p.fields {
		if f.fold {
			vs := h[last]
			switch prev, cont := vs[len(vs)-1], f.value.of(s); {
			case cont == "":
			case prev == "":
				vs[len(vs)-1] = cont
			default:
				vs[len(vs)-1] = prev + " " + cont
			}
			continue
		}
		k, v := f.name.of(s), f.value.of(s)
		last = k
		dup := false
		if scanDup {
			for _, g := range p.fields[:fi] {
				if !g.fold && g.name.end-g.name.start == f.name.end-f.name.start && g.name.of(s) == k {
					dup = true
					break
				}
			}
		} else {
			_, dup = h[k]
		}
		if dup {
			h[k] = append(h[k], v)
			merged = true
		} else {
			vals[nv] = v
			h[k] = vals[nv : nv+1 : nv+1]
			nv++
		}
		if x := specialIndex(k); x >= 0 {
			spec[x].n++
			if spec[x].n == 1 {
				spec[x].i = nv - 1
			}
		}
	}
	if merged && mergedTooLong(h, cfg.fieldLimit-1) {
		return info, errFieldLong // apache2 2.4.71's notes are the same
	}
	var fv [nSpecial][]string
	for x := range spec {
		switch spec[x].n {
		case 0:
		case 1:
			fv[x] = vals[spec[x].i : spec[x].i+1]
		default:
			fv[x] = h[specialNames[x]]
		}
	}
	hostV, clV, teV, connV, expV := fv[spHost], fv[spCL], fv[spTE], fv[spConn], fv[spExpect]
	req.Header = h

	// Connection and keep-alive.
	for _, v := range connV {
		if hasToken(v, "close") {
			req.Close = true
		}
		if hasToken(v, "keep-alive") {
			info.kaToken = true
		}
	}
	if http10 && !info.kaToken {
		req.Close = true
	}
	info.clientClose = req.Close // before the handler, which may set req.Close itself

	// Host, then URL. apache2 knows the Host when it rejects a bad target (its error
	// page names it), so it is set first; a bad or missing Host is refused once the
	// framing is read, which the access log's %U shows, as apache2's does.
	badHost := false
	// A host valid to RFC 9110 §7.2 but not to apache2 (an empty port or
	// port 0, which apr_parse_addr_port refuses, one HttpProtocolOptions
	// Strict refuses): refused unless the target names the host.
	strictHost := false
	switch {
	case len(hostV) > 1:
		badHost = true
	case len(hostV) == 1 && hostV[0] == "" && http10:
		// apache2 serves an HTTP/1.0 request with an empty Host field as
		// one without a host (fix_hostname leaves none), the field kept,
		// whatever the target (an absolute one's host replaces the field).
	case len(hostV) == 1 && !validHost(hostV[0]):
		// A host RFC 9110 allows (empty, "123", "a.1b", "a..b", a
		// port over 65535) is apache2's to refuse: served when the
		// target names the host (apache2 replaces the field); one it
		// does not ("a b", "a/b") is a 400 whatever the target, as RFC
		// 9112 §3.2 asks (apache2 serves it too).
		badHost = !rfcHost(hostV[0])
		strictHost = !badHost
	case len(hostV) == 1 && (hostV[0][len(hostV[0])-1] == ':' || zeroPort(hostV[0])):
		strictHost = true
	case len(hostV) == 1:
		req.Host = hostV[0]
	}
	target := req.RequestURI
	absHost := false // the target names the host
	switch {
	case target[0] == '/' && fastPath(target):
		u := req.URL
		if q := strings.IndexByte(target, '?'); q >= 0 {
			u.Path, u.RawQuery = target[:q], target[q+1:]
			u.ForceQuery = q == len(target)-1
		} else {
			u.Path = target
		}
	case req.Method == http.MethodConnect && target[0] != '/':
		if !aprHostinfo(target) {
			// An authority without a port ("h", "h:") or whose first ':'
			// starts no number ("u:p@h:443") is refused at its request
			// line, as apache2's apr_uri_parse_hostinfo (a 400, no
			// ErrorDocument that would see the password; %U the target
			// as sent).
			req.URL = &url.URL{Path: target, RawPath: target}
			req.Host, req.Header = "", nil
			return info, errBadTarget
		}
		// One with a user ("u@h:443") apache2's fix_hostname refuses once
		// the fields are read.
		// Its port as apr_uri_parse_hostinfo reads it, with strtol: a
		// sign, any size ("h:-1", "h:99999"; aprURL).
		u, err := parseTarget("http://" + target)
		if err != nil || u.Path != "" || u.Host == "" || u.User != nil {
			return info, errBadRequest
		}
		u.Scheme = ""
		req.URL = u
	default:
		u, err := parseTarget(target)
		if err != nil {
			if eu, ok := escapedPathURL(target); ok {
				// A bad %-escape in the path is apache2's
				// ap_process_request_internal's 400 (AH10244), once the
				// post-read phase ran, with the input still usable: the path
				// goes on as sent (RawPath too), for static.CleanPath to
				// refuse; an absolute-form target's host is the request's
				// (its Host field, %V).
				u, err = eu, nil
			}
		}
		if err != nil || u.User != nil {
			// A user name or password in the target is apache2's AH02422
			// (HttpProtocolOptions Strict): the vhost would be chosen by
			// the part after the '@', which a front end may read otherwise.
			if err == nil {
				// Parsed as apache2's apr_uri_parse does (aprURL's help
				// too: "http://u@a.test:-1/x", "http://u@a%22b/x"): its
				// host is %V's, its path %U's.
				req.URL = u
			} else {
				req.URL = refusedURL(target)
			}
			if target[0] != '/' {
				// apache2 rejects such a target before it reads Host, or
				// any field (the access log's %{Host}i is "-").
				req.Host, req.Header = "", nil
				return info, errBadTarget
			}
			return info, errBadRequest
		}
		if u.Opaque != "" {
			// "http:x": a path that does not start with '/' (apache2's
			// ap_parse_request_line, RFC 9112 §3.2), refused as above.
			req.URL = refusedURL(target)
			req.Host, req.Header = "", nil
			return info, errBadTarget
		}
		// apache2's ap_post_read_request serves http and https alone but
		// to a forward proxy (ProxyRequests On, which we lack): the engine
		// refuses another scheme once the post-read phase ran.
		info.badScheme = u.Scheme != "" && !strings.EqualFold(u.Scheme, "http") && !strings.EqualFold(u.Scheme, "https")
		if u.Path == "" && req.Method == http.MethodOptions {
			// An absolute-form target without a path names the server
			// itself to OPTIONS, as "*" (apache2's ap_parse_uri, RFC 9112
			// §3.2.4); to the other methods, "/".
			u.Path = "*"
		}
		req.URL = u
	}
	// A bad or missing host is refused once the framing is known to be
	// sound, as apache2's ap_check_request_header refuses it after
	// ap_read_request checked the framing: errBadHost, the input usable.
	var hostErr *protoError
	switch {
	case badHost:
		hostErr = errBadHost
	case req.URL.Host != "" && (strings.EqualFold(req.URL.Scheme, connScheme(req)) || req.Method == http.MethodConnect):
		// absolute-form: the target's authority wins over Host (RFC 9112 §3.2.2),
		// when its scheme is the connection's (https over TLS), as apache2's
		// ap_parse_uri decides: "https://c.test/x" on a plain connection (and
		// "http://c.test/x" on a TLS one) leaves the Host header in charge.
		// An empty port is the scheme's (apache2's apr_uri_parse; see
		// serverPort), but CONNECT wants one (its request line is refused).
		if req.Method == http.MethodConnect && (!validTargetHost(req.URL.Host) || strings.HasSuffix(req.URL.Host, ":")) {
			req.Host = ""
			return info, errBadRequest
		}
		if !validTargetHost(req.URL.Host) {
			req.Host, hostErr = "", errBadHost
			break
		}
		req.Host = req.URL.Host
		absHost = true
		if major == 1 && minor == 1 && len(hostV) == 0 {
			// apache2 (ap_check_request_header) wants the Host field of an
			// HTTP/1.1 request (of no later version) even when the target
			// names the host; its page names that host.
			hostErr = errBadHost
		}
	case strictHost || req.Host == "" && !http10:
		hostErr = errBadHost
	}

	// Framing (RFC 9112 §6.3). apache2 rejects bad framing before it looks at Host,
	// so these error pages name the ServerName: req.Host is cleared for them.
	req.ContentLength = 0
	if len(clV) > 0 {
		n, ok := parseContentLength(clV)
		if !ok {
			req.Host = ""
			return info, errBadRequest
		}
		req.ContentLength = n
	}
	if len(teV) > 0 {
		te := teV[0]
		if len(teV) > 1 {
			te = strings.Join(teV, ", ") // as apache2 merges the fields
		}
		last, plain := chunkedLast(te)
		if !last {
			req.Host = ""
			return info, errBadRequest
		}
		info.chunked = true
		req.ContentLength = -1
		req.TransferEncoding = []string{"chunked"}
		if http10 || !plain {
			// RFC 9112 §6.1: an HTTP/1.0 message's Transfer-Encoding makes its
			// framing faulty; a list that a front end may read otherwise
			// (chunked twice, an element that is not a bare coding name)
			// too: the connection closes after the response (apache2 keeps it).
			info.closeAfter = true
		}
		if len(clV) > 0 {
			// The chunks frame the body: apache2 (ap_read_request) drops the
			// Content-Length and closes the connection after the response, so
			// that nothing after the body is read as a request; and it never
			// discards that body (ap_discard_request_body does nothing then):
			// only a handler that reads it, a script's, reads it.
			delete(h, "Content-Length")
			info.closeAfter, info.leaveBody = true, true
		}
	}

	if hostErr != nil {
		return info, hostErr
	}

	if absHost && len(hostV) == 1 {
		// apache2 (ap_update_vhost_from_headers, HttpProtocolOptions Strict,
		// AH02417) replaces the Host field of an absolute-form request with
		// the target's host, so that %{Host}i, a script's HTTP_HOST,
		// RequestHeader and the proxy see the host the request was served
		// for. The field keeps its place and the client's spelling; hostV
		// shares h's slice. Without a Host field none is added.
		hostV[0] = targetHostField(req.URL.Host)
		if isTrace {
			p.setTraceField("Host", hostV) // apache2's echo of headers_in
		}
	}

	// Expect, on any version, as apache2's ap_check_request_header reads its
	// fields merged: empty, it is ignored.
	if len(expV) > 0 {
		v := expV[0]
		if len(expV) > 1 {
			v = strings.Join(expV, ", ")
		}
		if strings.EqualFold(v, "100-continue") {
			info.expectContinue = true
		} else if v != "" {
			info.expect = true
		}
	}
	return info, nil
}

// chunkedLast reports whether te, a Transfer-Encoding list, ends in the
// chunked coding, as apache2's ap_is_chunked decides it: "chunked" in any
// case, alone or after a comma and spaces (so "gzip, chunked" and "identity,
// chunked", not "chunked, gzip" nor "gzip chunked"), the body then read as
// chunked whatever comes before. plain reports whether every other element
// is a bare coding name (a token) other than chunked, empty ones skipped: a
// list a front end reads as this engine does.
func chunkedLast(te string) (last, plain bool) {
	const name = "chunked"
	n := len(te) - len(name)
	if n < 0 || !strings.EqualFold(te[n:], name) {
		return false, false
	}
	rest := strings.TrimRight(te[:n], " ")
	if rest != "" && rest[len(rest)-1] != ',' {
		return false, false
	}
	plain = true
	for elem := range strings.SplitSeq(rest, ",") {
		elem = strings.Trim(elem, " \t")
		if elem == "" {
			continue
		}
		if strings.EqualFold(elem, name) || strings.IndexFunc(elem, func(r rune) bool { return r >= 0x80 || !isTokenByte(byte(r)) }) >= 0 {
			plain = false
		}
	}
	return true, plain
}

// refusedURL is the URL of a refused target as apache2's access log shows
// it (%U, %q: r->uri and r->args): what apr_uri_parse makes of it ("foo",
// "a/b" and "x=1", "x" for "http:x", the path of an absolute URL), else
// the target split at its '?', undecoded.
func refusedURL(target string) *url.URL {
	if u, err := url.Parse(target); err == nil {
		if u.Opaque != "" {
			u.Path, u.Opaque = u.Opaque, ""
		}
		return u
	}
	if _, auth, rest, ok := splitAuthority([]byte(target)); ok && userColon(auth) >= 0 {
		// The path of an absolute target with a password, which stays
		// out of %U (where apr_uri_parse fails too, apache2 logs it).
		target, _, _ = strings.Cut(target[len(target)-len(rest):], "#")
	}
	path, query, _ := strings.Cut(target, "?")
	return &url.URL{Path: path, RawPath: path, RawQuery: query}
}

// refused fills in req, refused before its request line's target was
// parsed (a field line refused), as apache2 has it then, for the access
// log: its target and version, as refusedURL, and, with fields, those read
// before the refused one.
func (p *parser) refused(req *http.Request, fields bool) {
	if p.line.end <= p.line.start {
		return
	}
	line := p.head[p.line.start:p.line.end]
	_, tStart, tEnd, ok := splitRequestLine(line)
	if !ok && bytes.IndexByte(line, '#') >= 0 {
		// A fragment, which apache2's ap_parse_request_line refuses once
		// apr_uri_parse took the target apart: its path (%U) and host (%V)
		// are the request's.
		_, tStart, tEnd, ok = splitRequestLine(bytes.ReplaceAll(line, []byte("#"), []byte("x")))
	}
	if !ok {
		return
	}
	req.RequestURI = string(line[tStart:tEnd])
	req.URL = refusedURL(req.RequestURI)
	if t, _, frag := strings.Cut(req.RequestURI, "#"); frag && t != "" {
		if u, err := parseTarget(t); err == nil {
			req.URL = u
		} else if u, ok := escapedPathURL(t); ok {
			req.URL = u
		}
	}
	if !fields || len(p.fields) == 0 {
		return
	}
	h := make(http.Header, len(p.fields))
	var last string
	for _, f := range p.fields {
		v := string(p.head[f.value.start:f.value.end])
		if f.fold {
			if vs := h[last]; len(vs) > 0 && v != "" {
				vs[len(vs)-1] += " " + v
			}
			continue
		}
		last = http.CanonicalHeaderKey(string(p.head[f.name.start:f.name.end]))
		h[last] = append(h[last], v)
	}
	req.Header = h
}

// refusedHead fills in req, refused as its head was read, as apache2 has
// it for the access log (%r, %m, %U, %H, %V), and reports whether its
// request line was left unparsed (too long or ended by a bare LF).
func (p *parser) refusedHead(req *http.Request, perr *protoError) (unparsed bool) {
	// A request line too long or ended by a bare LF is refused before
	// apache2 parses it: the access log's %r shows it as read (its start,
	// its LF), and the request has no method, URI or query (%m, %U "-").
	unparsed = perr == errURITooLong || perr == errLineLF
	if !unparsed {
		p.refusedLine()
	}
	if req.Host == "" && req.URL.User != nil && req.URL.Host != "" && strings.EqualFold(req.URL.Scheme, connScheme(req)) {
		// A target with a user (AH02422) is refused once apache2's
		// ap_parse_uri took its host for the request's, after the server
		// was chosen (the connection's default answers; c.ident is set):
		// %V and the page name that host.
		req.Host = req.URL.Host
	}
	if req.Method == "" && !unparsed {
		// The request line's method, as apache2 keeps it: a HEAD gets no body.
		req.Method = p.lineMethod()
		// apache2 drops the fields read before one over its limit.
		p.refused(req, perr.notes != noteFieldTooLong)
	}
	if req.Method == "" {
		req.Method = http.MethodGet
	}
	switch {
	case unparsed:
		// apache2's read_request_line makes it HTTP/1.0 (%H).
		req.Proto, req.ProtoMajor, req.ProtoMinor = "HTTP/1.0", 1, 0
	case req.ProtoMajor == 0:
		// apache2's version of a refused request line (%H).
		req.Proto, req.ProtoMajor, req.ProtoMinor = p.lineVersion()
	}
	if !unparsed {
		p.maskPassword(req)
	}
	return unparsed
}

// refusedLine rewrites the request line of a refused request in place as
// apache2 rebuilds its r->the_request (the access log's %r): its first three
// words joined by single spaces, so "GET /a b c HTTP/1.1" is "GET /a b".
func (p *parser) refusedLine() {
	b := p.head[p.line.start:p.line.end]
	n, words := 0, 0
	for i := 0; i < len(b) && words < 3; {
		for i < len(b) && isLineSpace(b[i]) {
			i++
		}
		j := i
		for j < len(b) && !isLineSpace(b[j]) {
			j++
		}
		if j == i {
			break
		}
		if words > 0 {
			b[n] = ' '
			n++
		}
		n += copy(b[n:], b[i:j])
		words++
		i = j
	}
	p.line.end = p.line.start + int32(n)
}

// lineVersion is the version of a refused request line (refusedLine's) as
// apache2's ap_parse_request_line leaves it (%H): its third word when that
// is one (parseVersion), "HTTP" in any case ("http/1.1", which it refuses
// but keeps as written), else HTTP/1.0, what it makes of HTTP/0.9 and of a
// line without a version.
func (p *parser) lineVersion() (proto string, major, minor int) {
	b := p.head[p.line.start:p.line.end]
	if i := bytes.LastIndexByte(b, ' '); i >= 0 && bytes.Count(b, []byte{' '}) == 2 {
		v := b[i+1:]
		if len(v) == 8 && bytes.EqualFold(v[:4], []byte("HTTP")) {
			folded := [8]byte{'H', 'T', 'T', 'P', v[4], v[5], v[6], v[7]}
			if major, minor, ok := parseVersion(folded[:]); ok {
				return internProto(string(v)), major, minor
			}
		}
	}
	return "HTTP/1.0", 1, 0
}

// maskPassword makes the request line of req, refused (refusedLine's,
// its version settled), the one apache2's access log shows when its
// target has a password (mod_log_config's log_request_line): the method,
// the target as apr_uri_unparse rebuilds it, the password as XXXXXXXX,
// and the version; appended to head, which the refused request no longer
// needs. The target is read as text, as apr_uri_parse reads it, not as
// net/url does, which fails on many a target apache2 masks.
func (p *parser) maskPassword(req *http.Request) {
	line := p.head[p.line.start:p.line.end]
	sp := bytes.IndexByte(line, ' ')
	if sp < 0 {
		return
	}
	target := line[sp+1:]
	if i := bytes.IndexByte(target, ' '); i >= 0 {
		target = target[:i]
	}
	start := len(p.head)
	head, ok := appendMasked(append(p.head, line[:sp+1]...), target)
	if !ok {
		p.head = head[:start]
		return
	}
	p.head = append(append(head, ' '), req.Proto...)
	p.line = span{int32(start), int32(len(p.head))}
}

// splitAuthority splits t, a request target, as apr_uri_parse reads an
// absolute URI: "scheme://" (a scheme of a letter then letters, digits,
// '+', '-' and '.'), the authority up to the first '/', '?' or '#', and
// the rest; ok is false for any other target.
func splitAuthority(t []byte) (scheme, authority, rest []byte, ok bool) {
	i := bytes.Index(t, []byte("://"))
	if i <= 0 {
		return nil, nil, nil, false
	}
	for k, c := range t[:i] {
		if !(c|0x20 >= 'a' && c|0x20 <= 'z' || k > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return nil, nil, nil, false
		}
	}
	a := t[i+3:]
	end := bytes.IndexAny(a, "/?#")
	if end < 0 {
		end = len(a)
	}
	return t[:i], a[:end], a[end:], true
}

// userColon is the index in auth, an authority (splitAuthority's), of
// the ':' that starts a password, apr_uri_parse's: the first of the user
// information, which runs up to the last '@'; -1 without a password.
func userColon(auth []byte) int {
	at := bytes.LastIndexByte(auth, '@')
	if at < 0 {
		return -1
	}
	return bytes.IndexByte(auth[:at], ':')
}

// appendMasked appends t, an absolute target with a password (the user
// information, up to the authority's last '@', has a ':'), to dst as
// apache2's log_request_line shows it: the password as XXXXXXXX, a port
// that is empty or the scheme's default dropped, the rest as sent; ok is
// false, dst unchanged, for a target without a password.
func appendMasked(dst, t []byte) (_ []byte, ok bool) {
	scheme, auth, rest, ok := splitAuthority(t)
	if !ok {
		return dst, false
	}
	colon := userColon(auth)
	if colon < 0 {
		return dst, false
	}
	at := bytes.LastIndexByte(auth, '@')
	host := auth[at+1:]
	var port []byte
	if len(host) > 0 && host[0] == '[' {
		end := bytes.IndexByte(host, ']')
		if end < 0 || end+1 < len(host) && host[end+1] != ':' {
			// apr_uri_parse fails before it has a host: the scheme and
			// the user information are left (apr_uri_unparse).
			dst = append(append(dst, scheme...), ':')
			return append(append(dst, auth[:colon]...), ":XXXXXXXX@"...), true
		}
		if end+1 < len(host) {
			host, port = host[:end+1], host[end+2:]
		}
	} else if i := bytes.IndexByte(host, ':'); i >= 0 {
		host, port = host[:i], host[i+1:]
	}
	dst = append(dst, t[:len(scheme)+3]...)
	dst = append(append(dst, auth[:colon]...), ":XXXXXXXX@"...)
	dst = append(dst, host...)
	if port == nil {
		return append(dst, rest...), true
	}
	// apr_uri_unparse leaves out a port of 0 or the scheme's, as much of
	// it as strtol read ("80x" is 80, "x" 0).
	n, number := strtolPort(string(port))
	shown := len(port) > 0 && n != 0 && int(n) != defaultPort(scheme)
	if !number && len(port) > 0 {
		// apr_uri_parse stops at a port that is no number: no path.
		if shown {
			dst = append(append(dst, ':'), port...)
		}
		return dst, true
	}
	if shown {
		dst = append(append(dst, ':'), port...)
	}
	return append(dst, rest...), true
}

// defaultPort is apr_uri_port_of_scheme's port of scheme (any case), 0
// for a scheme it does not know.
func defaultPort(scheme []byte) int {
	switch strings.ToLower(string(scheme)) {
	case "http":
		return 80
	case "https":
		return 443
	case "ftp":
		return 21
	case "ssh":
		return 22
	case "telnet":
		return 23
	case "gopher":
		return 70
	case "pop":
		return 110
	case "nntp":
		return 119
	case "imap":
		return 143
	case "prospero":
		return 191
	case "wais", "z39.50r", "z39.50s":
		return 210
	case "ldap":
		return 389
	case "rtsp":
		return 554
	case "snews":
		return 563
	case "acap":
		return 674
	case "nfs":
		return 2049
	case "tip":
		return 3372
	case "sip":
		return 5060
	}
	return 0
}

// isLineSpace reports whether c is white space to apache2's request-line
// parser (apr_isspace).
func isLineSpace(c byte) bool { return c == ' ' || '\t' <= c && c <= '\r' }

// lineMethod is the method of the request line read so far, as apache2's
// ap_parse_request_line takes it even from a line it then refuses: the bytes up to the
// first white space, after any leading white space; "" when no request line was read
// (or it is blank). Only the error paths call it: a request read whole has its Method.
// skipField reads on past a malformed field line to the next line that does not
// continue it, as apache2 does, which checks a field once it has read the line after
// it (mod_logio's %I counts those bytes too). It returns errBadRequest.
func (p *parser) skipField(br *bufio.Reader, cfg *limits) *protoError {
	for {
		ln, err := p.readLine(br, cfg.fieldLimit)
		if err != nil || ln.end == ln.start || (p.head[ln.start] != ' ' && p.head[ln.start] != '\t') {
			return errBadRequest
		}
	}
}

func (p *parser) lineMethod() string {
	b := p.head[p.line.start:p.line.end]
	b = bytes.TrimLeft(b, " \t\v\f\r")
	if i := bytes.IndexAny(b, " \t\v\f\r"); i >= 0 {
		b = b[:i]
	}
	return internMethod(string(b))
}

// readLine appends the next line, without its CRLF, to p.head and returns its span.
// A line whose content exceeds max bytes is errLineTooLong, with the span of its
// first max bytes (what apache2's ap_rgetline keeps of it: limits.lineLimit is
// LimitRequestLine+1, its buffer's size less the NUL); a line ended by a bare
// LF is errBareLF, with the span of the line and its LF. I/O errors are returned as
// is.
func (p *parser) readLine(br *bufio.Reader, max int) (span, error) {
	start := len(p.head)
	for {
		frag, err := br.ReadSlice('\n')
		if len(p.head)-start+len(frag) > max+2 {
			if keep := max - (len(p.head) - start); keep >= 0 {
				p.head = append(p.head, frag[:keep]...)
			} else {
				p.head = p.head[:start+max]
			}
			return span{int32(start), int32(start + max)}, errLineTooLong
		}
		p.head = append(p.head, frag...)
		if err == nil {
			break
		}
		if err != bufio.ErrBufferFull {
			if err == io.EOF && len(p.head) > start {
				err = io.ErrUnexpectedEOF
			}
			return span{}, err
		}
	}
	n := len(p.head)
	if n-start < 2 || p.head[n-2] != '\r' {
		return span{int32(start), int32(n)}, errBareLF
	}
	p.head = p.head[:n-2]
	if n-2-start > max {
		return span{int32(start), int32(n - 2)}, errLineTooLong
	}
	return span{int32(start), int32(n - 2)}, nil
}

// logNameMax is apache2's LOG_NAME_MAX_LEN: the most of a field's name its
// log lines show.
const logNameMax = 80

// fieldTooLong is errFieldLong for the field line start begins (as much
// of it as was read), with apache2's AH00561 line naming the field: its
// name up to the colon, or its first logNameMax bytes.
func fieldTooLong(start []byte) *protoError {
	e := *errFieldLong
	e.log = "AH00561: Request header exceeds LimitRequestFieldSize"
	if len(start) > 0 {
		name := start[:min(len(start), logNameMax)]
		if i := bytes.IndexByte(start, ':'); i >= 0 && i <= logNameMax {
			name = start[:i]
		}
		e.log += ": " + string(name)
	}
	return &e
}

// splitRequestLine checks "method SP request-target SP HTTP-version" with exactly one SP
// between the parts (apache2's strict parsing) and returns the offsets.
func splitRequestLine(b []byte) (mEnd, tStart, tEnd int32, ok bool) {
	sp1 := bytes.IndexByte(b, ' ')
	if sp1 <= 0 {
		return 0, 0, 0, false
	}
	for _, c := range b[:sp1] {
		if !isTokenByte(c) {
			return 0, 0, 0, false
		}
	}
	rest := b[sp1+1:]
	sp2 := bytes.IndexByte(rest, ' ')
	if sp2 <= 0 {
		return 0, 0, 0, false // HTTP/0.9 or empty target
	}
	for _, c := range rest[:sp2] {
		if c <= ' ' || c == 0x7f || c == '#' { // a fragment is no part of a request-target
			return 0, 0, 0, false
		}
	}
	return int32(sp1), int32(sp1 + 1), int32(sp1 + 1 + sp2), true
}

// parseVersion accepts exactly "HTTP/" DIGIT "." DIGIT, the major version
// not 0, as apache2's ap_parse_request_line ("HTTP/0.9" is a 400 there).
func parseVersion(b []byte) (major, minor int, ok bool) {
	if len(b) != 8 || string(b[:5]) != "HTTP/" || b[6] != '.' ||
		b[5] < '1' || b[5] > '9' || b[7] < '0' || b[7] > '9' {
		return 0, 0, false
	}
	return int(b[5] - '0'), int(b[7] - '0'), true
}

func internMethod(m string) string {
	switch m {
	case "GET":
		return http.MethodGet
	case "HEAD":
		return http.MethodHead
	case "POST":
		return http.MethodPost
	}
	return m
}

func internProto(p string) string {
	switch p {
	case "HTTP/1.1":
		return "HTTP/1.1"
	case "HTTP/1.0":
		return "HTTP/1.0"
	}
	return p
}

// checkName reports whether a field name is a token, and whether it is in
// http.CanonicalHeaderKey's form.
func checkName(b []byte) (valid, canonical bool) {
	upper := true
	canonical = true
	for _, c := range b {
		if !isTokenByte(c) {
			return false, false
		}
		if upper && 'a' <= c && c <= 'z' || !upper && 'A' <= c && c <= 'Z' {
			canonical = false
		}
		upper = c == '-'
	}
	return true, canonical
}

// canonicalizeName rewrites a field name (a token) in place to
// http.CanonicalHeaderKey's form.
func canonicalizeName(b []byte) {
	upper := true
	for i, c := range b {
		if upper && 'a' <= c && c <= 'z' {
			b[i] = c - ('a' - 'A')
		} else if !upper && 'A' <= c && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
		upper = c == '-'
	}
}

// keepSpellings rewrites the names of the fields not in their canonical
// form (field.odd) to it, first appending each as sent to head (field.sent),
// where SentFieldNames finds it: apache2 keeps the client's spelling.
func (p *parser) keepSpellings() {
	for i := range p.fields {
		f := &p.fields[i]
		if !f.odd {
			continue
		}
		f.sent = int32(len(p.head))
		p.head = append(p.head, p.head[f.name.start:f.name.end]...)
		canonicalizeName(p.head[f.name.start:f.name.end])
	}
}

func trimOWS(start, end int32, b []byte) span {
	for start < end && (b[start] == ' ' || b[start] == '\t') {
		start++
	}
	for end > start && (b[end-1] == ' ' || b[end-1] == '\t') {
		end--
	}
	return span{start, end}
}

// validValue rejects control characters other than HTAB in a field value.
func validValue(b []byte) bool {
	for _, c := range b {
		if c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// tokenTable marks RFC 9110 tchar bytes.
var tokenTable = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return t
}()

func isTokenByte(c byte) bool { return tokenTable[c] }

// pathTable marks bytes that url.URL keeps unescaped in a path, so that a target made
// only of them (plus a query) parses to exactly what url.ParseRequestURI returns.
var pathTable = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for _, c := range "-_.~$&+,/:;=@" {
		t[c] = true
	}
	return t
}()

// connScheme is the scheme of the connection req came on, apache2's
// ap_http_scheme: https once its TLS handshake is done, else http.
func connScheme(req *http.Request) string {
	if req.TLS != nil {
		return "https"
	}
	return "http"
}

// fastPath reports whether the path part of an origin-form target needs no unescaping.
func fastPath(target string) bool {
	for i := 0; i < len(target); i++ {
		c := target[i]
		if c == '?' {
			return true
		}
		if !pathTable[c] {
			return false
		}
	}
	return true
}

// hasToken reports whether the comma-separated list v contains token (case-insensitive).
func hasToken(v, token string) bool {
	for v != "" {
		var t string
		if i := strings.IndexByte(v, ','); i >= 0 {
			t, v = v[:i], v[i+1:]
		} else {
			t, v = v, ""
		}
		t = strings.Trim(t, " \t")
		if strings.EqualFold(t, token) {
			return true
		}
	}
	return false
}

// parseContentLength accepts exactly one field of decimal digits.
func parseContentLength(vs []string) (int64, bool) {
	if len(vs) != 1 || vs[0] == "" || len(vs[0]) > 18 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(vs[0]); i++ {
		c := vs[0][i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// targetHostField is the Host field apache2's construct_host_header makes
// from an absolute-form target's authority a (validHost's form): its host
// as fix_hostname leaves it (lowercased, one trailing dot dropped), an IPv6
// address in brackets, then the port as written, when a names one.
func targetHostField(a string) string {
	if a[0] == '[' {
		i := strings.IndexByte(a, ']')
		return "[" + RequestHost(a) + "]" + a[i+1:]
	}
	if i := strings.IndexByte(a, ':'); i >= 0 {
		return RequestHost(a) + a[i:]
	}
	return RequestHost(a)
}

// validHost applies apache2's Host checks: a reg-name of letters, digits, '-', '.' and
// '_' without two dots in a row, or a bracketed IPv6 address (ipLiteralEnd), then an optional ":port"
// of digits, a number <= 65535 whatever its leading zeros (":000080", as apache2's
// apr_parse_addr_port and apr_uri_parse read it; a greater one, which apache2 wraps
// to port 0 and serves, is refused). An empty port, which apache2 takes in a target,
// not in a Host field, is valid here (RFC 9110 §7.2), as port 0.
func validHost(h string) bool {
	i := 0
	if strings.HasPrefix(h, "[") {
		if i = ipLiteralEnd(h); i < 0 {
			return false
		}
	} else {
		for i < len(h) && h[i] != ':' {
			c := h[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_') {
				return false
			}
			if c == '.' && i > 0 && h[i-1] == '.' {
				return false // apache2's fix_hostname: an empty label (AH00550)
			}
			i++
		}
		if i == 0 || !strictHostname(strings.TrimSuffix(h[:i], ".")) {
			return false
		}
	}
	if i == len(h) {
		return true
	}
	if h[i] != ':' {
		return false
	}
	port := strings.TrimLeft(h[i+1:], "0")
	if len(port) > 5 {
		return false
	}
	n := 0
	for _, c := range []byte(port) {
		if c < '0' || c > '9' {
			return false
		}
		n = n*10 + int(c-'0')
	}
	return n <= 65535
}

// aprHostinfo reports whether apache2's apr_uri_parse_hostinfo takes t, a
// CONNECT target: a host (an IP-literal in brackets, else up to the first
// ':') then ':' and a port strtolPort reads.
func aprHostinfo(t string) bool {
	i := portColon(t)
	if i < 0 || i+1 == len(t) {
		return false
	}
	_, ok := strtolPort(t[i+1:])
	return ok
}

// validTargetHost is validHost for an absolute-form target's authority a
// (the Host it makes): its port may be any number strtolPort reads, with a
// sign or over 65535, as apache2's apr_uri_parse takes it (fix_hostname
// does not look at a target's port), "http://a.test:-1/" served on
// port 65535.
func validTargetHost(a string) bool {
	i := portColon(a)
	if i < 0 || i+1 == len(a) {
		return validHost(a)
	}
	_, ok := strtolPort(a[i+1:])
	return ok && validHost(a[:i+1])
}

// portColon is the index of the ':' that starts the port of a, a host
// (a name, or an IP-literal in brackets) and an optional port; -1 for none.
func portColon(a string) int {
	if strings.HasPrefix(a, "[") {
		if end := strings.IndexByte(a, ']'); end > 0 && end+1 < len(a) && a[end+1] == ':' {
			return end + 1
		}
		return -1
	}
	return strings.IndexByte(a, ':')
}

// ipLiteralEnd is the length of the IP-literal h starts with: "[", an
// IPv6 address as RFC 3986's IPv6address (and apache2's apr_inet_pton:
// eight groups, or fewer with one "::" standing for one or more, the last
// two possibly a dotted IPv4 address; no zone), "]"; -1 when it is none.
func ipLiteralEnd(h string) int {
	end := strings.IndexByte(h, ']')
	if end < 2 || strings.IndexByte(h[1:end], '%') >= 0 {
		return -1
	}
	if a, err := netip.ParseAddr(h[1:end]); err != nil || !a.Is6() {
		return -1
	}
	return end + 1
}

// ipFutureEnd is the length of the IP-literal h starts with when it holds
// RFC 3986's IPvFuture ("[v" hex digits "." then unreserved characters,
// sub-delims and ':' "]"), -1 when it is none.
func ipFutureEnd(h string) int {
	if len(h) < 2 || h[0] != '[' || h[1]|0x20 != 'v' {
		return -1
	}
	i := 2
	for i < len(h) && isHex(h[i]) {
		i++
	}
	if i == 2 || i >= len(h) || h[i] != '.' {
		return -1
	}
	start := i + 1
	for i = start; i < len(h) && h[i] != ']'; i++ {
		if c := h[i]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~!$&'()*+,;=:", c) >= 0) {
			return -1
		}
	}
	if i == start || i == len(h) {
		return -1
	}
	return i + 1
}

// unbracketFuture is the absolute-form target t as apache2 reads one
// whose host is an IPvFuture without ':' in it, "http://[v1.x]:81/":
// apr_uri_parse drops the brackets and fix_hostname checks and keeps
// "v1.x" as a name ("http://v1.x:81/"); ok is false for any other target
// (with a ':', fix_hostname takes the host for an IPv6 address and
// refuses it).
func unbracketFuture(t string) (_ string, ok bool) {
	scheme, auth, rest, ok := splitAuthority([]byte(t))
	if !ok {
		return "", false
	}
	end := ipFutureEnd(string(auth))
	if end < 0 || bytes.IndexByte(auth[1:end-1], ':') >= 0 || end < len(auth) && auth[end] != ':' {
		return "", false
	}
	return string(scheme) + "://" + string(auth[1:end-1]) + string(auth[end:]) + string(rest), true
}

// aprHostname is the host apr_uri_parse takes from a, an absolute-form
// target's authority without user information: an IP-literal's inside of
// its brackets when a port follows them, else a without its first and last
// characters ("[::1]x" is "::1]"); a name up to its ':'.
func aprHostname(a string) string {
	if strings.HasPrefix(a, "[") {
		if i := portColon(a); i > 1 {
			return a[1 : i-1]
		}
		if len(a) < 2 {
			return ""
		}
		return a[1 : len(a)-1]
	}
	if i := strings.IndexByte(a, ':'); i >= 0 {
		return a[:i]
	}
	return a
}

// parseTarget parses a request target (not CONNECT's) as
// url.ParseRequestURI does and, where that refuses an absolute-form target
// apache2's apr_uri_parse takes, as unbracketFuture or aprURL reads it.
func parseTarget(target string) (*url.URL, error) {
	u, err := url.ParseRequestURI(target)
	if err != nil && target[0] != '/' {
		if t, ok := unbracketFuture(target); ok {
			// url.ParseRequestURI wants an IPv6 address in brackets.
			return url.ParseRequestURI(t)
		}
		if au, ok := aprURL(target); ok {
			return au, nil
		}
	}
	return u, err
}

// escapedPathURL is the target t when its path has a bad %-escape
// ("/a%zz", "http://a.test/a%zz"), as apache2 takes it: its path and query
// as sent (refusedURL's), an absolute-form target's scheme and host as
// parseTarget reads them; ok is false for any other target, and for one
// whose scheme or host parseTarget refuses.
func escapedPathURL(t string) (_ *url.URL, ok bool) {
	rest := t
	var scheme, auth []byte
	if t[0] != '/' {
		var r []byte
		if scheme, auth, r, ok = splitAuthority([]byte(t)); !ok || len(r) == 0 || r[0] != '/' {
			return nil, false
		}
		rest = string(r)
	}
	path, _, _ := strings.Cut(rest, "?")
	if _, err := url.PathUnescape(path); err == nil {
		return nil, false
	}
	if t[0] == '/' {
		return refusedURL(t), true
	}
	u, err := parseTarget(string(scheme) + "://" + string(auth) + "/")
	if err != nil {
		return nil, false
	}
	p := refusedURL(rest)
	u.Path, u.RawPath, u.RawQuery, u.ForceQuery = p.Path, p.RawPath, p.RawQuery, p.ForceQuery
	return u, true
}

// aprURL is the absolute-form target t, which url.ParseRequestURI refuses,
// parsed as apache2's apr_uri_parse takes it when only its host or port
// is to blame: a host in brackets that is no IPv6 address ("http://[::g]/",
// "http://[::1]x/"), a name net/url does not take ("http://a%zz/"), or a
// port that strtol reads but net/url does not, one with a sign
// ("http://a.test:-1/"). It is the URL, its Host the authority as sent,
// for validTargetHost to take or refuse as apache2's fix_hostname does
// once the fields are read (its Host field and path in the access log).
// ok is false for any other target, and for one whose port is no number
// (apr_uri_parse's failure: refused at its request line). One with user
// information is refused at its request line (AH02422), its host %V.
func aprURL(t string) (_ *url.URL, ok bool) {
	scheme, auth, rest, ok := splitAuthority([]byte(t))
	if !ok {
		return nil, false
	}
	// User information, up to the last '@', is net/url's to read.
	user := auth[:bytes.LastIndexByte(auth, '@')+1]
	auth = auth[len(user):]
	if len(auth) == 0 || auth[0] == '[' && bytes.IndexByte(auth, ']') < 0 {
		return nil, false
	}
	// apr_uri_parse's port: after an IP-literal's ']', else after the
	// first ':' ("a:b:80" is refused at the request line).
	if i := portColon(string(auth)); i >= 0 && i+1 < len(auth) {
		if _, ok := strtolPort(string(auth[i+1:])); !ok {
			return nil, false
		}
	}
	u, err := url.ParseRequestURI(string(scheme) + "://" + string(user) + "x" + string(rest))
	if err != nil {
		return nil, false
	}
	u.Host = string(auth)
	return u, true
}

// rfcHost reports whether h is a Host field value RFC 9110 §7.2 allows:
// RFC 3986's uri-host (a reg-name of unreserved characters, sub-delims and
// %-escapes, possibly empty, or an IP-literal: an IPv6 address or an
// IPvFuture in brackets) then an optional ':' and port of digits.
func rfcHost(h string) bool {
	i := 0
	if strings.HasPrefix(h, "[") {
		if i = max(ipLiteralEnd(h), ipFutureEnd(h)); i < 0 {
			return false
		}
	} else {
		for ; i < len(h) && h[i] != ':'; i++ {
			switch c := h[i]; {
			case c == '%':
				if i+2 >= len(h) || !isHex(h[i+1]) || !isHex(h[i+2]) {
					return false
				}
				i += 2
			case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~!$&'()*+,;=", c) >= 0:
			default:
				return false
			}
		}
	}
	if i == len(h) {
		return true
	}
	if h[i] != ':' {
		return false
	}
	for _, c := range []byte(h[i+1:]) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// strictHostname applies apache2's HttpProtocolOptions Strict checks
// (its default: fix_hostname's AH02416 and strict_hostname_check's
// AH02415, RFC 3986 §7.4, RFC 1123 §2.1) to h, a reg-name of validHost's
// characters without its trailing dot: digits and dots alone are an IPv4
// address of four numbers without leading zeros ("123", "1.2.3" and
// "01.2.3.4" are not), and the last label of a name with dots starts
// with a letter ("a.1b", "a.-b" do not).
func strictHostname(h string) bool {
	dotted := true
	for i := 0; i < len(h); i++ {
		if c := h[i]; c != '.' && (c < '0' || c > '9') {
			dotted = false
			break
		}
	}
	if dotted {
		dots := 0
		for i := 0; i < len(h); i++ {
			if h[i] == '.' {
				dots++
			}
			// A number with a leading zero, or an empty one first.
			if (i == 0 || h[i-1] == '.') && (h[i] == '.' || h[i] == '0' && i+1 < len(h) && h[i+1] != '.') {
				return false
			}
		}
		return dots == 3
	}
	if j := strings.LastIndexByte(h, '.'); j >= 0 && j+1 < len(h) {
		c := h[j+1] | 0x20
		return c >= 'a' && c <= 'z'
	}
	return true
}

// zeroPort reports whether h, a valid host (validHost), names port 0.
func zeroPort(h string) bool {
	i := strings.LastIndexByte(h, ':')
	return i >= 0 && i < len(h)-1 && strings.Trim(h[i+1:], "0") == ""
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func isTimeout(err error) bool {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
