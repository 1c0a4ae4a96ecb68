// Package negotiation is apache2's mod_negotiation: the choice of a variant
// of a resource by the request's Accept, Accept-Language, Accept-Charset and
// Accept-Encoding fields, with apache2 2.4's own algorithm (quality values,
// then language, LanguagePriority, media type level, charset, encoding and
// length), its Vary, TCN and Alternates fields and its list of variants; the
// type-map files (.var) that describe variants; and the per-directory
// LanguagePriority and ForceLanguagePriority.
//
// The variants are found by the caller (package static: Options MultiViews
// reads a directory, a type map lists them); this package only chooses.
//
// Not implemented: transparent content negotiation's Negotiate request
// field (RFC 2295, the RVSA/1.0 algorithm and 300 lists): a request that
// carries one is negotiated as if it had none.
package negotiation

import (
	"errors"
	"strconv"
	"strings"
)

// Force is ForceLanguagePriority's bits.
type Force uint8

// ForceLanguagePriority's options; the zero value is unset, which acts as
// Prefer.
const (
	ForceNone Force = 1 << iota
	ForcePrefer
	ForceFallback
)

// Config is one level's LanguagePriority and ForceLanguagePriority.
type Config struct {
	Priority []string // nil: unset
	Force    Force
	// CacheDocs is the server's CacheNegotiatedDocs On: a negotiated
	// answer to an HTTP/1.0 client is not marked expired.
	CacheDocs bool
}

// Set applies one directive line; the errors are apache2's.
func (c *Config) Set(name string, args []string) error {
	switch strings.ToLower(name) {
	case "cachenegotiateddocs":
		c.CacheDocs = len(args) > 0 && strings.EqualFold(args[0], "on")
	case "languagepriority":
		if c.Priority == nil {
			c.Priority = []string{}
		}
		c.Priority = append(c.Priority, args...)
	case "forcelanguagepriority":
		for _, w := range args {
			switch strings.ToLower(w) {
			case "none":
				if c.Force&^ForceNone != 0 {
					return errors.New("Cannot combine ForceLanguagePriority options with None")
				}
				c.Force = ForceNone
			case "prefer":
				if c.Force&ForceNone != 0 {
					return errors.New("Cannot combine ForceLanguagePriority options None and Prefer")
				}
				c.Force |= ForcePrefer
			case "fallback":
				if c.Force&ForceNone != 0 {
					return errors.New("Cannot combine ForceLanguagePriority options None and Fallback")
				}
				c.Force |= ForceFallback
			default:
				return errors.New("Invalid ForceLanguagePriority option " + w)
			}
		}
	}
	return nil
}

// Merge is add over c, as merge_neg_dir_configs.
func (c Config) Merge(add *Config) Config {
	if add.Force != 0 {
		c.Force = add.Force
	}
	if add.Priority != nil {
		c.Priority = add.Priority
	}
	c.CacheDocs = c.CacheDocs || add.CacheDocs
	return c
}

// Empty says the level has neither directive.
func (c *Config) Empty() bool { return c.Force == 0 && c.Priority == nil && !c.CacheDocs }

// Variant is one representation of a resource.
type Variant struct {
	Name        string   // file name (relative to the resource's directory, or a type map's URI)
	Type        string   // media type, lowercase, without parameters
	Level       float64  // the type's level parameter (text/html: 2 unless given)
	QS          float64  // source quality (qs=), 1 unless given
	Charset     string   // the type's charset parameter, lowercase
	Languages   []string // lowercase
	Encoding    string   // Content-Encoding as configured ("x-gzip")
	Size        int64    // -1: unknown
	Description string
	Body        int64 // type map Body: offset in the map file, -1 for none
	HasHandler  bool  // a handler runs for the file (no {length} in Alternates)

	// per negotiation
	langQ, encQ, charsetQ, typeQ float64
	levelMatched                 float64
	stars                        int
	langIndex                    int
	definite                     bool
}

// SetType reads a Content-Type value (a type map's, or mod_mime's answer for
// a file) into v: type, qs, level and charset, as set_mime_fields.
func (v *Variant) SetType(ct string) {
	var e entry
	parseEntry(&e, ct)
	v.Type, v.QS, v.Level, v.Charset = e.name, e.q, e.level, e.charset
}

// pseudoHTML says whether v is text/html (apache2 counts its server-parsed
// types too).
func (v *Variant) pseudoHTML() bool {
	return v.Type == "text/html" || v.Type == "text/x-server-parsed-html" || v.Type == "text/x-server-parsed-html3"
}

// entry is one element of an Accept* field, or a type.
type entry struct {
	name    string
	q       float64
	level   float64
	charset string
}

// atoq reads a quality value as apache2's atoq: at most three decimals,
// anything unreadable is 1.
func atoq(s string) float64 {
	s = strings.TrimLeft(s, " \t\r\n\v\f")
	if s == "" {
		return 1
	}
	if s[0] != '.' {
		if s[0] != '0' {
			return 1
		}
		s = s[1:]
	}
	if s == "" || s[0] != '.' {
		return 0
	}
	s = s[1:]
	i := 0
	if len(s) > 0 && s[0] >= '0' && s[0] <= '9' {
		i += int(s[0]-'0') * 100
		if len(s) > 1 && s[1] >= '0' && s[1] <= '9' {
			i += int(s[1]-'0') * 10
			if len(s) > 2 && s[2] > '0' && s[2] <= '9' {
				i += int(s[2] - '0')
			}
		}
	}
	return float64(float32(i) / 1000)
}

// token is ap_get_token: a word up to a space, ',' or ';' (with accept_white,
// spaces too belong to it), quoted strings kept whole; leading and trailing
// spaces dropped.
func token(s string, acceptWhite bool) (tok, rest string) {
	s = strings.TrimLeft(s, " \t\r\n\v\f")
	i := 0
	for i < len(s) {
		c := s[i]
		if !acceptWhite && isSpace(c) || c == ';' || c == ',' {
			break
		}
		if c == '"' {
			j := strings.IndexByte(s[i+1:], '"')
			if j < 0 {
				i = len(s)
				break
			}
			i += j + 2
			continue
		}
		i++
	}
	tok = strings.TrimRight(s[:i], " \t\r\n\v\f")
	rest = strings.TrimLeft(s[i:], " \t\r\n\v\f")
	return tok, rest
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// parseEntry is get_entry: one media range (or language, charset, encoding)
// with its q, level and charset parameters; the rest of line after it.
func parseEntry(e *entry, line string) string {
	e.q, e.level, e.charset = 1, 0, ""
	var name string
	name, line = token(line, false)
	e.name = strings.ToLower(name)
	switch e.name {
	case "text/html", "text/x-server-parsed-html":
		e.level = 2
	case "text/x-server-parsed-html3":
		e.level = 3
	}
	for len(line) > 0 && line[0] == ';' {
		var parm string
		parm, line = token(line[1:], true)
		k := 0
		for k < len(parm) && !isSpace(parm[k]) && parm[k] != '=' {
			k++
		}
		if k == len(parm) {
			continue
		}
		attr := strings.ToLower(parm[:k])
		val := strings.TrimLeft(parm[k:], " \t\r\n\v\f=")
		if strings.HasPrefix(val, "\"") {
			val = val[1:]
			if j := strings.IndexAny(val, "\"\r\n"); j >= 0 {
				val = val[:j]
			}
		} else if j := strings.IndexAny(val, " \t\r\n\v\f"); j >= 0 {
			val = val[:j]
		}
		val = strings.ToLower(val)
		switch attr {
		case "q", "qs":
			e.q = atoq(val)
		case "level":
			n, _ := strconv.Atoi(leadingInt(val))
			e.level = float64(n)
		case "charset":
			e.charset = val
		}
	}
	if len(line) > 0 && line[0] == ',' {
		line = line[1:]
	}
	return line
}

// leadingInt is the part of s atoi reads.
func leadingInt(s string) string {
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i]
}

// parseLine is do_header_line: nil for a field not sent.
func parseLine(vals []string) []entry {
	if len(vals) == 0 {
		return nil
	}
	line := vals[0]
	for _, v := range vals[1:] {
		line += ", " + v
	}
	out := []entry{}
	for line != "" {
		var e entry
		rest := parseEntry(&e, line)
		out = append(out, e)
		if len(rest) == len(line) { // nothing read: stop rather than loop
			break
		}
		line = rest
	}
	return out
}

// Languages reads a Content-Language value (a type map's) as
// do_languages_line: lowercase tags.
func Languages(line string) []string {
	out := []string{}
	for line != "" {
		var tag string
		tag, line = token(line, false)
		out = append(out, strings.ToLower(tag))
		if line != "" && (line[0] == ',' || line[0] == ';') {
			line = line[1:]
		} else if line != "" && tag == "" {
			break
		}
	}
	return out
}
