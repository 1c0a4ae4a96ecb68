// Package rewrite is mod_rewrite as apache2 2.4 applies it to a server without
// CGI or proxy: RewriteEngine, RewriteOptions (Inherit, InheritBefore,
// AllowNoSlash), RewriteBase, RewriteCond and RewriteRule, in the server's
// context (Apply before mod_alias, see package site) and per directory
// (ApplyDir at the fixups, the directory's prefix stripped and an internal
// redirect for a local result).
//
// Patterns are Go regular expressions (RE2), not PCRE: a pattern RE2 cannot
// compile (backreferences inside a pattern, lookaround) is refused at its
// line. RewriteMap's txt:, rnd: and int: maps are looked up by ${NAME:key}
// (maps.go); its dbm:, prg:, dbd: and fastdbd: maps, the flag H (handler), the
// flag P (proxy) inside a section and the -U/-F lookups (subrequests) are
// refused at their line; [P] in the
// server context gives a Proxy result, which package site hands to package proxy.
package rewrite

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/httpd-mpm/httpd-mpm/mpm/apregex"
)

// Options are RewriteOptions' bits.
type Options uint8

const (
	OptInherit       Options = 1 << iota // parent's rules after the level's own
	OptInheritBefore                     // parent's rules before the level's own
	OptNoSlash                           // AllowNoSlash
)

// Dir is one level's mod_rewrite configuration: the server's (Set with
// server true: its rules are the server context's) or a section's. The zero
// Dir sets nothing. A compiled Dir is read-only and safe for concurrent use.
type Dir struct {
	engine     int8 // 0 unset, 1 On, -1 Off
	options    Options
	optionsSet bool
	base       string
	baseSet    bool
	// Directory is the section's path with a trailing slash, "" at the
	// server level (mod_rewrite's dconf->directory).
	Directory string
	rules     []*Rule
	conds     []*cond // RewriteCond lines waiting for their RewriteRule
	maps      map[string]*Map
	directive bool // some Rewrite* line set this level
}

// Directives are the names Set interprets.
var Directives = []string{"RewriteEngine", "RewriteOptions", "RewriteBase", "RewriteCond", "RewriteRule", "RewriteMap"}

// IsDirective reports whether name is one of Directives.
func IsDirective(name string) bool {
	for _, n := range Directives {
		if strings.EqualFold(n, name) {
			return true
		}
	}
	return false
}

// Set applies one directive line to the level; server means the line is
// outside any section (RewriteBase is refused there). The messages are
// apache2's where it has words for them.
func (d *Dir) Set(name string, args []string, server bool) error {
	d.directive = true
	switch strings.ToLower(name) {
	case "rewriteengine":
		if len(args) == 0 {
			return errors.New("RewriteEngine must be On or Off")
		}
		switch strings.ToLower(args[0]) {
		case "on":
			d.engine = 1
		case "off":
			d.engine = -1
		default:
			return errors.New("RewriteEngine must be On or Off")
		}
	case "rewriteoptions":
		for _, w := range args {
			switch lw := strings.ToLower(w); {
			case lw == "inherit":
				d.options |= OptInherit
			case lw == "inheritbefore":
				d.options |= OptInheritBefore
			case lw == "allownoslash":
				d.options |= OptNoSlash
			case strings.HasPrefix(lw, "maxredirects="):
				// apache2 warns that it is ignored.
			case lw == "inheritdown" || lw == "inheritdownbefore" || lw == "ignoreinherit" || lw == "allowanyuri" ||
				lw == "mergebase" || lw == "ignorecontextinfo" || lw == "legacyprefixdocroot" || lw == "unsafeprefixstat":
				return fmt.Errorf("RewriteOptions: option '%s' is not supported by this server (only Inherit, InheritBefore and AllowNoSlash)", w)
			default:
				return fmt.Errorf("RewriteOptions: unknown option '%s'", w)
			}
		}
		d.optionsSet = true
	case "rewritebase":
		if server {
			return errors.New("RewriteBase: only valid in per-directory config files")
		}
		if len(args) != 1 {
			return errors.New("RewriteBase takes one argument, the base URL of the per-directory context")
		}
		if args[0] == "" {
			return errors.New("RewriteBase: empty URL not allowed")
		}
		if args[0][0] != '/' {
			return errors.New("RewriteBase: argument is not a valid URL")
		}
		d.base, d.baseSet = args[0], true
	case "rewritecond":
		c, err := parseCond(args)
		if err != nil {
			return err
		}
		d.conds = append(d.conds, c)
	case "rewriterule":
		r, err := parseRule(args)
		if err != nil {
			return err
		}
		r.conds, d.conds = d.conds, nil
		d.rules = append(d.rules, r)
	case "rewritemap":
		if !server {
			return errors.New("RewriteMap not allowed here")
		}
		socket, timeout, fromHost := programLine(args[min(2, len(args)):])
		if len(args) < 2 || len(args) > 3 && !fromHost {
			return errors.New("RewriteMap takes two or three arguments, a mapname and a filename and options")
		}
		m, err := ParseMap(args[1], "")
		if err != nil {
			return err
		}
		if m.file != "" {
			m.cache = cacheOf(m.file)
		}
		if m.kind == mapPrg && fromHost {
			m.prg = prgClientOf(socket, timeout) // the socket the host put there (ProgramSocket)
		}
		if d.maps == nil {
			d.maps = map[string]*Map{}
		}
		d.maps[args[0]] = m // a later line of the name wins, as in apache2
	}
	return nil
}

// Inheritance is what RewriteOptions words say of a virtual host's
// inheritance: OptInherit, OptInheritBefore or 0 (Inherit wins, as in
// apache2's merge).
func Inheritance(words []string) Options {
	var o Options
	for _, w := range words {
		switch strings.ToLower(w) {
		case "inherit":
			o |= OptInherit
		case "inheritbefore":
			o |= OptInheritBefore
		}
	}
	if o&OptInherit != 0 {
		return OptInherit
	}
	return o
}

// ErrProxyInSection is package site's refusal of a section's [P] rule.
var ErrProxyInSection = errors.New("RewriteRule: flag 'P' (proxy) is supported by this server in the server context only (not in a section)")

// LastProxies says whether the level's last RewriteRule has the flag P.
func (d *Dir) LastProxies() bool {
	return len(d.rules) > 0 && d.rules[len(d.rules)-1].flags&flagProxy != 0
}

// SetDirectory names the section's path (mod_rewrite's per-directory prefix).
func (d *Dir) SetDirectory(path string) {
	if path != "" && !strings.HasSuffix(path, "/") {
		path += "/"
	}
	d.Directory = path
}

// Empty reports whether no Rewrite* line set the level.
func (d *Dir) Empty() bool { return !d.directive }

// Enabled reports whether RewriteEngine is On.
func (d *Dir) Enabled() bool { return d.engine > 0 }

// Maps are the server level's RewriteMap lines by name (Request.Maps).
func (d *Dir) Maps() map[string]*Map { return d.maps }

// Rules are the level's rules (at the server level, the server context's).
func (d *Dir) Rules() []*Rule { return d.rules }

// PerDir is the server level's part that directories inherit: the engine
// and the options, no rules (apache2 keeps server rules apart).
func (d *Dir) PerDir() Dir {
	return Dir{engine: d.engine, options: d.options, optionsSet: d.optionsSet, directive: d.directive}
}

// Merge is apache2's config_perdir_merge: over applied on top of base.
func Merge(base, over *Dir) Dir {
	a := Dir{engine: base.engine, options: base.options, optionsSet: base.optionsSet || over.optionsSet,
		Directory: over.Directory, base: over.base, baseSet: over.baseSet, directive: base.directive || over.directive}
	if over.engine != 0 {
		a.engine = over.engine
	}
	if over.optionsSet {
		a.options = over.options
	}
	switch {
	case a.options&OptInherit != 0:
		a.rules = concat(over.rules, base.rules)
	case a.options&OptInheritBefore != 0:
		a.rules = concat(base.rules, over.rules)
	default:
		a.rules = over.rules
	}
	return a
}

func concat(a, b []*Rule) []*Rule {
	out := make([]*Rule, 0, len(a)+len(b))
	return append(append(out, a...), b...)
}

// Cond is one RewriteCond.
type cond struct {
	input   string
	kind    condKind
	pattern string
	re      *regexp.Regexp
	not     bool
	nocase  bool
	or      bool
	novary  bool
}

type condKind int

const (
	condRegex condKind = iota
	condFile           // -f
	condSize           // -s
	condDir            // -d
	condLink           // -l -L -h
	condExec           // -x
	condStrLT
	condStrLE
	condStrGT
	condStrGE
	condStrEQ
	condIntLT
	condIntLE
	condIntGT
	condIntGE
	condIntEQ
)

func parseCond(args []string) (*cond, error) {
	if len(args) < 2 {
		return nil, fmt.Errorf("RewriteCond: bad argument line '%s'", strings.Join(args, " "))
	}
	c := &cond{input: args[0]}
	if len(args) >= 3 { // apache2 ignores what follows the flags
		err := parseFlags(args[2], func(key, val string) error {
			switch strings.ToLower(key) {
			case "nocase", "nc":
				c.nocase = true
			case "ornext", "or":
				c.or = true
			case "novary", "nv":
				c.novary = true
			default:
				return fmt.Errorf("unknown flag '%s'", key)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("RewriteCond: %w", err)
		}
	}
	if strings.EqualFold(c.input, "expr") {
		return nil, errors.New("RewriteCond: expr is not supported by this server")
	}
	p := args[1]
	if strings.HasPrefix(p, "!") {
		c.not, p = true, p[1:]
	}
	if len(p) >= 2 {
		if p[0] == '-' {
			if len(p) == 2 {
				switch p[1] {
				case 'f':
					c.kind = condFile
				case 's':
					c.kind = condSize
				case 'd':
					c.kind = condDir
				case 'x':
					c.kind = condExec
				case 'h', 'L', 'l':
					c.kind = condLink
				case 'U', 'F':
					return nil, fmt.Errorf("RewriteCond: -%c (a subrequest lookup) is not supported by this server", p[1])
				}
			} else if len(p) > 3 {
				switch p[1:3] {
				case "lt":
					c.kind, p = condIntLT, p[3:]
				case "le":
					c.kind, p = condIntLE, p[3:]
				case "gt":
					c.kind, p = condIntGT, p[3:]
				case "ge":
					c.kind, p = condIntGE, p[3:]
				case "eq":
					c.kind, p = condIntEQ, p[3:]
				case "ne":
					c.kind, p, c.not = condIntEQ, p[3:], !c.not
				}
			}
		} else {
			switch p[0] {
			case '>':
				c.kind, p = condStrGT, p[1:]
				if strings.HasPrefix(p, "=") {
					c.kind, p = condStrGE, p[1:]
				}
			case '<':
				c.kind, p = condStrLT, p[1:]
				if strings.HasPrefix(p, "=") {
					c.kind, p = condStrLE, p[1:]
				}
			case '=':
				c.kind, p = condStrEQ, p[1:]
				if p == `""` {
					p = ""
				}
			}
		}
	}
	if c.kind != condRegex && (c.kind < condStrLT || c.kind > condStrEQ) {
		c.nocase = false // apache2 warns and ignores NC there
	}
	c.pattern = p
	if c.kind == condRegex {
		re, err := compile(p, c.nocase)
		if err != nil {
			return nil, fmt.Errorf("RewriteCond: cannot compile regular expression '%s': %w", p, err)
		}
		c.re = re
	}
	return c, nil
}

// compile compiles a pattern as RE2; what only PCRE knows is an error that
// says so.
func compile(p string, nocase bool) (*regexp.Regexp, error) {
	re, err := apregex.Compile(p, nocase)
	if err != nil {
		return nil, fmt.Errorf("%w (patterns are Go RE2 regular expressions: no backreferences or lookaround)", err)
	}
	return re, nil
}

// Rule is one RewriteRule with the RewriteCond lines before it.
type Rule struct {
	pattern   string
	re        *regexp.Regexp
	not       bool
	output    string
	conds     []*cond
	flags     ruleFlags
	status    int // R=, F, G
	skip      int
	maxRounds int
	mimeType  string
	env       []string
	cookies   []string
	escapes   string // B=chars
}

type ruleFlags uint32

const (
	flagChain  ruleFlags = 1 << iota
	flagNoSub            // "-"
	flagStatus           // F, G, R=non-3xx
	flagRedirect
	flagLast
	flagEnd
	flagNext
	flagNoCase
	flagNoEscape
	flagPassThrough
	flagQSA
	flagQSD
	flagQSL
	flagQSNone
	flagDPI
	flagEscapeBackref
	flagNoPlus
	flagUNC
	flagNoSubreq
	flagAllow3F
	flagUnsafePrefixStat
	flagProxy
)

// maxRounds is apache2's REWRITE_MAX_ROUNDS, N's default bound.
const maxRounds = 10000

func parseRule(args []string) (*Rule, error) {
	if len(args) < 2 {
		return nil, fmt.Errorf("RewriteRule: bad argument line '%s'", strings.Join(args, " "))
	}
	r := &Rule{status: 302, maxRounds: maxRounds}
	if len(args) >= 3 { // apache2 ignores what follows the flags
		if err := parseFlags(args[2], r.setFlag); err != nil {
			return nil, fmt.Errorf("RewriteRule: %w", err)
		}
	}
	p := args[0]
	if strings.HasPrefix(p, "!") {
		r.not, p = true, p[1:]
	}
	re, err := compile(p, r.flags&flagNoCase != 0)
	if err != nil {
		return nil, fmt.Errorf("RewriteRule: cannot compile regular expression '%s': %w", p, err)
	}
	r.pattern, r.re = p, re
	r.output = args[1]
	if r.output == "-" {
		r.flags |= flagNoSub
	}
	if strings.HasSuffix(r.output, "?") {
		if r.flags&flagQSA != 0 {
			r.flags |= flagQSL
		} else {
			r.flags |= flagQSNone
			r.output = r.output[:len(r.output)-1]
		}
	} else if r.flags&flagQSD != 0 && !strings.Contains(r.output, "?") {
		r.flags |= flagQSNone
	}
	return r, nil
}

// setFlag is cmd_rewriterule_setflag.
func (r *Rule) setFlag(key, val string) error {
	k := strings.ToLower(key)
	switch k {
	case "b", "backrefescaping":
		r.flags |= flagEscapeBackref
		r.escapes = val
	case "bnp", "backrefnoplus":
		r.flags |= flagNoPlus
	case "c", "chain":
		r.flags |= flagChain
	case "co", "cookie":
		r.cookies = append(r.cookies, val)
	case "d", "dpi", "discardpath":
		r.flags |= flagDPI
	case "e", "env":
		r.env = append(r.env, val)
	case "end":
		r.flags |= flagEnd
	case "f", "forbidden":
		r.flags |= flagStatus | flagNoSub
		r.status = 403
	case "g", "gone":
		r.flags |= flagStatus | flagNoSub
		r.status = 410
	case "l", "last":
		r.flags |= flagLast
	case "ne", "noescape":
		r.flags |= flagNoEscape
	case "n", "next":
		r.flags |= flagNext
		if val != "" {
			r.maxRounds, _ = strconv.Atoi(val)
		}
	case "ns", "nosubreq":
		r.flags |= flagNoSubreq
	case "nc", "nocase":
		r.flags |= flagNoCase
	case "pt", "passthrough":
		r.flags |= flagPassThrough
	case "qsa", "qsappend":
		r.flags |= flagQSA
	case "qsd", "qsdiscard":
		r.flags |= flagQSD
	case "qsl", "qslast":
		r.flags |= flagQSL
	case "r", "redirect":
		r.flags |= flagRedirect
		switch {
		case val == "":
		case strings.EqualFold(val, "permanent"):
			r.status = 301
		case strings.EqualFold(val, "temp"):
			r.status = 302
		case strings.EqualFold(val, "seeother"):
			r.status = 303
		case val[0] >= '0' && val[0] <= '9':
			n, _ := strconv.Atoi(val)
			if n < 100 || n > 599 {
				return fmt.Errorf("invalid HTTP response code '%s' for flag 'R'", val)
			}
			r.status = n
			if n < 300 || n > 399 {
				r.flags |= flagStatus | flagNoSub
			}
		default:
			r.status = 0
		}
	case "s", "skip":
		r.skip, _ = strconv.Atoi(val)
	case "t", "type":
		r.mimeType = val
	case "unc":
		r.flags |= flagUNC
	case "p", "proxy":
		r.flags |= flagProxy
	case "h", "handler":
		return errors.New("flag 'H' (handler) is not supported by this server")
	case "unsafeallow3f":
		r.flags |= flagAllow3F
	case "unsafeprefixstat":
		r.flags |= flagUnsafePrefixStat
	case "bne", "bctls":
		return fmt.Errorf("flag '%s' is not supported by this server", key)
	default:
		return fmt.Errorf("unknown flag '%s'", key)
	}
	return nil
}

// parseFlags is cmd_parseflagfield: "[a,b=c,...]".
func parseFlags(field string, set func(key, val string) error) error {
	if len(field) < 2 || field[0] != '[' || field[len(field)-1] != ']' {
		return errors.New("bad flag delimiters")
	}
	for _, f := range strings.Split(field[1:len(field)-1], ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		key, val, _ := strings.Cut(f, "=")
		if err := set(key, val); err != nil {
			return err
		}
	}
	return nil
}
