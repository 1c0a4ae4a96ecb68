package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// CheckDocumentRoots is Apache's check of each DocumentRoot line as it is
// read (core's set_document_root), which httpd -T skips: the main server's
// DocumentRoot must be a directory the server can stat, or the config is
// refused with
//
//	AH00526: Syntax error on line N of FILE:
//	DocumentRoot 'PATH' is not a directory, or is not readable
//
// while a <VirtualHost>'s missing one is only the warning, in Apache's
// words, "AH00112: Warning: DocumentRoot [PATH] does not exist". PATH is
// the argument made absolute against the ServerRoot, as Apache prints it
// (a trailing slash kept). Lines are checked in file order and the first
// error ends the check, as it ends Apache's reading; warnings found before
// it are returned too. The default DocumentRoot (no such line) is not
// checked, as in Apache.
func CheckDocumentRoots(cfg *Config) (warnings []string, errs Errors) {
	var walk func(ds []*Directive, vhost bool) bool
	walk = func(ds []*Directive, vhost bool) bool {
		for _, d := range ds {
			if d.IsSection() {
				if !walk(d.Children, vhost || strings.EqualFold(d.Name, "VirtualHost")) {
					return false
				}
				continue
			}
			if !strings.EqualFold(d.Name, "DocumentRoot") || len(d.Args) != 1 {
				continue
			}
			path := RootRelative(cfg.ServerRoot, d.Args[0])
			if fi, err := os.Stat(path); err == nil && fi.IsDir() {
				continue
			}
			if vhost {
				warnings = append(warnings, fmt.Sprintf("AH00112: Warning: DocumentRoot [%s] does not exist", path))
				continue
			}
			errs = append(errs, d.diag(fmt.Sprintf("DocumentRoot '%s' is not a directory, or is not readable", path)))
			return false
		}
		return true
	}
	walk(cfg.Directives, false)
	return warnings, errs
}

// RootRelative is Apache's ap_server_root_relative for the text of a
// message: p as written when absolute, else below root, with p's trailing
// slash kept.
func RootRelative(root, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	abs := filepath.Join(root, p)
	if strings.HasSuffix(p, "/") && !strings.HasSuffix(abs, "/") {
		abs += "/"
	}
	return abs
}
