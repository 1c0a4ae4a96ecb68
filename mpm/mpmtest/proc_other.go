//go:build !linux

package mpmtest

import "os"

// Without /proc the checks of processes and descriptors are skipped.
const procAvailable = false

type identity struct{ pid int }

func identify(pid int) (identity, bool) { return identity{pid}, true }
func (identity) alive() bool            { return false }
func family(int) []int                  { return nil }
func cmdline(int) string                { return "" }
func fdCount(int) int                   { return -1 }
func fdTarget(int, int) string          { return "" }
func holders(*os.File) []int            { return nil }
