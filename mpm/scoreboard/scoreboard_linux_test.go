package scoreboard

import (
	"errors"
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// TestSealed: the size of a board from Create is sealed, so a child
// holding its descriptor can neither shrink it under the parent's
// mapping (SIGBUS in the parent) nor grow it, nor lift or add seals; and
// Open refuses a memfd whose size is not sealed.
func TestSealed(t *testing.T) {
	b, err := Create(2, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	fd := int(b.File().Fd())
	size := int64(Size(2, 2))
	for _, n := range []int64{0, headerSize, size + 4096} {
		if err := unix.Ftruncate(fd, n); !errors.Is(err, unix.EPERM) {
			t.Errorf("ftruncate to %d: %v, want EPERM", n, err)
		}
	}
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_ADD_SEALS, unix.F_SEAL_FUTURE_WRITE); !errors.Is(err, unix.EPERM) {
		t.Errorf("adding a seal: %v, want EPERM", err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil || st.Size != size {
		t.Fatalf("size %d, %v; want %d", st.Size, err, size)
	}
	b.Process(1).Beat() // still mapped and writable

	// An unsealed memfd of the right size and contents is refused.
	ufd, err := unix.MemfdCreate("unsealed", unix.MFD_CLOEXEC)
	if err != nil {
		t.Fatal(err)
	}
	u := os.NewFile(uintptr(ufd), "unsealed")
	defer u.Close()
	if _, err := u.Write(b.mem); err != nil {
		t.Fatal(err)
	}
	if c, err := Open(u); !errors.Is(err, ErrLayout) {
		if c != nil {
			c.Close()
		}
		t.Fatalf("Open(memfd without seals) = %v, want ErrLayout", err)
	}
}
