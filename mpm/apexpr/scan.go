package apexpr

import (
	"fmt"
	"strings"
)

// tok is a token of util_expr_scan.l; its String is bison's name for it,
// which the syntax errors quote.
type tok int

const (
	tEnd tok = iota
	tError
	tTrue
	tFalse
	tDigit
	tID
	tString
	tRegex
	tRegexI
	tBackref
	tUnary
	tBinary
	tStrBegin
	tStrEnd
	tVarBegin
	tVarEnd
	tOpEQ
	tOpNE
	tOpLT
	tOpLE
	tOpGT
	tOpGE
	tOpReg
	tOpNRE
	tOpIn
	tOpStrEQ
	tOpStrNE
	tOpStrLT
	tOpStrLE
	tOpStrGT
	tOpStrGE
	tOpConcat
	tOpOr
	tOpAnd
	tOpNot
	tLParen
	tRParen
	tLBrace
	tRBrace
	tComma
	tColon
)

var tokNames = [...]string{
	tEnd: "$end", tError: "T_ERROR", tTrue: "T_TRUE", tFalse: "T_FALSE", tDigit: "T_DIGIT", tID: "T_ID",
	tString: "T_STRING", tRegex: "T_REGEX", tRegexI: "T_REGEX_I", tBackref: "T_REGEX_BACKREF",
	tUnary: "T_OP_UNARY", tBinary: "T_OP_BINARY", tStrBegin: "T_STR_BEGIN", tStrEnd: "T_STR_END",
	tVarBegin: "T_VAR_BEGIN", tVarEnd: "T_VAR_END", tOpEQ: "T_OP_EQ", tOpNE: "T_OP_NE", tOpLT: "T_OP_LT",
	tOpLE: "T_OP_LE", tOpGT: "T_OP_GT", tOpGE: "T_OP_GE", tOpReg: "T_OP_REG", tOpNRE: "T_OP_NRE",
	tOpIn: "T_OP_IN", tOpStrEQ: "T_OP_STR_EQ", tOpStrNE: "T_OP_STR_NE", tOpStrLT: "T_OP_STR_LT",
	tOpStrLE: "T_OP_STR_LE", tOpStrGT: "T_OP_STR_GT", tOpStrGE: "T_OP_STR_GE", tOpConcat: "T_OP_CONCAT",
	tOpOr: "T_OP_OR", tOpAnd: "T_OP_AND", tOpNot: "T_OP_NOT", tLParen: "'('", tRParen: "')'",
	tLBrace: "'{'", tRBrace: "'}'", tComma: "','", tColon: "':'",
}

func (t tok) String() string { return tokNames[t] }

// token is one token with its text: the string, digits, name, regular
// expression or error message; n is a back-reference's digit.
type token struct {
	t    tok
	text string
	n    int
}

// scan states, as the scanner's start conditions.
const (
	stInitial = iota
	stStr
	stVar
	stVararg
)

// scanner is util_expr_scan.l: the tokens of one expression. It keeps a
// stack of states for %{...} inside strings.
type scanner struct {
	in     string
	pos    int
	state  int
	stack  []int
	strDel byte
	buf    []byte
	// stringMode: a string-valued expression, all text up to the end
	// (AP_EXPR_FLAG_STRING_RESULT).
	stringMode bool
}

func (s *scanner) push(st int) { s.stack = append(s.stack, s.state); s.state = st }
func (s *scanner) pop() {
	if n := len(s.stack); n > 0 {
		s.state, s.stack = s.stack[n-1], s.stack[:n-1]
	} else {
		s.state = stInitial
	}
}

func errTok(msg string) token { return token{t: tError, text: msg} }

// flush returns the text gathered so far as a T_STRING, if any.
func (s *scanner) flush() (token, bool) {
	if len(s.buf) == 0 {
		return token{}, false
	}
	t := token{t: tString, text: string(s.buf)}
	s.buf = s.buf[:0]
	return t, true
}

func (s *scanner) next() token {
	for {
		if s.state == stStr || s.state == stVararg {
			if t, ok := s.inString(); ok {
				return t
			}
			continue
		}
		if s.state == stVar {
			return s.inVar()
		}
		return s.initial()
	}
}

// inString scans inside quotes or a %{func:arg}; ok false means go on.
func (s *scanner) inString() (token, bool) {
	in := s.in
	if s.pos >= len(in) {
		if s.stringMode && s.state == stStr {
			if t, ok := s.flush(); ok {
				return t, true
			}
			return token{t: tEnd}, true
		}
		return errTok("Unterminated string or variable"), true
	}
	c := in[s.pos]
	switch {
	case (c == '"' || c == '\'') && s.state == stStr:
		if c != s.strDel {
			s.buf = append(s.buf, c)
			s.pos++
			return token{}, false
		}
		if t, ok := s.flush(); ok {
			return t, true
		}
		s.pos++
		s.state = stInitial
		return token{t: tStrEnd}, true
	case c == '\n':
		return errTok("Unterminated string or variable"), true
	case c == '\\':
		return s.escape()
	case c == '$' && s.pos+1 < len(in) && in[s.pos+1] >= '0' && in[s.pos+1] <= '9':
		if t, ok := s.flush(); ok {
			return t, true
		}
		s.pos += 2
		return token{t: tBackref, n: int(in[s.pos-1] - '0')}, true
	case c == '%' && s.pos+1 < len(in) && in[s.pos+1] == '{':
		if t, ok := s.flush(); ok {
			return t, true
		}
		s.pos += 2
		s.push(stVar)
		return token{t: tVarBegin}, true
	case c == '}' && s.state == stVararg:
		if t, ok := s.flush(); ok {
			return t, true
		}
		s.pos++
		s.pop()
		return token{t: tVarEnd}, true
	case c == '"' || c == '\'': // in a vararg: [^\\\n"'%}$]+ stops there, nothing takes it
		s.pos++
		return errTok(fmt.Sprintf("Parse error near '%c'", c)), true
	}
	s.buf = append(s.buf, c)
	s.pos++
	return token{}, false
}

// escape is a backslash sequence in a string.
func (s *scanner) escape() (token, bool) {
	in := s.in
	if s.pos+1 >= len(in) {
		s.pos++
		return errTok("Parse error near '\\'"), true
	}
	c := in[s.pos+1]
	switch {
	case c >= '0' && c <= '9':
		j := s.pos + 1
		for j < len(in) && in[j] >= '0' && in[j] <= '9' {
			j++
		}
		digits := in[s.pos+1 : j]
		octal := len(digits) <= 3 && !strings.ContainsAny(digits, "89")
		if !octal {
			// flex prefers the longest match: \[0-9]+ over \[0-7]{1,3}.
			o := 0
			for o < len(digits) && o < 3 && digits[o] <= '7' {
				o++
			}
			if len(digits) > o {
				return errTok("Bad escape sequence"), true
			}
		}
		v := 0
		for _, d := range digits {
			v = v*8 + int(d-'0')
		}
		if v > 0xff {
			return errTok("Escape sequence out of bound"), true
		}
		s.buf = append(s.buf, byte(v))
		s.pos = j
		return token{}, false
	case c == 'n':
		s.buf = append(s.buf, '\n')
	case c == 'r':
		s.buf = append(s.buf, '\r')
	case c == 't':
		s.buf = append(s.buf, '\t')
	case c == 'b':
		s.buf = append(s.buf, '\b')
	case c == 'f':
		s.buf = append(s.buf, '\f')
	default:
		s.buf = append(s.buf, c)
	}
	s.pos += 2
	return token{}, false
}

func (s *scanner) inVar() token {
	in := s.in
	if s.pos >= len(in) {
		return errTok("Unterminated string or variable")
	}
	c := in[s.pos]
	switch {
	case isAlpha(c):
		j := s.pos + 1
		for j < len(in) && (isAlnum(in[j]) || in[j] == '_') {
			j++
		}
		t := token{t: tID, text: in[s.pos:j]}
		s.pos = j
		return t
	case c == '}':
		s.pos++
		s.pop()
		return token{t: tVarEnd}
	case c == ':':
		s.pos++
		s.state = stVararg
		return token{t: tColon}
	case c == '\n':
		return errTok("Unterminated string or variable")
	}
	s.pos++
	return errTok(fmt.Sprintf("Invalid character in variable name '%c'", c))
}

// regexDelims are the delimiters of the m form.
const regexDelims = "/#$%^,;:_?|-!.'\""

var keywords = map[string]tok{
	"and": tOpAnd, "or": tOpOr, "not": tOpNot, "lt": tOpLT, "le": tOpLE, "gt": tOpGT, "ge": tOpGE,
	"ne": tOpNE, "eq": tOpEQ, "in": tOpIn, "true": tTrue, "false": tFalse,
}

var dashOps = map[string]tok{"in": tOpIn, "eq": tOpEQ, "ne": tOpNE, "ge": tOpGE, "le": tOpLE, "gt": tOpGT, "lt": tOpLT}

func (s *scanner) initial() token {
	in := s.in
	for s.pos < len(in) && (in[s.pos] == ' ' || in[s.pos] == '\t' || in[s.pos] == '\n') {
		s.pos++
	}
	if s.pos >= len(in) {
		return token{t: tEnd}
	}
	c := in[s.pos]
	rest := in[s.pos:]
	switch {
	case c == '"' || c == '\'':
		s.pos++
		s.strDel = c
		s.state = stStr
		s.buf = s.buf[:0]
		return token{t: tStrBegin}
	case strings.HasPrefix(rest, "%{"):
		s.pos += 2
		s.push(stVar)
		return token{t: tVarBegin}
	case c == '$' && len(rest) > 1 && rest[1] >= '0' && rest[1] <= '9':
		s.pos += 2
		return token{t: tBackref, n: int(rest[1] - '0')}
	case c == 'm' && len(rest) > 1 && strings.IndexByte(regexDelims, rest[1]) >= 0 && idLen(rest) <= 2:
		// flex takes the longer match: "m_x" is a name, "m_" a regex.
		return s.regex(rest[1], 2)
	case c == '/':
		return s.regex('/', 1)
	}
	for _, op := range [...]struct {
		s string
		t tok
	}{{"==", tOpStrEQ}, {"!=", tOpStrNE}, {"<=", tOpStrLE}, {">=", tOpStrGE}, {"=~", tOpReg}, {"!~", tOpNRE},
		{"&&", tOpAnd}, {"||", tOpOr}, {"=", tOpStrEQ}, {"<", tOpStrLT}, {">", tOpStrGT}, {"!", tOpNot},
		{".", tOpConcat}, {"(", tLParen}, {")", tRParen}, {"{", tLBrace}, {"}", tRBrace}, {",", tComma}, {":", tColon}} {
		if strings.HasPrefix(rest, op.s) {
			s.pos += len(op.s)
			return token{t: op.t}
		}
	}
	switch {
	case c == '-' && len(rest) > 1 && (isAlpha(rest[1]) || rest[1] == '_'):
		j := 2
		for j < len(rest) && (isAlnum(rest[j]) || rest[j] == '_') {
			j++
		}
		s.pos += j
		name := rest[1:j]
		if t, ok := dashOps[name]; ok {
			return token{t: t}
		}
		if j == 2 {
			return token{t: tUnary, text: name}
		}
		return token{t: tBinary, text: name}
	case c == '-' && len(rest) > 1 && isDigit(rest[1]) || isDigit(c):
		j := 1
		for j < len(rest) && isDigit(rest[j]) {
			j++
		}
		s.pos += j
		return token{t: tDigit, text: rest[:j]}
	case isAlpha(c):
		j := 1
		for j < len(rest) && (isAlnum(rest[j]) || rest[j] == '_') {
			j++
		}
		s.pos += j
		if t, ok := keywords[rest[:j]]; ok {
			return token{t: t}
		}
		return token{t: tID, text: rest[:j]}
	}
	s.pos++
	return errTok(fmt.Sprintf("Parse error near '%c'", c))
}

// regex scans a regular expression up to its closing delimiter and an
// optional i flag.
func (s *scanner) regex(del byte, skip int) token {
	start := s.pos + skip
	end := strings.IndexByte(s.in[start:], del)
	if end < 0 {
		// flex never leaves the regex state: the expression ends inside it.
		s.pos = len(s.in)
		return token{t: tEnd}
	}
	re := s.in[start : start+end]
	s.pos = start + end + 1
	if s.pos < len(s.in) && s.in[s.pos] == 'i' {
		s.pos++
		return token{t: tRegexI, text: re}
	}
	return token{t: tRegex, text: re}
}

// idLen is the length of the name that starts s.
func idLen(s string) int {
	j := 1
	for j < len(s) && (isAlnum(s[j]) || s[j] == '_') {
		j++
	}
	return j
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isAlnum(c byte) bool { return isAlpha(c) || isDigit(c) }
