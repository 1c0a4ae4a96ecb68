package proxy

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

// FCGIDirectives are mod_proxy_fcgi's per-directory directives (FCGIDir).
var FCGIDirectives = []string{"ProxyFCGIBackendType", "ProxyFCGISetEnvIf"}

// FCGIDir is mod_proxy_fcgi's per-directory configuration:
// ProxyFCGIBackendType (FPM, the default, or GENERIC) and the
// ProxyFCGISetEnvIf lines, outer levels' first.
type FCGIDir struct {
	typ    backendType
	fixups []fixup
}

type backendType uint8

const (
	backendUnknown backendType = iota // FPM, unless a level says
	backendFPM
	backendGeneric
)

// fixup is one ProxyFCGISetEnvIf: when cond holds, name set to subst's
// value, or unset.
type fixup struct {
	cond, subst *apexpr.Expr
	name        string
	unset       bool
	at          string // "file:line", for the evaluation's complaints
}

// Add reads one of FCGIDirectives at file:line, in apache2 2.4.71's words.
func (d *FCGIDir) Add(name string, args []string, file string, line int) error {
	if strings.EqualFold(name, "ProxyFCGIBackendType") {
		if len(args) != 1 {
			return errors.New("ProxyFCGIBackendType takes one argument, Specify the type of FastCGI server: 'Generic', 'FPM'")
		}
		switch {
		case strings.EqualFold(args[0], "GENERIC"):
			d.typ = backendGeneric
		case strings.EqualFold(args[0], "FPM"):
			d.typ = backendFPM
		default:
			return errors.New("ProxyFCGIBackendType requires one of the following arguments: 'GENERIC', 'FPM'")
		}
		return nil
	}
	if len(args) < 2 || len(args) > 3 {
		return errors.New("ProxyFCGISetEnvIf takes two or three arguments, expr-condition env-name expr-value")
	}
	f := fixup{name: args[1], at: fmt.Sprintf("%s:%d", file, line)}
	cond, err := apexpr.Parse(args[0])
	if err != nil {
		return fmt.Errorf("Could not parse expression \"%s\": %s", args[0], err)
	}
	f.cond = cond
	if rest, ok := strings.CutPrefix(f.name, "!"); ok {
		if len(args) == 3 {
			return fmt.Errorf("Third argument (\"%s\") is not allowed when using ProxyFCGISetEnvIf's unset mode (%s)", args[2], f.name)
		}
		if rest == "" {
			return errors.New("ProxyFCGISetEnvIf: \"!\" is not a valid variable name")
		}
		f.name, f.unset = rest, true
	} else {
		val := ""
		if len(args) == 3 {
			val = args[2]
		}
		if f.subst, err = apexpr.ParseString(val); err != nil {
			return fmt.Errorf("Could not parse expression \"%s\": %s", val, err)
		}
	}
	d.fixups = append(d.fixups, f)
	return nil
}

// Merge is d with the level over on top: over's backend type if it names
// one, both levels' ProxyFCGISetEnvIf lines (d's first).
func (d FCGIDir) Merge(over *FCGIDir) FCGIDir {
	out := d
	if over.typ != backendUnknown {
		out.typ = over.typ
	}
	if len(over.fixups) > 0 {
		out.fixups = append(d.fixups[:len(d.fixups):len(d.fixups)], over.fixups...)
	}
	return out
}

// generic says whether the backend is GENERIC (not FPM).
func (d *FCGIDir) generic() bool { return d != nil && d.typ == backendGeneric }

// scriptFilename is r->filename as mod_proxy_fcgi's send_environment leaves
// it: under GENERIC, "proxy:fcgi://host" taken off (the path alone, as a
// generic FastCGI application reads SCRIPT_FILENAME); under FPM as it is.
func (d *FCGIDir) scriptFilename(filename string) string {
	if !d.generic() {
		return filename
	}
	rest, ok := strings.CutPrefix(filename, "proxy:fcgi://")
	if !ok {
		return filename
	}
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		return rest[i:]
	}
	return ""
}

// fix applies the ProxyFCGISetEnvIf lines to the environment kv (name,
// value pairs) as mod_proxy_fcgi's fix_cgivars does, in order, each
// condition seeing the variables as the lines before it left them
// (reqenv()), a value's $1-$9 its condition's match. A condition that
// cannot be evaluated is apache2's AH10241 and an error (the request is
// not sent); the response's fields the conditions read go to w's Vary.
func (d *FCGIDir) fix(w http.ResponseWriter, r *http.Request, kv []string, filename, pathInfo string, log func(level static.Level, msg string)) ([]string, error) {
	if d == nil || len(d.fixups) == 0 {
		return kv, nil
	}
	var vars env.Vars
	for i := 0; i+1 < len(kv); i += 2 {
		vars.Set(kv[i], kv[i+1])
	}
	root, _ := vars.Get("DOCUMENT_ROOT")
	q := apexpr.Request{R: r, URI: r.URL.Path, Query: r.URL.RawQuery, Filename: filename, PathInfo: pathInfo,
		DocumentRoot: root, Env: &vars}
	for i := range d.fixups {
		f := &d.fixups[i]
		q.Vary = q.Vary[:0]
		ok, m, err := f.cond.EvalMatch(&q)
		if err != nil {
			log(static.LevelError, "Evaluation of expression from "+f.at+" failed: "+err.Error())
			log(static.LevelError, fmt.Sprintf("AH10241: fix_cgivars: Condition eval returned %d: %s", -1, err))
			return nil, err
		}
		if len(q.Vary) > 0 {
			http1.AddVary(w.Header(), strings.Join(q.Vary, ","))
		}
		if !ok {
			continue
		}
		if f.unset {
			vars.Unset(f.name)
			continue
		}
		val, err := f.subst.TextMatch(&q, m)
		if err != nil {
			log(static.LevelInfo, "AH03514: Error evaluating expression for replacement of "+f.name+": '"+err.Error()+"'")
			continue
		}
		vars.Set(f.name, val)
	}
	out := kv[:0]
	vars.Each(func(name, value string) { out = append(out, name, value) })
	return out, nil
}
