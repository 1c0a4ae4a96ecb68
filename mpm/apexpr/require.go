package apexpr

import (
	"errors"
	"net/http"
	"strings"

	"github.com/httpd-mpm/httpd-mpm/mpm/authz"
	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
)

func init() { authz.Register("expr", parseRequire) }

// parseRequire is mod_authz_core's expr provider: the rest of the Require
// line, without the quotes around it, is the expression.
func parseRequire(args []string) (authz.Checker, error) {
	line := strings.Join(args, " ")
	if len(line) >= 2 && line[0] == '"' && line[len(line)-1] == '"' {
		line = line[1 : len(line)-1]
	}
	e, err := Parse(line)
	if err != nil {
		return nil, errors.New("Cannot parse expression in require line: " + err.Error())
	}
	return requireExpr{e}, nil
}

type requireExpr struct{ e *Expr }

// Check grants when the expression is true; an error in the evaluation
// denies, as apache2's AUTHZ_GENERAL_ERROR does.
func (x requireExpr) Check(r *http.Request, _ *authz.Log) authz.Result {
	ok, err := x.e.Eval(ForRequest(r))
	if err == nil && ok {
		return authz.Granted
	}
	return authz.Denied
}

// ForRequest is the Request of r as the engine has it: its path, query and
// environment.
func ForRequest(r *http.Request) *Request {
	return &Request{R: r, URI: r.URL.Path, Query: r.URL.RawQuery, Env: http1.Env(r)}
}
