package apexpr

import (
	"crypto/md5"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"net/netip"
	"os"
	"path"
	"strconv"
	"strings"

	"github.com/httpd-mpm/httpd-mpm/internal/apuri"
	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
	"github.com/httpd-mpm/httpd-mpm/mpm/wildcard"
)

// maxRecursion is AP_EXPR_MAX_RECURSION.
const maxRecursion = 20

// eval is one evaluation: the request, the last regular expression match
// ($0-$9), the first error.
type eval struct {
	q     *Request
	src   string
	idx   []int
	depth int
	err   error
}

// Eval evaluates e for the request q. An error (a file() that cannot be
// read, too deep a nesting) is apache2's "Evaluation of expression ...
// failed" case: the callers take it as false.
func (e *Expr) Eval(q *Request) (bool, error) {
	ev := eval{q: q}
	ok := ev.bool(e.root)
	if ev.err != nil {
		return false, ev.err
	}
	return ok, nil
}

// Text evaluates the string-valued expression e (ParseString) for q.
func (e *Expr) Text(q *Request) (string, error) { return e.TextMatch(q, Match{}) }

// Match is the last regular expression match with capturing parentheses of
// an evaluation: what $0-$9 read.
type Match struct {
	src string
	idx []int
}

// EvalMatch is Eval that also gives the condition's last match, for a
// string expression's $0-$9 (apache2's ap_expr_exec_re).
func (e *Expr) EvalMatch(q *Request) (bool, Match, error) {
	ev := eval{q: q}
	ok := ev.bool(e.root)
	if ev.err != nil {
		return false, Match{}, ev.err
	}
	return ok, Match{ev.src, ev.idx}, nil
}

// TextMatch is Text with $0-$9 taken from m (ap_expr_str_exec_re).
func (e *Expr) TextMatch(q *Request, m Match) (string, error) {
	ev := eval{q: q, src: m.src, idx: m.idx}
	s := ev.word(e.root)
	return s, ev.err
}

// enter counts one level of ap_expr_eval or ap_expr_eval_word against
// maxRecursion. Past it, as apache2's inc_rec, every further evaluation
// fails too.
func (ev *eval) enter() bool {
	if ev.depth >= maxRecursion {
		if ev.err == nil {
			ev.err = errors.New("Recursion limit reached")
		}
		ev.depth = math.MaxInt32
		return false
	}
	ev.depth++
	return true
}

// bool is ap_expr_eval: one level for a whole run of !, and of a right-hand
// chain of || or && (a || b || c is a || (b || c)); only a left-hand operand
// (a !x one as x) is evaluated a level deeper.
func (ev *eval) bool(n *node) bool {
	if !ev.enter() {
		return false
	}
	defer func() { ev.depth-- }()
	neg := false
	for {
		switch n.op {
		case opNot:
			neg = !neg
			n = n.a
			continue
		case opOr, opAnd:
			chain := n.op
			for n.op == chain {
				var v bool
				if l := n.a; l.op == opNot {
					v = !ev.bool(l.a)
				} else {
					v = ev.bool(l)
				}
				if v == (chain == opOr) {
					return v != neg
				}
				n = n.b
			}
			continue
		}
		return ev.leaf(n) != neg
	}
}

// leaf evaluates a condition other than !, || and &&.
func (ev *eval) leaf(n *node) bool {
	switch n.op {
	case opTrue:
		return true
	case opFalse:
		return false
	case opUnary:
		return ev.unary(n, ev.word(n.a))
	case opBinary:
		return ev.binary(n, ev.word(n.a), ev.word(n.b))
	case opIntEQ, opIntNE, opIntLT, opIntLE, opIntGT, opIntGE:
		a, b := atoi64(ev.word(n.a)), atoi64(ev.word(n.b))
		c := 0
		if a < b {
			c = -1
		} else if a > b {
			c = 1
		}
		return compare(n.op-opIntEQ, c)
	case opStrEQ, opStrNE, opStrLT, opStrLE, opStrGT, opStrGE:
		return compare(n.op-opStrEQ, strings.Compare(ev.word(n.a), ev.word(n.b)))
	case opIn:
		needle := ev.word(n.a)
		for _, w := range n.list {
			if ev.word(w) == needle {
				return true
			}
		}
		return false
	case opReg, opNRE:
		w := ev.word(n.a)
		var ok bool
		if n.re.NumSubexp() > 0 {
			// $0-$9 change only with capturing parentheses.
			idx := n.re.FindStringSubmatchIndex(w)
			ok = idx != nil
			ev.src, ev.idx = w, idx
		} else {
			ok = n.re.MatchString(w)
		}
		return ok == (n.op == opReg)
	}
	return false
}

// compare applies the comparison rel (0 ==, 1 !=, 2 <, 3 <=, 4 >, 5 >=) to a
// three-way result.
func compare(rel op, c int) bool {
	switch rel {
	case 0:
		return c == 0
	case 1:
		return c != 0
	case 2:
		return c < 0
	case 3:
		return c <= 0
	case 4:
		return c > 0
	}
	return c >= 0
}

// atoi64 is apr_atoi64: leading space, a sign, digits; 0 without.
func atoi64(s string) int64 {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	j := 0
	if j < len(s) && (s[j] == '-' || s[j] == '+') {
		j++
	}
	for j < len(s) && isDigit(s[j]) {
		j++
	}
	n, err := strconv.ParseInt(s[:j], 10, 64)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
			return n // clamped, as strtoll
		}
		return 0
	}
	return n
}

func (ev *eval) word(n *node) string {
	if !ev.enter() {
		return ""
	}
	defer func() { ev.depth-- }()
	switch n.op {
	case opString, opDigit:
		return n.s
	case opVar:
		v, _ := ev.q.Var(n.s)
		return v
	case opConcat:
		var b strings.Builder
		for _, p := range n.list {
			b.WriteString(ev.word(p))
		}
		return b.String()
	case opFunc:
		return n.fn(ev, ev.word(n.a))
	case opBackref:
		if ev.idx == nil || 2*n.n+1 >= len(ev.idx) || ev.idx[2*n.n] < 0 {
			return ""
		}
		return ev.src[ev.idx[2*n.n]:ev.idx[2*n.n+1]]
	}
	return ""
}

func (ev *eval) unary(n *node, arg string) bool {
	switch n.s {
	case "n":
		return arg != ""
	case "z":
		return arg == ""
	case "T":
		switch strings.ToLower(arg) {
		case "", "off", "no", "false", "0":
			return false
		}
		return true
	case "R":
		a, ok := ev.clientAddr()
		return ok && n.prefix.Contains(a)
	case "d", "e", "f", "s":
		fi, err := os.Stat(arg)
		if err != nil {
			return false
		}
		switch n.s {
		case "d":
			return fi.IsDir()
		case "f":
			return fi.Mode().IsRegular()
		case "s":
			return fi.Mode().IsRegular() && fi.Size() > 0
		}
		return true
	case "L", "h":
		fi, err := os.Lstat(arg)
		return err == nil && fi.Mode()&os.ModeSymlink != 0
	case "x":
		fi, err := os.Lstat(arg)
		return err == nil && fi.Mode().Perm()&0o111 != 0
	}
	return false
}

func (ev *eval) clientAddr() (netip.Addr, bool) {
	ap, err := netip.ParseAddrPort(ev.q.R.RemoteAddr)
	if err != nil {
		return netip.Addr{}, false
	}
	return ap.Addr().Unmap(), true
}

func (ev *eval) binary(n *node, a, b string) bool {
	switch n.s {
	case "ipmatch":
		ip, err := netip.ParseAddr(a)
		return err == nil && n.prefix.Contains(ip.Unmap())
	case "fnmatch":
		ok, _ := path.Match(b, a)
		return ok
	case "strmatch":
		return fnmatch(b, a, false)
	case "strcmatch":
		return fnmatch(b, a, true)
	}
	return false
}

// fnmatch is apr_fnmatch without APR_FNM_PATHNAME: '*' matches any run of
// bytes ('/' too), '?' one byte, [...] a class, '\' quotes the next byte.
func fnmatch(pattern, s string, fold bool) bool {
	return wildcard.Star(pattern, s, func(p string, c byte) (int, bool) {
		switch p[0] {
		case '?':
			return 1, true
		case '\\':
			if len(p) > 1 {
				return 2, same(p[1], c, fold)
			}
		case '[':
			if n, ok, valid := class(p, c, fold); valid {
				return n, ok
			}
		}
		return 1, same(p[0], c, fold)
	})
}

func same(a, b byte, fold bool) bool {
	return a == b || fold && lower(a) == lower(b)
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// class matches c against the bracket expression that starts p: its
// length, whether c is in it, and whether it is a class at all (closed).
func class(p string, c byte, fold bool) (int, bool, bool) {
	i := 1
	neg := false
	if i < len(p) && (p[i] == '!' || p[i] == '^') {
		neg = true
		i++
	}
	in := false
	first := true
	for i < len(p) && (p[i] != ']' || first) {
		first = false
		lo := p[i]
		if lo == '\\' && i+1 < len(p) {
			i++
			lo = p[i]
		}
		hi := lo
		if i+2 < len(p) && p[i+1] == '-' && p[i+2] != ']' {
			hi = p[i+2]
			i += 2
		}
		if lo <= c && c <= hi || fold && lower(lo) <= lower(c) && lower(c) <= lower(hi) {
			in = true
		}
		i++
	}
	if i >= len(p) {
		return 0, false, false
	}
	return i + 1, in != neg, true
}

// strFunc is a string function.
type strFunc func(ev *eval, arg string) string

var funcs = map[string]strFunc{
	"req":        func(ev *eval, a string) string { return ev.q.Header(a) },
	"http":       func(ev *eval, a string) string { return ev.q.Header(a) },
	"req_novary": func(ev *eval, a string) string { return ev.q.R.Header.Get(a) },
	"resp": func(ev *eval, a string) string {
		// Any spelling: a Header line may have set "x-foo" (apr_table_get).
		if vs := ev.q.Out[http1.FieldKey(ev.q.Out, a)]; len(vs) > 0 {
			return vs[0]
		}
		return ""
	},
	"reqenv": func(ev *eval, a string) string {
		v, _ := ev.q.Env.Get(a)
		return v
	},
	"note": func(ev *eval, a string) string {
		v, _ := ev.q.note(a)
		return v
	},
	"osenv": func(_ *eval, a string) string { return os.Getenv(a) },
	"env": func(ev *eval, a string) string {
		// ap_expr's env(): the note, else the variable, else the process's.
		if v, ok := ev.q.note(a); ok {
			return v
		}
		if v, ok := ev.q.Env.Get(a); ok {
			return v
		}
		return os.Getenv(a)
	},
	"tolower":  func(_ *eval, a string) string { return strings.ToLower(a) },
	"toupper":  func(_ *eval, a string) string { return strings.ToUpper(a) },
	"escape":   func(_ *eval, a string) string { return apuri.EscapePath(a, true) },
	"unescape": func(_ *eval, a string) string { return unescape(a) },
	"base64":   func(_ *eval, a string) string { return base64.StdEncoding.EncodeToString([]byte(a)) },
	"unbase64": func(_ *eval, a string) string { return unbase64(a) },
	"md5": func(_ *eval, a string) string {
		s := md5.Sum([]byte(a))
		return hex.EncodeToString(s[:])
	},
	"sha1": func(_ *eval, a string) string {
		s := sha1.Sum([]byte(a))
		return hex.EncodeToString(s[:])
	},
	"ssl": func(ev *eval, a string) string { // mod_ssl's SSL(): ssl_var_lookup
		v, _ := ev.q.Var(a)
		return v
	},
	"file":     fileFunc,
	"filesize": filesize,
}

func lookupFunc(name string) (strFunc, bool) {
	f, ok := funcs[strings.ToLower(name)]
	return f, ok
}

// maxFileSize is file()'s bound (MAX_FILE_SIZE).
const maxFileSize = 10 * 1024 * 1024

func fileFunc(ev *eval, name string) string {
	f, err := os.Open(name)
	if err != nil {
		ev.fail(fmt.Errorf("Cannot open file %s", name))
		return ""
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Size() > maxFileSize {
		ev.fail(fmt.Errorf("File %s too large", name))
		return ""
	}
	b, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		ev.fail(fmt.Errorf("Cannot read from file %s", name))
		return ""
	}
	return string(b)
}

func (ev *eval) fail(err error) {
	if ev.err == nil {
		ev.err = err
	}
}

func filesize(_ *eval, name string) string {
	fi, err := os.Stat(name)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() <= 0 {
		return "0"
	}
	return strconv.FormatInt(fi.Size(), 10)
}

// unescape is ap_unescape_url_keep2f(s, 0): %XX decoded but %2F kept; a bad
// escape or a %00 gives "".
func unescape(s string) string {
	u, _ := apuri.Unescape(s, true)
	return u
}

// unbase64 is apr_base64_decode: what decodes up to the first byte outside
// the alphabet, padding optional.
func unbase64(s string) string {
	end := 0
	for end < len(s) && strings.IndexByte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", s[end]) >= 0 {
		end++
	}
	if end%4 == 1 {
		end-- // a lone sextet makes no byte
	}
	b, _ := base64.RawStdEncoding.DecodeString(s[:end])
	return string(b)
}
