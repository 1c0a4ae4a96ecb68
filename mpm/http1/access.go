package http1

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/httpd-mpm/httpd-mpm/mpm/env"
)

// Accessors for a Server.RequestDone hook (an access log): they describe the request
// just answered and are valid only until the next ServeRequest.

// RequestStart is the time of the current request, apache2's
// r->request_time: when its request line was read (or failed to be).
func (c *Conn) RequestStart() time.Time { return c.reqTime }

// lineRead takes the request's time once its request line is read: the
// time of its first byte, unless more of the line had to be read from the
// connection since (a line sent slowly or in pieces).
func (c *Conn) lineRead() {
	if c.in != c.startIn {
		c.reqTime = time.Now()
	}
	c.startIn = c.in - int64(c.br.Buffered())
}

// RequestTime is the time of r (apache2's r->request_time: Date, Expires,
// conditions, %-formats; RequestStart), or now for a request that did not
// come from this engine.
func RequestTime(r *http.Request) time.Time {
	if c := ConnFromRequest(r); c != nil {
		if t := c.RequestStart(); !t.IsZero() {
			return t
		}
	}
	return time.Now()
}

// RequestLine is the request line as received, without CRLF (apache2's the_request,
// which %r logs); empty when none was read. The bytes are the Conn's: do not keep them.
func (c *Conn) RequestLine() []byte {
	return c.parser.head[c.parser.line.start:c.parser.line.end]
}

// LineUnparsed reports whether the current request was refused as its
// request line was read, before apache2 would parse it (one over
// LimitRequestLine, one ended by a bare LF): apache2's r->method and r->uri
// are then NULL, which its access log shows as "-" (%m, %U).
func (c *Conn) LineUnparsed() bool { return c.lineUnparsed }

// RefusedHostname is the host of r's absolute-form target when r, the
// current request, was refused for it once its fields were read (a host
// apache2's fix_hostname refuses: "http://[::g]/", "http://a..b/"), or
// for a fragment in it at its request line ("http://a.test/#f"): as
// apache2's r->hostname keeps it, what apr_uri_parse took from the
// target, as sent, which its %V logs; "" for any other request.
func (c *Conn) RefusedHostname(r *http.Request) string {
	if !c.hostRefused || r == nil || r.URL == nil {
		return ""
	}
	return aprHostname(r.URL.Host)
}

// RequestFieldNames are the names of r's header fields in the order their first lines
// came, each once, spelled as in its Header: apache2's r->headers_in order, in which a
// repeated field is one entry at its first place; a field removed since (RemovedField)
// is left out. Nil for a request that did not come from this engine; valid while r is
// being answered.
func RequestFieldNames(r *http.Request) []string {
	names, _ := requestFieldNames(r, false)
	return names
}

// SentFieldNames are RequestFieldNames and, at the same index, each name
// as the client spelled its first line ("x-my-header" for X-My-Header),
// which apache2 keeps (mod_proxy forwards the fields so).
func SentFieldNames(r *http.Request) (names, sent []string) {
	return requestFieldNames(r, true)
}

// requestFieldNames is RequestFieldNames, and SentFieldNames' spellings if
// withSent. A name is compared with the earlier ones as the parser does (a
// map above 32 fields); the names are substrings of the head's string, the
// one readRequest made for the Header (parser.str): two slices, no copy.
func requestFieldNames(r *http.Request, withSent bool) (names, sent []string) {
	c := ConnFromRequest(r)
	if c == nil || c.bufs == nil {
		return nil, nil
	}
	p := &c.parser
	s := p.headString()
	names = make([]string, 0, len(p.fields))
	if withSent {
		sent = make([]string, 0, len(p.fields))
	}
	var seen map[string]struct{}
	if len(p.fields) > 32 {
		seen = make(map[string]struct{}, len(p.fields))
	}
	for fi, f := range p.fields {
		if f.fold || f.gone {
			continue
		}
		k := f.name.of(s)
		if seen != nil {
			if _, dup := seen[k]; dup {
				continue
			}
			seen[k] = struct{}{}
		} else if slices.ContainsFunc(p.fields[:fi], func(g field) bool {
			return !g.fold && !g.gone && g.name.end-g.name.start == f.name.end-f.name.start && g.name.of(s) == k
		}) {
			continue
		}
		names = append(names, k)
		if withSent {
			if f.sent != 0 {
				k = s[f.sent : f.sent+f.name.end-f.name.start]
			}
			sent = append(sent, k)
		}
	}
	return names, sent
}

// RemovedField records that r's field name (in any spelling) was removed
// after the request was read (RequestHeader unset or edit, mod_remoteip):
// RequestFieldNames leaves it out from then on, so that a field added again
// under the name comes after the client's, no longer in the client's
// spelling, as an apache2 table appends it. It does nothing for a request that did not come
// from this engine.
func RemovedField(r *http.Request, name string) {
	c := ConnFromRequest(r)
	if c == nil || c.bufs == nil {
		return
	}
	p := &c.parser
	k := http.CanonicalHeaderKey(name)
	for i := range p.fields {
		if f := &p.fields[i]; !f.fold && string(p.head[f.name.start:f.name.end]) == k {
			f.gone = true
		}
	}
}

// RemovedFields are the names (canonical, each once) of r's fields the
// client sent that were removed since (RemovedField), nil for none or for a
// request that did not come from this engine: what SetRemovedFields gives
// back to a request whose fields are restored (apache2's main request
// keeps its own r->headers_in when a subrequest's copy changed). Valid
// while r is being answered.
func RemovedFields(r *http.Request) []string {
	c := ConnFromRequest(r)
	if c == nil || c.bufs == nil {
		return nil
	}
	p := &c.parser
	var names []string
	for _, f := range p.fields {
		if !f.gone || f.fold {
			continue
		}
		if names == nil {
			names = make([]string, 0, 2)
		}
		if k := f.name.of(p.headString()); !slices.Contains(names, k) {
			names = append(names, k)
		}
	}
	return names
}

// SetRemovedFields makes the client's fields named in names (RemovedFields)
// r's removed ones, and only those: the others are the client's again, in
// their place and spelling. It does nothing for a request that did not
// come from this engine.
func SetRemovedFields(r *http.Request, names []string) {
	c := ConnFromRequest(r)
	if c == nil || c.bufs == nil {
		return
	}
	p := &c.parser
	for i := range p.fields {
		if f := &p.fields[i]; !f.fold {
			f.gone = len(names) > 0 && slices.Contains(names, string(p.head[f.name.start:f.name.end]))
		}
	}
}

// RequestLines are the names of the lines added to r's fields after the
// request was read (RequestHeader's set, add, append...), spelled as added,
// in their order: each one of the last values of its name in r's Header, as
// an apache2 table appends an entry (SetRequestLines). Nil for none, or for
// a request that did not come from this engine.
func RequestLines(r *http.Request) []string {
	if c := ConnFromRequest(r); c != nil && c.reqLines != nil {
		return *c.reqLines
	}
	return nil
}

// SetRequestLines records RequestLines for r, until the next request. It
// does nothing for a request that did not come from this engine.
func SetRequestLines(r *http.Request, lines []string) {
	if c := ConnFromRequest(r); c != nil {
		if c.reqLines == nil {
			if lines == nil {
				return
			}
			c.reqLines = new([]string)
		}
		*c.reqLines = lines
	}
}

// SentName is the client's spelling of r's field k (canonical) when the
// client sent it and it was not removed since (RemovedField); ok is false
// otherwise, and for a request that did not come from this engine.
func SentName(r *http.Request, k string) (name string, ok bool) {
	c := ConnFromRequest(r)
	if c == nil || c.bufs == nil {
		return "", false
	}
	p := &c.parser
	s := p.headString()
	for _, f := range p.fields {
		if f.fold || f.gone || int(f.name.end-f.name.start) != len(k) || f.name.of(s) != k {
			continue
		}
		if f.sent != 0 {
			return s[f.sent : int(f.sent)+len(k)], true
		}
		return k, true
	}
	return "", false
}

// MergeSent joins into one the values of h's field k (canonical) that the
// client sent on several lines, the values of the lines added since
// (RequestLines) left after it: apache2 merges a repeated field into one
// r->headers_in entry as it reads the request, which RequestHeader's
// append, merge and edit and mod_proxy's apr_table_mergen then change as
// one. h is r's fields, or a copy, and lines its added lines
// (RequestLines, or those of the changes under way).
func MergeSent(r *http.Request, h http.Header, k string, lines []string) {
	vs := h[k]
	if len(vs) < 2 {
		return
	}
	if _, ok := SentName(r, k); !ok {
		return
	}
	if n := len(vs) - countLines(lines, k); n > 1 {
		h[k] = append([]string{strings.Join(vs[:n], ", ")}, vs[n:]...)
	}
}

// FirstValue is apr_table_get on apache2's r->headers_in for r's fields h
// (r's, or a copy): the value of the field k's (canonical) first entry,
// the client's lines joined by ", " unless RequestHeader's lines
// (RequestLines) are all it has; ok is false when h has none.
func FirstValue(r *http.Request, h http.Header, k string) (v string, ok bool) {
	vs := h[k]
	if len(vs) == 0 {
		return "", false
	}
	n := len(vs) - countLines(RequestLines(r), k)
	if n <= 1 {
		return vs[0], true
	}
	return strings.Join(vs[:n], ", "), true
}

// SetFirst is apr_table_setn on apache2's r->headers_in for r's fields h
// (r's, or a copy): the field k (canonical) gets v at its first entry's
// place, its other entries go, the lines RequestHeader added for them too
// (RequestLines).
func SetFirst(r *http.Request, h http.Header, k, v string) {
	lines := RequestLines(r)
	if n := countLines(lines, k); n > 0 {
		keep := n == len(h[k]) // only lines: the first stays
		out := make([]string, 0, len(lines))
		for _, l := range lines {
			if strings.EqualFold(l, k) {
				if !keep {
					continue
				}
				keep = false
			}
			out = append(out, l)
		}
		SetRequestLines(r, out)
	}
	h[k] = []string{v}
}

// countLines is how many of lines name k, in any spelling.
func countLines(lines []string, k string) int {
	n := 0
	for _, l := range lines {
		if strings.EqualFold(l, k) {
			n++
		}
	}
	return n
}

// RequestFields calls fn with each entry apache2's r->headers_in holds for
// the request fields h (r's, or a copy the caller changed), in its order:
// the fields the client sent, in its order and spelling, a repeated one's
// values joined with ", " (apache2 merges them as it reads the request),
// but for the values of lines added since; then those lines (RequestLines),
// each with its value, spelled as added; then h's other fields, in name
// order, a repeated one's values joined. The names in held (canonical,
// fields neither the client sent nor a line added) are left out of the
// last, for the caller to pass after.
func RequestFields(r *http.Request, h http.Header, held []string, fn func(name, value string)) {
	names, sent := SentFieldNames(r)
	lines := RequestLines(r)
	for i, k := range names {
		vs := h[k]
		if n := len(vs) - countLines(lines, k); n > 0 {
			if n == 1 {
				fn(sent[i], vs[0])
			} else {
				fn(sent[i], strings.Join(vs[:n], ", "))
			}
		}
	}
	for i, l := range lines {
		vs := h[http.CanonicalHeaderKey(l)]
		if j := len(vs) - countLines(lines, l) + countLines(lines[:i], l); j >= 0 && j < len(vs) {
			fn(l, vs[j])
		}
	}
	var rest []string
	for k := range h {
		if !slices.Contains(names, k) && !slices.Contains(held, k) && !slices.ContainsFunc(lines, func(l string) bool { return strings.EqualFold(l, k) }) {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	for _, k := range rest {
		if vs := h[k]; len(vs) == 1 {
			fn(k, vs[0])
		} else if len(vs) > 1 {
			fn(k, strings.Join(vs, ", "))
		}
	}
}

// ResponseHeader is the header of the response just written, as the handler (or the
// engine, for its own answers) set it, without the fields the engine adds itself.
func (c *Conn) ResponseHeader() http.Header { return c.hdr }

// BytesIn is how many bytes of the connection the current request took: its
// request line, header and the body read or discarded (apache2's mod_logio %I).
func (c *Conn) BytesIn() int64 { return c.in - int64(c.br.Buffered()) - c.inMark }

// BytesOut is how many bytes of the response just written left for the client, its
// header included (apache2's mod_logio %O). The end of a response left to the MPM
// (Unsent) counts as sent.
func (c *Conn) BytesOut() int64 { return c.out + int64(c.bw.Buffered()) - c.outMark }

// KeepingAlive reports whether the connection stays open after the response just
// written (apache2's %X: "+" if so).
func (c *Conn) KeepingAlive() bool { return c.keepNext }

// User is the user name SetUser gave the current request (apache2's r->user,
// which %u logs); ok is false when it has none.
func (c *Conn) User() (name string, ok bool) { return c.user, c.userSet }

// SetUser records the user name r's credentials name, authenticated or not
// (apache2's r->user), for the access log. It does nothing for a request that
// did not come from this engine.
func SetUser(r *http.Request, name string) {
	if c := ConnFromRequest(r); c != nil {
		c.user, c.userSet = name, true
	}
}

// RestoreUser gives the current request back the user name and AuthType it
// had before a subrequest's checks changed them: name and ok as User
// returned them, typ as AuthType did. apache2's main request keeps its own
// (r->user, r->ap_auth_type) when a subrequest's file becomes its answer
// (ap_internal_fast_redirect).
func (c *Conn) RestoreUser(name string, ok bool, typ string) {
	c.user, c.userSet, c.authType = name, ok, typ
}

// AuthType is the authentication type SetAuthType gave the current request
// (apache2's r->ap_auth_type), "" for none.
func (c *Conn) AuthType() string { return c.authType }

// SetAuthType records the AuthType (as configured) that r's credentials are
// checked under, credentials sent or not (apache2's r->ap_auth_type).
func SetAuthType(r *http.Request, typ string) {
	if c := ConnFromRequest(r); c != nil {
		c.authType = typ
	}
}

// Filename is the file name and path info SetFilename gave the current
// request (apache2's r->filename and r->path_info).
func (c *Conn) Filename() (name, pathInfo string) { return c.filename, c.pathInfo }

// SetFilename records the file r maps to, where the directory walk stopped,
// and the path after it (apache2's r->filename and r->path_info).
func SetFilename(r *http.Request, name, pathInfo string) {
	if c := ConnFromRequest(r); c != nil {
		c.filename, c.pathInfo = name, pathInfo
	}
}

// SetLogConfig records what the sections that apply to r say of the levels
// of its error lines (apache2's r->log, which a LogLevel in <Directory> or
// <Location> sets), for the LogFunc that writes them: the engine keeps it
// until the next request and never reads it. It does nothing for a request
// that did not come from this engine.
func SetLogConfig(r *http.Request, conf any) {
	if c := ConnFromRequest(r); c != nil {
		c.logConf = conf
	}
}

// LogConfig is what SetLogConfig recorded for r, nil if nothing.
func LogConfig(r *http.Request) any {
	if c := ConnFromRequest(r); c != nil {
		return c.logConf
	}
	return nil
}

// SetErrorNotes records html as r's error notes (apache2's r->notes
// "error-notes", which a module's message logged for the client sets):
// the 403 page shows them, as do the pages WriteError shows its detail on
// when that is empty, and a local ErrorDocument sees them as
// REDIRECT_ERROR_NOTES. The first notes of a request stay. It does nothing
// for a request that did not come from this engine.
// The notes are also the note "error-notes" (Note, the access log's
// %{error-notes}n).
func SetErrorNotes(r *http.Request, html string) {
	if c := ConnFromRequest(r); c != nil {
		if v, _ := c.notes.vars().Get(errorNotesName); v == "" {
			c.setNote(errorNotesName, html)
		}
	}
}

// errorNotesName is the note of SetErrorNotes.
const errorNotesName = "error-notes"

// ErrorNotes are the notes SetErrorNotes gave the current request of r,
// "" for none.
func ErrorNotes(r *http.Request) string {
	v, _ := Note(r, errorNotesName)
	return v
}

// notes are a request's notes and, once an internal redirect reset them,
// the original request's (apache2's r->notes of the first request of the
// chain, which the access log's %<{NAME}n reads).
type notes struct {
	cur, orig  env.Vars
	redirected bool
	origStatus int           // the first request's status at its redirect (OrigStatus)
	origEnv    env.Vars      // the first request's environment at its redirect (OrigEnv)
	last       *http.Request // the last request of the chain (LastRequest)
	origMethod string        // SetMethod's for the first request (OrigMethod)
	origBytes  int64         // the first request's body bytes (OrigBodyBytes)
}

// vars are the current notes, nil for none.
func (n *notes) vars() *env.Vars {
	if n == nil {
		return nil
	}
	return &n.cur
}

// setNote sets c's note name, the notes made at the first (kept for the
// connection's next requests: a Conn has no room for them in its size class).
func (c *Conn) setNote(name, value string) {
	if c.notes == nil {
		c.notes = &notes{}
	}
	c.notes.cur.Set(name, value)
}

// resetNotes empties c's notes, the original request's too.
func (c *Conn) resetNotes() {
	if c.notes != nil {
		c.notes.cur.Reset()
		c.notes.orig.Reset()
		c.notes.redirected = false
		c.notes.origStatus = 0
		c.notes.origEnv.Reset()
		c.notes.last, c.notes.origMethod, c.notes.origBytes = nil, "", 0
	}
}

// Notes are the current request's notes, apache2's r->notes: what a module
// leaves for the access log (%{NAME}n) and ap_expr's note(), a table of
// names compared without regard to case as the environment's; nil for none.
// Valid until the next request.
func (c *Conn) Notes() *env.Vars { return c.notes.vars() }

// OrigNotes are the notes of the request the current one was internally
// redirected from, the first of the chain (the access log's %<{NAME}n);
// Notes when it was not redirected.
func (c *Conn) OrigNotes() *env.Vars {
	if c.notes != nil && c.notes.redirected {
		return &c.notes.orig
	}
	return c.Notes()
}

// SetNote sets r's note name to value (apache2's apr_table_setn on
// r->notes), for the access log's %{name}n and ap_expr's note(). It does
// nothing for a request that did not come from this engine.
func SetNote(r *http.Request, name, value string) {
	if c := ConnFromRequest(r); c != nil {
		c.setNote(name, value)
	}
}

// InternalRedirect records that r is redirected internally with status,
// the status it has so far, as apache2's internal_internal_redirect starts
// a new request: its notes are empty (the access log's %{NAME}n shows the
// last request's, %<{NAME}n those of the first: OrigNotes), and the first
// request of the chain keeps the status it had (the access log's %s:
// OrigStatus) and its environment variables (OrigEnv), which the caller may
// then rename for the new request. next is the new request, the last one
// unless it is redirected again, whose method, URL-path and query the
// access log's %m, %>U and %q show (LastRequest), as they are when it is
// logged. It does nothing for a request that did not come from this
// engine.
func InternalRedirect(r *http.Request, status int, next *http.Request) {
	c := ConnFromRequest(r)
	if c == nil {
		return
	}
	if c.notes == nil {
		c.notes = &notes{} // so that the original's stay none
	}
	n := c.notes
	n.last = next
	if n.redirected {
		n.cur.Reset()
		return
	}
	n.cur, n.orig = n.orig, n.cur // orig was empty
	n.redirected = true
	n.origStatus = status
	n.origEnv.CopyFrom(&c.env)
}

// SetMethod records that r's method is now method before its internal
// redirect, as mod_cgi makes a request a GET before its redirect to a
// script's local Location: when r is the first request, the access log's
// %<m shows it (OrigMethod). It does nothing for a request that did not
// come from this engine.
func SetMethod(r *http.Request, method string) {
	c := ConnFromRequest(r)
	if c == nil {
		return
	}
	if c.notes == nil {
		c.notes = &notes{}
	}
	if !c.notes.redirected {
		c.notes.origMethod = method
	}
}

// OrigMethod is the first request's method when SetMethod changed it,
// else "" (the access log's %<m).
func (c *Conn) OrigMethod() string {
	if c.notes == nil {
		return ""
	}
	return c.notes.origMethod
}

// LastRequest is the last request of the current one's chain of internal
// redirects (InternalRedirect), whose method, URL-path and query are the
// access log's %m, %>U and %q (a Server.RequestDone hook's); nil when it
// was not redirected, and once RequestDone returned.
func (c *Conn) LastRequest() *http.Request {
	if c.notes == nil {
		return nil
	}
	return c.notes.last
}

// OrigEnv are the environment variables the first request of the current
// one's chain of internal redirects had when it was redirected: what
// apache2's CustomLog env= and expr= conditions test (they see the
// original request). Env when the current request was not redirected.
func (c *Conn) OrigEnv() *env.Vars {
	if c.notes != nil && c.notes.redirected {
		return &c.notes.origEnv
	}
	return c.Env()
}

// OrigBodyBytes are the body bytes the first request of the current one's
// chain of internal redirects sent (the access log's %<b, a
// Server.RequestDone hook's): none, but the page of an error whose
// ErrorDocument failed, which the first request sends itself (apache2's
// recursive error, which logs the last one's as none); ok is false when
// the current request was not redirected (the bytes RequestDone has).
func (c *Conn) OrigBodyBytes() (n int64, ok bool) {
	if c.notes != nil && c.notes.redirected {
		return c.notes.origBytes, true
	}
	return 0, false
}

// OrigStatus is the status the first request of the current one's chain
// of internal redirects had when it was redirected (InternalRedirect): what
// apache2's access log shows as %s, the original request's, where %>s is
// the last one's. 0 when the current request was not redirected.
func (c *Conn) OrigStatus() int {
	if c.notes != nil && c.notes.redirected {
		return c.notes.origStatus
	}
	return 0
}

// Note is r's note name (SetNote's, SetErrorNotes's "error-notes") and
// whether it is set.
func Note(r *http.Request, name string) (string, bool) {
	if c := ConnFromRequest(r); c != nil {
		return c.notes.vars().Get(name)
	}
	return "", false
}

// RemoteAddr is the client's address, "ip:port": the connection's peer,
// whatever mod_remoteip made of a request's r.RemoteAddr.
func (c *Conn) RemoteAddr() string { return c.remoteAddr }

// PeerAddr is the address of the peer r came from, "ip:port" (apache2's
// c->client_addr): its connection's, else (no Conn) r.RemoteAddr.
func PeerAddr(r *http.Request) string {
	if c := ConnFromRequest(r); c != nil {
		return c.remoteAddr
	}
	return r.RemoteAddr
}
