package proxy

import (
	"errors"
	"slices"
	"strconv"
	"strings"
)

// ErrorOverride is ProxyErrorOverride at one level (per directory, as
// apache2's): On, with the status codes it applies to (none: every 4xx and
// 5xx).
type ErrorOverride struct {
	On, Set bool
	Codes   []int // sorted
}

// Add reads one ProxyErrorOverride line: On or Off, then status codes after On.
func (e *ErrorOverride) Add(args []string) error {
	for _, a := range args {
		switch {
		case strings.EqualFold(a, "off"):
			e.On, e.Set = false, true
		case strings.EqualFold(a, "on"):
			e.On, e.Set = true, true
		case !e.Set:
			return errors.New("ProxyErrorOverride first parameter must be one of: off | on")
		case a == "" || a[0] < '0' || a[0] > '9':
			return errors.New("ProxyErrorOverride: status codes to intercept must be numeric")
		case !e.On:
			return errors.New("ProxyErrorOverride: status codes must follow a value of 'on'")
		default:
			n := leadingInt(a)
			if n < 400 || n > 599 {
				return errors.New("ProxyErrorOverride: status codes to intercept must be valid HTTP Status Codes >=400 && <600")
			}
			i, _ := slices.BinarySearch(e.Codes, n)
			e.Codes = slices.Insert(e.Codes, i, n)
		}
	}
	return nil
}

// leadingInt is strtol's value of the digits that begin s.
func leadingInt(s string) int {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	n, err := strconv.Atoi(s[:i])
	if err != nil {
		return -1
	}
	return n
}

// Merge is e with the level add on top: add's On if it says, the codes of both.
func (e ErrorOverride) Merge(add ErrorOverride) ErrorOverride {
	out := e
	if add.Set {
		out.On, out.Set = add.On, true
	}
	if len(add.Codes) > 0 {
		out.Codes = slices.Sorted(slices.Values(slices.Concat(e.Codes, add.Codes)))
	}
	return out
}

// Should is ap_proxy_should_override: whether a backend's answer with
// status code is replaced by the server's own error answer.
func (e *ErrorOverride) Should(code int) bool {
	if e == nil || !e.On {
		return false
	}
	if len(e.Codes) == 0 {
		return code >= 400 && code < 600
	}
	_, found := slices.BinarySearch(e.Codes, code)
	return found
}
