package launch

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestVerifyChecksum(t *testing.T) {
	file := filepath.Join(t.TempDir(), "p")
	if err := os.WriteFile(file, []byte("hello\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	// sha256sum of "hello\n".
	const sum = "sha256:5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"
	if got, err := Checksum(file); err != nil || got != sum {
		t.Fatalf("Checksum = %q, %v; want %q", got, err, sum)
	}
	if err := VerifyChecksum(file, strings.ToUpper(sum[:7])+strings.ToUpper(sum[7:])); err != nil {
		t.Errorf("upper-case pin: %v", err)
	}
	other := "sha256:" + strings.Repeat("0", 64)
	var ce *ChecksumError
	if err := VerifyChecksum(file, other); !errors.As(err, &ce) || ce.Got != sum || ce.Want != other {
		t.Fatalf("VerifyChecksum(other) = %v; want a ChecksumError with both sums", err)
	}
}
