// Package autoindex is apache2's mod_autoindex: its directives (IndexOptions,
// IndexOrderDefault, IndexIgnore, IndexIgnoreReset, AddIcon*, AddAlt*,
// AddDescription, DefaultIcon, HeaderName, ReadmeName, IndexStyleSheet,
// IndexHeadInsert) parsed with apache2's messages and merged as its
// merge_autoindex_configs does, and the listing page as apache2 2.4.71 writes
// it: plain, FancyIndexing (<pre>) or HTMLTable, with the query arguments
// C, O, F, V and P.
//
// The caller (package static) reads the directory and looks the entries up;
// this package decides which entries to skip, sorts them and writes the page.
package autoindex

import (
	"errors"
	"strconv"
	"strings"
)

// The IndexOptions bits, as mod_autoindex numbers them.
const (
	noOptions uint32 = 1 << iota
	iconsAreLinks
	scanHTMLTitles
	suppressIcon
	suppressLastMod
	suppressSize
	suppressDesc
	suppressPreamble
	suppressColSort
	suppressRules
	foldersFirst
	versionSort
	trackModified
	fancyIndexing
	tableIndexing
	ignoreClient
	ignoreCase
	emitXHTML
	showForbidden
	addAltClass
	optionUnset
)

// Width adjustment of NameWidth and DescriptionWidth.
const (
	noAdjust = 0
	adjust   = 1
	unset    = 2
)

const (
	defaultIconWidth  = 20
	defaultIconHeight = 22
	defaultNameWidth  = 23
	defaultDescWidth  = 23
)

// itemKind is what an icon or alt entry matches: a path, a MIME type or a
// content encoding.
type itemKind uint8

const (
	byPath itemKind = iota
	byType
	byEncoding
)

type item struct {
	kind      itemKind
	applyTo   string
	applyPath string
	data      string
}

type desc struct {
	pattern   string
	text      string
	fullPath  bool
	wildcards bool
}

// Config is what one level says (Set), or a merged configuration (Merge).
// The zero value is a level without mod_autoindex directives.
type Config struct {
	// Path is the level's directory as apache2's cmd->path: "/dir/" for
	// <Directory /dir>, the pattern for other sections, "" at the top level.
	// AddIcon, AddAlt and IndexIgnore entries apply below it.
	Path string

	set                        bool
	defaultIcon, styleSheet    *string
	headInsert, header, readme *string
	opts, incOpts, decOpts     uint32
	nameWidth, nameAdjust      int
	descWidth, descAdjust      int
	nameSet, descSet           bool
	iconWidth, iconHeight      int
	keyID, direction           byte
	icons, alts                []item
	descs                      []desc
	ignores                    []item
	ignoreReset                bool
	ctype, charset, dateFormat *string
}

// Empty reports whether the level has no mod_autoindex directive.
func (c *Config) Empty() bool { return c == nil || !c.set }

// Set applies one directive of a level (name in any case); other names are
// ignored. The errors are apache2's.
func (c *Config) Set(name string, args []string) error {
	n := strings.ToLower(name)
	if !Directive(n) {
		return nil
	}
	if !c.set {
		// create_autoindex_config: IndexOptions not set.
		c.set, c.opts = true, optionUnset
	}
	str := func(p **string) error {
		if len(args) != 1 {
			return errors.New(name + " takes one argument")
		}
		s := args[0]
		*p = &s
		return nil
	}
	switch n {
	case "addicon", "addiconbytype", "addiconbyencoding":
		return c.addEach(args, func(to string) error { return c.addIcon(kindOf(n), args[0], to) })
	case "addalt", "addaltbytype", "addaltbyencoding":
		return c.addEach(args, func(to string) error { c.addAlt(kindOf(n), args[0], to); return nil })
	case "adddescription":
		return c.addEach(args, func(to string) error { c.addDesc(args[0], to); return nil })
	case "indexoptions":
		return c.addOpts(args)
	case "indexorderdefault":
		if len(args) != 2 {
			return errors.New("IndexOrderDefault takes two arguments")
		}
		return c.setOrder(args[0], args[1])
	case "indexignore":
		for _, a := range args {
			// push_item without a type: the name as written, no suffix match.
			c.ignores = append(c.ignores, item{applyTo: a, applyPath: c.Path + "*"})
		}
	case "indexignorereset":
		if len(args) != 1 {
			return errors.New("IndexIgnoreReset must be On or Off")
		}
		switch strings.ToLower(args[0]) {
		case "on":
			c.ignoreReset = true
		case "off":
			c.ignoreReset = false
		default:
			return errors.New("IndexIgnoreReset must be On or Off")
		}
	case "headername":
		return str(&c.header)
	case "readmename":
		return str(&c.readme)
	case "defaulticon":
		return str(&c.defaultIcon)
	case "indexstylesheet":
		return str(&c.styleSheet)
	case "indexheadinsert":
		return str(&c.headInsert)
	case "fancyindexing":
		return errors.New("The FancyIndexing directive is no longer supported. Use IndexOptions FancyIndexing.")
	}
	return nil
}

// Names are mod_autoindex's directives.
var Names = []string{
	"AddIcon", "AddIconByType", "AddIconByEncoding", "AddAlt", "AddAltByType", "AddAltByEncoding",
	"IndexOptions", "IndexOrderDefault", "IndexIgnore", "IndexIgnoreReset", "AddDescription",
	"HeaderName", "ReadmeName", "FancyIndexing", "DefaultIcon", "IndexStyleSheet", "IndexHeadInsert",
}

// Directive reports whether lower (a lowercase name) is one of Names.
func Directive(lower string) bool {
	for _, n := range Names {
		if strings.EqualFold(n, lower) {
			return true
		}
	}
	return false
}

func kindOf(name string) itemKind {
	switch {
	case strings.HasSuffix(name, "bytype"):
		return byType
	case strings.HasSuffix(name, "byencoding"):
		return byEncoding
	}
	return byPath
}

// addEach calls add for each argument after the first (ITERATE2).
func (c *Config) addEach(args []string, add func(to string) error) error {
	for _, to := range args[1:] {
		if err := add(to); err != nil {
			return err
		}
	}
	return nil
}

// newItem is push_item: a path pattern without wildcards matches as a suffix.
func newItem(kind itemKind, to, path, data string) item {
	it := item{kind: kind, data: data, applyPath: path + "*", applyTo: to}
	if kind == byPath && !strings.ContainsAny(to, "*?") {
		it.applyTo = "*" + to
	}
	return it
}

func special(kind itemKind, to string) string {
	switch {
	case kind == byPath && to == "**DIRECTORY**":
		return "^^DIRECTORY^^"
	case kind == byEncoding:
		return strings.ToLower(to)
	}
	return to
}

func (c *Config) addAlt(kind itemKind, alt, to string) {
	c.alts = append(c.alts, newItem(kind, special(kind, to), c.Path, alt))
}

// addIcon is add_icon: "(ALT,url)" also adds the alt text.
func (c *Config) addIcon(kind itemKind, icon, to string) error {
	if strings.HasPrefix(icon, "(") {
		cl := strings.IndexByte(icon, ')')
		if cl < 0 {
			return errors.New("missing closing paren")
		}
		alt, rest, found := strings.Cut(icon, ",")
		if !found {
			// ap_getword_nc takes the whole word; the paren is cut off.
			rest = ""
		}
		if i := strings.IndexByte(alt, ')'); i >= 0 {
			alt = alt[:i]
		}
		c.addAlt(kind, alt[1:], to)
		// iconbak: what follows the comma, up to the closing paren.
		if i := strings.IndexByte(rest, ')'); i >= 0 {
			rest = rest[:i]
		}
		icon = rest
	}
	c.icons = append(c.icons, newItem(kind, special(kind, to), c.Path, icon))
	return nil
}

// addDesc is add_desc.
func (c *Config) addDesc(text, to string) {
	d := desc{text: text, fullPath: strings.IndexByte(to, '/') >= 0}
	d.wildcards = d.fullPath || strings.ContainsAny(to, "*?[")
	switch {
	case d.fullPath:
		d.pattern = "*/" + to + "*"
	case d.wildcards:
		d.pattern = "*" + to + "*"
	default:
		d.pattern = to
	}
	c.descs = append(c.descs, d)
}

var optionNames = map[string]uint32{
	"fancyindexing": fancyIndexing, "foldersfirst": foldersFirst, "htmltable": tableIndexing,
	"iconsarelinks": iconsAreLinks, "ignorecase": ignoreCase, "ignoreclient": ignoreClient,
	"scanhtmltitles": scanHTMLTitles, "suppresscolumnsorting": suppressColSort,
	"suppressdescription": suppressDesc, "suppresshtmlpreamble": suppressPreamble,
	"suppressicon": suppressIcon, "suppresslastmodified": suppressLastMod, "suppresssize": suppressSize,
	"suppressrules": suppressRules, "trackmodified": trackModified, "versionsort": versionSort,
	"xhtml": emitXHTML, "showforbidden": showForbidden, "addaltclass": addAltClass,
}

// addOpts is add_opts: IndexOptions with its +/- forms.
func (c *Config) addOpts(args []string) error {
	opts, add, rem := c.opts, c.incOpts, c.decOpts
	for _, w := range args {
		var action byte
		if w != "" && (w[0] == '+' || w[0] == '-') {
			action, w = w[0], w[1:]
		}
		lw := strings.ToLower(w)
		option, known := optionNames[lw]
		switch {
		case known:
		case lw == "none":
			if action != 0 {
				return errors.New("Cannot combine '+' or '-' with 'None' keyword")
			}
			opts, add, rem = noOptions, 0, 0
		case lw == "iconwidth":
			c.iconWidth = defaultIconWidth
			if action == '-' {
				c.iconWidth = 0
			}
		case strings.HasPrefix(lw, "iconwidth="):
			if action == '-' {
				return errors.New("Cannot combine '-' with IconWidth=n")
			}
			c.iconWidth = atoi(w[10:])
		case lw == "iconheight":
			c.iconHeight = defaultIconHeight
			if action == '-' {
				c.iconHeight = 0
			}
		case strings.HasPrefix(lw, "iconheight="):
			if action == '-' {
				return errors.New("Cannot combine '-' with IconHeight=n")
			}
			c.iconHeight = atoi(w[11:])
		case lw == "namewidth" || strings.HasPrefix(lw, "namewidth="):
			if err := setWidth(&c.nameWidth, &c.nameAdjust, &c.nameSet, action, w, "NameWidth", defaultNameWidth, 5); err != nil {
				return err
			}
		case lw == "descriptionwidth" || strings.HasPrefix(lw, "descriptionwidth="):
			if err := setWidth(&c.descWidth, &c.descAdjust, &c.descSet, action, w, "DescriptionWidth", defaultDescWidth, 12); err != nil {
				return err
			}
		case strings.HasPrefix(lw, "type="):
			s := w[5:]
			c.ctype = &s
		case strings.HasPrefix(lw, "charset="):
			s := w[8:]
			c.charset = &s
		case lw == "useolddateformat":
			s := "%d-%b-%Y %H:%M"
			c.dateFormat = &s
		default:
			return errors.New("Invalid directory indexing option")
		}
		switch action {
		case 0:
			opts |= option
			add, rem = 0, 0
		case '+':
			add |= option
			rem &^= option
		default:
			rem |= option
			add &^= option
		}
	}
	if opts&noOptions != 0 && opts&^noOptions != 0 {
		return errors.New("Cannot combine other IndexOptions keywords with 'None'")
	}
	c.incOpts, c.decOpts, c.opts = add, rem, opts
	return nil
}

// setWidth applies NameWidth or DescriptionWidth (name), with or without
// "=n" or "=*", to a level's width, adjust mode and whether it set them.
func setWidth(width, adj *int, set *bool, action byte, word, name string, def, least int) error {
	value, hasValue := strings.CutPrefix(word[len(name):], "=")
	switch {
	case !hasValue && action != '-':
		return errors.New(name + " with no value may only appear as '-" + name + "'")
	case !hasValue:
		*width, *adj, *set = def, noAdjust, true
		return nil
	case action == '-':
		return errors.New("Cannot combine '-' with " + name + "=n")
	}
	if !*set {
		*width = def
	}
	*set = true
	if strings.HasPrefix(value, "*") {
		*adj = adjust
		return nil
	}
	n := atoi(value)
	if n != 0 && n < least {
		return errors.New(name + " value must be greater than " + strconv.Itoa(least))
	}
	*width, *adj = n, noAdjust
	return nil
}

// atoi is C's atoi: leading digits, 0 without.
func atoi(s string) int {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	n, _ := strconv.Atoi(s[:i])
	return n
}

func (c *Config) setOrder(direction, key string) error {
	switch strings.ToLower(direction) {
	case "ascending":
		c.direction = 'A'
	case "descending":
		c.direction = 'D'
	default:
		return errors.New("First keyword must be 'Ascending' or 'Descending'")
	}
	switch strings.ToLower(key) {
	case "name":
		c.keyID = 'N'
	case "date":
		c.keyID = 'M'
	case "size":
		c.keyID = 'S'
	case "description":
		c.keyID = 'D'
	default:
		return errors.New("Second keyword must be 'Name', 'Date', 'Size', or 'Description'")
	}
	return nil
}

// Merge is merge_autoindex_configs: add (one level) over base (the merged
// configuration so far, nil for none). As apache2's ap_merge_per_dir_configs,
// a level without directives of the module leaves base as it is, and a level
// over none stays as written (its +/- IndexOptions apart from the others
// until a later level is merged over it).
func Merge(base, add *Config) *Config {
	if add.Empty() {
		return base
	}
	if base == nil {
		if add.Path == "" {
			return add // the server's level: apache2 uses it unmerged
		}
		// A section below a server level without mod_autoindex lines:
		// apache2 merges it over the server's created defaults, so that its
		// "+"/"-" options apply to none.
		base = &Config{set: true, opts: optionUnset}
	}
	n := merged(base, add)
	if add.opts == noOptions {
		n.opts, n.incOpts, n.decOpts = noOptions, 0, 0
		return &n
	}
	if add.opts == optionUnset {
		// Only incremental settings here: inherit, then apply them.
		n.incOpts = (base.incOpts | add.incOpts) &^ add.decOpts
		n.decOpts = base.decOpts | add.decOpts
		n.opts = base.opts &^ noOptions
	} else {
		// Absolute settings replace what is inherited.
		n.opts = add.opts
	}
	n.opts = (n.opts | n.incOpts) &^ n.decOpts
	return &n
}

// merged is every field but the options of add over base.
func merged(base, add *Config) Config {
	n := Config{set: true}
	pick := func(a, b *string) *string {
		if a != nil {
			return a
		}
		return b
	}
	n.defaultIcon = pick(add.defaultIcon, base.defaultIcon)
	n.styleSheet = pick(add.styleSheet, base.styleSheet)
	n.headInsert = pick(add.headInsert, base.headInsert)
	n.header = pick(add.header, base.header)
	n.readme = pick(add.readme, base.readme)
	n.ctype = pick(add.ctype, base.ctype)
	n.charset = pick(add.charset, base.charset)
	n.dateFormat = pick(add.dateFormat, base.dateFormat)
	n.iconHeight, n.iconWidth = base.iconHeight, base.iconWidth
	if add.iconHeight != 0 {
		n.iconHeight = add.iconHeight
	}
	if add.iconWidth != 0 {
		n.iconWidth = add.iconWidth
	}
	n.alts = concat(add.alts, base.alts)
	n.icons = concat(add.icons, base.icons)
	n.descs = append(append([]desc(nil), add.descs...), base.descs...)
	if add.ignoreReset {
		n.ignores = add.ignores
	} else {
		n.ignores = concat(add.ignores, base.ignores)
	}
	n.nameWidth, n.nameAdjust, n.nameSet = base.nameWidth, base.nameAdjust, base.nameSet
	if add.nameSet {
		n.nameWidth, n.nameAdjust, n.nameSet = add.nameWidth, add.nameAdjust, true
	}
	n.descWidth, n.descAdjust, n.descSet = base.descWidth, base.descAdjust, base.descSet
	if add.descSet {
		n.descWidth, n.descAdjust, n.descSet = add.descWidth, add.descAdjust, true
	}
	n.keyID, n.direction = base.keyID, base.direction
	if add.keyID != 0 {
		n.keyID = add.keyID
	}
	if add.direction != 0 {
		n.direction = add.direction
	}
	return n
}

func concat(a, b []item) []item {
	if len(b) == 0 {
		return a
	}
	return append(append(make([]item, 0, len(a)+len(b)), a...), b...)
}
