package config

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/httpd-mpm/httpd-mpm/mpm"
)

// errRootUser is mod_unixd's refusal of a User that resolves to uid 0,
// with the escapes Apache's error log writes in place of its tabs and
// newlines.
var errRootUser = errors.New(`Error:\tApache has not been designed to serve pages while\n\trunning as root.  There are known race conditions that\n\twill allow any local user to read any file on the system.\n\tIf you still desire to serve pages as root then\n\tadd -DBIG_SECURITY_HOLE to the CFLAGS env variable\n\tand then rebuild the server.\n\tIt is strongly suggested that you instead modify the User\n\tdirective in your httpd.conf file to list a non-root\n\tuser.\n`)

// checkUser resolves User as mod_unixd does ("#uid" or a name): an unknown
// name is refused (Apache: "AH00543: httpd: bad user name X") and so is
// root. Run as root, a "#uid" of no user is refused too: Apache's children
// die of it (AH02155, getpwuid) when they drop to it; here the line is
// known.
func checkUser(args []string) error {
	uid, err := mpm.LookupUser(args[0])
	if err != nil {
		return fmt.Errorf("AH00543: %w", err)
	}
	if uid == 0 {
		return errRootUser
	}
	if strings.HasPrefix(args[0], "#") && os.Geteuid() == 0 {
		if _, err := mpm.ChildCredential(args[0], ""); err != nil {
			return err
		}
	}
	return nil
}

// checkGroup resolves Group ("#gid" or a name).
func checkGroup(args []string) error {
	if _, err := mpm.LookupGroup(args[0]); err != nil {
		return fmt.Errorf("AH00544: %w", err)
	}
	return nil
}
