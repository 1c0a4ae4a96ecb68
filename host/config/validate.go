package config

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/httpd-mpm/httpd-mpm/internal/apconf"
)

// Context is a bit set of the places where a directive may appear.
type Context int

const (
	// ServerConfig is the main server configuration, outside any section.
	ServerConfig Context = 1 << iota
	// InDirectory is inside <Directory>, <Files>, <Location>, <If> or any
	// other section except <VirtualHost>.
	InDirectory
	// InVirtualHost is inside <VirtualHost> but no other section.
	InVirtualHost
)

// Anywhere allows a directive in every context.
const Anywhere = ServerConfig | InDirectory | InVirtualHost

// Spec describes one directive for Validate and for `httpd -L`.
type Spec struct {
	// Name is the canonical spelling, without '<' for a section. Lookup is
	// case-insensitive, as in Apache.
	Name string
	// MinArgs and MaxArgs bound the number of arguments; MaxArgs -1 means
	// unbounded.
	MinArgs, MaxArgs int
	// Context is where the directive may appear; zero means Anywhere.
	Context Context
	// Section marks a <Name ...> section.
	Section bool
	// Check optionally checks the argument values once their number is
	// right. Its message is used verbatim.
	Check func(args []string) error
	// CheckIn, when set, checks the arguments as Check does, knowing the
	// enclosing sections (their canonical names, outermost first): a
	// directive read differently inside some of them (ProxyPass in a
	// <Location>).
	CheckIn func(enclosing, args []string) error
	// CheckFile, when set, checks the arguments instead of Check with the
	// ServerRoot that relative file names are read from (a directive that
	// reads a file as it is read, as RemoteIPTrustedProxyList).
	CheckFile func(serverRoot string, args []string) error
	// Help is the one-line help that `httpd -L` prints. Apache also quotes it
	// in argument-count messages.
	Help string
	// ArgsError, when set, replaces the message for a wrong number of
	// arguments ("Listen requires 1 or 2 arguments."). For a section it
	// replaces only the message for too many; too few is always
	// "<Name> directive requires additional arguments".
	ArgsError string
	// Within optionally checks the enclosing sections (their canonical
	// names, outermost first) beyond what Context can say, as for "<Files>
	// cannot occur within <Location> section". Its message is used verbatim.
	Within func(enclosing []string) error
	// Module is the source `httpd -L` names for the directive; empty means
	// "core.c".
	Module string
}

// Table is a list of directive specs, such as Core or an MPM's own.
type Table []Spec

// Lookup returns the spec named name (ignoring case) of the given kind, or
// nil.
func (t Table) Lookup(name string, section bool) *Spec {
	for i := range t {
		if t[i].Section == section && apconf.SameName(t[i].Name, name) {
			return &t[i]
		}
	}
	return nil
}

// Validate checks every directive of cfg, recursively, against tables (the
// first table that knows a directive wins) and returns every problem, in
// Apache's words:
//
//   - unknown: "Invalid command 'X', perhaps misspelled or defined by a
//     module not included in the server configuration" ('<X' for a section;
//     the body of an unknown section is not checked);
//   - wrong context: "X not allowed here" at top level, "X not allowed in
//     <Directory> context" inside a section, "X cannot occur within
//     <VirtualHost> section" for a main-server-only directive in a virtual
//     host, "X not allowed in <VirtualHost> context" for the others;
//   - wrong argument count: "X takes one argument, HELP" and Apache's other
//     forms, or Spec.ArgsError;
//   - a section without its '>': "<X> directive missing closing '>'";
//   - then Spec.Within and Spec.Check.
//
// Only the first problem of a directive is reported, as Apache would.
func Validate(cfg *Config, tables ...Table) Errors {
	v := &validator{tables: tables, root: cfg.ServerRoot}
	v.walk(cfg.Directives, nil)
	return v.errs
}

type validator struct {
	tables []Table
	root   string // the ServerRoot, for Spec.CheckFile
	errs   Errors
}

func (v *validator) lookup(d *Directive) *Spec {
	for _, t := range v.tables {
		if s := t.Lookup(d.Name, d.IsSection()); s != nil {
			return s
		}
	}
	return nil
}

func (v *validator) walk(list []*Directive, enclosing []string) {
	for _, d := range list {
		s := v.lookup(d)
		if s == nil {
			name := d.Name
			if d.IsSection() {
				name = "<" + name
			}
			v.add(d, "Invalid command '"+name+"', perhaps misspelled or defined by a module not included in the server configuration")
			continue
		}
		if msg := checkDirective(d, s, enclosing, v.root); msg != "" {
			v.add(d, msg)
		}
		for _, a := range d.Args {
			if !utf8.ValidString(a) {
				// Apache takes any bytes; the MPM gets its settings as
				// protobuf strings, which must be UTF-8.
				v.add(d, fmt.Sprintf("%s argument %q is not UTF-8 text, which this server requires of its configuration", d.Name, a))
				break
			}
		}
		if d.IsSection() {
			v.walk(d.Children, append(enclosing[:len(enclosing):len(enclosing)], s.Name))
		}
	}
}

func (v *validator) add(d *Directive, msg string) {
	v.errs = append(v.errs, d.diag(msg))
}

// contextOf returns the context that enclosing sections make and, inside a
// directory-like section, the innermost one's name.
func contextOf(enclosing []string) (Context, string) {
	ctx, where := ServerConfig, ""
	for _, n := range enclosing {
		if strings.EqualFold(n, "VirtualHost") {
			if ctx == ServerConfig {
				ctx = InVirtualHost
			}
			continue
		}
		ctx, where = InDirectory, n
	}
	return ctx, where
}

// checkDirective returns the first problem of d, or "". The order follows
// Apache: the context check of invoke_cmd, then the argument count, then
// what the directive's own handler checks.
func checkDirective(d *Directive, s *Spec, enclosing []string, root string) string {
	display := s.Name
	if s.Section {
		display = "<" + s.Name
	}
	allowed := s.Context
	if allowed == 0 {
		allowed = Anywhere
	}
	ctx, where := contextOf(enclosing)
	globalOnly := false
	if inRequireSection(where) && !authConfig(s.Name) {
		return fmt.Sprintf("%s not allowed in <%s> context", display, where)
	}
	if allowed&ctx == 0 {
		switch {
		case ctx == InDirectory:
			return fmt.Sprintf("%s not allowed in <%s> context", display, where)
		case ctx == ServerConfig:
			return display + " not allowed here"
		case allowed&ServerConfig == 0:
			return display + " not allowed in <VirtualHost> context"
		}
		// Main server only: Apache's handler says so after the argument count.
		globalOnly = true
	}
	notInVhost := func() string {
		if s.Section {
			display += ">"
		}
		return display + " cannot occur within <VirtualHost> section"
	}
	if s.Section {
		if globalOnly {
			return notInVhost()
		}
		if msg := within(s, enclosing); msg != "" {
			return msg
		}
		if d.noClose {
			return "<" + s.Name + "> directive missing closing '>'"
		}
		if len(d.Args) < s.MinArgs || (s.MinArgs > 0 && d.Args[0] == "") {
			return "<" + s.Name + "> directive requires additional arguments"
		}
		if s.MaxArgs >= 0 && len(d.Args) > s.MaxArgs {
			if s.ArgsError != "" {
				return s.ArgsError
			}
			return "Multiple <" + s.Name + "> arguments not (yet) supported."
		}
	} else {
		if msg := countError(s, d.Args); msg != "" {
			return msg
		}
		if globalOnly {
			return notInVhost()
		}
		if msg := within(s, enclosing); msg != "" {
			return msg
		}
	}
	if s.Check != nil {
		if err := s.Check(d.Args); err != nil {
			return err.Error()
		}
	}
	if s.CheckIn != nil {
		if err := s.CheckIn(enclosing, d.Args); err != nil {
			return err.Error()
		}
	}
	if s.CheckFile != nil {
		if err := s.CheckFile(root, d.Args); err != nil {
			return err.Error()
		}
	}
	return ""
}

// inRequireSection reports whether section is one of mod_authz_core's, inside which
// Apache allows only the authorization directives (OR_AUTHCFG) and those allowed
// everywhere.
func inRequireSection(section string) bool {
	return strings.EqualFold(section, "RequireAll") || strings.EqualFold(section, "RequireAny") || strings.EqualFold(section, "RequireNone")
}

// authConfig reports whether Apache allows the directive name inside a
// <RequireAll>, <RequireAny> or <RequireNone> section.
func authConfig(name string) bool {
	switch strings.ToLower(name) {
	case "require", "requireall", "requireany", "requirenone", "authmerging", "satisfy", "limit", "limitexcept",
		"files", "filesmatch", "if", "elseif", "else", "ifmodule", "ifdefine", "iffile", "include", "includeoptional":
		return true
	}
	return strings.HasPrefix(strings.ToLower(name), "auth")
}

func within(s *Spec, enclosing []string) string {
	if s.Within == nil {
		return ""
	}
	if err := s.Within(enclosing); err != nil {
		return err.Error()
	}
	return ""
}

// countError returns Apache's message when args do not fit s, or "". As in
// Apache, an empty (quoted) argument does not count among the required ones.
func countError(s *Spec, args []string) string {
	n := len(args)
	bad := n < s.MinArgs || (s.MaxArgs >= 0 && n > s.MaxArgs)
	for i := 0; !bad && i < s.MinArgs && i < n; i++ {
		bad = args[i] == ""
	}
	if !bad {
		return ""
	}
	if s.ArgsError != "" {
		return s.ArgsError
	}
	return countMessage(s)
}

// countMessage words an argument-count error the way Apache's invoke_cmd
// does for each kind of directive (TAKE1, TAKE12, ITERATE, ...).
func countMessage(s *Spec) string {
	name, help := s.Name, s.Help
	switch [2]int{s.MinArgs, s.MaxArgs} {
	case [2]int{0, 0}:
		return name + " takes no arguments"
	case [2]int{1, 1}:
		return name + " takes one argument, " + help
	case [2]int{2, 2}:
		return name + " takes two arguments, " + help
	case [2]int{3, 3}:
		return name + " takes three arguments, " + help
	case [2]int{1, 2}:
		return name + " takes 1-2 arguments, " + help
	case [2]int{2, 3}:
		return name + " takes two or three arguments, " + help
	case [2]int{1, 3}:
		return name + " takes one, two or three arguments, " + help
	case [2]int{1, -1}:
		return name + " requires at least one argument, " + help
	case [2]int{2, -1}:
		return name + " requires at least two arguments, " + help
	}
	switch {
	case s.MaxArgs < 0:
		return fmt.Sprintf("%s requires at least %d arguments, %s", name, s.MinArgs, help)
	case s.MinArgs == s.MaxArgs:
		return fmt.Sprintf("%s takes %d arguments, %s", name, s.MinArgs, help)
	default:
		return fmt.Sprintf("%s takes %d to %d arguments, %s", name, s.MinArgs, s.MaxArgs, help)
	}
}
