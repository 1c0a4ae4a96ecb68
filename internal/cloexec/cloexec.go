// Package cloexec marks the descriptors a process inherited close-on-exec,
// so that a program it starts gets only the ones it hands over
// (exec.Cmd.ExtraFiles), not whatever its own parent passed on.
package cloexec
