package site

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/httpd-mpm/httpd-mpm/mpm/apexpr"
	"github.com/httpd-mpm/httpd-mpm/mpm/env"
	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
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
		n == "directoryindex" || n == "fileetag" || strings.HasPrefix(n, "expires") || strings.HasPrefix(n, "auth") ||
		n == "setenvif" || n == "setenvifnocase" || n == "browsermatch" || n == "browsermatchnocase" || n == "setenvifexpr" ||
		n == "order" || n == "allow" || n == "deny" || n == "satisfy":
		return nil
	}
	return errors.New(d.Name + " inside <If> is not supported by this server")
}

// applyIfs is ap_if_walk on the merged m for r (file the path r maps to):
// m with the sections whose condition holds merged on top; the request
// fields the conditions read go to the answer's Vary.
func (h *Handler) applyIfs(r *http.Request, m *Dir, file string) *Dir {
	d := *m
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
