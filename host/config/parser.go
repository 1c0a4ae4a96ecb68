package config

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/httpd-mpm/httpd-mpm/internal/apconf"
	"github.com/httpd-mpm/httpd-mpm/internal/loglevel"
)

// Help texts of the directives handled while reading, as `httpd -L` prints
// them; Apache quotes them in its argument-count messages.
const (
	helpInclude         = "Name(s) of the config file(s) to be included; fails if the wildcard does not match at least one file"
	helpIncludeOptional = "Name or pattern of the config file(s) to be included; ignored if the file does not exist or the pattern does not match any files"
	helpDefine          = "Define a variable, optionally to a value.  Same as passing -D to the command line."
	helpUnDefine        = "Undefine the existence of a variable. Undo a Define."
	helpLoadModule      = "a module name and the name of a shared object file to load it from"
	helpServerRoot      = "Common directory of server-related files (logs, confs, etc.)"
)

// Load reads the main configuration file and everything it includes. A
// relative path is resolved against opts.ServerRoot.
//
// Syntax errors come back as Errors, all of them: parsing goes on after an
// error wherever it can. The Config is returned as well, as far as it could
// be read, so that Validate can report further problems. A main file that
// cannot be opened gives a plain error worded as Apache words it,
// "Could not open configuration file /abs/path: No such file or directory",
// and a nil Config.
func Load(path string, opts Options) (*Config, error) {
	return load(path, opts, osFS{})
}

func load(path string, opts Options, fsys fileSystem) (*Config, error) {
	p := newParser(opts, fsys)
	abs := p.rel(path)
	src, err := readConfigFile(fsys, abs)
	if err != nil {
		return nil, fmt.Errorf("Could not open configuration file %s: %w", abs, err)
	}
	return p.run(abs, src)
}

// Parse is Load from bytes, for tests and fuzzing: src is the main file's
// text and name, used as it is, is its File. Include, IfFile and ServerRoot
// still use the file system.
func Parse(name string, src []byte, opts Options) (*Config, error) {
	return parse(name, src, opts, osFS{})
}

func parse(name string, src []byte, opts Options, fsys fileSystem) (*Config, error) {
	return newParser(opts, fsys).run(name, src)
}

// parser holds the state that lives across files while reading.
type parser struct {
	fsys        fileSystem
	lookupEnv   func(string) (string, bool)
	root        string
	defs        map[string]string // Define table: presence for <IfDefine>, non-empty value for ${VAR}
	defOrder    []string          // Config.DefineOrder
	loaded      map[string]bool   // names <IfModule> treats as loaded
	modules     []Module
	linked      []string            // Options.Linked
	unavailable func(string) string // Options.Unavailable
	errs        Errors
	warns       []Diagnostic
	aborted     bool // an include recursion was found; stop reading
	included    []Included
	pre, post   []string
	top         *[]*Directive // the main server's directives
}

func newParser(opts Options, fsys fileSystem) *parser {
	p := &parser{
		fsys:      fsys,
		lookupEnv: opts.LookupEnv,
		defs:      map[string]string{},
		loaded:    map[string]bool{},
		pre:       opts.Pre,
		post:      opts.Post,
	}
	if p.lookupEnv == nil {
		p.lookupEnv = os.LookupEnv
	}
	root := opts.ServerRoot
	if root == "" {
		root = "."
	}
	if abs, err := filepath.Abs(root); err == nil {
		root = abs
	}
	p.root = root
	for _, d := range opts.Defines {
		p.defs[d] = ""
	}
	p.defOrder = slices.Clone(opts.Defines)
	for _, b := range opts.Builtin {
		p.loaded[b] = true
	}
	p.linked = opts.Linked
	p.unavailable = opts.Unavailable
	return p
}

// run reads the -C lines, the main file and the -c lines, in that order.
func (p *parser) run(file string, src []byte) (*Config, error) {
	var top []*Directive
	p.top = &top
	if len(p.pre) > 0 {
		p.parseUnit(commandLineUnit(p.pre), &top)
	}
	if !p.aborted {
		main := Included{File: file}
		if n := len(p.included); n > 0 {
			main.Line = p.included[n-1].Line
		}
		p.included = append(p.included, main)
		p.parseFile(&unit{file: file}, src, &top)
	}
	if len(p.post) > 0 && !p.aborted {
		p.parseUnit(commandLineUnit(p.post), &top)
	}
	numberDirectives(top, 0)
	cfg := &Config{
		File:        file,
		ServerRoot:  p.root,
		Directives:  top,
		Modules:     p.modules,
		Included:    p.included,
		Defines:     p.defs,
		DefineOrder: p.defOrder,
		Warnings:    p.warns,
	}
	if len(p.errs) > 0 {
		return cfg, p.errs
	}
	return cfg, nil
}

// numberDirectives sets the Seq of ds and of their children, in reading
// order, from n+1 on, and returns the last one set.
func numberDirectives(ds []*Directive, n int) int {
	for _, d := range ds {
		n++
		d.Seq = n
		n = numberDirectives(d.Children, n)
	}
	return n
}

func commandLineUnit(lines []string) *unit {
	u := &unit{file: CommandLineFile}
	for i, l := range lines {
		u.lines = append(u.lines, logicalLine{text: trimSpace(l), first: i + 1, last: i + 1})
	}
	return u
}

// unit is one file, or the -C or -c lines, being read. Sections must be
// closed in the unit that opens them.
type unit struct {
	file     string
	lines    []logicalLine
	pos      int
	includes []Position // the Include lines that led here, outermost first
	depth    int        // number of nested Includes
	stack    []frame
	// span and src are set while an HCL file is read: the item being
	// read and the file's text. Problems found are reported there.
	span Span
	src  []byte
}

// parseFile reads the text of u's file, in Apache syntax or, for a name
// ending in .hcl or .json, as HCL.
func (p *parser) parseFile(u *unit, src []byte, out *[]*Directive) {
	if isHCLFile(u.file) {
		p.parseHCL(u, src, out)
		return
	}
	lines, long := splitLines(u.file, src)
	if long != nil {
		p.readErr(u, long.Line, long.Error())
		return
	}
	u.lines = lines
	p.parseUnit(u, out)
}

// frame is an open section in a unit.
type frame struct {
	name string        // as written, without '<'
	cond bool          // a true <IfModule>, <IfDefine> or <IfFile>, flattened
	line int           // Apache's line of the opening tag
	out  *[]*Directive // where the body's directives go
}

// readErr records a problem found while reading, at line of u.
func (p *parser) readErr(u *unit, line int, msg string) {
	p.errs = append(p.errs, Diagnostic{
		File:     u.file,
		Line:     line,
		Message:  msg,
		Reading:  true,
		Includes: u.includes,
		Span:     u.span,
		src:      u.src,
	})
}

// directiveErr records a directive's problem found while reading, which
// apache2 reports as a directive's (AH00526), not in the one-line form.
func (p *parser) directiveErr(u *unit, line int, msg string) {
	p.readErr(u, line, msg)
	p.errs[len(p.errs)-1].Reading = false
}

func (p *parser) warn(u *unit, line int, msg string) {
	p.warns = append(p.warns, Diagnostic{File: u.file, Line: line, Message: msg, Includes: u.includes, Span: u.span, src: u.src})
}

// parseUnit reads u, appending its top-level directives to out.
func (p *parser) parseUnit(u *unit, out *[]*Directive) {
	for u.pos < len(u.lines) && !p.aborted {
		ln := u.lines[u.pos]
		u.pos++
		if isComment(ln.text) {
			continue
		}
		text := trimSpace(p.expand(u, ln))
		if text == "" {
			continue
		}
		cur := out
		if n := len(u.stack); n > 0 {
			cur = u.stack[n-1].out
		}
		switch {
		case strings.HasPrefix(text, "</"):
			p.closeTag(u, ln, text)
		case text[0] == '<':
			p.openTag(u, ln, text, cur)
		default:
			p.directive(u, ln, text, cur)
		}
	}
	if !p.aborted {
		p.endUnit(u)
	}
}

// expand resolves ${VAR} in a line: Define values first, then the
// environment. Like Apache, it works on the text before it is split into
// words, so a value with spaces becomes several arguments.
func (p *parser) expand(u *unit, ln logicalLine) string {
	s, ok := expandVars(ln.text, p.lookupVar, func(name string) {
		p.warn(u, ln.last, "AH00111: Config variable ${"+name+"} is not defined")
	})
	if !ok {
		p.readErr(u, ln.last, fmt.Sprintf("Line is longer than %d bytes after variable expansion", maxExpanded))
	}
	return s
}

func (p *parser) lookupVar(name string) (string, bool) {
	if v := p.defs[name]; v != "" {
		return v, true
	}
	return p.lookupEnv(name)
}

// closeTag handles a "</Name>" line. After an error it recovers the way the
// mistake most likely happened: a close naming an enclosing section closes
// everything up to it; a close naming nothing open is taken for a misspelled
// close of the innermost section.
func (p *parser) closeTag(u *unit, ln logicalLine, text string) {
	word, _ := nextWord(text)
	if !strings.HasSuffix(word, ">") || len(word) < 3 {
		p.readErr(u, ln.last, word+"> directive missing closing '>'")
		name, _, _ := strings.Cut(word[2:], ">")
		p.recoverClose(u, name, 0)
		return
	}
	name := word[2 : len(word)-1]
	// The body of a true conditional is read as a nested unit in Apache, so
	// the search for the matching section stops at the innermost one.
	cond := -1
	for i := len(u.stack) - 1; i >= 0; i-- {
		if u.stack[i].cond {
			cond = i
			break
		}
	}
	top := len(u.stack) - 1
	switch {
	case top > cond && strings.EqualFold(name, u.stack[top].name):
		u.stack = u.stack[:top]
	case top > cond:
		p.readErr(u, ln.last, fmt.Sprintf("Expected </%s> but saw </%s>", u.stack[top].name, name))
		p.recoverClose(u, name, 0)
	case cond >= 0 && strings.EqualFold(name, u.stack[cond].name):
		u.stack = u.stack[:cond]
	default:
		p.readErr(u, ln.last, fmt.Sprintf("</%s> without matching <%s> section", name, name))
		if cond >= 0 {
			p.recoverClose(u, name, cond)
		}
	}
}

// recoverClose closes the innermost open section named name and those
// inside it; when no section from index floor up has that name, it closes
// the innermost section alone if one exists that does not match further out.
func (p *parser) recoverClose(u *unit, name string, floor int) {
	for i := len(u.stack) - 1; i >= floor; i-- {
		if strings.EqualFold(u.stack[i].name, name) {
			u.stack = u.stack[:i]
			return
		}
	}
	for i := floor - 1; i >= 0; i-- {
		if strings.EqualFold(u.stack[i].name, name) {
			return // it closes something further out: leave that to a later line
		}
	}
	if n := len(u.stack); n > floor {
		u.stack = u.stack[:n-1]
	}
}

// openTag handles a "<Name args>" line.
func (p *parser) openTag(u *unit, ln logicalLine, text string, cur *[]*Directive) {
	rest := text[1:]
	i := 0
	for i < len(rest) && !isSpace(rest[i]) && rest[i] != '>' {
		i++
	}
	name, rest := rest[:i], rest[i:]
	gt := strings.LastIndexByte(rest, '>')
	argText := rest
	if gt >= 0 {
		argText = rest[:gt]
	}
	if c := conditionalName(name); c != "" {
		p.conditional(u, ln, c, name, argText, gt >= 0, cur)
		return
	}
	d := &Directive{
		Name:     name,
		Args:     splitWords(argText),
		File:     u.file,
		Line:     ln.first,
		Children: []*Directive{},
		endLine:  ln.last,
		noClose:  gt < 0,
	}
	*cur = append(*cur, d)
	u.stack = append(u.stack, frame{name: name, line: ln.last, out: &d.Children})
}

func conditionalName(name string) string {
	for _, c := range []string{"IfModule", "IfDefine", "IfFile"} {
		if strings.EqualFold(name, c) {
			return c
		}
	}
	return ""
}

// conditional handles <IfModule>, <IfDefine> and <IfFile>: a true one is
// pushed as a flattened frame, a false one has its body skipped.
func (p *parser) conditional(u *unit, ln logicalLine, canon, name, argText string, closed bool, cur *[]*Directive) {
	if !closed {
		p.readErr(u, ln.last, "<"+canon+"> directive missing closing '>'")
	}
	if p.holds(u, ln, canon, argText) {
		u.stack = append(u.stack, frame{name: name, cond: true, line: ln.last, out: cur})
		return
	}
	p.skipBody(u, ln, name)
}

// holds evaluates the argument of a conditional section, reporting a
// missing one. As in Apache, '!' is taken off the raw text, so "! name" is
// "!name", and only the first word counts.
func (p *parser) holds(u *unit, ln logicalLine, canon, argText string) bool {
	arg := trimSpace(argText)
	neg := strings.HasPrefix(arg, "!")
	if neg {
		arg = trimSpace(arg[1:])
	}
	if arg == "" {
		p.readErr(u, ln.last, "<"+canon+"> directive requires additional arguments")
		return false
	}
	word, _ := nextWord(arg)
	return p.test(canon, word) != neg
}

// test evaluates a conditional section's argument.
func (p *parser) test(canon, arg string) bool {
	switch canon {
	case "IfModule":
		return p.loaded[arg]
	case "IfDefine":
		_, ok := p.defs[arg]
		return ok
	default: // IfFile
		_, err := p.fsys.Stat(p.rel(arg))
		return err == nil
	}
}

// skipBody skips the body of a false conditional section. Like Apache, it
// reads nothing but section openings and closings (no variables, no
// Includes), which must still nest; a problem is reported at the line of the
// conditional.
func (p *parser) skipBody(u *unit, ln logicalLine, name string) {
	var open []string
	for u.pos < len(u.lines) {
		t := u.lines[u.pos].text
		u.pos++
		if isComment(t) || t[0] != '<' {
			continue
		}
		word, _ := nextWord(t)
		if !strings.HasPrefix(word, "</") {
			open = append(open, strings.TrimSuffix(word[1:], ">"))
			continue
		}
		// Apache drops the last character of the word, normally '>'.
		closing := ""
		if len(word) > 2 {
			closing = word[2 : len(word)-1]
		}
		if len(open) == 0 {
			if strings.EqualFold(closing, name) {
				return
			}
			p.readErr(u, ln.last, fmt.Sprintf("Expected </%s> but saw </%s>", name, closing))
			continue
		}
		top := len(open) - 1
		if strings.EqualFold(closing, open[top]) {
			open = open[:top]
			continue
		}
		p.readErr(u, ln.last, fmt.Sprintf("Expected </%s> but saw </%s>", open[top], closing))
		for i := top - 1; i >= 0; i-- {
			if strings.EqualFold(closing, open[i]) {
				open = open[:i]
				break
			}
		}
		if len(open) == top+1 && strings.EqualFold(closing, name) {
			return
		}
	}
	p.readErr(u, ln.last, fmt.Sprintf("Expected </%s> before end of configuration", name))
}

// endUnit reports the sections still open at the end of u.
func (p *parser) endUnit(u *unit) {
	var parts []string
	outer := 0
	for i := len(u.stack) - 1; i >= 0; i-- {
		if f := u.stack[i]; !f.cond {
			parts = append(parts, fmt.Sprintf("%s:%d: <%s> was not closed.", u.file, f.line, f.name))
			outer = f.line
		}
	}
	if len(parts) > 0 {
		// Apache joins them with a backslash and an n, not a newline.
		p.readErr(u, outer, strings.Join(parts, `\n`))
	}
	for i := len(u.stack) - 1; i >= 0; i-- {
		if f := u.stack[i]; f.cond {
			p.readErr(u, f.line, fmt.Sprintf("Expected </%s> before end of configuration", f.name))
		}
	}
	u.stack = nil
}

// directive handles a plain directive line, running the ones Apache runs
// while reading.
func (p *parser) directive(u *unit, ln logicalLine, text string, cur *[]*Directive) {
	name, rest := nextWord(text)
	if name == "" {
		return
	}
	p.command(u, ln, name, splitWords(rest), cur)
}

// command handles one directive with its arguments, from either syntax.
func (p *parser) command(u *unit, ln logicalLine, name string, args []string, cur *[]*Directive) {
	switch strings.ToLower(name) {
	case "include":
		p.includeDirective(u, ln, "Include", helpInclude, args, false, cur)
		return
	case "includeoptional":
		p.includeDirective(u, ln, "IncludeOptional", helpIncludeOptional, args, true, cur)
		return
	case "define":
		p.define(u, ln, args)
		return
	case "undefine":
		p.undefine(u, ln, args)
		return
	case "loadmodule":
		if !p.loadModule(u, ln, args) {
			return
		}
	case "serverroot":
		if !p.serverRoot(u, ln, args) {
			return
		}
	case "loglevel":
		if msg := p.unknownLogModule(args); msg != "" {
			p.directiveErr(u, ln.last, msg)
			return
		}
	case "limitinternalrecursion":
		if cur == p.top {
			p.recursionWarnings(u, ln, args)
		}
	}
	*cur = append(*cur, &Directive{Name: name, Args: args, File: u.file, Line: ln.first, endLine: ln.last, Span: u.span, src: u.src})
}

// recursionWarnings are set_recursion_limit's warnings of low limits, as
// apache2 says them while it reads the main server's line (a virtual
// host's go to its error log, which is not open yet: apache2 says nothing);
// Validate reports a limit that is no number above zero.
func (p *parser) recursionWarnings(u *unit, ln logicalLine, args []string) {
	if len(args) < 1 || len(args) > 2 {
		return
	}
	n := atoi(args[0])
	if n <= 0 {
		return
	}
	if n < 4 {
		p.warn(u, ln.last, "AH00119: Limiting internal redirects to very low numbers may cause normal requests to fail.")
	}
	if len(args) == 2 {
		if n = atoi(args[1]); n > 0 && n < 4 {
			p.warn(u, ln.last, "AH00120: Limiting the subrequest depth to a very low level may cause normal requests to fail.")
		}
	}
}

// takeOne reports whether args hold exactly one non-empty argument, which is
// what Apache's TAKE1 accepts.
func takeOne(args []string) bool { return len(args) == 1 && args[0] != "" }

func (p *parser) includeDirective(u *unit, ln logicalLine, canon, help string, args []string, optional bool, cur *[]*Directive) {
	if !takeOne(args) {
		p.readErr(u, ln.last, canon+" takes one argument, "+help)
		return
	}
	p.include(u, ln, args[0], optional, cur)
}

func (p *parser) define(u *unit, ln logicalLine, args []string) {
	if len(args) < 1 || len(args) > 2 || args[0] == "" {
		p.readErr(u, ln.last, "Define takes 1-2 arguments, "+helpDefine)
		return
	}
	name := args[0]
	if strings.Contains(name, ":") {
		p.readErr(u, ln.last, "Variable name must not contain ':'")
		return
	}
	value := ""
	if len(args) == 2 {
		value = args[1]
	}
	if _, ok := p.defs[name]; !ok {
		p.defOrder = append(p.defOrder, name)
	}
	// A Define without a value keeps an earlier value.
	if _, ok := p.defs[name]; !ok || value != "" {
		p.defs[name] = value
	}
}

func (p *parser) undefine(u *unit, ln logicalLine, args []string) {
	if !takeOne(args) {
		p.readErr(u, ln.last, "UnDefine takes one argument, "+helpUnDefine)
		return
	}
	if strings.Contains(args[0], ":") {
		p.readErr(u, ln.last, "Variable name must not contain ':'")
		return
	}
	delete(p.defs, args[0])
	// Apache moves the last name into the place of the one removed.
	if i := slices.Index(p.defOrder, args[0]); i >= 0 {
		last := len(p.defOrder) - 1
		p.defOrder[i] = p.defOrder[last]
		p.defOrder = p.defOrder[:last]
	}
}

// loadModule records a LoadModule line and reports whether to keep it.
func (p *parser) loadModule(u *unit, ln logicalLine, args []string) bool {
	if len(args) != 2 || args[0] == "" || args[1] == "" {
		p.readErr(u, ln.last, "LoadModule takes two arguments, "+helpLoadModule)
		return false
	}
	name := args[0]
	if p.unavailable != nil {
		if why := p.unavailable(name); why != "" {
			p.readErr(u, ln.last, "Cannot load "+args[1]+" into server: "+why)
			return false
		}
	}
	loaded := slices.Contains(p.linked, name)
	for _, m := range p.modules {
		loaded = loaded || m.Name == name
	}
	if loaded {
		p.warn(u, ln.last, "AH01574: module "+name+" is already loaded, skipping")
		return true
	}
	p.modules = append(p.modules, Module{Name: name, Path: args[1], AbsPath: p.rel(args[1]), File: u.file, Line: ln.last})
	for _, n := range moduleNames(name) {
		p.loaded[n] = true
	}
	return true
}

// unknownLogModule is apache2's error for a LogLevel line whose words name a
// module that is not loaded at that point ("Cannot find module rewrite"),
// "" when there is none. Words are read in order up to the first whose
// level is bad (bare or after a module), which Validate reports as apache2 reports it. A module is
// named by its name, its source or its name without "_module", as
// apache2's find_module finds it, case-sensitively.
func (p *parser) unknownLogModule(args []string) string {
	for _, w := range args {
		i := strings.LastIndexByte(w, ':')
		if i < 0 {
			if _, ok := loglevel.ParseWord(w); !ok {
				return "" // a bad level first: Validate's error
			}
			continue
		}
		if _, ok := loglevel.ParseWord(w[i+1:]); !ok {
			return ""
		}
		if mod := w[:i]; !p.moduleLoaded(mod) && !p.moduleLoaded(mod+"_module") {
			return "Cannot find module " + mod
		}
	}
	return ""
}

// moduleLoaded reports whether a module of that name or source is loaded:
// compiled in (whatever Options.Builtin says), linked in or named by a
// LoadModule line before.
func (p *parser) moduleLoaded(name string) bool {
	return p.loaded[name] || apconf.Loaded(name) || slices.Contains(p.linked, name)
}

// moduleNames returns the names <IfModule> accepts for a loaded module: the
// module name, the source name derived from it ("mime_module" gives
// "mod_mime.c") and, for an MPM, Apache's own source name ("mpm_event_module"
// gives "event.c").
func moduleNames(name string) []string {
	names := []string{name}
	if stem, ok := strings.CutSuffix(name, "_module"); ok && stem != "" {
		names = append(names, "mod_"+stem+".c")
		if mpm, ok := strings.CutPrefix(stem, "mpm_"); ok && mpm != "" {
			names = append(names, mpm+".c")
		}
	}
	return names
}

// serverRoot applies a ServerRoot line and reports whether to keep it.
func (p *parser) serverRoot(u *unit, ln logicalLine, args []string) bool {
	if !takeOne(args) {
		p.readErr(u, ln.last, "ServerRoot takes one argument, "+helpServerRoot)
		return false
	}
	// Apache resolves a relative ServerRoot against the working directory.
	dir, err := filepath.Abs(args[0])
	if err == nil {
		err = p.isDir(dir)
	}
	if err != nil {
		p.readErr(u, ln.last, "ServerRoot must be a valid directory")
		return false
	}
	p.root = dir
	return true
}

func (p *parser) isDir(name string) error {
	fi, err := p.fsys.Stat(name)
	if err == nil && !fi.IsDir() {
		err = errNotDir
	}
	return err
}

// rel resolves path against the current ServerRoot.
func (p *parser) rel(path string) string {
	if filepath.IsAbs(path) {
		return filepath.Clean(path)
	}
	return filepath.Join(p.root, path)
}
