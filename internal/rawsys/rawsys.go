// Package rawsys makes the few system calls on files that serving makes per
// request (fstat, pread, sendfile) as raw system calls where the platform
// allows: none of them waits for another party (a regular file's read comes
// from the page cache, a cold one waits for the disk holding the P as a
// read holds its thread), and a raw call spares the runtime's hand-off of
// the P and the wake-up of its monitor thread (see plugins/internal/rawwait).
// Where the kernel's structures or argument passing differ (32-bit
// architectures: fstat64, a 64-bit offset in two registers), they go
// through package unix or syscall instead. The calls do not allocate.
package rawsys
