package apexpr

import (
	"errors"
	"strings"

	"github.com/httpd-mpm/httpd-mpm/internal/apuri"
)

// ParseErrorDocument reads an ErrorDocument's second argument as apache2's
// set_error_document does: a string expression, which a leading '"' marks
// as a text unless the argument, without a space, is a local URL-path or a
// URL (remote: apache2 ignores it for a 401, unparsed). The error is
// apache2's message.
func ParseErrorDocument(arg string) (e *Expr, remote bool, err error) {
	switch {
	case strings.IndexByte(arg, ' ') >= 0:
		arg = `"` + arg
	case strings.HasPrefix(arg, "/"):
	case apuri.IsURL(arg):
		remote = true
	default:
		arg = `"` + arg
	}
	if e, err = ParseString(arg); err != nil {
		return nil, remote, errors.New("Cannot parse expression in ErrorDocument: " + err.Error())
	}
	return e, remote, nil
}
