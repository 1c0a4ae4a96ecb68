// Package rawstat reads an open file's metadata with fstat(2) without
// allocating, where the platform allows a raw system call for it.
package rawstat
