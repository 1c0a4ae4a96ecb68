package launch

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strings"
)

// ChecksumError is a plugin file whose checksum is not the pinned one.
type ChecksumError struct {
	Path string
	Want string // the pin, "sha256:HEX"
	Got  string // the file's, "sha256:HEX"
}

func (e *ChecksumError) Error() string {
	return fmt.Sprintf("checksum mismatch: %s has %s, the pinned checksum is %s", e.Path, e.Got, e.Want)
}

// Checksum returns the file's checksum as "sha256:HEX".
func Checksum(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}

// VerifyChecksum returns a *ChecksumError unless the file's checksum is
// want ("sha256:HEX", hex digits in either case).
func VerifyChecksum(path, want string) error {
	got, err := Checksum(path)
	if err != nil {
		return err
	}
	if !strings.EqualFold(got, want) {
		return &ChecksumError{Path: path, Want: want, Got: got}
	}
	return nil
}
