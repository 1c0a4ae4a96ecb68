// Package config reads httpd configuration files, in Apache syntax or in HCL.
//
// Load and Parse turn an httpd.conf and everything it includes into a tree of
// Directives, handling what Apache handles while it reads: line continuation,
// quoting, comments, Include/IncludeOptional, <IfModule>, <IfDefine>,
// <IfFile>, Define/UnDefine with ${VAR} expansion, ServerRoot and LoadModule.
// A file whose name ends in .hcl (HCL native syntax) or .json (HCL's JSON
// form) is read by the HCL front-end instead, into the same tree; see hcl.go
// for the mapping. Validate then checks every directive against directive
// tables (Core and the MPM's own), and Resolve extracts the effective core
// settings. Dump prints the normalised tree, WriteHCL converts it to HCL.
//
// Every problem is reported, not only the first, and each is worded the way
// Apache 2.4 words it, so that `httpd -t` prints what an administrator knows.
// Problems in HCL files carry a Span as well and are printed as HCL
// diagnostics (WriteDiagnostics).
package config

import (
	"fmt"
	"strconv"
)

// CommandLineFile is the File of directives given with -C and -c. Apache uses
// the same name in its messages.
const CommandLineFile = "-c/-C directives"

// Directive is one directive line or one section of an Apache-syntax config.
type Directive struct {
	// Name is the directive name as written, without '<' for sections:
	// "Listen", "Directory", "Location".
	Name string
	// Args are the arguments with quoting removed and ${VAR} expanded. For a
	// section they are the arguments inside <...>.
	Args []string
	// File is the absolute path of the file the directive came from, or
	// CommandLineFile for -C and -c directives.
	File string
	// Line is the 1-based line where the directive starts (the first line of
	// a continued line).
	Line int
	// Seq is the directive's place in reading order, 1 for the first:
	// included files' lines come where their Include is, a section's lines
	// after the section's own.
	Seq int
	// Span is the directive's extent in an HCL file: the attribute, the list
	// element or the block header it came from. It is zero in Apache syntax.
	Span Span
	// Children is non-nil for sections: Directory, DirectoryMatch, Location,
	// LocationMatch, Files, FilesMatch, VirtualHost, If, Limit, LimitExcept
	// and any unknown <Section>. <IfModule>, <IfDefine> and <IfFile> are not
	// kept: their bodies are flattened into the enclosing list.
	Children []*Directive

	// endLine is the last physical line of a continued line; Apache reports
	// errors there. Zero means Line.
	endLine int
	// noClose records a section opening line without its closing '>'.
	noClose bool
	// src is the text of the HCL file the directive came from, for
	// diagnostics that quote it; nil in Apache syntax.
	src []byte
}

// IsSection reports whether d is a <Section> rather than a plain directive.
func (d *Directive) IsSection() bool { return d.Children != nil }

// Pos returns the position of d as "FILE:LINE".
func (d *Directive) Pos() string { return d.File + ":" + strconv.Itoa(d.Line) }

// errLine is the line Apache names in messages about d.
func (d *Directive) errLine() int {
	if d.endLine > 0 {
		return d.endLine
	}
	return d.Line
}

// diag is a problem with d, at the line Apache names.
func (d *Directive) diag(msg string) Diagnostic {
	return Diagnostic{File: d.File, Line: d.errLine(), Message: msg, Span: d.Span, src: d.src}
}

// Module is one LoadModule line.
type Module struct {
	// Name is the module name, such as "mpm_event_module".
	Name string
	// Path is the shared object path as written.
	Path string
	// AbsPath is Path resolved against the ServerRoot in effect at the line.
	AbsPath string
	// File and Line locate the LoadModule directive; Line is the line Apache
	// names in messages (the last line of a continued line).
	File string
	Line int
}

// Options are the command-line inputs to Load and Parse.
type Options struct {
	// ServerRoot is the server root from -d. It is used until a ServerRoot
	// directive changes it. Empty means the working directory.
	ServerRoot string
	// Defines are the -D names (including DUMP_MODULES and the like).
	Defines []string
	// Builtin lists what <IfModule> treats as loaded from the start: module
	// names ("so_module") and source names ("mod_so.c").
	Builtin []string
	// Linked lists modules compiled into the binary whose LoadModule is
	// skipped with Apache's AH01574 warning ("module %s is already loaded,
	// skipping"), as a second LoadModule of one module is: the MPM linked
	// in by `make MPM=NAME`. <IfModule> sees them through Builtin.
	Linked []string
	// Unavailable, if set, says why a LoadModule of a module name must be
	// refused, "" to accept it: the host's answer for Apache modules it
	// does not provide. The refusal is Apache's "Cannot load FILE into
	// server: REASON", an error at the line; the module is not loaded.
	Unavailable func(name string) string
	// Pre holds the -C directives, processed before the main file; Post holds
	// the -c directives, processed after it. Each element is one line.
	Pre, Post []string
	// LookupEnv resolves ${VAR} when no Define gives VAR a value. Nil means
	// os.LookupEnv.
	LookupEnv func(string) (string, bool)
}

// Config is a parsed configuration.
type Config struct {
	// File is the absolute path of the main configuration file.
	File string
	// ServerRoot is the final server root.
	ServerRoot string
	// Directives are the top-level directives in order. Included files and
	// the bodies of true <IfModule>/<IfDefine>/<IfFile> sections are
	// flattened in place. Directives consumed while reading (Include,
	// IncludeOptional, Define, UnDefine and the conditional sections
	// themselves) are not kept; ServerRoot and LoadModule are.
	Directives []*Directive
	// Modules are the LoadModule lines in order, without repeats of a name.
	Modules []Module
	// Defines is the final Define table: name to value, "" for a Define
	// without a value and for -D names.
	Defines map[string]string
	// DefineOrder lists the defined names as Apache's -D DUMP_RUN_CFG does
	// ("Define: NAME"): the -D names as given (repeats kept), then each
	// name a Define adds; an UnDefine moves the last name into the place
	// of the one it removes.
	DefineOrder []string
	// Included lists the files read, in the order they were read: the main
	// file (Depth 0) and those read by Include and IncludeOptional, in
	// either syntax. httpd -D DUMP_INCLUDES prints it.
	Included []Included
	// Warnings are non-fatal problems, such as an undefined ${VAR}. Their
	// Message is the complete Apache text, e.g.
	// "AH00111: Config variable ${X} is not defined".
	Warnings []Diagnostic
}

// Included is one configuration file read.
type Included struct {
	// File is the file's absolute path.
	File string
	// Line is the line of the Include in the file that included this one.
	// For the main file it is 0, unless a -C directive included a file:
	// then it is that Include's line, as Apache reports it.
	Line int
	// Depth is 0 for the main file, 1 for a file included by it (or by a
	// -C/-c directive), 2 for one included by such a file, and so on.
	Depth int
}

// Position is a place in a configuration file.
type Position struct {
	File string
	Line int
}

// String returns the position as "FILE:LINE".
func (p Position) String() string { return fmt.Sprintf("%s:%d", p.File, p.Line) }

// Pos is a place in a file with a column, as HCL counts them: Line and
// Column start at 1 (Column counts characters), Byte is the offset from the
// start of the file.
type Pos struct{ Line, Column, Byte int }

// Span is a range of text in an HCL file, from Start up to, not including,
// End. The zero Span means "no column": Apache syntax.
type Span struct{ Start, End Pos }

// IsZero reports whether s is the zero Span.
func (s Span) IsZero() bool { return s.Start.Line == 0 }
