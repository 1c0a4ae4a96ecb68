// Package sslvars is mod_ssl's variables (ssl_engine_vars.c): the SSL_*
// names a request over TLS has, for SSLOptions +StdEnvVars and
// +ExportCertData (CGI's environment), LogFormat's %{NAME}x and %{...}c, and
// ap_expr's %{SSL_*} and SSL() (Require expr, SSLRequire, <If>).
package sslvars

import (
	"errors"
	"strings"
)

// Options are SSLOptions' bits.
type Options uint8

const (
	StdEnvVars Options = 1 << iota
	ExportCertData
	FakeBasicAuth
	StrictRequire
	OptRenegotiate
	LegacyDNStringFormat
)

var optionNames = []struct {
	name string
	o    Options
}{{"StdEnvVars", StdEnvVars}, {"ExportCertData", ExportCertData}, {"FakeBasicAuth", FakeBasicAuth},
	{"StrictRequire", StrictRequire}, {"OptRenegotiate", OptRenegotiate}, {"LegacyDNStringFormat", LegacyDNStringFormat}}

// Setting is one level's SSLOptions lines (a section's, the server's), as
// mod_ssl keeps them: the options, and those added and removed relative to
// the enclosing level while relative (every word had '+' or '-').
type Setting struct {
	Set, Add, Del Options
	Absolute      bool // a word without '+' or '-': Set replaces the enclosing level's
}

// Parse adds the words of an SSLOptions line to s, as mod_ssl's
// ssl_cmd_SSLOptions; an unknown word is its error.
func (s *Setting) Parse(words []string) error {
	first := true
	for _, w := range words {
		action := byte(0)
		if w != "" && (w[0] == '+' || w[0] == '-') {
			action, w = w[0], w[1:]
		} else if first {
			s.Set, s.Absolute = 0, true
		}
		first = false
		var o Options
		for _, n := range optionNames {
			if strings.EqualFold(n.name, w) {
				o = n.o
			}
		}
		if o == 0 {
			return errors.New("SSLOptions: Illegal option '" + w + "'")
		}
		switch action {
		case '-':
			s.Add &^= o
			s.Del |= o
			s.Set &^= o
		case '+':
			s.Add |= o
			s.Del &^= o
			s.Set |= o
		default:
			s.Set, s.Add, s.Del, s.Absolute = o, o, 0, true
		}
	}
	return nil
}

// Merge is s over base, as mod_ssl's ssl_config_perdir_merge.
func (s Setting) Merge(base Setting) Setting {
	if s.Absolute {
		return s
	}
	var m Setting
	m.Add = base.Add&^s.Del | s.Add
	m.Del = base.Del&^s.Add | s.Del
	m.Set = base.Set&^m.Del | m.Add
	m.Absolute = base.Absolute
	return m
}
