package config

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
)

// WriteDiagnostics prints diagnostics for a person: a problem in Apache
// syntax as Apache prints it (Error), a problem in an HCL file as HCL
// prints a diagnostic, with the source line and a caret line under what it
// is about:
//
//	Error: Invalid command 'Bogus', perhaps misspelled or defined by a module not included in the server configuration
//
//	  on /etc/httpd/httpd.hcl line 3:
//	   3: Bogus = "on"
//	      ^~~~~~~~~~~~
//
// The source comes from the file as it was read or, failing that, from
// the file system.
func WriteDiagnostics(w io.Writer, ds []Diagnostic) {
	for _, d := range ds {
		if d.Span.IsZero() {
			fmt.Fprintln(w, d.Error())
			continue
		}
		writeHCLDiagnostic(w, d)
	}
}

func writeHCLDiagnostic(w io.Writer, d Diagnostic) {
	src := d.src
	if src == nil {
		src, _ = os.ReadFile(d.File)
	}
	rng := d.Span.hclRange(d.File)
	files := map[string]*hcl.File{}
	if src != nil {
		// Parsing again gives the writer what it needs to name the
		// enclosing block ("in Directory "/srv"").
		f, _ := parseHCLSource(d.File, src)
		if f == nil || !bytes.Equal(f.Bytes, src) {
			f = &hcl.File{Bytes: src}
		}
		files[d.File] = f
	}
	var b strings.Builder
	hd := &hcl.Diagnostic{Severity: hcl.DiagError, Summary: d.Message, Detail: d.Detail, Subject: &rng}
	if err := hcl.NewDiagnosticTextWriter(&b, files, 0, false).WriteDiagnostic(hd); err != nil {
		fmt.Fprintln(w, d.Error())
		return
	}
	io.WriteString(w, withCaret(b.String(), src, d.Span))
}

// withCaret inserts, under the source line where span starts, a line that
// marks the span with ^~~~ (HCL's writer marks it only with colour).
func withCaret(text string, src []byte, span Span) string {
	if src == nil || span.Start.Byte > len(src) {
		return text
	}
	number := fmt.Sprintf("%4d: ", span.Start.Line)
	_, after, ok := strings.Cut(text, "\n  on ")
	if !ok {
		return text
	}
	i := strings.Index(after, "\n"+number)
	if i < 0 {
		return text
	}
	at := len(text) - len(after) + i + 1 // start of the numbered line
	end := strings.IndexByte(text[at:], '\n')
	if end < 0 {
		return text
	}
	at += end + 1
	return text[:at] + caretLine(src, span, len(number)) + "\n" + text[at:]
}

// caretLine draws span's part of its first line, indented by pad columns.
func caretLine(src []byte, span Span, pad int) string {
	lineStart := bytes.LastIndexByte(src[:span.Start.Byte], '\n') + 1
	lineEnd := len(src)
	if i := bytes.IndexByte(src[span.Start.Byte:], '\n'); i >= 0 {
		lineEnd = span.Start.Byte + i
	}
	end := min(max(span.End.Byte, span.Start.Byte), lineEnd)
	var b strings.Builder
	b.WriteString(strings.Repeat(" ", pad))
	for _, r := range string(src[lineStart:span.Start.Byte]) {
		if r == '\t' {
			b.WriteByte('\t')
		} else {
			b.WriteByte(' ')
		}
	}
	n := utf8.RuneCount(bytes.TrimRight(src[span.Start.Byte:end], "\r"))
	b.WriteString("^" + strings.Repeat("~", max(n-1, 0)))
	return b.String()
}

// Locate returns a problem the MPM reported at file:line as a Diagnostic.
// For an HCL file it finds the top-level directive there, so that the
// problem points at its column: among several on that line (a list), the
// first whose name and first argument the message mentions as words.
func (c *Config) Locate(file string, line int, message string) Diagnostic {
	diag := Diagnostic{File: file, Line: line, Message: message}
	var best *Directive
	for _, d := range c.Directives {
		if d.File != file || d.Line != line || d.Span.IsZero() || d.IsSection() {
			continue
		}
		if best == nil {
			best = d
		}
		if len(d.Args) > 0 && containsWord(message, d.Name) && containsWord(message, d.Args[0]) {
			best = d
			break
		}
	}
	if best != nil {
		diag.Span, diag.src = best.Span, best.src
	}
	return diag
}

// containsWord reports whether w occurs in s with no letter or digit
// either side.
func containsWord(s, w string) bool {
	if w == "" {
		return false
	}
	for i := 0; ; {
		j := strings.Index(s[i:], w)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(w)
		if (start == 0 || !isAlnum(s[start-1])) && (end == len(s) || !isAlnum(s[end])) {
			return true
		}
		i = start + 1
	}
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}
