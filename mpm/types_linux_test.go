package mpm

import (
	"testing"

	"golang.org/x/sys/unix"
)

// TestSealedTypes: the TypesConfig copy a parent shares maps back to its
// text and cannot be written or resized; a file without those seals is
// refused, as its pages could change or vanish under the child.
func TestSealedTypes(t *testing.T) {
	const text = "text/x-test\ttst\n"
	f, err := sealedFile("mime.types", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt([]byte("x"), 0); err == nil {
		t.Error("the sealed file took a write")
	}
	if err := f.Truncate(0); err == nil {
		t.Error("the sealed file was truncated")
	}
	fd, err := unix.Dup(int(f.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := mapSealed(fd); err != nil || got != text {
		t.Fatalf("mapSealed = %q, %v; want %q", got, err, text)
	}

	plain, err := unix.MemfdCreate("plain", unix.MFD_CLOEXEC)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := unix.Write(plain, []byte(text)); err != nil {
		t.Fatal(err)
	}
	if got, err := mapSealed(plain); err == nil {
		t.Fatalf("an unsealed file mapped: %q", got)
	}
}
