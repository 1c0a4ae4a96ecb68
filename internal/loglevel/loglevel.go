// Package loglevel is Apache's LogLevel: a level for every module and, for
// some modules, a level of their own ("LogLevel warn core:info ssl:debug"),
// set, merged and looked up as apache2 2.4's core and log.c do.
//
// A Levels travels between the host, the MPM and its children as its
// String, a LogLevel value in canonical form: the level word first, then
// the modules' words, sorted ("warn core:info ssl:debug"). Read by an
// older SDK's first-word parsing, that is still the server's level.
package loglevel

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/httpd-mpm/httpd-mpm/internal/apconf"
	"github.com/httpd-mpm/httpd-mpm/internal/wire"
)

// Unset is the Level of a section's LogLevel that names modules only: the
// section keeps the level it inherits (apache2's APLOG_UNSET).
const Unset = -1

// Warn is apache2's default level.
const Warn = 4

// Message is apache2's word for a level keyword it does not know.
const Message = "Log level keyword must be one of emerg/alert/crit/error/warn/notice/info/debug/trace1/.../trace8"

// Levels is one LogLevel configuration: a server's or a section's.
type Levels struct {
	// Level is the level of every module without its own (wire.ParseLogLevel's
	// numbers: emerg 0, warn 4, debug 7, trace1 8), Unset in a section that
	// inherits it.
	Level int
	// Modules are the modules' own levels, by the name apache2 writes in
	// its lines ("core", "authz_core", "ssl", "mpm_event"); nil for none.
	Modules map[string]int
}

// Server is apache2's default for a server: warn for every module.
func Server() Levels { return Levels{Level: Warn} }

// Section is a section's before any LogLevel line: it inherits everything.
func Section() Levels { return Levels{Level: Unset} }

// ParseWord parses a level keyword, case-insensitively as apache2.
func ParseWord(s string) (int, bool) {
	return wire.ParseLogLevel(strings.ToLower(s))
}

// Apply applies the words of one LogLevel line in order, as apache2's
// set_loglevel: a level keyword sets the level of every module and forgets
// the modules' own levels set so far; "module:level" sets that module's.
// Module names are ModuleName's; that the module exists is the caller's to
// check. The error is apache2's message for the first bad word.
func (l *Levels) Apply(words []string) error {
	owned := false // l.Modules may be another Levels': copied before a change
	for _, w := range words {
		i := strings.LastIndexByte(w, ':')
		if i < 0 {
			n, ok := ParseWord(w)
			if !ok {
				return errors.New(Message)
			}
			l.Level, l.Modules, owned = n, nil, false
			continue
		}
		mod, word := w[:i], w[i+1:]
		if word == "" {
			return fmt.Errorf("Module specifier '%s' must be followed by a log level keyword", mod)
		}
		n, ok := ParseWord(word)
		if !ok {
			return fmt.Errorf("%s:%s: %s", mod, word, Message)
		}
		if !owned {
			l.Modules, owned = maps.Clone(l.Modules), true
			if l.Modules == nil {
				l.Modules = map[string]int{}
			}
		}
		l.Modules[ModuleName(mod)] = n
	}
	return nil
}

// Parse reads a LogLevel value (String's form, or any LogLevel line's
// arguments) over the server's default. An empty s is the default.
func Parse(s string) (Levels, error) {
	l := Server()
	err := l.Apply(strings.Fields(s))
	return l, err
}

// String is l as a LogLevel value: the level word (none when Unset), then
// the modules' words in name order.
func (l Levels) String() string {
	var words []string
	if l.Level != Unset {
		words = append(words, wire.LogLevelName(l.Level))
	}
	for _, m := range slices.Sorted(maps.Keys(l.Modules)) {
		words = append(words, m+":"+wire.LogLevelName(l.Modules[m]))
	}
	return strings.Join(words, " ")
}

// For is the level of module's lines: its own, else l's.
func (l *Levels) For(module string) int {
	if n, ok := l.Modules[module]; ok {
		return n
	}
	return l.Level
}

// Over is the level of module's lines under l merged over base (see Merge),
// without building the merge.
func (l *Levels) Over(base *Levels, module string) int {
	if n, ok := l.Modules[module]; ok {
		return n
	}
	if l.Level != Unset {
		return l.Level
	}
	return base.For(module)
}

// Max is the most verbose level of any module under l.
func (l *Levels) Max() int {
	n := l.Level
	for _, m := range l.Modules {
		n = max(n, m)
	}
	return n
}

// Merge is over applied on top of base, as apache2's ap_merge_log_config
// merges a virtual host's over the main server's and a section's over the
// sections before: a level of its own replaces everything base says; else
// base's level holds and over's modules' levels replace base's for them.
// A nil argument is the other; the result may share their maps.
func Merge(base, over *Levels) *Levels {
	switch {
	case over == nil:
		return base
	case base == nil || over.Level != Unset:
		return over
	case len(over.Modules) == 0:
		return &Levels{Level: base.Level, Modules: base.Modules}
	case len(base.Modules) == 0:
		return &Levels{Level: base.Level, Modules: over.Modules}
	}
	m := maps.Clone(base.Modules)
	maps.Copy(m, over.Modules)
	return &Levels{Level: base.Level, Modules: m}
}

// ModuleName is the name apache2 writes in a module's lines for name as a
// LogLevel line may give it: a module's name ("rewrite_module"), its source
// ("mod_rewrite.c", "core.c", "http_core.c", "event.c") or the short name
// itself ("rewrite"), which is returned as it is.
func ModuleName(name string) string {
	if src, ok := strings.CutSuffix(name, ".c"); ok {
		for _, m := range apconf.Modules {
			if m.Source == name {
				return strings.TrimSuffix(m.Name, "_module")
			}
		}
		if short, ok := strings.CutPrefix(src, "mod_"); ok {
			return short
		}
		return "mpm_" + src // an MPM's source: event.c
	}
	if short, ok := strings.CutSuffix(name, "_module"); ok && short != "" {
		return short
	}
	return name
}
