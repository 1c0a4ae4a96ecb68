package config

import (
	"io"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
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
func WriteHCL(w io.Writer, cfg *Config) error {
	f := hclwrite.NewEmptyFile()
	writeHCLBody(f.Body(), cfg.Directives)
	_, err := w.Write(f.Bytes())
	return err
}

func writeHCLBody(body *hclwrite.Body, list []*Directive) {
	groups := map[string][]*Directive{}
	for _, d := range list {
		if !d.IsSection() && !isLoadModule(d) {
			key := strings.ToLower(d.Name)
			groups[key] = append(groups[key], d)
		}
	}
	for _, d := range list {
		switch {
		case d.IsSection():
			b := body.AppendNewBlock(d.Name, d.Args)
			writeHCLBody(b.Body(), d.Children)
		case isLoadModule(d):
			b := body.AppendNewBlock(d.Name, d.Args[:1])
			b.Body().SetAttributeValue("path", cty.StringVal(d.Args[1]))
		default:
			key := strings.ToLower(d.Name)
			if g := groups[key]; g != nil {
				body.SetAttributeValue(d.Name, hclGroupValue(d.Name, g))
				delete(groups, key)
			}
		}
	}
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
