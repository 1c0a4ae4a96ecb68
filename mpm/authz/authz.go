// Package authz is Apache 2.4's authorization as mod_authz_core, mod_authz_host and
// mod_access_compat apply it: Require lines with their providers (all, method, ip,
// host, forward-dns, local, and those registered with Register), <RequireAll>,
// <RequireAny> and <RequireNone> sections, AuthMerging, and the older Order, Allow,
// Deny and Satisfy.
//
// A Level is what one configuration section says; Merge combines the levels of the
// sections that apply to a request in Apache's order, and the merged Level's Policy
// decides requests.
package authz

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/httpd-mpm/httpd-mpm/mpm/static"
)

// Result is a provider's or a section's answer (mod_auth.h's authz_status).
type Result uint8

const (
	Denied Result = iota
	Granted
	// DeniedNoUser is a denial that an authenticated user may turn into a grant
	// (the user, valid-user and group providers without a user): the server then
	// asks for credentials.
	DeniedNoUser
	Neutral
	GeneralError
)

// String is the result as mod_authz_core's debug lines word it.
func (r Result) String() string {
	switch r {
	case Denied:
		return "denied"
	case Granted:
		return "granted"
	case DeniedNoUser:
		return "denied (no authenticated user yet)"
	case GeneralError:
		return "general error"
	}
	return "neutral"
}

// Checker is the test of one parsed Require line.
type Checker interface {
	// Check answers for r. log reports what apache2's provider logs; it is nil when
	// nothing is logged.
	Check(r *http.Request, log *Log) Result
}

// Provider parses the arguments of a Require line that names it (the words after
// the provider's name) into its Checker; its error is the configuration error, in
// apache2's words.
type Provider func(args []string) (Checker, error)

var providers = map[string]Provider{}

// unsupported are apache2's providers this server does not have, refused in
// words that say so.
var unsupported = []string{"ssl", "ssl-verify-client", "file-owner", "file-group", "dbd-group",
	"dbm-group", "ldap-user", "ldap-group", "ldap-dn", "ldap-attribute", "ldap-filter", "ldap-search"}

// Register adds an authorization provider (Require name ...); the name is
// case-insensitive, as in Apache. Call it from an init function.
func Register(name string, p Provider) {
	providers[strings.ToLower(name)] = p
}

// CheckFunc adapts a function to a Checker.
type CheckFunc func(r *http.Request, log *Log) Result

func (f CheckFunc) Check(r *http.Request, log *Log) Result { return f(r, log) }

// Log is where a Policy reports what apache2 logs while it authorizes.
type Log struct {
	Func  static.LogFunc
	Level static.Level // the most verbose level Func is called for
}

// LevelDebug is apache2's APLOG_DEBUG.
const LevelDebug static.Level = 7

// Enabled reports whether messages of level are logged.
func (l *Log) Enabled(level static.Level) bool {
	return l != nil && l.Func != nil && level <= l.Level
}

// Printf logs a message of level for module about r.
func (l *Log) Printf(r *http.Request, level static.Level, module, format string, args ...any) {
	if l.Enabled(level) {
		l.Func(r, level, module, nil, fmt.Sprintf(format, args...))
	}
}

type logicOp uint8

const (
	opUnset logicOp = iota
	opAnd
	opOr
	opOff
)

// node is mod_authz_core's authz_section_conf: a Require line (check set) or a
// section of them.
type node struct {
	op       logicOp // opAnd or opOr, for a section
	negate   bool
	limited  uint64 // the methods the node applies to (<Limit>), a section's its lines'
	merged   bool   // two levels joined by AuthMerging
	provider string
	args     string
	check    Checker
	children []*node
}

// command is the node as mod_authz_core names it in its messages.
func (n *node) command() string {
	if n.check != nil {
		not := ""
		if n.negate {
			not = "not "
		}
		return "Require " + not + n.provider + " " + n.args
	}
	var kind string
	switch {
	case n.op == opAnd && n.negate:
		kind = "NotAll"
	case n.op == opAnd:
		kind = "All"
	case n.negate:
		kind = "None"
	default:
		kind = "Any"
	}
	if n.merged {
		return "AuthMerging " + kind
	}
	return "<Require" + kind + ">"
}

// Item is one line of a level in configuration order: a directive (Name, Args) or,
// when Section is set, a <RequireAll>, <RequireAny> or <RequireNone> section with
// its own items.
type Item struct {
	Name    string
	Args    []string
	Section []Item
	File    string
	Line    int
}

// Error is a configuration error at a line.
type Error struct {
	File    string
	Line    int
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Message) }

// Directives are the names of the directives a Level interprets; IsSection tells the
// sections among the names an Item may have.
var Directives = []string{"Require", "AuthMerging", "Order", "Allow", "Deny", "Satisfy"}

// IsSection reports whether name is a section of this package.
func IsSection(name string) bool {
	switch strings.ToLower(name) {
	case "requireall", "requireany", "requirenone":
		return true
	}
	return false
}

// IsLimit reports whether name is <Limit> or <LimitExcept>, whose Require, Allow,
// Deny, Order and Satisfy lines a Level takes for some methods only (Item.Args).
func IsLimit(name string) bool {
	return strings.EqualFold(name, "limit") || strings.EqualFold(name, "limitexcept")
}

// Level is what one configuration level (a <Directory>, <Location>, ... section)
// says about access. The zero Level says nothing.
type Level struct {
	section *node
	op      logicOp // AuthMerging
	compat  *compat // nil: no Order, Allow, Deny or Satisfy here
	limit   uint64  // while adding a <Limit>'s lines: its methods (0: all)
}

// Add applies the item it of a level (a Require line, a section, AuthMerging, or
// one of mod_access_compat's directives); other items are ignored. Errors carry
// apache2's words.
func (l *Level) Add(it Item) error {
	name := strings.ToLower(it.Name)
	lim := l.limit
	if lim == 0 {
		lim = allMethods
	}
	switch {
	case name == "limit", name == "limitexcept":
		return l.addLimit(it, lim)
	case it.Section != nil || IsSection(name):
		if l.section == nil {
			l.section = &node{op: opOr}
		}
		return addSection(l.section, it, lim)
	case name == "require":
		if l.section == nil {
			l.section = &node{op: opOr}
		}
		return addRequire(l.section, it.Args, lim)
	case name == "authmerging":
		if len(it.Args) != 1 {
			return errors.New("AuthMerging takes one argument, controls how a <Directory>, <Location>, or similar directive's authorization directives are combined with those of its predecessor")
		}
		switch strings.ToLower(it.Args[0]) {
		case "off":
			l.op = opOff
		case "and":
			l.op = opAnd
		case "or":
			l.op = opOr
		default:
			return errors.New("AuthMerging must be one of: Off | And | Or")
		}
	case name == "order", name == "allow", name == "deny", name == "satisfy":
		if l.compat == nil {
			l.compat = &compat{}
		}
		return l.compat.add(name, it.Args, lim)
	}
	return nil
}

// addLimit adds the lines of a <Limit> or <LimitExcept> section (it.Args are its
// methods) for those methods only, as core's ap_limit_section does.
func (l *Level) addLimit(it Item, lim uint64) error {
	display := "<" + it.Name
	var mask uint64
	except := strings.EqualFold(it.Name, "limitexcept")
	for _, m := range it.Args {
		if m == "TRACE" && !except {
			return errors.New("TRACE cannot be controlled by <Limit>, see TraceEnable")
		}
		mask |= registerMethod(m)
	}
	if except {
		mask = ^mask
	}
	switch {
	case lim&mask == 0:
		return errors.New(display + "> directive excludes all methods")
	case lim&mask == lim && lim != allMethods:
		return errors.New(display + "> directive specifies methods already excluded")
	}
	old := l.limit
	l.limit = lim & mask
	defer func() { l.limit = old }()
	var errs []error
	for _, c := range it.Section {
		if err := l.Add(c); err != nil {
			errs = append(errs, place(c, err))
		}
	}
	return errors.Join(errs...)
}

// place gives err the position of the item c, unless it has one.
func place(c Item, err error) error {
	var placed *Error
	if errors.As(err, &placed) {
		return err
	}
	return &Error{File: c.File, Line: c.Line, Message: err.Error()}
}

// Check is mod_authz_core's check at startup (AH01624): every section must have a
// line that is not negated. It also rewrites the level as mod_authz_core does (a
// negated section of the other kind becomes its negated lines), which its debug
// lines show. Call it once the level is complete.
func (l *Level) Check() error {
	if l.section == nil {
		return nil
	}
	return checkSection(l.section, true)
}

func checkSection(n *node, top bool) error {
	var children []*node
	for _, c := range n.children {
		if c.check != nil {
			children = append(children, c)
			continue
		}
		if err := checkSection(c, false); err != nil {
			return err
		}
		if c.negate && c.op != n.op {
			// De Morgan, as mod_authz_core rewrites it: <RequireNone> in a
			// <RequireAll> is its lines negated.
			for _, g := range c.children {
				g.negate = !g.negate
				children = append(children, g)
			}
			continue
		}
		children = append(children, c)
	}
	n.children = children
	positive := false
	for _, c := range n.children {
		if !c.negate {
			positive = true
		}
	}
	if positive {
		return nil
	}
	what := "<Directory>, <Location>, or similar"
	if !top {
		what = n.command()
	}
	return errors.New("AH01624: " + what + " directive contains only negative authorization directives")
}

func addRequire(parent *node, args []string, lim uint64) error {
	n := &node{limited: lim}
	if len(args) > 0 {
		n.provider, args = args[0], args[1:]
	}
	if strings.EqualFold(n.provider, "not") {
		n.negate = true
		n.provider = ""
		if len(args) > 0 {
			n.provider, args = args[0], args[1:]
		}
	}
	n.args = strings.Join(args, " ")
	p := providers[strings.ToLower(n.provider)]
	if p == nil {
		if slices.Contains(unsupported, strings.ToLower(n.provider)) {
			return errors.New("the " + n.provider + " Authz provider is not supported by this server")
		}
		return errors.New("Unknown Authz provider: " + n.provider)
	}
	check, err := p(args)
	if err != nil {
		return err
	}
	n.check = check
	if n.negate && parent.op == opOr {
		return fmt.Errorf("negative Require directive has no effect in %s directive", parent.command())
	}
	parent.limited |= lim
	parent.children = append(parent.children, n)
	return nil
}

func addSection(parent *node, it Item, lim uint64) error {
	n := &node{}
	name := strings.ToLower(it.Name)
	switch name {
	case "requireall":
		n.op = opAnd
	case "requireany":
		n.op = opOr
	case "requirenone":
		n.op, n.negate = opOr, true
	default:
		return nil
	}
	var errs []error
	for _, c := range it.Section {
		var err error
		switch cn := strings.ToLower(c.Name); {
		case IsSection(cn):
			err = addSection(n, c, lim)
		case cn == "require":
			err = addRequire(n, c.Args, lim)
		}
		if err != nil {
			errs = append(errs, place(c, err))
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	if len(n.children) == 0 {
		return errors.New(n.command() + " directive contains no authorization directives")
	}
	if n.negate && parent.op == opOr {
		return fmt.Errorf("%s directive has no effect in %s directive", n.command(), parent.command())
	}
	parent.limited |= n.limited
	if !n.negate && n.op == parent.op {
		// Associative: mod_authz_core adds the lines to the enclosing section.
		parent.children = append(parent.children, n.children...)
		return nil
	}
	parent.children = append(parent.children, n)
	return nil
}

// Merge is the level new applied on top of the merged base, as Apache merges
// per-directory configurations: a level with Require lines replaces the inherited
// ones unless its AuthMerging is And or Or; mod_access_compat's settings of a level
// that has any replace the inherited ones whole.
func Merge(base, new Level) Level {
	out := base
	switch {
	case new.op == opUnset && new.section == nil && base.section != nil:
		// Nothing of mod_authz_core's here: the inherited ones stand.
	case new.op == opOff || new.op == opUnset || (base.section == nil && new.section == nil):
		out.section, out.op = new.section, new.op
	default:
		switch {
		case base.section != nil && new.section != nil:
			out.section = &node{op: new.op, merged: true, limited: base.section.limited | new.section.limited,
				children: []*node{base.section, new.section}}
		case base.section == nil:
			out.section = new.section
		}
		out.op = new.op
	}
	if new.compat != nil {
		out.compat = new.compat
	}
	return out
}
