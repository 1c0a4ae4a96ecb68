package mpm

import (
	"os"
	"testing"
)

// The credential the host resolved is the one children get: the plugin
// does not look User and Group up again (it may not be able to: built
// without cgo, it does not see users only NSS knows).
func TestCoreChildCredential(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("a credential applies to root only")
	}
	host := &Credential{Uid: 4242, Gid: 4343, Groups: []uint32{4343, 4444}}
	got, err := Core{User: "no-such-user-httpd-mpm", Credential: host}.ChildCredential()
	if err != nil || got != host {
		t.Errorf("with the host's credential: %+v, %v; want %+v", got, err, host)
	}
	if _, err := (Core{User: "no-such-user-httpd-mpm"}).ChildCredential(); err == nil {
		t.Error("without the host's credential, an unknown User resolved")
	}
	got, err = Core{User: "#4242", Group: "#4343"}.ChildCredential()
	if err != nil || got == nil || got.Uid != 4242 || got.Gid != 4343 {
		t.Errorf("#uid/#gid resolved here: %+v, %v", got, err)
	}
}
