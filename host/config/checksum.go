package config

import (
	"encoding/hex"
	"errors"
	"strings"
)

const helpLoadModuleChecksum = "a module name and the checksum (sha256:HEX) its LoadModule file must have"

// checkModuleChecksum checks LoadModuleChecksum's second argument: "sha256:"
// and 64 hexadecimal digits.
func checkModuleChecksum(args []string) error {
	if !ValidChecksum(args[1]) {
		return errors.New("LoadModuleChecksum: '" + args[1] + "' is not a checksum; write sha256: and the 64 hexadecimal digits that sha256sum prints")
	}
	return nil
}

// ValidChecksum reports whether s is "sha256:" and 64 hexadecimal digits
// (either case).
func ValidChecksum(s string) bool {
	h, ok := strings.CutPrefix(s, "sha256:")
	if !ok || len(h) != 64 {
		return false
	}
	_, err := hex.DecodeString(h)
	return err == nil
}
