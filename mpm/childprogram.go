package mpm

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/hashicorp/go-hclog"

	"github.com/httpd-mpm/httpd-mpm/internal/wire"
)

// childProgram is the child program StartChild executes when Serve found
// the MPM's usable (see WithChildProgram); nil, it executes this binary.
// Serve sets it before it starts any child and it does not change
// afterwards.
var childProgram *program

// program is a child program as it was checked: its real path and what
// the file was then.
type program struct {
	path    string
	checked os.FileInfo
	changed sync.Once // logs that it changed
}

// unchanged reports whether p's path still holds the file that was
// checked (same file, size and modification time): a child program
// replaced since (an upgrade) is not run with this process's spec. A
// replacement between this check and the exec, microseconds later, is not
// seen; only root or the owner could make one (the trust rules).
func (p *program) unchanged() bool {
	fi, err := os.Stat(p.path)
	return err == nil && os.SameFile(fi, p.checked) && fi.Size() == p.checked.Size() && fi.ModTime().Equal(p.checked.ModTime())
}

// childExecutable returns the file a child of this process executes and
// the name it runs under (its argv[0]): prog if it is still the file that
// was checked, else this process's own image (ownImage: the code running
// here even if the file was replaced since, so that parent and children
// agree on their spec). log, if not nil, hears once that prog changed.
func childExecutable(prog *program, log hclog.Logger) (path, name string, err error) {
	if prog != nil {
		if prog.unchanged() {
			return prog.path, prog.path, nil
		}
		if log != nil {
			prog.changed.Do(func() {
				log.Warn(fmt.Sprintf("child program %s changed since it was checked; children run this process's running image until the next restart", prog.path))
			})
		}
	}
	self, err := os.Executable()
	if err != nil {
		return "", "", fmt.Errorf("find own executable: %w", err)
	}
	if img := ownImage(); img != "" {
		return img, self, nil
	}
	return self, self, nil
}

// ChildMain is the main of an MPM's child program (see WithChildProgram):
// it serves impl's child side as StartChild asked (RunChild) and exits
// with its status. Run by a person, it explains what the program is and
// exits 1. It does not return.
func ChildMain(impl MPM) {
	if status, ok := RunChild(impl); ok {
		os.Exit(status)
	}
	d := impl.Describe()
	name := filepath.Base(os.Args[0])
	fmt.Fprintf(os.Stderr, "%s: this is the child program of the %s MPM of httpd-mpm (module %s).\n", name, d.Name, d.Module)
	if os.Getenv(wire.CookieKey) == wire.CookieValue {
		fmt.Fprintf(os.Stderr, "It is not the MPM's plugin: LoadModule %s names the plugin file beside it.\n", d.Module)
	} else {
		fmt.Fprintf(os.Stderr, "The MPM's plugin starts it for its child processes; it is not run by hand.\n")
	}
	os.Exit(1)
}
