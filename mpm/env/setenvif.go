package env

import (
	"errors"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/httpd-mpm/httpd-mpm/mpm/apregex"
)

// Conditions are mod_setenvif's SetEnvIf, SetEnvIfNoCase, BrowserMatch and
// BrowserMatchNoCase lines of one level, or of a merged configuration, in
// order.
type Conditions struct {
	list []*cond
}

type attribute int

const (
	attrHeader attribute = iota // a request field, else a variable set before
	attrRemoteAddr
	attrRemoteHost
	attrRequestURI
	attrRequestMethod
	attrRequestProtocol
	attrServerAddr
)

// cond is one sei_entry: an attribute, a pattern, the variables to set.
type cond struct {
	name     string         // the attribute as written
	key      string         // a field's canonical name
	attr     attribute      //
	nameRe   *regexp.Regexp // the attribute is a regular expression over field names
	regex    string         // the pattern as written
	icase    bool
	re       *regexp.Regexp
	literal  bool     // the pattern has no regular-expression syntax: no $1..$9
	features []string // name, value pairs; value "!..." unsets
	expr     Expr     // SetEnvIfExpr's condition, instead of the attribute
}

// Expr is SetEnvIfExpr's condition (package apexpr's, which this package
// cannot import).
type Expr interface {
	Holds(v *Vars, q *Request) bool
}

// AddExpr reads one SetEnvIfExpr line whose expression is x: args are the
// variables to set ([!]name[=value]), taken literally.
func (c *Conditions) AddExpr(x Expr, args []string) error {
	if len(args) == 0 || args[0] == "" {
		return errors.New("Missing envariable expression for SetEnvIfExpr")
	}
	e := &cond{expr: x, literal: true}
	e.addFeatures(args)
	c.list = append(c.list, e)
	return nil
}

// addFeatures adds the variables of a line: name=value, name (1) or !name.
func (e *cond) addFeatures(args []string) {
	for _, f := range args {
		if f == "" {
			break
		}
		n, v, _ := strings.Cut(f, "=")
		switch {
		case v != "":
		case strings.HasPrefix(n, "!"):
			n, v = n[1:], "!"
		default:
			v = "1"
		}
		e.features = setPair(e.features, n, v)
	}
}

// Empty reports whether c has no line.
func (c *Conditions) Empty() bool { return len(c.list) == 0 }

// Merge is c's lines followed by over's (merge_setenvif_config).
func (c Conditions) Merge(over *Conditions) Conditions {
	if len(over.list) == 0 {
		return c
	}
	if len(c.list) == 0 {
		return *over
	}
	return Conditions{list: append(append(make([]*cond, 0, len(c.list)+len(over.list)), c.list...), over.list...)}
}

// headerName is what mod_setenvif takes for a field name; anything else
// in the attribute is a regular expression over the names. Compiled at its
// first use, not at every start.
var headerName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[-A-Za-z0-9_]*$`) })

// Add reads one SetEnvIf, SetEnvIfNoCase, BrowserMatch or
// BrowserMatchNoCase line as mod_setenvif's add_setenvif_core does, with its
// messages. A line with the attribute, pattern and case of the line before
// adds its variables to that line's.
func (c *Conditions) Add(directive string, args []string) error {
	lower := strings.ToLower(directive)
	icase := strings.HasSuffix(lower, "nocase")
	var name string
	if strings.HasPrefix(lower, "browsermatch") {
		name = "User-Agent"
	} else {
		if len(args) == 0 || args[0] == "" {
			return errors.New("Missing header-field name for " + directive)
		}
		name, args = args[0], args[1:]
	}
	if len(args) == 0 || args[0] == "" {
		return errors.New("Missing regular expression for " + directive)
	}
	regex, args := args[0], args[1:]
	var e *cond
	if n := len(c.list); n > 0 {
		last := c.list[n-1]
		if last.expr == nil && strings.EqualFold(last.name, name) && last.icase == icase && last.regex == regex {
			e = last
		}
	}
	if e == nil {
		var err error
		if e, err = newCond(directive, name, regex, icase); err != nil {
			return err
		}
	}
	if len(args) == 0 {
		return errors.New("Missing envariable expression for " + directive)
	}
	e.addFeatures(args)
	if len(c.list) == 0 || c.list[len(c.list)-1] != e {
		c.list = append(c.list, e)
	}
	return nil
}

func newCond(directive, name, regex string, icase bool) (*cond, error) {
	e := &cond{name: name, regex: regex, icase: icase}
	flags := ""
	if icase {
		flags = "(?i)"
	}
	if lit, ok := literalPattern(regex); ok {
		e.literal = true
		e.re = regexp.MustCompile(flags + regexp.QuoteMeta(lit))
	} else {
		re, err := apregex.Compile(regex, icase)
		if err != nil {
			return nil, errors.New(directive + " regex could not be compiled.")
		}
		e.re = re
	}
	if a, ok := attributes[strings.ToLower(name)]; ok {
		e.attr = a
		return e, nil
	}
	if headerName().MatchString(name) {
		e.key = http.CanonicalHeaderKey(name)
		return e, nil
	}
	re, err := apregex.Compile(name, icase)
	if err != nil {
		return nil, errors.New(directive + "Header name regex could not be compiled.")
	}
	e.nameRe = re
	return e, nil
}

// attributes are the special attributes' names, lowercased.
var attributes = map[string]attribute{
	"remote_addr": attrRemoteAddr, "remote_host": attrRemoteHost, "request_uri": attrRequestURI,
	"request_method": attrRequestMethod, "request_protocol": attrRequestProtocol, "server_addr": attrServerAddr,
}

// literalPattern is mod_setenvif's non_regex_pattern: a pattern without
// regular-expression syntax (backslash escapes aside) is matched as a
// substring, and its value is then taken literally.
func literalPattern(s string) (string, bool) {
	escaped, in := false, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '^', '.', '$', '|', '(', ')', '[', ']', '*', '+', '?', '{', '}':
			if !in {
				return "", false
			}
			in = false
		case '\\':
			if !in {
				in, escaped = true, true
			} else {
				in = false
			}
		default:
			if in {
				return "", false
			}
		}
	}
	if !escaped {
		return s, true
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			i++
			if i == len(s) {
				break
			}
		}
		b.WriteByte(s[i])
	}
	return b.String(), true
}

// Request is what the attributes of a request are.
type Request struct {
	R *http.Request
	// URI is Request_URI: the path as received in the post-read-request
	// phase, the decoded one afterwards.
	URI string
	// RemoteIP and LocalIP are Remote_Addr (and Remote_Host: no lookups
	// here) and Server_Addr.
	RemoteIP, LocalIP string
	// Fields, if set, are R's field names in the order received, each once,
	// and at the same index each as the client spelled it
	// (http1.SentFieldNames), which a header name regex matches as
	// apache2's; nil names: not known.
	Fields func(*http.Request) (names, sent []string)
}

// Apply is mod_setenvif's match_headers: each line in order, its variables
// set (or unset) in v when its attribute matches; a missing attribute
// matches as "".
func (c *Conditions) Apply(v *Vars, q *Request) {
	var m []int
	for _, e := range c.list {
		var val string
		if e.expr != nil {
			if !e.expr.Holds(v, q) {
				continue
			}
		} else {
			val = e.value(v, q)
			if m = e.re.FindStringSubmatchIndex(val); m == nil {
				continue
			}
		}
		for i := 0; i < len(e.features); i += 2 {
			n, x := e.features[i], e.features[i+1]
			switch {
			case strings.HasPrefix(x, "!"):
				v.Unset(n)
			case e.literal || strings.IndexAny(x, `$\`) < 0:
				v.Set(n, x)
			default:
				v.Set(n, string(AppendSubst(nil, x, val, m)))
			}
		}
	}
}

// value is the attribute's value for the request.
func (e *cond) value(v *Vars, q *Request) string {
	r := q.R
	switch e.attr {
	case attrRemoteAddr, attrRemoteHost:
		return q.RemoteIP
	case attrServerAddr:
		return q.LocalIP
	case attrRequestURI:
		return q.URI
	case attrRequestMethod:
		return r.Method
	case attrRequestProtocol:
		return r.Proto
	}
	if e.nameRe != nil {
		if q.Fields != nil {
			if names, sent := q.Fields(r); names != nil {
				// apache2 takes the last field in r->headers_in whose name,
				// as the client spelled it, matches; the fields added since
				// (mod_remoteip's RemoteIPProxiesHeader, RequestHeader's)
				// come after the client's, here in name order.
				val := ""
				for i, k := range names {
					if vs := r.Header[k]; len(vs) > 0 && e.nameRe.MatchString(sent[i]) {
						val = strings.Join(vs, ", ")
					}
				}
				if k := e.lastName(r.Header, names); k != "" {
					val = strings.Join(r.Header[k], ", ")
				}
				return val
			}
		}
		// Without the order received: the greatest matching name.
		if k := e.lastName(r.Header, nil); k != "" {
			return r.Header[k][0]
		}
		return ""
	}
	if vs := r.Header[e.key]; len(vs) > 0 {
		return vs[0]
	}
	x, _ := v.Get(e.name)
	return x
}

// lastName is the greatest name of h that the name regex matches, but
// those in skip (and those without values), "" for none.
func (e *cond) lastName(h http.Header, skip []string) string {
	best := ""
	for k, vs := range h {
		if k > best && len(vs) > 0 && e.nameRe.MatchString(k) && !slices.Contains(skip, k) {
			best = k
		}
	}
	return best
}

// AppendSubst is apache2's ap_pregsub: repl appended to b with "$0".."$9"
// replaced by the groups m of a match in src; a backslash takes the next
// byte literally.
func AppendSubst(b []byte, repl, src string, m []int) []byte {
	for i := 0; i < len(repl); i++ {
		c := repl[i]
		if c == '$' && i+1 < len(repl) && repl[i+1] >= '0' && repl[i+1] <= '9' {
			n := int(repl[i+1] - '0')
			i++
			if 2*n+1 < len(m) && m[2*n] >= 0 {
				b = append(b, src[m[2*n]:m[2*n+1]]...)
			}
			continue
		}
		if c == '\\' && i+1 < len(repl) {
			i++
			c = repl[i]
		}
		b = append(b, c)
	}
	return b
}
