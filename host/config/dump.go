package config

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// Dump writes the effective configuration of cfg in Apache syntax, one
// directive per line and sections indented, normalised so that equivalent
// configurations give the same text whatever their syntax (Apache or HCL),
// layout, comments, includes, variables and conditional sections:
//
//   - the first line is ServerRoot, the final one; ServerRoot lines go;
//   - LoadModule lines follow, one per module in load order (a repeated
//     module is skipped, as Apache skips it), with the absolute path;
//   - then the other directives of each body, grouped by directive: in
//     the order of the tables (Core, then the MPM's), then unknown ones by
//     name; then the sections, grouped the same way. Within a group the
//     order is the configuration's. Apache reads each directive on its own,
//     so only the order within a group matters; directives whose order
//     counts together share a group (Directory and DirectoryMatch, Location
//     and LocationMatch, Files and FilesMatch, If, ElseIf and Else, Limit and
//     LimitExcept, MaxConnectionsPerChild and MaxRequestsPerChild);
//   - names are spelled as the tables spell them; file paths of core
//     directives are absolute; On and Off are capitalised; a Listen address
//     for all interfaces is just its port, and the default protocol is
//     dropped; arguments are quoted only where Apache needs it.
//
// The output is itself a valid Apache-syntax configuration.
func Dump(w io.Writer, cfg *Config, tables ...Table) {
	all := append(Table{}, Core...)
	for _, t := range tables {
		all = append(all, t...)
	}
	fmt.Fprintf(w, "ServerRoot %s\n", quoteArg(cfg.ServerRoot))
	for _, m := range cfg.Modules {
		fmt.Fprintf(w, "LoadModule %s %s\n", quoteArg(m.Name), quoteArg(m.AbsPath))
	}
	dumper{w: w, table: all, root: cfg.ServerRoot}.body(cfg.Directives, "")
}

type dumper struct {
	w     io.Writer
	table Table
	root  string
}

func (dm dumper) body(list []*Directive, indent string) {
	var keep []*Directive
	for _, d := range list {
		if !d.IsSection() && (strings.EqualFold(d.Name, "ServerRoot") || strings.EqualFold(d.Name, "LoadModule")) {
			continue
		}
		keep = append(keep, d)
	}
	sort.SliceStable(keep, func(i, j int) bool { return dm.less(keep[i], keep[j]) })
	for _, d := range keep {
		name := d.Name
		if s := dm.table.Lookup(d.Name, d.IsSection()); s != nil {
			name = s.Name
		}
		args := dm.args(name, d.Args)
		if !d.IsSection() {
			fmt.Fprintf(dm.w, "%s%s\n", indent, strings.Join(append([]string{name}, args...), " "))
			continue
		}
		fmt.Fprintf(dm.w, "%s<%s>\n", indent, strings.Join(append([]string{name}, args...), " "))
		dm.body(d.Children, indent+"    ")
		fmt.Fprintf(dm.w, "%s</%s>\n", indent, name)
	}
}

// sameGroup maps a directive name (lowercase) to the one whose group it
// joins because their relative order counts.
var sameGroup = map[string]string{
	"directorymatch":      "directory",
	"locationmatch":       "location",
	"filesmatch":          "files",
	"elseif":              "if",
	"else":                "if",
	"limitexcept":         "limit",
	"maxrequestsperchild": "maxconnectionsperchild",
}

// rank places d: sections after directives, then by the table's order,
// unknown names last, by name.
func (dm dumper) rank(d *Directive) (section bool, index int, name string) {
	name = strings.ToLower(d.Name)
	if g, ok := sameGroup[name]; ok {
		name = g
	}
	for i, s := range dm.table {
		if s.Section == d.IsSection() && strings.EqualFold(s.Name, name) {
			return d.IsSection(), i, ""
		}
	}
	return d.IsSection(), len(dm.table), name
}

func (dm dumper) less(a, b *Directive) bool {
	as, ai, an := dm.rank(a)
	bs, bi, bn := dm.rank(b)
	switch {
	case as != bs:
		return !as
	case ai != bi:
		return ai < bi
	}
	return an < bn
}

// pathArgs are the core directives whose first argument is a file path,
// resolved against the ServerRoot.
var pathArgs = map[string]bool{
	"documentroot": true, "pidfile": true, "errorlog": true, "typesconfig": true,
	"listenaddrfile": true, "customlog": true,
}

// args normalises the arguments of the directive spelled name and quotes
// them.
func (dm dumper) args(name string, in []string) []string {
	args := append([]string(nil), in...)
	lower := strings.ToLower(name)
	switch {
	case len(args) == 0:
	case pathArgs[lower]:
		if p := args[0]; !strings.HasPrefix(p, "|") && !(lower == "errorlog" && hasPrefixFold(p, "syslog")) {
			args[0] = absPath(dm.root, p)
		}
	case lower == "listen":
		if host, port, err := parseListen(args[0]); err == nil {
			args[0] = listenAddr(host, port)
			if host == "" {
				args[0] = strings.TrimPrefix(args[0], ":")
			}
			def := "http"
			if port == 443 {
				def = "https"
			}
			if len(args) == 2 && strings.EqualFold(args[1], def) {
				args = args[:1]
			}
		}
	}
	if len(args) == 1 && dm.table.Lookup(name, false) != nil && oneOf(args[0], "on", "off") {
		args[0] = strings.ToUpper(args[0][:1]) + strings.ToLower(args[0][1:])
	}
	for i, a := range args {
		args[i] = quoteArg(a)
	}
	return args
}

// quoteArg writes an argument so that Apache reads it back unchanged
// (see nextWord): bare when it can be, else in double quotes.
func quoteArg(s string) string {
	plain := s != "" && s[0] != '"' && s[0] != '\'' && s[0] != '#' &&
		!strings.Contains(s, `\\`) && !strings.HasSuffix(s, `\`)
	for i := 0; plain && i < len(s); i++ {
		plain = !isSpace(s[i])
	}
	if plain {
		return s
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '"':
			b.WriteString(`\"`)
		case s[i] == '\\' && (i+1 == len(s) || s[i+1] == '\\' || s[i+1] == '"'):
			b.WriteString(`\\`)
		default:
			b.WriteByte(s[i])
		}
	}
	b.WriteByte('"')
	return b.String()
}
