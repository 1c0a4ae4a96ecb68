//go:build !mpmchild

package mpm

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/hashicorp/go-hclog"

	"github.com/httpd-mpm/httpd-mpm/internal/trust"
	"github.com/httpd-mpm/httpd-mpm/mpm/internal/prestart"
)

// useChildProgram makes StartChild execute the child program name (in the
// directory of this executable) if it may and can (see WithChildProgram),
// and logs why not otherwise. An empty name keeps this binary. It checks
// all but the build (prestart.BuiltTogether): Serve calls checkBuild once the early
// children have started, from the program (see childProgramAt).
func useChildProgram(name string, log hclog.Logger) (checkBuild func()) {
	if name == "" {
		return func() {}
	}
	if name != filepath.Base(name) || name == ".." {
		log.Warn(fmt.Sprintf("children run the plugin binary, not the child program: %q is not a file name", name))
		return func() {}
	}
	exe, err := os.Executable()
	if err != nil {
		log.Warn(fmt.Sprintf("children run the plugin binary, not the child program: find own executable: %v", err))
		return func() {}
	}
	return childProgramAt(filepath.Join(filepath.Dir(exe), name), exe, log)
}

// childProgramAt makes the child program at path childProgram if children
// may execute it instead of self, but for the check that it was built with
// this binary, which checkBuild makes: if that fails, checkBuild warns, sets
// childProgram back to nil and ends the early children, which have not got
// a spec yet. The check takes a fraction of a millisecond; for the
// program spawn.First started a child from, prestart.Plugin began it in
// the background (prestart.BuiltWith).
func childProgramAt(path, self string, log hclog.Logger) (checkBuild func()) {
	prog, err := checkedChildProgram(path, self)
	if err != nil {
		childProgramRefused(path, self, err, log)
		return func() {}
	}
	childProgram = prog
	return func() {
		if err := prestart.BuiltWith(prog.path, filepath.Base(self)); err != nil {
			childProgram = nil
			discardEarly()
			childProgramRefused(path, self, fmt.Errorf("%s: %w", prog.path, err), log)
		}
	}
}

// pickChildProgram returns the child program at path if children may
// execute it instead of self, the binary they would run otherwise; if not,
// it logs why (childProgramRefused) and returns nil.
func pickChildProgram(path, self string, log hclog.Logger) *program {
	prog, err := usableChildProgram(path, self)
	if err != nil {
		childProgramRefused(path, self, err, log)
	}
	return prog
}

// childProgramRefused logs why children run self, not the child program
// at path: err. A file that is missing or a pinned plugin is not worth a
// warning, nor a child program the trust rules refuse when self breaks
// them too (httpd run by root from a user's checkout, say).
func childProgramRefused(path, self string, err error, log hclog.Logger) {
	quiet := errors.Is(err, prestart.ErrPinned) || errors.Is(err, fs.ErrNotExist)
	var te *trust.TrustError
	if errors.As(err, &te) {
		_, selfErr := trust.Trusted(self, "")
		quiet = selfErr != nil
	}
	if quiet {
		log.Debug(fmt.Sprintf("children run %s, not the child program %s: %v", filepath.Base(self), path, err))
	} else {
		log.Warn(fmt.Sprintf("children run %s, not the child program: %v", filepath.Base(self), err))
	}
}

// usableChildProgram returns the child program at path as checked, or why
// it may not be used instead of the binary self.
func usableChildProgram(path, self string) (*program, error) {
	p, err := checkedChildProgram(path, self)
	if err != nil {
		return nil, err
	}
	if err := prestart.BuiltTogether(p.path, filepath.Base(self)); err != nil {
		return nil, fmt.Errorf("%s: %w", p.path, err)
	}
	return p, nil
}

// checkedChildProgram is usableChildProgram but for prestart.BuiltTogether
// (prestart.Check).
func checkedChildProgram(path, self string) (*program, error) {
	p, err := prestart.Check(path, self)
	if err != nil {
		return nil, err
	}
	return &program{path: p.Path, checked: p.Checked}, nil
}
