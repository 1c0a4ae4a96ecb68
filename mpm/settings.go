package mpm

import (
	"fmt"
	"github.com/httpd-mpm/httpd-mpm/internal/cnum"
	"strconv"
	"strings"
)

// Values are an MPM's directive values after Decode: the last setting of
// each directive wins, as in Apache; a directive not set has its Default.
type Values struct {
	byName map[string]value
}

type value struct {
	args []string
	set  *Setting
}

// Decode checks settings against the directive table and returns the
// values. Unknown names, wrong argument counts, numbers that do not parse
// and numbers out of range are SeverityError diagnostics with the
// setting's file and line.
func Decode(dirs []Directive, settings []Setting) (Values, []Diagnostic) {
	v := Values{byName: make(map[string]value, len(dirs))}
	known := make(map[string]Directive, len(dirs))
	for _, d := range dirs {
		key := strings.ToLower(d.Name)
		known[key] = d
		if d.Default != "" {
			v.byName[key] = value{args: []string{d.Default}}
		}
	}
	var diags []Diagnostic
	for i := range settings {
		s := &settings[i]
		d, ok := known[strings.ToLower(s.Name)]
		if !ok {
			diags = append(diags, errorAt(s, "Invalid command '%s', perhaps misspelled or defined by a module not included in the server configuration", s.Name))
			continue
		}
		if msg := d.check(s.Args); msg != "" {
			diags = append(diags, errorAt(s, "%s", msg))
			continue
		}
		v.byName[strings.ToLower(d.Name)] = value{args: s.Args, set: s}
	}
	return v, diags
}

func errorAt(s *Setting, format string, args ...any) Diagnostic {
	return Diagnostic{Severity: SeverityError, Message: fmt.Sprintf(format, args...), File: s.File, Line: s.Line}
}

// ArgRange returns the directive's argument-count bounds (max -1 = any).
func (d Directive) ArgRange() (minArgs, maxArgs int) {
	minArgs, maxArgs = d.MinArgs, d.MaxArgs
	if minArgs == 0 {
		minArgs = 1
	}
	if maxArgs == 0 {
		maxArgs = minArgs
	}
	return minArgs, maxArgs
}

// check returns an Apache-style message for bad arguments, or "".
func (d Directive) check(args []string) string {
	lo, hi := d.ArgRange()
	if len(args) < lo || (hi >= 0 && len(args) > hi) {
		if lo == 1 && hi == 1 {
			return fmt.Sprintf("%s takes one argument, %s", d.Name, d.Help)
		}
		return fmt.Sprintf("%s takes %d to %d arguments, %s", d.Name, lo, hi, d.Help)
	}
	switch d.Kind {
	case KindInt:
		n, err := strconv.ParseInt(args[0], 10, 64)
		if err != nil {
			return fmt.Sprintf("%s: '%s' is not a whole number", d.Name, args[0])
		}
		if (d.Min != 0 || d.Max != 0) && (n < d.Min || n > d.Max) {
			return fmt.Sprintf("%s: %d is out of range %d to %d", d.Name, n, d.Min, d.Max)
		}
	case KindFloat:
		if _, err := strconv.ParseFloat(args[0], 64); err != nil {
			return fmt.Sprintf("%s: '%s' is not a number", d.Name, args[0])
		}
	case KindFlag:
		if !strings.EqualFold(args[0], "on") && !strings.EqualFold(args[0], "off") {
			return fmt.Sprintf("%s must be On or Off", d.Name)
		}
	}
	return ""
}

// Int returns a KindInt directive's value (0 if unset with no default).
func (v Values) Int(name string) int {
	a := v.byName[strings.ToLower(name)].args
	if len(a) == 0 {
		return 0
	}
	n, _ := strconv.Atoi(a[0])
	return n
}

// Float returns a KindFloat directive's value.
func (v Values) Float(name string) float64 {
	a := v.byName[strings.ToLower(name)].args
	if len(a) == 0 {
		return 0
	}
	f, _ := strconv.ParseFloat(a[0], 64)
	return f
}

// String returns a directive's first argument.
func (v Values) String(name string) string {
	a := v.byName[strings.ToLower(name)].args
	if len(a) == 0 {
		return ""
	}
	return a[0]
}

// Flag reports whether a KindFlag directive is On.
func (v Values) Flag(name string) bool {
	return strings.EqualFold(v.String(name), "on")
}

// Setting returns where the directive was set, or nil if it has its default.
func (v Values) Setting(name string) *Setting {
	return v.byName[strings.ToLower(name)].set
}

// Atoi returns a directive's first argument read the way C's atoi reads
// it, as Apache reads its MPM numbers: leading blanks and a sign, then
// digits up to the first other character; no digits gives 0.
func (v Values) Atoi(name string) int {
	return Atoi(v.String(name))
}

// Atoi is C's atoi (saturating instead of overflowing).
func Atoi(s string) int { return cnum.Atoi(s) }
