// Package expires is apache2's mod_expires: ExpiresActive, ExpiresByType and
// ExpiresDefault, parsed with apache2's messages, and the Expires and
// Cache-Control max-age fields they give a response whose status is below
// 400 and which has no Expires field yet.
//
// As in apache2, the configuration of one level replaces the inherited
// ExpiresActive and ExpiresDefault when it sets them, its ExpiresByType
// entries come before the inherited ones, and whether "major/*" entries are
// looked at is what the most specific level with an Expires directive says
// (mod_expires' merge keeps only that level's wildcard flag).
package expires

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Active is ExpiresActive's state.
type Active int8

const (
	Unset Active = iota // no ExpiresActive: inherited
	On
	Off
)

// Code is a parsed expiry code: a base (access or modification time) plus
// seconds.
type Code struct {
	Modification bool
	Seconds      int64
}

type byType struct {
	mime string
	code Code
}

// Config is what one level (or a merged configuration) says.
type Config struct {
	Active    Active
	Default   *Code
	types     []byType // first match wins
	wildcards bool
	set       bool // any Expires directive at this level
}

// Set applies one ExpiresActive, ExpiresByType or ExpiresDefault line
// (name in any case); other names are ignored. The errors are apache2's.
func (c *Config) Set(name string, args []string) error {
	switch strings.ToLower(name) {
	case "expiresactive":
		if len(args) == 0 {
			return errors.New("ExpiresActive must be On or Off")
		}
		switch strings.ToLower(args[0]) {
		case "on":
			c.Active = On
		case "off":
			c.Active = Off
		default:
			return errors.New("ExpiresActive must be On or Off")
		}
	case "expiresbytype":
		if len(args) != 2 || args[1] == "" {
			return errors.New("ExpiresByType takes two arguments, a MIME type followed by an expiry date code")
		}
		mime := args[0]
		i := strings.LastIndexByte(mime, '/')
		if i < 0 {
			return errors.New("Invalid mimetype: should contain a slash")
		}
		code, err := ParseCode(args[1])
		if err != nil {
			return errors.New("'ExpiresByType " + mime + " " + args[1] + "': " + err.Error())
		}
		if mime[i+1:] == "*" {
			c.wildcards = true
		}
		for j := range c.types {
			if strings.EqualFold(c.types[j].mime, mime) {
				c.types = append(c.types[:j], c.types[j+1:]...)
				break
			}
		}
		c.types = append(c.types, byType{mime, code})
	case "expiresdefault":
		if len(args) != 1 || args[0] == "" {
			return errors.New("ExpiresDefault takes one argument, an expiry date code")
		}
		code, err := ParseCode(args[0])
		if err != nil {
			return errors.New("'ExpiresDefault " + args[0] + "': " + err.Error())
		}
		c.Default = &code
	default:
		return nil
	}
	c.set = true
	return nil
}

// ParseCode is mod_expires' check_code: "A3600", "M86400", or
// "<base> [plus] {<num> <type>}*" with apache2's one-letter abbreviations.
func ParseCode(s string) (Code, error) {
	if s != "" && (s[0] == 'A' || s[0] == 'M') {
		n, _ := strconv.Atoi(leadingInt(s[1:]))
		return Code{Modification: s[0] == 'M', Seconds: int64(n)}, nil
	}
	words := strings.Fields(s)
	next := func() string {
		if len(words) == 0 {
			return ""
		}
		w := words[0]
		words = words[1:]
		return w
	}
	prefix := func(w, full string, n int) bool {
		return len(w) >= n && len(w) <= len(full) && strings.EqualFold(w, full[:len(w)])
	}
	var c Code
	w := next()
	switch {
	case prefix(w, "now", 1), prefix(w, "access", 1):
	case prefix(w, "modification", 1):
		c.Modification = true
	default:
		return c, errors.New("bad expires code, unrecognised <base> '" + w + "'")
	}
	w = next()
	if prefix(w, "plus", 1) {
		w = next()
	}
	for w != "" {
		if w[0] < '0' || w[0] > '9' {
			return c, errors.New("bad expires code, numeric value expected <num> '" + w + "'")
		}
		num, _ := strconv.Atoi(leadingInt(w))
		t := next()
		if t == "" {
			return c, errors.New("bad expires code, missing <type>")
		}
		var factor int64
		switch {
		case prefix(t, "years", 1):
			factor = 365 * 24 * 3600
		case prefix(t, "months", 2):
			factor = 30 * 24 * 3600
		case prefix(t, "weeks", 1):
			factor = 7 * 24 * 3600
		case prefix(t, "days", 1):
			factor = 24 * 3600
		case prefix(t, "hours", 1):
			factor = 3600
		case prefix(t, "minutes", 2):
			factor = 60
		case prefix(t, "seconds", 1):
			factor = 1
		default:
			return c, errors.New("bad expires code, unrecognised <type>'" + t + "'")
		}
		c.Seconds += factor * int64(num)
		w = next()
	}
	return c, nil
}

// leadingInt is the digits atoi reads.
func leadingInt(s string) string {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i]
}

// Merge is over applied on top of c (mod_expires' merge_expires_dir_configs);
// a level without any Expires directive changes nothing.
func (c Config) Merge(over *Config) Config {
	if !over.set {
		return c
	}
	m := Config{Active: c.Active, Default: c.Default, wildcards: over.wildcards, set: true}
	if over.Active != Unset {
		m.Active = over.Active
	}
	if over.Default != nil {
		m.Default = over.Default
	}
	m.types = append(append(make([]byType, 0, len(over.types)+len(c.types)), over.types...), c.types...)
	return m
}

// Empty reports whether c holds no Expires directive.
func (c *Config) Empty() bool { return !c.set }

// Enabled reports whether c gives any response an Expires field.
func (c *Config) Enabled() bool {
	return c.Active == On && (len(c.types) > 0 || c.Default != nil)
}

// Apply gives the response fields h (status status) apache2's Expires and
// Cache-Control max-age, unless the status is 400 or more or h has an
// Expires already: from the ExpiresByType of h's Content-Type, else of its
// "major/*", else ExpiresDefault. now is the request's time; mtime the
// modification time of the file or directory served (zero: none, and then a
// modification-based code gives nothing).
func (c *Config) Apply(h http.Header, status int, now, mtime time.Time) {
	if status >= 400 || !c.Enabled() || len(h["Expires"]) > 0 {
		return
	}
	var ct string
	if v := h["Content-Type"]; len(v) > 0 {
		ct = v[0]
	}
	code := c.lookup(ct)
	if code == nil {
		return
	}
	base := now
	if code.Modification {
		if mtime.IsZero() {
			return
		}
		base = mtime
	}
	exp := base.Add(time.Duration(code.Seconds) * time.Second)
	if exp.Before(now) {
		exp = now
	}
	age := "max-age=" + strconv.FormatInt(int64(exp.Sub(now)/time.Second), 10)
	if cc := h["Cache-Control"]; len(cc) > 0 {
		out := append([]string(nil), cc...)
		out[0] += ", " + age
		h["Cache-Control"] = out
	} else {
		h["Cache-Control"] = []string{age}
	}
	h["Expires"] = []string{exp.UTC().Format(http.TimeFormat)}
}

// lookup finds the code for the Content-Type ct.
func (c *Config) lookup(ct string) *Code {
	if ct != "" {
		noparam := ct
		if i := strings.IndexByte(noparam, ';'); i >= 0 {
			noparam = noparam[:i]
		}
		noparam = strings.TrimRight(noparam, " \t")
		for i := range c.types {
			if strings.EqualFold(c.types[i].mime, noparam) {
				return &c.types[i].code
			}
		}
		if c.wildcards {
			if i := strings.IndexByte(ct, '/'); i >= 0 {
				major := ct[:i+1] + "*"
				for j := range c.types {
					if strings.EqualFold(c.types[j].mime, major) {
						return &c.types[j].code
					}
				}
			}
		}
	}
	return c.Default
}
