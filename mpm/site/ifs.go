package site

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/httpd-mpm/httpd-mpm/mpm/apexpr"
	"github.com/httpd-mpm/httpd-mpm/mpm/env"
	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
	"github.com/httpd-mpm/httpd-mpm/mpm/sslvars"
	"github.com/httpd-mpm/httpd-mpm/mpm/static"
)

// The <If>, <ElseIf> and <Else> sections (apache2's core ifsection): each
// level keeps its own in config order (dir.ifs); merging a level appends
// them, and ap_if_walk evaluates the merged list for each request, once every
// other section is merged, merging the sections that hold on top.

// condition kinds, apache2's AP_CONDITION_IF and AP_CONDITION_ELSE bits
// (<ElseIf> has both).
const (
	condIf uint8 = 1 << iota
	condElse
)

// isIf reports whether kind is <If>, <ElseIf> or <Else>.
func isIf(kind string) bool {
	switch strings.ToLower(kind) {
	case "if", "elseif", "else":
		return true
	}
	return false
}

// compileIf is ifsection: the condition, then the section's lines as a level.
func compileIf(s Section, errs *[]error) (*section, error) {
	sec := &section{kind: "if"}
	switch strings.ToLower(s.Kind) {
	case "if":
		sec.cond = condIf
	case "elseif":
		sec.cond = condIf | condElse
	default:
		sec.cond = condElse
	}
	if sec.cond&condIf != 0 {
		e, err := apexpr.Parse(s.Pattern)
		if err != nil {
			return nil, &Error{File: s.File, Line: s.Line, Message: "Cannot parse condition clause: " + err.Error()}
		}
		sec.expr = e
	}
	sec.file, sec.line = s.File, s.Line
	return sec, nil
}

// addIf is ap_add_if_conf: an <ElseIf> or <Else> follows an <If> or
// <ElseIf> of the same level.
func (d *dir) addIf(sec *section) error {
	if sec.cond&condElse != 0 {
		if len(d.ifs) == 0 || d.ifs[len(d.ifs)-1].cond&condIf == 0 {
			return errors.New("<Else> or <ElseIf> section without previous <If> or <ElseIf> section in same scope")
		}
	}
	d.ifs = append(d.ifs, sec)
	return nil
}

// inIf refuses, inside <If>, a directive this server applies only outside
// one (the server context's, mod_rewrite's per-directory rules, ...).
func inIf(d Directive) error {
	n := strings.ToLower(d.Name)
	switch {
	case n == "require" || n == "header" || n == "requestheader" || n == "errordocument" || n == "forcetype" ||
		n == "adddefaultcharset" || n == "setenv" || n == "unsetenv" || n == "passenv" || n == "options" ||
		n == "directoryindex" || n == "fileetag" || n == "sethandler" || strings.HasPrefix(n, "expires") || strings.HasPrefix(n, "auth") ||
		n == "setenvif" || n == "setenvifnocase" || n == "browsermatch" || n == "browsermatchnocase" || n == "setenvifexpr" ||
		n == "order" || n == "allow" || n == "deny" || n == "satisfy" ||
		n == "redirect" || n == "redirecttemp" || n == "redirectpermanent":
		return nil
	}
	return errors.New(d.Name + " inside <If> is not supported by this server")
}

// applyIfs is ap_if_walk on the merged m for r (file the path r maps to):
// m with the sections whose condition holds merged on top; the request
// fields the conditions read go to the answer's Vary.
func (h *Handler) applyIfs(r *http.Request, m *Dir, file string) *Dir {
	d := *m
	if r.TLS != nil {
		// The conditions read mod_ssl's variables under the sections merged
		// so far (a subrequest's too: static sets the request's own when it
		// answers under them).
		prev := http1.TLSOptions(r)
		sslvars.SetOptions(r, d.SSLOptions.Set)
		defer http1.SetTLSOptions(r, prev)
	}
	q := apexpr.Request{R: r, URI: r.URL.Path, Query: r.URL.RawQuery, Filename: file, DocumentRoot: h.docRoot, Env: http1.Env(r)}
	prev := -1
	for i := 0; i < len(d.ifs); i++ { // a merged section may add its own (nested) ones
		s := d.ifs[i]
		if s.cond&condElse != 0 && prev == 1 {
			continue
		}
		if s.cond&condIf != 0 {
			ok, err := s.expr.Eval(&q)
			if err != nil && h.log.Level >= static.LevelError {
				h.log.Func(r, static.LevelError, "core", nil, "AH00039: Failed to evaluate <If > condition: "+err.Error())
			}
			if !ok {
				prev = 0
				continue
			}
			prev = 1
		} else {
			prev = -1
		}
		d.merge(&s.conf)
	}
	d.vary = q.Vary
	return &d
}

// setEnvIfExpr is SetEnvIfExpr's condition.
type setEnvIfExpr struct{ e *apexpr.Expr }

func (x setEnvIfExpr) Holds(v *env.Vars, q *env.Request) bool {
	ok, err := x.e.Eval(&apexpr.Request{R: q.R, URI: q.URI, Query: q.R.URL.RawQuery, Env: v})
	return ok && err == nil
}

// addSetEnvIfExpr reads a SetEnvIfExpr line into c, with mod_setenvif's
// messages.
func addSetEnvIfExpr(c *env.Conditions, args []string) error {
	if len(args) == 0 {
		return errors.New("Missing expression for SetEnvIfExpr")
	}
	e, err := apexpr.Parse(args[0])
	if err != nil {
		return fmt.Errorf("Could not parse expression \"%s\": %s", args[0], err)
	}
	return c.AddExpr(setEnvIfExpr{e}, args[1:])
}

// exprRedirect is a Redirect inside <If>: mod_alias's per-directory
// redirect, its URL a string expression (none for a status without one).
type exprRedirect struct {
	status int
	url    *apexpr.Expr
}

// parseExprRedirect reads Redirect, RedirectTemp or RedirectPermanent inside
// <If> as mod_alias's add_redirect_internal does there: [status] URL, or a
// status that takes no URL.
func parseExprRedirect(x Directive) (*exprRedirect, error) {
	a := x.Args
	rd := &exprRedirect{status: http.StatusFound}
	if strings.EqualFold(x.Name, "redirectpermanent") {
		rd.status = http.StatusMovedPermanently
	}
	if len(a) == 0 {
		return nil, errors.New("URL to redirect to is missing")
	}
	grok := 1
	switch st, ok := redirectStatus(a[0]); {
	case !ok || !strings.EqualFold(x.Name, "redirect") && !strings.EqualFold(x.Name, "redirectmatch"):
		grok = 0
	case st < 300 || st > 399:
		rd.status, grok = st, -1
	default:
		rd.status = st
	}
	if len(a) == 3 && grok == 0 {
		return nil, errors.New("Redirect: invalid first argument (of three)")
	}
	var url string
	switch {
	case grok > 0 && len(a) == 2:
		url = a[1]
	case grok == 0 && len(a) == 1:
		url = a[0]
	case grok < 0 && len(a) == 1:
		return rd, nil
	default:
		return nil, errors.New(x.Name + " with a URL-path inside <If> is not supported by this server")
	}
	e, err := apexpr.ParseString(url)
	if err != nil {
		return nil, errors.New("Cannot parse redirect expression '" + url + "': " + err.Error())
	}
	rd.url = e
	return rd, nil
}

// withExprRedirect is o's Rewrite followed by mod_alias's fixup_redir for
// rd: mod_rewrite's per-directory rules run first, then the redirect
// answers (with the ErrorDocuments docs).
func (h *Handler) withExprRedirect(o *static.Options, rd *exprRedirect, docs map[int]*apexpr.Expr) {
	rewrite := o.Rewrite
	o.Rewrite = func(w http.ResponseWriter, r *http.Request, filename string) (bool, string) {
		if rewrite != nil {
			if done, typ := rewrite(w, r, filename); done {
				return done, typ
			}
		}
		if rd.url != nil {
			q := apexpr.Request{R: r, URI: r.URL.Path, Query: r.URL.RawQuery, Filename: filename, DocumentRoot: h.docRoot, Env: http1.Env(r)}
			target, err := rd.url.Text(&q)
			if err != nil {
				h.logRewrite(r, "alias", "AH02826: Can't evaluate redirect expression: "+err.Error())
				http1.WriteError(w, r, http.StatusInternalServerError, "")
				return true, ""
			}
			target = escapeRedirect(target)
			if rd.status >= 300 && rd.status <= 399 {
				if strings.HasPrefix(target, "/") {
					target = http1.SelfURL(r, target)
				}
				if r.URL.RawQuery != "" && !strings.Contains(target, "?") {
					target += "?" + r.URL.RawQuery
				}
				w.Header()["Location"] = []string{target}
			}
		}
		if !h.errorDocument(w, r, rd.status, docs) {
			http1.WriteError(w, r, rd.status, "")
		}
		return true, ""
	}
}
