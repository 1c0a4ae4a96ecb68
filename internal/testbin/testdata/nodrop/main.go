// Command nodrop plays a child program that does not drop to the
// children's credential (it does not import the SDK, whose package spawn
// does in its init): it waits on descriptor 4 for what an MPM parent
// hands a child (a first byte with the descriptors, then the spec) and
// writes what it got, as whom, to got-spec beside itself.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

func main() {
	buf, oob := make([]byte, 1), make([]byte, syscall.CmsgSpace(4*64))
	n, oobn, _, _, err := syscall.Recvmsg(4, buf, oob, 0)
	if err != nil || n == 0 {
		os.Exit(1) // nothing handed over
	}
	self, err := os.Executable()
	if err != nil {
		os.Exit(1)
	}
	msg := fmt.Sprintf("uid %d, %d bytes of descriptors\n", os.Getuid(), oobn)
	_ = os.WriteFile(filepath.Join(filepath.Dir(self), "got-spec"), []byte(msg), 0o644)
}
