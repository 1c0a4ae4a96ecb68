package config

// The HCL front-end. A file whose name ends in .hcl is read as HCL native
// syntax, one ending in .json as HCL's JSON form; both give the same tree
// of Directives as the equivalent Apache-syntax file, so that everything
// after reading (MPM selection, Validate, Resolve, the plugin) is shared.
// Directive names are Apache's, matched without regard to case.
//
// The mapping, native syntax first:
//
//   - An attribute is a directive: Name = VALUE.
//     A string is one argument: ServerName = "www.example.com".
//     A number is its decimal text: StartServers = 2 is "StartServers 2".
//     A bool is On or Off: KeepAlive = true is "KeepAlive On".
//   - A list of plain values (strings, numbers, bools) is one directive per
//     value for a directive that takes one argument, and for Listen:
//     Listen = ["127.0.0.1:80", "[::1]:80"] is two Listen lines.
//     For any other directive it is one directive with those arguments:
//     DirectoryIndex = ["index.html", "index.htm"],
//     AddType = ["text/plain", ".txt"], Options = [] (no argument).
//   - A list that holds a list is one directive per element, each element
//     a list of arguments or one plain value:
//     AddType = [["text/plain", ".txt"], ["text/html", ".html", ".htm"]],
//     Listen = ["127.0.0.1:80", ["127.0.0.1:443", "https"]].
//     HCL allows a name once per body, so repeats are written this way.
//   - LoadModule is a block labelled with the module name, whose path
//     attribute is the shared object:
//     LoadModule "mpm_event_module" { path = "modules/mod_mpm_event.so" }.
//   - IfModule, IfDefine and IfFile are blocks with one label, the
//     argument ("!mpm_event_module" negates); the body of a true one is read
//     in place, that of a false one is not evaluated.
//   - Any other block is a section whose labels are its arguments:
//     Directory "/srv/www" { ... }, VirtualHost "*:80" "[::]:80" { ... },
//     Else { ... }.
//   - Strings are templates: "${NAME}" is the Define NAME or, failing that,
//     the environment variable, as ${NAME} is in Apache syntax; an undefined
//     one warns (AH00111) and stays as written. "$${" is a literal "${".
//     Labels are literal: HCL allows no template there.
//   - Define, UnDefine, Include, IncludeOptional and ServerRoot are ordinary
//     attributes and take effect where they stand, as in Apache:
//     Define = ["PORT", "8080"], Include = "conf.d/*.hcl". An included file
//     is read in the syntax its name says, so the two syntaxes mix.
//   - Order: the items of a body are taken in the order they are written.
//
// In the JSON form an object property is an attribute, except for the
// names of sections (Core's), LoadModule, IfModule, IfDefine and IfFile,
// whose value is an object with one level per label, as HCL's JSON spec
// has it: {"Directory": {"/srv": {"Options": "None"}}},
// {"LoadModule": {"mpm_event_module": {"path": "..."}}}. Every section has
// exactly one label level (Else none); for a section that takes any number
// of arguments (VirtualHost, Limit, LimitExcept) that label is split into
// words at white space: {"VirtualHost": {"*:80 [::]:80": {...}}}. Write
// <Directory ~ re> as DirectoryMatch in JSON.
//
// Problems are HCL diagnostics: HCL's own for syntax and values, Apache's
// messages for everything else, all with the Span of the item concerned.

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	hcljson "github.com/hashicorp/hcl/v2/json"
	"github.com/zclconf/go-cty/cty"
)

// isHCLFile reports whether name is read as HCL: it ends in .hcl or .json.
func isHCLFile(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".hcl" || ext == ".json"
}

func isJSONFile(name string) bool { return strings.EqualFold(filepath.Ext(name), ".json") }

// parseHCL reads the HCL file of u, whose text is src, appending its
// directives to out. A syntax error stops it; problems with values do not.
func (p *parser) parseHCL(u *unit, src []byte, out *[]*Directive) {
	u.src = src
	f, diags := parseHCLSource(u.file, src)
	if p.hclDiags(u, diags) {
		return
	}
	p.hclBody(u, f.Body, out)
	u.span = Span{}
}

func parseHCLSource(name string, src []byte) (*hcl.File, hcl.Diagnostics) {
	if diags := checkUTF8(name, src); diags != nil {
		return nil, diags
	}
	if isJSONFile(name) {
		return hcljson.Parse(src, name)
	}
	return hclsyntax.ParseConfig(src, name, hcl.InitialPos)
}

// checkUTF8 refuses src unless it is UTF-8, as both HCL syntaxes require:
// HCL would otherwise read an invalid byte into a name or a string and
// write it back as U+FFFD.
func checkUTF8(name string, src []byte) hcl.Diagnostics {
	if utf8.Valid(src) {
		return nil
	}
	pos := hcl.InitialPos
	for len(src) > 0 {
		r, n := utf8.DecodeRune(src)
		if r == utf8.RuneError && n == 1 {
			at := hcl.Range{Filename: name, Start: pos, End: hcl.Pos{Line: pos.Line, Column: pos.Column + 1, Byte: pos.Byte + 1}}
			return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid UTF-8",
				Detail: fmt.Sprintf("HCL files are UTF-8 text; byte 0x%02x is not part of a UTF-8 character.", src[0]), Subject: &at}}
		}
		pos.Byte += n
		pos.Column++
		if r == '\n' {
			pos.Line, pos.Column = pos.Line+1, 1
		}
		src = src[n:]
	}
	return nil
}

// hclDiags records HCL's diagnostics as problems found while reading u and
// reports whether there was an error among them.
func (p *parser) hclDiags(u *unit, diags hcl.Diagnostics) bool {
	for _, d := range diags {
		diag := Diagnostic{File: u.file, Line: 1, Message: d.Summary, Detail: d.Detail, Reading: true,
			Includes: u.includes, Span: Span{Start: Pos{1, 1, 0}, End: Pos{1, 1, 0}}, src: u.src}
		if d.Subject != nil {
			diag.File, diag.Line, diag.Span = d.Subject.Filename, d.Subject.Start.Line, spanOf(*d.Subject)
		}
		if d.Severity == hcl.DiagWarning {
			p.warns = append(p.warns, diag)
		} else {
			p.errs = append(p.errs, diag)
		}
	}
	return diags.HasErrors()
}

func spanOf(r hcl.Range) Span {
	return Span{
		Start: Pos{r.Start.Line, r.Start.Column, r.Start.Byte},
		End:   Pos{r.End.Line, r.End.Column, r.End.Byte},
	}
}

// hclRange is s in file as an hcl.Range.
func (s Span) hclRange(file string) hcl.Range {
	return hcl.Range{
		Filename: file,
		Start:    hcl.Pos{Line: s.Start.Line, Column: s.Start.Column, Byte: s.Start.Byte},
		End:      hcl.Pos{Line: s.End.Line, Column: s.End.Column, Byte: s.End.Byte},
	}
}

// hclItem is an attribute or a block of an HCL body.
type hclItem struct {
	name   string
	rng    hcl.Range      // the attribute, or the block's type and labels
	expr   hcl.Expression // the attribute's value; nil for a block
	labels []string
	body   hcl.Body
}

// jsonSchema tells blocks from attributes in the JSON form: every section
// of Core and LoadModule is a block with one label (Else with none).
var jsonSchema = func() *hcl.BodySchema {
	s := &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "LoadModule", LabelNames: []string{"name"}}}}
	for _, spec := range Core {
		if !spec.Section {
			continue
		}
		b := hcl.BlockHeaderSchema{Type: spec.Name}
		if spec.MaxArgs != 0 {
			b.LabelNames = []string{"argument"}
		}
		s.Blocks = append(s.Blocks, b)
	}
	return s
}()

// hclItems returns the items of body in the order they are written.
func hclItems(body hcl.Body) ([]hclItem, hcl.Diagnostics) {
	var items []hclItem
	var diags hcl.Diagnostics
	if b, ok := body.(*hclsyntax.Body); ok {
		for _, a := range b.Attributes {
			items = append(items, hclItem{name: a.Name, rng: a.SrcRange, expr: a.Expr})
		}
		for _, bl := range b.Blocks {
			items = append(items, hclItem{name: bl.Type, rng: bl.DefRange(), labels: bl.Labels, body: bl.Body})
		}
	} else {
		content, rest, d := body.PartialContent(jsonSchema)
		diags = append(diags, d...)
		for _, bl := range content.Blocks {
			rng, labels := bl.TypeRange, bl.Labels
			if n := len(bl.LabelRanges); n > 0 {
				rng = hcl.RangeBetween(bl.TypeRange, bl.LabelRanges[n-1])
			}
			if s := Core.Lookup(bl.Type, true); s != nil && s.MaxArgs < 0 && len(labels) == 1 {
				labels = splitWords(labels[0])
			}
			items = append(items, hclItem{name: bl.Type, rng: rng, labels: labels, body: bl.Body})
		}
		attrs, d := rest.JustAttributes()
		diags = append(diags, d...)
		for _, a := range attrs {
			items = append(items, hclItem{name: a.Name, rng: a.Range, expr: a.Expr})
		}
	}
	// Items of one body do not overlap, so where they end orders them; JSON
	// blocks that share a type name differ in their last label.
	sort.SliceStable(items, func(i, j int) bool { return items[i].rng.End.Byte < items[j].rng.End.Byte })
	return items, diags
}

// hclBody reads the items of body in order, appending directives to out.
func (p *parser) hclBody(u *unit, body hcl.Body, out *[]*Directive) {
	items, diags := hclItems(body)
	p.hclDiags(u, diags)
	for _, it := range items {
		if p.aborted {
			return
		}
		u.span = spanOf(it.rng)
		ln := lineOf(it.rng)
		switch {
		case it.expr != nil && !hclsyntax.ValidIdentifier(it.name):
			// Only JSON can write such a name.
			p.hclValueErrAt(u, it.rng, "Invalid directive name", fmt.Sprintf("%q is not a directive name: it must be a letter followed by letters, digits, '_' and '-'.", it.name))
		case it.expr != nil:
			for _, c := range p.hclCommands(u, it) {
				u.span = spanOf(c.rng)
				p.command(u, lineOf(c.rng), it.name, c.args, out)
			}
		case strings.EqualFold(it.name, "LoadModule"):
			p.hclLoadModule(u, ln, it, out)
		case conditionalName(it.name) != "":
			if len(it.labels) == 0 {
				it.labels = []string{""}
			}
			if p.holds(u, ln, conditionalName(it.name), it.labels[0]) {
				p.hclBody(u, it.body, out)
			}
		default:
			d := &Directive{Name: it.name, Args: it.labels, File: u.file, Line: ln.first, Children: []*Directive{}, Span: u.span, src: u.src}
			if len(d.Args) == 0 {
				d.Args = nil
			}
			*out = append(*out, d)
			p.hclBody(u, it.body, &d.Children)
		}
	}
}

// lineOf is the line where r starts, as a logical line for the shared
// directive handlers.
func lineOf(r hcl.Range) logicalLine {
	return logicalLine{first: r.Start.Line, last: r.Start.Line}
}

// hclLoadModule reads LoadModule "name" { path = "..." }.
func (p *parser) hclLoadModule(u *unit, ln logicalLine, it hclItem, out *[]*Directive) {
	content, diags := it.body.Content(&hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "path", Required: true}}})
	if p.hclDiags(u, diags) {
		return
	}
	path := content.Attributes["path"]
	v, ok := p.hclValue(u, path.Expr)
	if !ok {
		return
	}
	s, ok := hclScalar(v)
	if !ok {
		p.hclValueErr(u, path.Expr, "The path of LoadModule must be a string.")
		return
	}
	u.span = spanOf(it.rng)
	p.command(u, ln, it.name, append(it.labels[:len(it.labels):len(it.labels)], s), out)
}

// hclCommand is one directive's arguments and where they were written.
type hclCommand struct {
	args []string
	rng  hcl.Range
}

// hclCommands turns an attribute into directives (see the mapping above).
func (p *parser) hclCommands(u *unit, it hclItem) []hclCommand {
	v, ok := p.hclValue(u, it.expr)
	if !ok {
		return nil
	}
	const want = "The value of a directive must be a string, a number, a bool or a list of them."
	if !isHCLList(v) {
		s, ok := hclScalar(v)
		if !ok {
			p.hclValueErr(u, it.expr, want)
			return nil
		}
		return []hclCommand{{[]string{s}, it.rng}}
	}
	elems := v.AsValueSlice()
	exprs, _ := hcl.ExprList(it.expr)
	where := func(i int) hcl.Range {
		if len(exprs) == len(elems) {
			return exprs[i].Range()
		}
		return it.rng
	}
	nested := false
	for _, e := range elems {
		nested = nested || isHCLList(e)
	}
	if !nested && !hclRepeats(it.name) {
		args, ok := hclScalars(elems)
		if !ok {
			p.hclValueErr(u, it.expr, want)
			return nil
		}
		return []hclCommand{{args, it.rng}}
	}
	var cmds []hclCommand
	for i, e := range elems {
		list := []cty.Value{e}
		if isHCLList(e) {
			list = e.AsValueSlice()
		}
		args, ok := hclScalars(list)
		if !ok {
			p.hclValueErrAt(u, where(i), "Unsupported value", "An element of the list must be a string, a number, a bool or a list of them.")
			continue
		}
		cmds = append(cmds, hclCommand{args, where(i)})
	}
	return cmds
}

// hclRepeats reports whether a list of plain values is one directive per
// value: for a directive of Core that takes one argument, and for Listen,
// whose optional second argument (the protocol) is rare.
func hclRepeats(name string) bool {
	if strings.EqualFold(name, "Listen") {
		return true
	}
	s := Core.Lookup(name, false)
	return s != nil && s.MaxArgs == 1
}

// hclValue evaluates expr. ${NAME} is a Define's value or else the
// environment's; an undefined NAME warns and stays as written.
func (p *parser) hclValue(u *unit, expr hcl.Expression) (cty.Value, bool) {
	vars := map[string]cty.Value{}
	for _, t := range expr.Variables() {
		name := t.RootName()
		if _, done := vars[name]; done {
			continue
		}
		if v, ok := p.lookupVar(name); ok {
			vars[name] = cty.StringVal(v)
			continue
		}
		at := u.span
		u.span = spanOf(t.SourceRange())
		p.warn(u, t.SourceRange().Start.Line, "AH00111: Config variable ${"+name+"} is not defined")
		u.span = at
		vars[name] = cty.StringVal("${" + name + "}")
	}
	v, diags := expr.Value(&hcl.EvalContext{Variables: vars})
	if p.hclDiags(u, diags) {
		return cty.NilVal, false
	}
	return v, true
}

func (p *parser) hclValueErr(u *unit, expr hcl.Expression, detail string) {
	p.hclValueErrAt(u, expr.Range(), "Unsupported value", detail)
}

func (p *parser) hclValueErrAt(u *unit, rng hcl.Range, summary, detail string) {
	p.hclDiags(u, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: &rng}})
}

func isHCLList(v cty.Value) bool {
	t := v.Type()
	return !v.IsNull() && v.IsKnown() && (t.IsTupleType() || t.IsListType() || t.IsSetType())
}

// hclScalar is the argument a string, number or bool stands for.
func hclScalar(v cty.Value) (string, bool) {
	if v.IsNull() || !v.IsKnown() {
		return "", false
	}
	switch v.Type() {
	case cty.String:
		return v.AsString(), true
	case cty.Number:
		return v.AsBigFloat().Text('f', -1), true
	case cty.Bool:
		if v.True() {
			return "On", true
		}
		return "Off", true
	}
	return "", false
}

func hclScalars(vs []cty.Value) ([]string, bool) {
	var args []string
	for _, v := range vs {
		s, ok := hclScalar(v)
		if !ok {
			return nil, false
		}
		args = append(args, s)
	}
	return args, true
}
