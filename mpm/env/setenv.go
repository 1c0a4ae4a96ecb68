package env

import (
	"errors"
	"os"
	"strings"
)

// Setting is mod_env's SetEnv, UnsetEnv and PassEnv lines of one level (the
// server, a virtual host or a section), or of a merged configuration.
type Setting struct {
	vars  []string // name, value pairs, each name once
	unset []string // UnsetEnv names, applied to the outer levels on merge
}

// Empty reports whether s sets no variable and unsets none.
func (s *Setting) Empty() bool { return len(s.vars) == 0 && len(s.unset) == 0 }

// Add reads one SetEnv, UnsetEnv or PassEnv line. PassEnv takes the value
// from this process's environment; a variable it does not have is left out
// (apache2 warns "PassEnv variable X was undefined").
func (s *Setting) Add(directive string, args []string) error {
	switch strings.ToLower(directive) {
	case "setenv":
		if len(args) < 1 || len(args) > 2 {
			return errors.New("SetEnv takes 1-2 arguments, an environment variable name and optional value to pass to CGI.")
		}
		v := ""
		if len(args) == 2 {
			v = args[1]
		}
		s.vars = setPair(s.vars, args[0], v)
	case "passenv":
		if len(args) == 0 {
			return errors.New("PassEnv requires at least one argument, a list of environment variables to pass to CGI.")
		}
		for _, n := range args {
			if v, ok := os.LookupEnv(n); ok {
				s.vars = setPair(s.vars, n, v)
			}
		}
	case "unsetenv":
		if len(args) == 0 {
			return errors.New("UnsetEnv requires at least one argument, a list of variables to remove from the CGI environment.")
		}
		for _, n := range args {
			if !containsFold(s.unset, n) {
				s.unset = append(s.unset, n)
			}
			s.vars = without(s.vars, n)
		}
	}
	return nil
}

// Merge is s with over on top (mod_env's merge_env_dir_configs): over's
// UnsetEnv names removed from s's variables, then over's set.
func (s Setting) Merge(over *Setting) Setting {
	if over.Empty() {
		return Setting{vars: s.vars}
	}
	out := Setting{vars: append([]string(nil), s.vars...)}
	for _, n := range over.unset {
		out.vars = without(out.vars, n)
	}
	for i := 0; i < len(over.vars); i += 2 {
		out.vars = setPair(out.vars, over.vars[i], over.vars[i+1])
	}
	return out
}

// Apply is mod_env's fixup: the variables added to v after those it has
// (apache2 overlays the tables): a lookup finds the first entry, so a
// variable set before, by SetEnvIf or E=, keeps its value there (Get), but
// a script's environment and a redirect's REDIRECT_ names take the later,
// SetEnv's (Each). An entry already last with its value is not added again
// (the fixups of an index or a redirect's request run once more).
func (s *Setting) Apply(v *Vars) {
	for i := 0; i < len(s.vars); i += 2 {
		if val, ok := v.last(s.vars[i]); !ok || val != s.vars[i+1] {
			v.kv = append(v.kv, s.vars[i], s.vars[i+1])
		}
	}
}

// ApplyIndex is Apply in mod_dir's subrequest for a directory's index
// file, whose table the request takes with its own entries after it
// (ap_internal_fast_redirect overlays them): only the variables v lacks
// are added, and v's keep their values, for a lookup and for a script
// alike.
func (s *Setting) ApplyIndex(v *Vars) {
	for i := 0; i < len(s.vars); i += 2 {
		if !v.Has(s.vars[i]) {
			v.kv = append(v.kv, s.vars[i], s.vars[i+1])
		}
	}
}

// without is the pairs kv without name, in a new array when it changes.
func without(kv []string, name string) []string {
	var out []string
	for i := 0; i < len(kv); i += 2 {
		if strings.EqualFold(kv[i], name) {
			if out == nil {
				out = append(make([]string, 0, len(kv)), kv[:i]...)
			}
			continue
		}
		if out != nil {
			out = append(out, kv[i], kv[i+1])
		}
	}
	if out == nil {
		return kv
	}
	return out
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
