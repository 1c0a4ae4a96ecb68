// Package apexpr is apache2 2.4's expression language, ap_expr
// (server/util_expr_*.c): the conditions of <If>, <ElseIf>, Require expr,
// SetEnvIfExpr, Header's expr= and CustomLog's expr=. Parse reads one
// boolean expression as apache2 does, with its error messages; Expr.Eval
// evaluates it for a request (Request, whose variable table mod_rewrite's
// %{NAME} shares).
//
// Not here: the string-valued form (expressions as values), -F, -U and -A
// (they need subrequests: refused at parse), ldap().
package apexpr

import (
	"errors"
	"net/netip"
	"regexp"
	"strings"

	"github.com/httpd-mpm/httpd-mpm/mpm/apregex"
	"github.com/httpd-mpm/httpd-mpm/mpm/authz"
)

type op uint8

const (
	opTrue op = iota
	opFalse
	opNot
	opOr
	opAnd
	opUnary  // s: the operator's name, a: the word
	opBinary // s: the operator's name, a, b: the words
	opIntEQ
	opIntNE
	opIntLT
	opIntLE
	opIntGT
	opIntGE
	opStrEQ
	opStrNE
	opStrLT
	opStrLE
	opStrGT
	opStrGE
	opIn  // a: the word, list: the words
	opReg // a: the word, re
	opNRE
	// words
	opString  // s
	opDigit   // s: digits, a string that is no constant string for -R
	opVar     // s: the variable's name
	opFunc    // s: the function's name, a: its argument
	opConcat  // list
	opBackref // n
)

// node is one node of an expression's tree.
type node struct {
	op     op
	s      string
	n      int
	a, b   *node
	list   []*node
	re     *regexp.Regexp
	prefix netip.Prefix // -R, -ipmatch
	fn     strFunc
}

// Expr is a parsed boolean expression. It is safe for concurrent use.
type Expr struct {
	root *node
	// Source is the expression as written.
	Source string
}

// Parse reads the boolean expression src. Its error is apache2's message
// (what follows "Cannot parse condition clause: " for <If>).
func Parse(src string) (*Expr, error) {
	p := &parser{s: scanner{in: src}, stack: 2}
	p.advance()
	return p.result(p.expr(), src)
}

// ParseString reads a string-valued expression (apache2's
// AP_EXPR_FLAG_STRING_RESULT, as a Redirect's URL inside a section): text in
// which %{VAR}, %{func:arg} and $0-$9 are replaced. Expr.Text evaluates it.
func ParseString(src string) (*Expr, error) {
	p := &parser{s: scanner{in: src, state: stStr, stringMode: true}, stack: 2}
	p.advance()
	if p.tok.t == tEnd {
		return &Expr{root: &node{op: opString}, Source: src}, nil
	}
	return p.result(p.str(tEnd), src)
}

// result is the parsed n, or the error apache2 reports.
func (p *parser) result(n *node, src string) (*Expr, error) {
	if p.err == "" && p.tok.t != tEnd {
		p.syntax()
	}
	switch {
	case p.err != "" && p.err2 != "":
		return nil, errors.New(p.err + ": " + p.err2)
	case p.err != "":
		return nil, errors.New(p.err)
	case p.err2 != "":
		return nil, errors.New(p.err2)
	}
	return &Expr{root: n, Source: src}, nil
}

// parser is util_expr_parse.y as recursive descent: || and && are right
// associative, ! binds tighter, '.' tighter still.
type parser struct {
	s   scanner
	tok token
	// err is the parser's message (bison's "syntax error, ..."); err2 the
	// scanner's or a lookup's, which apache2 appends to it.
	err, err2 string
	aborted   bool // a T_ERROR where the grammar takes one: YYABORT, err2 alone
	// stack is the depth bison's stack would have: the symbols read and
	// not yet reduced (its first state and the start token to begin with).
	stack int
}

// maxStack is bison's YYMAXDEPTH: an expression that needs a deeper stack
// (10,000 nested parentheses or !, 5,000 terms of a || chain) fails to
// parse with "memory exhausted". It also bounds this parser's recursion.
const maxStack = 10000

// room reports whether k more symbols fit on the stack; if not, the parse
// fails as bison's does.
func (p *parser) room(k int) bool {
	if p.stack+k < maxStack {
		return true
	}
	if !p.failed() {
		p.err = "memory exhausted"
	}
	return false
}

// push keeps k symbols on the stack while what follows them is read; pop
// takes them off.
func (p *parser) push(k int) bool {
	if !p.room(k) {
		return false
	}
	p.stack += k
	return true
}

func (p *parser) pop(k int) { p.stack -= k }

func (p *parser) advance() {
	p.tok = p.s.next()
	if p.tok.t == tError && p.err2 == "" {
		p.err2 = p.tok.text
	}
}

func (p *parser) failed() bool { return p.err != "" || p.aborted }

// syntax records bison's message for the current token.
func (p *parser) syntax(expecting ...tok) {
	if p.failed() {
		return
	}
	msg := "syntax error, unexpected " + p.tok.t.String()
	if len(expecting) > 0 {
		names := make([]string, len(expecting))
		for i, t := range expecting {
			names[i] = t.String()
		}
		msg += ", expecting " + strings.Join(names, " or ")
	}
	p.err = msg
}

// lookupErr records a lookup's error (the first one, as error2).
func (p *parser) lookupErr(msg string) {
	if p.err2 == "" {
		p.err2 = msg
	}
}

func (p *parser) expr() *node { return p.chain(p.and, tOpOr, opOr) }

func (p *parser) and() *node { return p.chain(p.not, tOpAnd, opAnd) }

// chain parses operand (t operand)* as a right-leaning chain of op, as
// bison's right-recursive rules for || and && build it (two more symbols on
// its stack per operator).
func (p *parser) chain(operand func() *node, t tok, o op) *node {
	left := operand()
	if p.failed() {
		return nil
	}
	if p.tok.t == t {
		if !p.push(2) {
			return nil
		}
		defer p.pop(2)
		p.advance()
		right := p.chain(operand, t, o)
		return &node{op: o, a: left, b: right}
	}
	return left
}

func (p *parser) not() *node {
	if p.tok.t == tOpNot {
		if !p.push(1) {
			return nil
		}
		defer p.pop(1)
		p.advance()
		return &node{op: opNot, a: p.not()}
	}
	return p.primary()
}

var comparisons = map[tok]op{
	tOpEQ: opIntEQ, tOpNE: opIntNE, tOpLT: opIntLT, tOpLE: opIntLE, tOpGT: opIntGT, tOpGE: opIntGE,
	tOpStrEQ: opStrEQ, tOpStrNE: opStrNE, tOpStrLT: opStrLT, tOpStrLE: opStrLE, tOpStrGT: opStrGT, tOpStrGE: opStrGE,
}

func (p *parser) primary() *node {
	switch p.tok.t {
	case tTrue, tFalse:
		if !p.room(1) {
			return nil
		}
		o := opTrue
		if p.tok.t == tFalse {
			o = opFalse
		}
		p.advance()
		return &node{op: o}
	case tError:
		p.aborted = true // expr: T_ERROR { YYABORT; }
		return nil
	case tLParen:
		if !p.push(1) {
			return nil
		}
		defer p.pop(1)
		p.advance()
		n := p.expr()
		if p.failed() {
			return nil
		}
		if p.tok.t != tRParen {
			p.syntax()
			return nil
		}
		if !p.room(2) {
			return nil
		}
		p.advance()
		return n
	case tUnary:
		if !p.push(1) {
			return nil
		}
		defer p.pop(1)
		name := p.tok.text
		p.advance()
		w := p.word()
		if p.failed() {
			return nil
		}
		return p.unary(name, w)
	}
	left := p.word()
	if p.failed() {
		return nil
	}
	t := p.tok.t
	if c, ok := comparisons[t]; ok {
		if !p.push(2) {
			return nil
		}
		defer p.pop(2)
		p.advance()
		right := p.word()
		return &node{op: c, a: left, b: right}
	}
	switch t {
	case tBinary:
		if !p.push(2) {
			return nil
		}
		defer p.pop(2)
		name := p.tok.text
		p.advance()
		right := p.word()
		if p.failed() {
			return nil
		}
		return p.binary(name, left, right)
	case tOpIn:
		if !p.push(3) {
			return nil
		}
		defer p.pop(3)
		p.advance()
		if p.tok.t == tID {
			// lstfunccall: 2.4 has no list functions.
			name := p.tok.text
			p.advance()
			if p.tok.t != tLParen {
				p.syntax(tLParen)
				return nil
			}
			p.advance()
			p.word()
			if !p.failed() && p.tok.t != tRParen {
				p.syntax()
			}
			p.lookupErr("List-returning function '" + name + "' does not exist")
			return nil
		}
		if p.tok.t != tLBrace {
			p.syntax(tID, tLBrace)
			return nil
		}
		p.advance()
		n := &node{op: opIn, a: left}
		for {
			w := p.word()
			if p.failed() {
				return nil
			}
			n.list = append(n.list, w)
			if p.tok.t == tRBrace {
				p.advance()
				return n
			}
			if p.tok.t != tComma {
				p.syntax()
				return nil
			}
			p.advance()
		}
	case tOpReg, tOpNRE:
		if !p.room(3) {
			return nil
		}
		p.advance()
		if p.tok.t != tRegex && p.tok.t != tRegexI {
			p.syntax(tRegex, tRegexI)
			return nil
		}
		re, err := apregex.Compile(p.tok.text, p.tok.t == tRegexI)
		if err != nil {
			p.err = "Failed to compile regular expression"
			return nil
		}
		p.advance()
		o := opReg
		if t == tOpNRE {
			o = opNRE
		}
		return &node{op: o, a: left, re: re}
	}
	p.syntax()
	return nil
}

// word is a word, with '.' concatenations.
func (p *parser) word() *node {
	w := p.atom()
	if p.failed() || p.tok.t != tOpConcat {
		return w
	}
	n := &node{op: opConcat, list: []*node{w}}
	// '.' is right associative: each word and '.' stay on the stack.
	pushed := 0
	defer func() { p.pop(pushed) }()
	for p.tok.t == tOpConcat {
		if !p.push(2) {
			return nil
		}
		pushed += 2
		p.advance()
		w := p.atom()
		if p.failed() {
			return nil
		}
		n.list = append(n.list, w)
	}
	return n
}

func (p *parser) atom() *node {
	switch p.tok.t {
	case tDigit, tBackref:
		if !p.room(1) {
			return nil
		}
	}
	switch p.tok.t {
	case tDigit:
		n := &node{op: opDigit, s: p.tok.text}
		p.advance()
		return n
	case tBackref:
		n := &node{op: opBackref, n: p.tok.n}
		p.advance()
		return n
	case tVarBegin:
		return p.variable()
	case tStrBegin:
		if !p.push(1) {
			return nil
		}
		defer p.pop(1)
		p.advance()
		if p.tok.t == tStrEnd {
			if !p.room(1) {
				return nil
			}
			p.advance()
			return &node{op: opString}
		}
		n := p.str(tStrEnd)
		if p.failed() || !p.room(2) {
			return nil
		}
		p.advance()
		return n
	case tID:
		if !p.push(2) {
			return nil
		}
		defer p.pop(2)
		name := p.tok.text
		p.advance()
		if p.tok.t != tLParen {
			p.syntax(tLParen)
			return nil
		}
		p.advance()
		arg := p.word()
		if p.failed() {
			return nil
		}
		if p.tok.t != tRParen {
			p.syntax()
			return nil
		}
		if !p.room(2) {
			return nil
		}
		p.advance()
		return p.function(name, arg)
	}
	p.syntax()
	return nil
}

// str is the parts of a quoted string or a %{func:arg} up to end.
func (p *parser) str(end tok) *node {
	if p.tok.t == tError {
		p.aborted = true // string: T_ERROR { YYABORT; }
		return nil
	}
	var parts []*node
	for p.tok.t != end {
		// The string read so far is one symbol on the stack.
		if !p.room(min(len(parts), 1) + 1) {
			return nil
		}
		switch p.tok.t {
		case tString:
			parts = append(parts, &node{op: opString, s: p.tok.text})
			p.advance()
		case tBackref:
			parts = append(parts, &node{op: opBackref, n: p.tok.n})
			p.advance()
		case tVarBegin:
			k := min(len(parts), 1)
			p.push(k)
			v := p.variable()
			p.pop(k)
			if p.failed() {
				return nil
			}
			parts = append(parts, v)
		default:
			p.syntax()
			return nil
		}
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return &node{op: opConcat, list: parts}
}

// variable is %{NAME} or %{func:arg}.
func (p *parser) variable() *node {
	p.advance()
	if p.tok.t != tID {
		p.syntax(tID)
		return nil
	}
	name := p.tok.text
	p.advance()
	switch p.tok.t {
	case tVarEnd:
		if !p.room(3) {
			return nil
		}
		p.advance()
		if !KnownVar(name) {
			p.lookupErr("Variable '" + name + "' does not exist")
		}
		return &node{op: opVar, s: name}
	case tColon:
		if !p.push(3) {
			return nil
		}
		defer p.pop(3)
		p.advance()
		if p.tok.t == tVarEnd {
			p.syntax() // string: needs a part
			return nil
		}
		arg := p.str(tVarEnd)
		if p.failed() || !p.room(2) {
			return nil
		}
		p.advance()
		return p.function(name, arg)
	}
	p.syntax(tVarEnd, tColon)
	return nil
}

func (p *parser) function(name string, arg *node) *node {
	fn, ok := lookupFunc(name)
	if !ok {
		p.lookupErr("Function '" + name + "' does not exist")
		return &node{op: opString}
	}
	return &node{op: opFunc, s: strings.ToLower(name), a: arg, fn: fn}
}

// unaryOps are apache2's unary operators (case matters).
const unaryOps = "nzRTdefsLhxFUA"

func (p *parser) unary(name string, w *node) *node {
	if len(name) != 1 || strings.IndexByte(unaryOps, name[0]) < 0 {
		p.lookupErr("Unary operator '-" + name + "' does not exist")
		return nil
	}
	n := &node{op: opUnary, s: name, a: w}
	switch name {
	case "F", "U", "A":
		p.lookupErr("-" + name + " is not supported by this server (it needs a subrequest)")
	case "R":
		n.prefix = p.subnet(name, w)
	}
	return n
}

var binaryOps = []string{"ipmatch", "fnmatch", "strmatch", "strcmatch"}

func (p *parser) binary(name string, a, b *node) *node {
	lower := strings.ToLower(name)
	found := false
	for _, o := range binaryOps {
		found = found || o == lower
	}
	if !found {
		p.lookupErr("Binary operator '-" + name + "' does not exist")
		return nil
	}
	n := &node{op: opBinary, s: lower, a: a, b: b}
	if lower == "ipmatch" {
		n.prefix = p.subnet(name, b)
	}
	return n
}

// subnet is subnet_parse_arg: the argument must be a constant string.
func (p *parser) subnet(name string, w *node) netip.Prefix {
	if w == nil || w.op != opString {
		p.lookupErr("-" + name + " requires subnet/netmask as constant argument")
		return netip.Prefix{}
	}
	pfx, err := authz.ParseSubnet(w.s)
	if err != nil {
		p.lookupErr("parsing of subnet/netmask failed")
	}
	return pfx
}
