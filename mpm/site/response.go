package site

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/httpd-mpm/httpd-mpm/mpm/headers"
	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
	"github.com/httpd-mpm/httpd-mpm/mpm/sslvars"
	"github.com/httpd-mpm/httpd-mpm/mpm/static"
)

// response is the static.Response and http1.HeaderFilter of one merged
// configuration: the sections' SetEnvIf lines when the configuration is
// chosen (apache2's header parser), SetEnv and then RequestHeader at the
// fixups, then, when the header is sent, mod_expires' filter followed by
// mod_headers' (apache2 runs MOD_EXPIRES before FIXUP_HEADERS_OUT). A nil
// *response stands for a configuration without any of them.
type response struct {
	headers *headers.Config
	dir     *Dir // the merged configuration (Expires, Env, SetEnvIf)
}

var _ static.IndexFixer = (*response)(nil)

// newResponse is d's response, nil when d has no such directive.
func newResponse(d *Dir) *response {
	if d.Headers.Empty() && !d.Expires.Enabled() && d.Env.Empty() && d.SetEnvIf.Empty() && len(d.vary) == 0 &&
		d.SSLOptions.Set&(sslvars.StdEnvVars|sslvars.ExportCertData) == 0 {
		return nil
	}
	return &response{headers: &d.Headers, dir: d}
}

// timed is a response with the modification time of what is served.
type timed struct {
	*response
	mtime time.Time
}

// Answer makes this configuration the one r's header is filtered with, and
// applies its sections' SetEnvIf lines.
func (p *response) Answer(r *http.Request, mtime time.Time) {
	if p != nil && !p.dir.SetEnvIf.Empty() {
		if e := http1.Env(r); e != nil {
			p.dir.SetEnvIf.Apply(e, envRequest(r, r.URL.Path))
		}
	}
	p.filterWith(r, mtime)
}

// filterWith makes this configuration the one r's header is filtered with.
func (p *response) filterWith(r *http.Request, mtime time.Time) {
	switch {
	case p == nil:
		http1.SetHeaderFilter(r, nil)
	case mtime.IsZero() || !p.dir.Expires.Enabled():
		http1.SetHeaderFilter(r, p)
	default:
		http1.SetHeaderFilter(r, &timed{p, mtime})
	}
}

// Fixup sets the SetEnv variables, mod_ssl's (SSLOptions +StdEnvVars,
// +ExportCertData), then applies the RequestHeader actions to r's fields.
func (p *response) Fixup(r *http.Request) { p.fixup(r, false) }

// IndexFixup is Fixup under the settings of the index file mod_dir
// fast-redirected r to (static.IndexFixer): the variables its subrequest
// sets that r lacks, then the RequestHeader actions, mod_headers' fixup
// running on r after mod_dir's.
func (p *response) IndexFixup(r *http.Request) { p.fixup(r, true) }

// ChangesFields reports whether Fixup changes r's fields (RequestHeader).
func (p *response) ChangesFields() bool { return p != nil && len(p.headers.In) > 0 }

// fixup is Fixup, or IndexFixup when index is set.
func (p *response) fixup(r *http.Request, index bool) {
	if p == nil {
		return
	}
	if e := http1.Env(r); e != nil {
		if o := p.dir.SSLOptions.Set; o&(sslvars.StdEnvVars|sslvars.ExportCertData) != 0 {
			if c, ok := sslvars.FromRequest(r); ok {
				set := e.Set
				if index {
					set = func(name, value string) {
						if !e.Has(name) {
							e.Set(name, value)
						}
					}
				}
				sslvars.Export(c, o, set)
			}
		}
		switch {
		case p.dir.Env.Empty():
		case index:
			p.dir.Env.ApplyIndex(e)
		default:
			p.dir.Env.Apply(e)
		}
	}
	if len(p.headers.In) == 0 {
		return
	}
	headers.ApplyRequest(p.headers.In, r)
}

func (p *response) FilterHeader(r *http.Request, status int, h http.Header, errorPage bool) {
	p.filter(r, status, h, errorPage, time.Time{})
}

func (t *timed) FilterHeader(r *http.Request, status int, h http.Header, errorPage bool) {
	t.filter(r, status, h, errorPage, t.mtime)
}

// filter is apache2's output filters on the way out: Expires for a status
// below 400, the "always" actions on a table of their own (apache2's
// err_headers_out, which holds only the fields a script put there), the
// onsuccess ones on h unless the response is an error page, then both
// tables together, the "always" fields first. The fields come out in
// apache2's order (http1.SetFieldOrder): the script's err_headers_out and
// the "always" fields in the order of their lines, the handler's, then
// those mod_expires and the onsuccess actions added, in the order of their
// actions.
func (p *response) filter(r *http.Request, status int, h http.Header, errorPage bool, mtime time.Time) {
	// The order is gathered in locals and put on the heap only when there
	// is one (most responses have none): SetFieldOrder keeps a pointer.
	var first, added []string
	var counts []int
	noType := false
	var expLast [2]string // what mod_expires added, in its order
	nExp := 0
	handler := http1.FieldOrderOf(r)
	if handler != nil {
		first = handler.First
	}
	if p.dir.Expires.Enabled() {
		// mod_expires merges into a Cache-Control the handler set and sets
		// Expires (apr_table_mergen, apr_table_setn).
		cc, exp := headers.Has(h, "Cache-Control"), headers.Has(h, "Expires")
		p.dir.Expires.Apply(h, status, http1.RequestTime(r), mtime) // the request's time, as Date
		if !cc && headers.Has(h, "Cache-Control") {
			expLast[nExp] = "Cache-Control"
			nExp++
		}
		if !exp && headers.Has(h, "Expires") {
			expLast[nExp] = "Expires"
			nExp++
		}
	}
	if len(p.dir.vary) > 0 && !errorPage {
		http1.AddVary(h, strings.Join(p.dir.vary, ",")) // ap_expr_exec's, for the <If> conditions
	}
	if hc := p.headers; !hc.Empty() {
		// The handler's type is r->content_type, not a line of the table
		// (but a backend's Content-Type, which is one): the actions do not
		// see it, only set, setifempty and edit change it, and the lines
		// they put under that name give it their place and spelling
		// (apache2 sets it on the first one).
		var typ *string
		ct := h["Content-Type"]
		if len(ct) > 0 {
			if handler == nil || len(handler.Handler) == 0 {
				delete(h, "Content-Type")
			}
			t := ct[0]
			typ = &t
		}
		start := http1.RequestTime(r)
		e := http1.Env(r)
		// The script's err_headers_out is the table the "always" actions
		// start from.
		var errT http.Header
		if handler != nil {
			for _, n := range handler.First {
				if vs := headers.Values(h, n); len(vs) > 0 {
					if errT == nil {
						errT = http.Header{}
					}
					errT[n] = vs
					headers.Unset(h, n)
				}
			}
		}
		// The "always" echo lines go to h, after mod_expires' lines (a
		// copy: expLast stays on the stack).
		var lines []string
		if len(hc.Err) > 0 {
			errT, lines = headers.ApplyAlways(hc.Err, errT, h, r.Header, e, start, r, nil, typ)
			if len(lines) > 0 {
				lines = append(slices.Clone(expLast[:nExp]), lines...)
			}
		}
		if !errorPage && len(hc.Out) > 0 {
			// The field lines the actions add, after those, in their
			// order, echo's too, each at the end even if h had its name: a
			// field the handler set keeps its place (apr_table_set).
			if lines == nil {
				lines = slices.Clone(expLast[:nExp])
			}
			_, lines = headers.ApplyAdding(hc.Out, h, r.Header, e, start, r, true, lines, typ)
		}
		if lines != nil {
			added = lines
		}
		first = nil
		if errT != nil {
			var names []string
			if handler != nil {
				names = handler.First
			}
			for _, n := range append(slices.Clip(names), headers.Added(hc.Err)...) {
				if vs := headers.Values(errT, n); len(vs) > 0 && !slices.ContainsFunc(first, func(f string) bool { return strings.EqualFold(f, n) }) {
					first = append(first, n)
					counts = append(counts, len(vs))
				}
			}
			headers.Overlay(h, errT)
		}
		if typ != nil {
			noType = settleType(h, ct[:1:1], *typ, status)
		}
	}
	if added == nil {
		added = expLast[:nExp]
	}
	if first == nil && len(added) == 0 {
		return
	}
	// One allocation holds the order and mod_expires' names.
	o := &fieldOrder{}
	o.First, o.Counts, o.NoType = first, counts, noType
	if handler != nil {
		o.Handler = handler.Handler
	}
	if n := len(added); n > 0 {
		if n <= len(o.last) {
			o.Last = o.last[:0]
		}
		o.Last = append(o.Last, added...)
	}
	http1.SetFieldOrder(r, &o.FieldOrder)
}

// settleType leaves in h the Content-Type field apache2's header filter
// sends, once the actions ran on h's lines (those of both tables, the
// "always" ones first) with the handler's type ct (one value) set aside
// and changed to t: the type, at the place of the first line, or, when the
// response has no type (t empty after Header unset, or a 204 or 304 answer,
// whose type apache2 drops), the lines as they are, each at its own place
// (http1.FieldOrder.NoType, which it reports).
func settleType(h http.Header, ct []string, t string, status int) bool {
	if t == "" || status == http.StatusNoContent || status == http.StatusNotModified {
		lines := headers.Values(h, "Content-Type")
		headers.Unset(h, "Content-Type")
		if len(lines) > 0 {
			h["Content-Type"] = lines
		}
		return true
	}
	headers.Unset(h, "Content-Type")
	if t == ct[0] {
		h["Content-Type"] = ct
	} else {
		h["Content-Type"] = []string{t}
	}
	return false
}

// fieldOrder is an http1.FieldOrder with room for the few names its Last
// usually has.
type fieldOrder struct {
	http1.FieldOrder
	last [2]string
}

// HeaderFilter is the filter of the server's own level (no section), for
// the answers no section applies to (http1.Server.HeaderFilter); nil when
// the server has no Header or Expires* line.
func (h *Handler) HeaderFilter() http1.HeaderFilter {
	h.init()
	if h.baseResp == nil {
		return nil
	}
	return h.baseResp
}
