//go:build mpmprofile

package mpm

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"

	"github.com/hashicorp/go-hclog"
)

// startProfile starts the CPU profile ProfileEnv asks for, if it does,
// and returns what ends it and writes the file.
func startProfile(mpm string, log hclog.Logger) (stop func()) {
	dir := os.Getenv(ProfileEnv)
	if dir == "" {
		return func() {}
	}
	// Written beside its name and renamed once complete: a child killed
	// meanwhile leaves no truncated profile among the others.
	path := filepath.Join(dir, fmt.Sprintf("%s-%d.pprof", mpm, os.Getpid()))
	f, err := os.CreateTemp(dir, filepath.Base(path)+".*.tmp")
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		log.Warn("no CPU profile", "path", path, "error", err)
		if f != nil {
			f.Close()
			os.Remove(f.Name())
		}
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		err := f.Close()
		if err == nil {
			err = os.Rename(f.Name(), path)
		}
		if err != nil {
			log.Warn("CPU profile", "path", path, "error", err)
		}
	}
}
