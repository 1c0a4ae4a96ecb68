// Package apregex compiles the regular expressions of Apache's directives as
// apache2 2.4's ap_pregcomp compiles them, with its default options: '.'
// matches a newline too (AP_REG_DOTALL), and '$' only at the very end
// (AP_REG_DOLLAR_ENDONLY, which is already RE2's '$' without (?m)). A
// pattern that would have '.' stop at a decoded %0a would let a path or a
// header with a newline escape a <LocationMatch> or a RewriteRule's capture.
package apregex

import "regexp"

// Compile compiles pattern with apache2's default options, case-insensitive
// with icase (AP_REG_ICASE: a [NC] flag, SetEnvIfNoCase).
func Compile(pattern string, icase bool) (*regexp.Regexp, error) {
	if icase {
		return regexp.Compile("(?is)" + pattern)
	}
	return regexp.Compile("(?s)" + pattern)
}
