// Package headers is apache2's mod_headers: the Header and RequestHeader
// directives, parsed with apache2's messages, and their actions applied to a
// response's or a request's header fields.
//
// Header actions are either "onsuccess" (apache2's r->headers_out: the
// handler's own responses only) or "always" (r->err_headers_out: every
// response, error pages included, but they never see the fields the handler
// set). RequestHeader actions change the request's fields at apache2's
// fixups, before the handler runs. Lists merge by appending: the outer
// level's actions run first.
//
// Supported: the actions set, setifempty, add, append, merge, unset, echo,
// edit and edit*; the conditions onsuccess and always; an "env=[!]var"
// clause (package env's variables of the request) or an "expr=" one
// (package apexpr); values that are an "expr=" string expression, or with
// the format specifiers %%, %t, %D, %{VAR}e (the variable, "(null)" when
// unset) and %{VAR}s (mod_ssl's SSL_* variable, "(null)" when empty or not
// over TLS) and the escapes \n, \r, \t, \\.
// Refused with a message: "early", the note action and the %l, %i and %b
// specifiers (load and scoreboard figures).
package headers

import (
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/httpd-mpm/httpd-mpm/mpm/apexpr"
	"github.com/httpd-mpm/httpd-mpm/mpm/apregex"
	"github.com/httpd-mpm/httpd-mpm/mpm/env"
	"github.com/httpd-mpm/httpd-mpm/mpm/sslvars"
)

// Kind says which list an action belongs to.
type Kind int

const (
	Request   Kind = iota // RequestHeader
	OnSuccess             // Header [onsuccess]
	Always                // Header always
)

type op int

const (
	opSet op = iota
	opSetIfEmpty
	opAdd
	opAppend
	opMerge
	opUnset
	opEcho
	opEdit
	opEditAll
)

// Action is one Header or RequestHeader line.
type Action struct {
	op     op
	name   string // field name (canonical for RequestHeader)
	line   string // the name as the line spells it, which an added line keeps
	value  format // the value, or edit's replacement
	re     *regexp.Regexp
	envVar string       // env= clause: the variable, "" for none
	envNot bool         // env=!var
	expr   *apexpr.Expr // expr= clause
	exprV  *apexpr.Expr // an expr= value (a string expression) in place of value
}

// Config is the actions of one level (or of a merged configuration), in order.
type Config struct {
	In, Out, Err []*Action
}

// Empty reports whether c has no action at all.
func (c *Config) Empty() bool { return len(c.In) == 0 && len(c.Out) == 0 && len(c.Err) == 0 }

// Merge is c's actions followed by over's (apache2's merge_headers_config).
func (c Config) Merge(over *Config) Config {
	return Config{In: join(c.In, over.In), Out: join(c.Out, over.Out), Err: join(c.Err, over.Err)}
}

func join(a, b []*Action) []*Action {
	if len(b) == 0 {
		return a
	}
	if len(a) == 0 {
		return b
	}
	return append(append(make([]*Action, 0, len(a)+len(b)), a...), b...)
}

// Add parses one Header (request false) or RequestHeader (request true) line
// and appends its action to c. The errors are apache2's messages.
func (c *Config) Add(request bool, args []string) error {
	kind := OnSuccess
	if request {
		kind = Request
	}
	a, kind, err := Parse(kind, args)
	if err != nil {
		return err
	}
	switch kind {
	case Request:
		c.In = append(c.In, a)
	case Always:
		c.Err = append(c.Err, a)
	default:
		c.Out = append(c.Out, a)
	}
	return nil
}

// Parse reads the arguments of a Header (kind OnSuccess) or RequestHeader
// (kind Request) line as mod_headers' header_cmd does; kind comes back
// Always for "Header always".
func Parse(kind Kind, args []string) (*Action, Kind, error) {
	word := func() string {
		if len(args) == 0 {
			return ""
		}
		w := args[0]
		args = args[1:]
		return w
	}
	action := word()
	if kind != Request {
		switch strings.ToLower(action) {
		case "always":
			kind, action = Always, word()
		case "onsuccess":
			action = word()
		}
	}
	hdr := word()
	var value, subs, env *string
	for _, p := range []**string{&value, &subs, &env} {
		if len(args) > 0 {
			w := word()
			*p = &w
		}
	}
	if len(args) > 0 {
		name := "Header"
		if kind == Request {
			name = "RequestHeader"
		}
		return nil, kind, errors.New(name + " has too many arguments")
	}
	a := &Action{}
	switch strings.ToLower(action) {
	case "set":
		a.op = opSet
	case "setifempty":
		a.op = opSetIfEmpty
	case "add":
		a.op = opAdd
	case "append":
		a.op = opAppend
	case "merge":
		a.op = opMerge
	case "unset":
		a.op = opUnset
	case "echo":
		a.op = opEcho
	case "edit":
		a.op = opEdit
	case "edit*":
		a.op = opEditAll
	case "note":
		return nil, kind, errors.New("the note action of Header is not supported by this server")
	default:
		return nil, kind, errors.New("first argument must be 'add', 'set', 'setifempty', 'append', 'merge', 'unset', 'echo', 'note', 'edit', or 'edit*'.")
	}
	if a.op == opEdit || a.op == opEditAll {
		if subs == nil {
			return nil, kind, errors.New("Header edit requires a match and a substitution")
		}
		re, err := apregex.Compile(*value, false)
		if err != nil {
			return nil, kind, errors.New("Header edit regex could not be compiled")
		}
		a.re = re
		value = subs
	} else {
		if env != nil {
			return nil, kind, errors.New("Too many arguments to directive")
		}
		env = subs
	}
	switch {
	case a.op == opUnset:
		if value != nil {
			if env != nil {
				return nil, kind, errors.New("header unset takes two arguments")
			}
			env, value = value, nil
		}
	case a.op == opEcho:
		if value != nil {
			if env != nil {
				return nil, kind, errors.New("Header echo takes two arguments")
			}
			env, value = value, nil
		}
		if kind == Request {
			return nil, kind, errors.New("Header echo only valid on Header directives")
		}
		re, err := apregex.Compile(hdr, false)
		if err != nil {
			return nil, kind, errors.New("Header echo regex could not be compiled")
		}
		a.re = re
	case value == nil:
		return nil, kind, errors.New("Header requires three arguments")
	}
	if env != nil {
		e := *env
		switch {
		case strings.EqualFold(e, "early"):
			return nil, kind, errors.New("the early condition of Header and RequestHeader is not supported by this server")
		case len(e) >= 4 && strings.EqualFold(e[:4], "env="):
			v := e[4:]
			if v == "" || v == "!" {
				return nil, kind, errors.New("error: missing environment variable name. envclause should be in the form env=envar ")
			}
			a.envNot = v[0] == '!'
			a.envVar = strings.TrimPrefix(v, "!")
		case len(e) >= 5 && strings.EqualFold(e[:5], "expr="):
			x, err := apexpr.Parse(e[5:])
			if err != nil {
				return nil, kind, errors.New("Can't parse envclause/expression: " + err.Error())
			}
			a.expr = x
		default:
			return nil, kind, errors.New("Unknown parameter: " + e)
		}
	}
	if i := strings.IndexByte(hdr, ':'); i >= 0 {
		hdr = hdr[:i]
	}
	// A response field keeps the spelling written (apache2 sends it so); a
	// request field gets Go's canonical form, in which the engine keeps them.
	a.name, a.line = hdr, hdr
	if kind == Request {
		a.name = http.CanonicalHeaderKey(hdr)
	}
	if a.op != opUnset && a.op != opEcho {
		if v, ok := strings.CutPrefix(*value, "expr="); ok {
			x, err := apexpr.ParseString(v)
			if err != nil {
				return nil, kind, errors.New("Can't parse value expression : " + err.Error())
			}
			a.exprV = x
			return a, kind, nil
		}
		f, err := parseFormat(*value)
		if err != nil {
			return nil, kind, err
		}
		a.value = f
	}
	return a, kind, nil
}

// format is a parsed value: literal text and % specifiers.
type format []item

type item struct {
	lit  string // the text, or %{VAR}e's variable
	spec byte   // 0: lit; 't', 'D', 'e', 's'
}

// parseFormat is mod_headers' parse_format_string.
func parseFormat(s string) (format, error) {
	var f format
	for s != "" {
		if s[0] != '%' {
			var b strings.Builder
			for s != "" && s[0] != '%' {
				if s[0] != '\\' || len(s) == 1 {
					b.WriteByte(s[0])
					s = s[1:]
					continue
				}
				switch s[1] {
				case '\\':
					b.WriteByte('\\')
				case 'r':
					b.WriteByte('\r')
				case 'n':
					b.WriteByte('\n')
				case 't':
					b.WriteByte('\t')
				default:
					b.WriteByte('\\')
					s = s[1:]
					continue
				}
				s = s[2:]
			}
			f = append(f, item{lit: b.String()})
			continue
		}
		s = s[1:]
		if s == "" || s[0] == '%' {
			f = append(f, item{lit: "%"})
			if s != "" {
				s = s[1:]
			}
			continue
		}
		arg := ""
		if s[0] == '{' {
			end := strings.IndexByte(s, '}')
			if end < 0 {
				return nil, errors.New("Unrecognized header format %")
			}
			arg = s[1:end]
			s = s[end+1:]
			if s == "" {
				return nil, errors.New("Unrecognized header format %")
			}
		}
		c := s[0]
		s = s[1:]
		switch c {
		case 'e', 's':
			f = append(f, item{spec: c, lit: arg})
		case 't', 'D':
			f = append(f, item{spec: c})
		case 'l', 'i', 'b':
			return nil, errors.New("Header format %" + string(c) + " (load and scoreboard figures) is not supported by this server")
		default:
			return nil, errors.New("Unrecognized header format %" + string(c))
		}
	}
	return f, nil
}

// literal reports whether f is constant, and then its text.
func (f format) literal() (string, bool) {
	s := ""
	for _, it := range f {
		if it.spec != 0 {
			return "", false
		}
		s += it.lit
	}
	return s, true
}

// expand renders f for the request r with the variables e that started at
// start.
func (f format) expand(e *env.Vars, start time.Time, r *http.Request) string {
	if s, ok := f.literal(); ok {
		return s
	}
	var b []byte
	for _, it := range f {
		switch it.spec {
		case 0:
			b = append(b, it.lit...)
		case 't':
			b = strconv.AppendInt(append(b, "t="...), start.UnixMicro(), 10)
		case 'D':
			b = strconv.AppendInt(append(b, "D="...), time.Since(start).Microseconds(), 10)
		case 'e':
			if v, ok := e.Get(it.lit); ok {
				b = append(b, unwrap(v)...)
			} else {
				b = append(b, "(null)"...)
			}
		case 's':
			if v := sslvars.Var(r, it.lit); v != "" {
				b = append(b, unwrap(v)...)
			} else {
				b = append(b, "(null)"...)
			}
		}
	}
	return string(b)
}

// unwrap is mod_headers' unwrap_header: v with its CRs and LFs turned into
// spaces (a PEM certificate on one line).
func unwrap(v string) string {
	if strings.IndexByte(v, '\n') < 0 && strings.IndexByte(v, '\r') < 0 {
		return v
	}
	return strings.NewReplacer("\r", " ", "\n", " ").Replace(v)
}
