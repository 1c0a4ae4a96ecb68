// Package env is a request's environment variables (apache2's
// r->subprocess_env) and the directives that set them: mod_env's SetEnv,
// UnsetEnv and PassEnv (Setting) and mod_setenvif's SetEnvIf,
// SetEnvIfNoCase, BrowserMatch and BrowserMatchNoCase (Conditions).
//
// The variables change what other modules do: Header and RequestHeader
// "env=[!]var" and %{var}e (package headers), CustomLog "env=[!]var" and
// %{var}e (package accesslog), and the engine's nokeepalive, downgrade-1.0
// and force-response-1.0 (package http1).
package env

import "strings"

// Vars is a request's variables, a few name and value pairs; names compare
// without regard to case, as in apache2's tables. The zero value is empty,
// and a nil *Vars reads as empty.
type Vars struct {
	kv []string // name, value, name, value, ...
}

// Get is the value of name and whether it is set: its first entry's when
// mod_env's fixup added another (Setting.Apply), as apr_table_get.
func (v *Vars) Get(name string) (string, bool) {
	if v == nil {
		return "", false
	}
	for i := 0; i < len(v.kv); i += 2 {
		if strings.EqualFold(v.kv[i], name) {
			return v.kv[i+1], true
		}
	}
	return "", false
}

// Has reports whether name is set.
func (v *Vars) Has(name string) bool {
	_, ok := v.Get(name)
	return ok
}

// last is the value of name's last entry, and whether it has one.
func (v *Vars) last(name string) (string, bool) {
	for i := len(v.kv) - 2; i >= 0; i -= 2 {
		if strings.EqualFold(v.kv[i], name) {
			return v.kv[i+1], true
		}
	}
	return "", false
}

// Len is the number of entries.
func (v *Vars) Len() int {
	if v == nil {
		return 0
	}
	return len(v.kv) / 2
}

// Set gives name the value (apr_table_setn).
func (v *Vars) Set(name, value string) { v.kv = setPair(v.kv, name, value) }

// setPair is the name and value pairs kv with name's value replaced (its
// first entry's, the others removed), or the pair appended.
func setPair(kv []string, name, value string) []string {
	for i := 0; i < len(kv); i += 2 {
		if strings.EqualFold(kv[i], name) {
			kv[i+1] = value
			return dropAfter(kv, i+2, name)
		}
	}
	return append(kv, name, value)
}

// dropAfter is kv without the entries of name from from on, in place.
func dropAfter(kv []string, from int, name string) []string {
	out := kv[:from]
	for i := from; i < len(kv); i += 2 {
		if !strings.EqualFold(kv[i], name) {
			out = append(out, kv[i], kv[i+1])
		}
	}
	clear(kv[len(out):])
	return out
}

// Unset removes name (apr_table_unset).
func (v *Vars) Unset(name string) {
	out := v.kv[:0]
	for i := 0; i < len(v.kv); i += 2 {
		if !strings.EqualFold(v.kv[i], name) {
			out = append(out, v.kv[i], v.kv[i+1])
		}
	}
	clear(v.kv[len(out):])
	v.kv = out
}

// Reset empties v, keeping its room for the next request.
func (v *Vars) Reset() {
	if len(v.kv) > 0 {
		clear(v.kv)
		v.kv = v.kv[:0]
	}
}

// Entries is a copy of v's entries, for Restore.
func (v *Vars) Entries() []string {
	if v == nil || len(v.kv) == 0 {
		return nil
	}
	return append([]string(nil), v.kv...)
}

// Restore makes v's entries those Entries returned, in place.
func (v *Vars) Restore(entries []string) {
	v.Reset()
	v.kv = append(v.kv, entries...)
}

// CopyFrom makes v's entries a copy of src's, in v's room.
func (v *Vars) CopyFrom(src *Vars) {
	v.Reset()
	if src != nil {
		v.kv = append(v.kv, src.kv...)
	}
}

// Each calls f with each entry, in the order they were set: a variable
// mod_env's fixup set again comes twice, and a gateway's environment takes
// the later (ap_create_environment's, as a redirect's REDIRECT_ names).
func (v *Vars) Each(f func(name, value string)) {
	if v == nil {
		return
	}
	for i := 0; i < len(v.kv); i += 2 {
		f(v.kv[i], v.kv[i+1])
	}
}
