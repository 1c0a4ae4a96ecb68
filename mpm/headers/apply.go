package headers

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/httpd-mpm/httpd-mpm/mpm/apexpr"
	"github.com/httpd-mpm/httpd-mpm/mpm/env"
	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
)

// applies reports whether the action's env= clause holds for the request's
// variables e, or its expr= clause for r (whose fields read go to h's Vary,
// when h is the response's, as ap_expr_exec adds them).
func (a *Action) applies(e *env.Vars, r *http.Request, h http.Header, response bool) bool {
	if a.expr != nil {
		if r == nil {
			return false
		}
		q := apexpr.ForRequest(r)
		q.Env = e
		if response {
			q.Out = h
		}
		ok, err := a.expr.Eval(q)
		if response && len(q.Vary) > 0 && h != nil {
			http1.AddVary(h, strings.Join(q.Vary, ","))
		}
		// An evaluation error does not stop the action: mod_headers logs
		// "Failed to evaluate expression (...) - ignoring" and applies it.
		return ok || err != nil
	}
	return a.envVar == "" || e.Has(a.envVar) != a.envNot
}

// Apply runs actions on the fields h, in order, as mod_headers'
// do_headers_fixup does on an apache2 table (names compared without regard
// to case); req is the request (for echo) and start its start (for %t and
// %D) and e its environment variables (env= and %{VAR}e). h may be nil when
// only a map is created on demand: the possibly new map is returned. r is
// the request, for expr= clauses (nil: they do not hold); response says h
// is a response's fields (resp() reads them).
func Apply(actions []*Action, h http.Header, req http.Header, e *env.Vars, start time.Time, r *http.Request, response bool) http.Header {
	return apply(actions, h, req, e, start, r, response, nil, nil, nil)
}

// ApplyType is Apply that also changes *typ, the response's type (apache2's
// r->content_type, which is no field of h), as mod_headers does for set,
// setifempty and edit on Content-Type (ap_set_content_type), and unset,
// which leaves it "" (none, as apache2 2.4.71 does); add, append and merge
// only put a line in h, whose value the type replaces when the header is
// sent.
func ApplyType(actions []*Action, h http.Header, req http.Header, e *env.Vars, start time.Time, r *http.Request, response bool, typ *string) http.Header {
	return apply(actions, h, req, e, start, r, response, nil, typ, nil)
}

// ApplyAdding is Apply that also keeps track of the field lines added to
// h after its others, as an apache2 table appends them: lines names them
// in their order, each line one of the last values of its name in h (those
// before it, such as mod_expires', are given), and the actions' new lines
// are appended, echo's included, a name once per line; a line set again
// keeps its place, one unset goes. It returns h and the lines. typ is as
// ApplyType's.
func ApplyAdding(actions []*Action, h http.Header, req http.Header, e *env.Vars, start time.Time, r *http.Request, response bool, lines []string, typ *string) (http.Header, []string) {
	h = apply(actions, h, req, e, start, r, response, &lines, typ, nil)
	return h, lines
}

// ApplyRequest runs the RequestHeader actions on r's fields, and keeps
// track of the lines they add after the client's (http1.RequestLines), as
// ApplyAdding does: apache2's r->headers_in appends them in the order of
// the actions, spelled as their lines, a value add gives a field the client
// sent its own line.
func ApplyRequest(actions []*Action, r *http.Request) {
	lines := slices.Clone(http1.RequestLines(r)) // a subrequest's copy may be dropped
	r.Header = apply(actions, r.Header, nil, http1.Env(r), http1.RequestTime(r), r, false, &lines, nil, nil)
	http1.SetRequestLines(r, lines)
}

// ApplyAlways is Apply for the "always" actions on a response's
// err_headers_out table h, but for echo, which adds to out, the response's
// other table (apache2's echo adds to r->headers_out whatever the table of
// its line), and appends the names of its lines to lines, in their order.
// It returns h and lines. typ is as ApplyType's.
func ApplyAlways(actions []*Action, h, out http.Header, req http.Header, e *env.Vars, start time.Time, r *http.Request, lines []string, typ *string) (http.Header, []string) {
	h = apply(actions, h, req, e, start, r, true, nil, typ, &echoTarget{out, &lines})
	return h, lines
}

// echoTarget is where echo adds its fields when not to the table the other
// actions change: h, its lines' names appended to *lines.
type echoTarget struct {
	h     http.Header
	lines *[]string
}

// apply is Apply, keeping track in *added (if not nil) of the lines it adds
// (ApplyAdding), in *typ (if not nil) of the type (ApplyType); echo adds to
// echo's table if set (ApplyAlways).
func apply(actions []*Action, h http.Header, req http.Header, e *env.Vars, start time.Time, r *http.Request, response bool, added *[]string, typ *string, echo *echoTarget) http.Header {
	isType := func(name string) bool { return typ != nil && strings.EqualFold(name, "Content-Type") }
	line := func(name string) {
		if added != nil {
			*added = append(*added, name)
		}
	}
	// drop removes name's lines, but its first when all of name's values
	// are added lines (apr_table_set keeps the first line's place).
	drop := func(name string, keepFirst bool) {
		if added == nil {
			return
		}
		lines := *added
		if keepFirst {
			n := 0
			for _, l := range lines {
				if strings.EqualFold(l, name) {
					n++
				}
			}
			keepFirst = n > 0 && n == len(Values(h, name))
		}
		*added = slices.DeleteFunc(lines, func(l string) bool {
			if !strings.EqualFold(l, name) {
				return false
			}
			if keepFirst {
				keepFirst = false
				return false
			}
			return true
		})
	}
	// A request's field the client sent on several lines is one entry
	// (http1.MergeSent) for append, merge and edit.
	request := !response && r != nil && added != nil
	for _, a := range actions {
		if !a.applies(e, r, h, response) {
			continue
		}
		if h == nil {
			h = http.Header{}
		}
		if request && (a.op == opAppend || a.op == opMerge || a.op == opEdit || a.op == opEditAll) {
			http1.MergeSent(r, h, a.name, *added)
		}
		switch a.op {
		case opAdd:
			k := key(h, a.name)
			h[k] = append(slices.Clip(h[k]), a.valueFor(e, start, r, h, response))
			line(a.line)
		case opAppend:
			if !Has(h, a.name) {
				line(a.line)
			}
			appendValue(h, a.name, a.valueFor(e, start, r, h, response))
		case opMerge:
			v := a.valueFor(e, start, r, h, response)
			k := key(h, a.name)
			if len(h[k]) == 0 {
				line(a.line)
			}
			if len(h[k]) == 0 || !hasToken(h[k][0], v) {
				appendValue(h, a.name, v)
			}
		case opSet:
			if Has(h, a.name) {
				drop(a.name, true)
			} else {
				line(a.line)
			}
			v := a.valueFor(e, start, r, h, response)
			if isType(a.name) {
				*typ = v
			}
			set(h, a.name, v)
		case opSetIfEmpty:
			if len(h[key(h, a.name)]) == 0 {
				line(a.line)
				v := a.valueFor(e, start, r, h, response)
				if isType(a.name) {
					*typ = v
				}
				set(h, a.name, v)
			}
		case opUnset:
			if isType(a.name) {
				*typ = "" // apache2 2.4.71 drops the type too: no Content-Type is sent
			}
			drop(a.name, false)
			unset(h, a.name)
			if !response && r != nil {
				http1.RemovedField(r, a.name) // set again, it goes at the end
			}
		case opEcho:
			// apache2's apr_table_do over r->headers_in: one line per
			// matching field, in the request's order, a repeated one's
			// values joined at its first place.
			to, toLine := h, line
			if echo != nil {
				to, toLine = echo.h, func(name string) { *echo.lines = append(*echo.lines, name) }
			}
			names, sent := requestOrder(req, r)
			for i, k := range names {
				vs, name := req[k], sent[i] // matched and sent as the client spelled it
				if len(vs) == 0 || !a.re.MatchString(name) {
					continue
				}
				toLine(name)
				hk := key(to, name)
				to[hk] = append(slices.Clip(to[hk]), strings.Join(vs, ", "))
			}
		case opEdit, opEditAll:
			var out []string
			var name string
			repl := a.valueFor(e, start, r, h, response)
			if isType(a.name) && *typ != "" {
				*typ = a.edit(*typ, repl)
			}
			for k, vs := range h {
				if strings.EqualFold(k, a.name) {
					name = k
					for _, v := range vs {
						out = append(out, a.edit(v, repl))
					}
				}
			}
			if name != "" {
				// Unset, then each edited value added at the end, in
				// the spelling of its entry: the client's, or its line's.
				var spell []string
				if request {
					spell = entryNames(r, a.name, out, *added)
				}
				drop(a.name, false)
				unset(h, a.name)
				if !response && r != nil {
					http1.RemovedField(r, a.name)
				}
				h[name] = out
				for i := range out {
					if i < len(spell) {
						line(spell[i])
					} else {
						line(name)
					}
				}
			}
		}
	}
	return h
}

// entryNames are the names of the entries of r's field k whose values are
// vs, in their order, as the request's table spells them: first those
// that are no added line (the client's, in its spelling), then those of
// lines.
func entryNames(r *http.Request, k string, vs []string, lines []string) []string {
	var names []string
	for _, l := range lines {
		if strings.EqualFold(l, k) {
			names = append(names, l)
		}
	}
	if n := len(vs) - len(names); n > 0 {
		client, ok := http1.SentName(r, k)
		if !ok {
			client = k
		}
		for range n {
			names = slices.Insert(names, 0, client)
		}
	}
	return names
}

// valueFor is mod_headers' process_tags: the action's value for the
// request r (nil: an expr= value is empty) with the variables e that started
// at start; an expr= value reads the response's fields h when response says
// they are.
func (a *Action) valueFor(e *env.Vars, start time.Time, r *http.Request, h http.Header, response bool) string {
	if a.exprV == nil {
		return a.value.expand(e, start, r)
	}
	if r == nil {
		return ""
	}
	q := apexpr.ForRequest(r)
	q.Env = e
	if response {
		q.Out = h
	}
	v, err := a.exprV.Text(q)
	if err != nil {
		return "" // apache2 logs AH02557 "Can't evaluate value expression"
	}
	return v
}

// edit is mod_headers' process_regexp: the first match (edit) or every
// match (edit*) replaced, $0-$9 in the replacement expanded (ap_pregsub:
// "&" is literal in apache2 2.4). A match whose replacement is empty may
// leave an empty value, which apache2 keeps: sent as an empty field.
func (a *Action) edit(v, repl string) string {
	var b []byte
	matched := false
	rest := v
	for {
		m := a.re.FindStringSubmatchIndex(rest)
		if m == nil {
			break
		}
		matched = true
		b = append(b, rest[:m[0]]...)
		b = env.AppendSubst(b, repl, rest, m)
		if a.op == opEdit || m[1] == len(rest) && m[0] == m[1] {
			rest = rest[m[1]:]
			break
		}
		if m[0] == m[1] {
			// An empty match: keep one byte and go on after it.
			b = append(b, rest[m[1]])
			rest = rest[m[1]+1:]
			continue
		}
		rest = rest[m[1]:]
	}
	if !matched {
		return v
	}
	return string(append(b, rest...))
}

// requestOrder is the names of the request fields req in the order the
// request r had them (http1.RequestFieldNames), then those RequestHeader
// added (http1.RequestLines) in their order, then the others (all of them
// for a request not from the engine) in name order; and, at the same
// index, each as the client spelled it (http1.SentFieldNames), as its
// line did, or the name itself.
func requestOrder(req http.Header, r *http.Request) (names, sent []string) {
	var lines []string
	if r != nil {
		names, sent = http1.SentFieldNames(r)
		lines = http1.RequestLines(r)
	}
	for _, l := range lines {
		if k := http.CanonicalHeaderKey(l); !slices.Contains(names, k) {
			names, sent = append(names, k), append(sent, l)
		}
	}
	n := len(names)
	for k := range req {
		if !slices.Contains(names[:n], k) {
			names = append(names, k)
		}
	}
	slices.Sort(names[n:])
	return names, append(sent, names[n:]...)
}

// Added is the names under which the actions may add a field to a table
// (set, setifempty, add, append, merge), in their order, each once; echo's
// are not known before it runs.
func Added(actions []*Action) []string {
	var names []string
	for _, a := range actions {
		switch a.op {
		case opSet, opSetIfEmpty, opAdd, opAppend, opMerge:
			if !slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(n, a.name) }) {
				names = append(names, a.name)
			}
		}
	}
	return names
}

// Has reports whether h has a field name, in any spelling.
func Has(h http.Header, name string) bool {
	return len(Values(h, name)) > 0
}

// Values are the values of h's field name, in any spelling.
func Values(h http.Header, name string) []string {
	return h[key(h, name)]
}

// key is h's spelling of name, or name when h has none.
func key(h http.Header, name string) string { return http1.FieldKey(h, name) }

// set is apr_table_setn: one value, every other spelling gone.
func set(h http.Header, name, v string) {
	k := key(h, name)
	unset(h, name)
	h[k] = []string{v}
}

// Unset removes h's field name, in any spelling (apr_table_unset).
func Unset(h http.Header, name string) { unset(h, name) }

// unset is apr_table_unset.
func unset(h http.Header, name string) {
	for k := range h {
		if strings.EqualFold(k, name) {
			delete(h, k)
		}
	}
}

// appendValue is apr_table_mergen: ", v" added to the first value.
func appendValue(h http.Header, name, v string) {
	k := key(h, name)
	vs := h[k]
	if len(vs) == 0 {
		h[k] = []string{v}
		return
	}
	out := slices.Clone(vs)
	out[0] += ", " + v
	h[k] = out
}

// hasToken is mod_headers' merge test: v is one of the comma-separated
// tokens of s (quoted strings kept whole, leading spaces skipped).
func hasToken(s, v string) bool {
	for i := 0; i < len(s); {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		start := i
		for i < len(s) && s[i] != ',' {
			if s[i] == '"' {
				i++
				for i < len(s) && s[i] != '"' {
					i++
				}
			}
			if i < len(s) {
				i++
			}
		}
		if s[start:i] == v {
			return true
		}
		if i < len(s) {
			i++
		}
	}
	return false
}

// Overlay puts the fields of err (apache2's err_headers_out) in front of
// those of h (headers_out), as apache2 sends both: a name in both keeps
// every value, err's first.
func Overlay(h, err http.Header) {
	for k, vs := range err {
		hk := key(h, k)
		h[hk] = append(slices.Clip(vs), h[hk]...)
	}
}
