package config

import (
	"io/fs"
	"path"
	"strings"
	"testing/fstest"
)

// emptyFS is a file system with nothing in it.
type emptyFS struct{}

func notExist(op, name string) error { return &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist} }

func (emptyFS) ReadFile(name string) ([]byte, error)       { return nil, notExist("open", name) }
func (emptyFS) Stat(name string) (fs.FileInfo, error)      { return nil, notExist("stat", name) }
func (emptyFS) ReadDir(name string) ([]fs.DirEntry, error) { return nil, notExist("open", name) }

// memFS serves absolute paths from an fstest.MapFS, whose names have no
// leading slash. It keeps the fuzz target away from the real file system.
type memFS struct{ m fstest.MapFS }

func (f memFS) name(p string) string {
	p = strings.TrimPrefix(path.Clean(p), "/")
	if p == "" {
		return "."
	}
	return p
}

func (f memFS) ReadFile(name string) ([]byte, error)       { return f.m.ReadFile(f.name(name)) }
func (f memFS) Stat(name string) (fs.FileInfo, error)      { return f.m.Stat(f.name(name)) }
func (f memFS) ReadDir(name string) ([]fs.DirEntry, error) { return f.m.ReadDir(f.name(name)) }
