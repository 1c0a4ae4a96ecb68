package config

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"syscall"
)

// Diagnostic is one problem found in a configuration, with its position.
type Diagnostic struct {
	// File and Line locate the problem; Line is the last physical line of a
	// continued line, as in Apache's messages.
	File string
	Line int
	// Message is Apache's text for the problem, without position.
	Message string
	// Reading marks a problem found while the files were being read
	// (section nesting, Include, Define, <IfModule>, LoadModule, ServerRoot).
	// Apache prints those in a different, one-line form; see Error.
	Reading bool
	// Includes lists, outermost first, the Include lines that led to File.
	// Only the one-line form of Reading problems shows them.
	Includes []Position
	// Span is set for a problem in an HCL file: it locates the attribute,
	// block or value concerned. Message is then the summary and Detail, if
	// any, HCL's explanation. See WriteDiagnostics.
	Span   Span
	Detail string
	// src is the text of the HCL file, when the reader had it.
	src []byte
}

// Error renders the diagnostic exactly as Apache prints it. Most problems
// take the form
//
//	AH00526: Syntax error on line N of FILE:
//	MESSAGE
//
// Problems found while reading (Reading is true) take Apache's one-line form,
// with one "Syntax error on line N of FILE: " per Include that led there:
//
//	httpd: Syntax error on line N of FILE: MESSAGE
//
// and "Syntax error in -C/-c directive: " for -C and -c lines.
//
// A problem in an HCL file (Span set) is "FILE:LINE:COLUMN: MESSAGE", and
// "; DETAIL" after it when there is a Detail.
func (d Diagnostic) Error() string {
	if !d.Span.IsZero() {
		s := fmt.Sprintf("%s:%d:%d: %s", d.File, d.Span.Start.Line, d.Span.Start.Column, d.Message)
		if d.Detail != "" {
			s += "; " + d.Detail
		}
		return s
	}
	if d.File == "" && d.Line == 0 {
		return d.Message // an MPM's problem with no directive to point at
	}
	if !d.Reading {
		return fmt.Sprintf("AH00526: Syntax error on line %d of %s:\n%s", d.Line, d.File, d.Message)
	}
	var b strings.Builder
	b.WriteString("httpd: ")
	for _, p := range d.Includes {
		writeWhere(&b, p)
	}
	writeWhere(&b, Position{d.File, d.Line})
	b.WriteString(d.Message)
	return b.String()
}

func writeWhere(b *strings.Builder, p Position) {
	if p.File == CommandLineFile {
		b.WriteString("Syntax error in -C/-c directive: ")
		return
	}
	fmt.Fprintf(b, "Syntax error on line %d of %s: ", p.Line, p.File)
}

// Errors is every diagnostic found, in order. It is an error.
type Errors []Diagnostic

// Error returns each Diagnostic's Error joined by newlines.
func (e Errors) Error() string {
	s := make([]string, len(e))
	for i, d := range e {
		s[i] = d.Error()
	}
	return strings.Join(s, "\n")
}

// sysError renders an operating-system error the way C's strerror does
// ("No such file or directory"), while still unwrapping to the original.
type sysError struct{ err error }

func (e sysError) Error() string { return strerror(e.err) }
func (e sysError) Unwrap() error { return e.err }

// strerror returns the C library's text for err.
func strerror(err error) string {
	var errno syscall.Errno
	switch {
	case errors.As(err, &errno):
		return capitalize(errno.Error())
	case errors.Is(err, fs.ErrNotExist):
		return "No such file or directory"
	case errors.Is(err, fs.ErrPermission):
		return "Permission denied"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return capitalize(pe.Err.Error())
	}
	return err.Error()
}

func capitalize(s string) string {
	if s != "" && 'a' <= s[0] && s[0] <= 'z' {
		return string(s[0]-'a'+'A') + s[1:]
	}
	return s
}
