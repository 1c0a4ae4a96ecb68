package config

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"golang.org/x/text/unicode/norm"
)

// WriteHCL writes cfg as HCL native syntax that reads back into the same
// directives (see hcl.go for the mapping), so that Dump prints the same for
// both. It converts what was read: includes are inlined, variables
// expanded and conditional sections decided, as Dump shows them; paths stay
// as written. Each LoadModule becomes a LoadModule block, each section a
// block labelled with its arguments, and the directives of one name in a
// body become one attribute, where the first of them stood and spelled as
// that one is (directive names are case-insensitive; HCL allows a
// name once per body; Apache reads each directive on its own, so only
// their order among themselves counts, and that is kept). Arguments that
// are whole numbers or exactly On or Off are written as numbers and bools.
// A directive HCL cannot hold is an error, and nothing is written then: a
// name that is no HCL identifier (Apache syntax takes any word, but HCL
// cannot quote the name of an attribute or block type) or an argument
// that is not UTF-8 (an HCL file is UTF-8 text, and its escapes write
// characters, not bytes) or not in Unicode NFC form (HCL normalizes every
// string it reads: "A" + U+030F would come back as U+0200, another file name).
func WriteHCL(w io.Writer, cfg *Config) error {
	if err := checkHCL(cfg.Directives); err != nil {
		return err
	}
	_, err := w.Write(appendHCLBody(nil, cfg.Directives, 0))
	return err
}

// checkHCL is an error for the first directive in list or below that
// WriteHCL cannot write.
func checkHCL(list []*Directive) error {
	rule := false
	for _, d := range list {
		switch {
		case strings.EqualFold(d.Name, "RewriteRule"):
			rule = true
		case strings.EqualFold(d.Name, "RewriteCond") && rule:
			// One attribute per name would give the condition to the
			// body's first RewriteRule.
			return fmt.Errorf("%s: RewriteCond after a RewriteRule cannot be written as HCL: its RewriteCond lines would all go to the first RewriteRule", d.Pos())
		}
		if !utf8.ValidString(d.Name) || !hclsyntax.ValidIdentifier(d.Name) {
			return fmt.Errorf("%s: %q cannot be written as HCL: a directive name there must be a letter followed by letters, digits, '_' and '-'", d.Pos(), d.Name)
		}
		for _, a := range d.Args {
			if !utf8.ValidString(a) {
				return fmt.Errorf("%s: %s argument %q cannot be written as HCL: it is not UTF-8 text", d.Pos(), d.Name, a)
			}
			if !norm.NFC.IsNormalString(a) {
				return fmt.Errorf("%s: %s argument %+q cannot be written as HCL: HCL reads every string in Unicode NFC form (%+q here)", d.Pos(), d.Name, a, norm.NFC.String(a))
			}
		}
		if err := checkHCL(d.Children); err != nil {
			return err
		}
	}
	return nil
}

// appendHCLBody appends list as the body of a block depth levels deep, in
// the layout hclwrite (and so terraform fmt) gives it: two spaces of
// indent per level and the "=" of consecutive attributes aligned. It is
// written here, not by hclwrite, which links go-cmp into the host: that
// package's initialisation cost every start of httpd half a millisecond.
func appendHCLBody(b []byte, list []*Directive, depth int) []byte {
	indent := strings.Repeat("  ", depth)
	groups := map[string][]*Directive{}
	for _, d := range list {
		if !d.IsSection() && !isLoadModule(d) {
			key := strings.ToLower(d.Name)
			groups[key] = append(groups[key], d)
		}
	}
	var attrs []hclAttr // consecutive attributes: their "=" align
	flush := func() {
		b = appendHCLAttrs(b, indent, attrs)
		attrs = attrs[:0]
	}
	for _, d := range list {
		switch {
		case d.IsSection():
			flush()
			b = appendHCLBlockOpen(b, indent, d.Name, d.Args)
			b = appendHCLBody(b, d.Children, depth+1)
			b = append(append(b, indent...), "}\n"...)
		case isLoadModule(d):
			flush()
			b = appendHCLBlockOpen(b, indent, d.Name, d.Args[:1])
			b = appendHCLAttrs(b, indent+"  ", []hclAttr{{"path", cty.StringVal(d.Args[1])}})
			b = append(append(b, indent...), "}\n"...)
		default:
			key := strings.ToLower(d.Name)
			if g := groups[key]; g != nil {
				attrs = append(attrs, hclAttr{d.Name, hclGroupValue(d.Name, g)})
				delete(groups, key)
			}
		}
	}
	flush()
	return b
}

type hclAttr struct {
	name  string
	value cty.Value
}

func appendHCLAttrs(b []byte, indent string, attrs []hclAttr) []byte {
	width := 0
	for _, a := range attrs {
		width = max(width, hclColumns(a.name))
	}
	for _, a := range attrs {
		b = append(append(b, indent...), a.name...)
		b = append(b, strings.Repeat(" ", width-hclColumns(a.name))+" = "...)
		b = append(appendHCLValue(b, a.value), '\n')
	}
	return b
}

// hclColumns is the width hclwrite gives the single-line s when it aligns
// the "=" of attributes: its grapheme clusters, one column each whatever
// their bytes, runes or display width. hcl's RangeScanner counts them, so
// that the count is hcl's own, from the go-textseg tables hcl picks for
// the Go release it is built with.
func hclColumns(s string) int {
	whole := func(data []byte, _ bool) (int, []byte, error) { return len(data), data, nil }
	sc := hcl.NewRangeScanner([]byte(s), "", whole)
	if !sc.Scan() {
		return 0
	}
	return sc.Range().End.Column - sc.Range().Start.Column
}

func appendHCLBlockOpen(b []byte, indent, name string, labels []string) []byte {
	b = append(append(b, indent...), name...)
	for _, l := range labels {
		b = appendHCLValue(append(b, ' '), cty.StringVal(l))
	}
	return append(b, " {\n"...)
}

// appendHCLValue appends v, a bool, number, string or tuple of these, as
// HCL native syntax.
func appendHCLValue(b []byte, v cty.Value) []byte {
	switch t := v.Type(); {
	case t == cty.Bool:
		return strconv.AppendBool(b, v.True())
	case t == cty.Number:
		return append(b, v.AsBigFloat().Text('f', -1)...)
	case t == cty.String:
		return appendHCLString(b, v.AsString())
	default: // a tuple
		b = append(b, '[')
		for i, e := range v.AsValueSlice() {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = appendHCLValue(b, e)
		}
		return append(b, ']')
	}
}

// appendHCLString appends s as a quoted HCL string: the escapes of JSON
// for quotes, backslashes and control characters, and "${" and "%{"
// doubled to "$${" and "%%{" so that they are not template sequences.
func appendHCLString(b []byte, s string) []byte {
	b = append(b, '"')
	for i, r := range s {
		switch r {
		case '\n':
			b = append(b, `\n`...)
		case '\r':
			b = append(b, `\r`...)
		case '\t':
			b = append(b, `\t`...)
		case '"':
			b = append(b, `\"`...)
		case '\\':
			b = append(b, `\\`...)
		case '$', '%':
			b = append(b, byte(r))
			if strings.HasPrefix(s[i+1:], "{") {
				b = append(b, byte(r))
			}
		default:
			switch {
			case unicode.IsPrint(r):
				b = utf8.AppendRune(b, r)
			case r < 0x10000:
				b = fmt.Appendf(b, `\u%04x`, r)
			default:
				b = fmt.Appendf(b, `\U%08x`, r)
			}
		}
	}
	return append(b, '"')
}

func isLoadModule(d *Directive) bool {
	return strings.EqualFold(d.Name, "LoadModule") && len(d.Args) == 2
}

// hclGroupValue is the attribute value for the directives g, all named
// name: the inverse of hclCommands.
func hclGroupValue(name string, g []*Directive) cty.Value {
	repeats := hclRepeats(name)
	if len(g) == 1 && len(g[0].Args) == 1 {
		return hclArg(g[0].Args[0])
	}
	if len(g) == 1 && !repeats {
		return hclArgList(g[0].Args)
	}
	elems := make([]cty.Value, len(g))
	for i, d := range g {
		if repeats && len(d.Args) == 1 {
			elems[i] = hclArg(d.Args[0])
		} else {
			elems[i] = hclArgList(d.Args)
		}
	}
	return cty.TupleVal(elems)
}

func hclArgList(args []string) cty.Value {
	if len(args) == 0 {
		return cty.EmptyTupleVal
	}
	elems := make([]cty.Value, len(args))
	for i, a := range args {
		elems[i] = hclArg(a)
	}
	return cty.TupleVal(elems)
}

// hclArg is the HCL value that reads back as the argument a.
func hclArg(a string) cty.Value {
	switch a {
	case "On":
		return cty.True
	case "Off":
		return cty.False
	}
	if n, err := strconv.ParseInt(a, 10, 64); err == nil && strconv.FormatInt(n, 10) == a {
		return cty.NumberIntVal(n)
	}
	return cty.StringVal(a)
}
