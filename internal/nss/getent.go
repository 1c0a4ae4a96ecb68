package nss

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// getent runs `getent db -- key` and returns its line of output. Exit
// status 2 (no such key) is ErrNotFound.
func (r *Resolver) getent(db, key string) (string, error) {
	prog := r.Getent
	if prog == "" {
		prog = "getent" // from PATH, unless in its usual place
		if _, err := os.Stat("/usr/bin/getent"); err == nil {
			prog = "/usr/bin/getent"
		}
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(prog, db, "--", key)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 2 {
		return "", ErrNotFound
	}
	if err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			err = fmt.Errorf("%w: %s", err, msg)
		}
		return "", fmt.Errorf("getent %s %s: %w", db, key, err)
	}
	line, _, _ := strings.Cut(stdout.String(), "\n")
	return line, nil
}

// parseInitgroups parses the line of `getent initgroups name`: the name,
// then the gids of the groups the user is a member of.
func parseInitgroups(line, name string) ([]uint32, error) {
	rest, ok := strings.CutPrefix(line, name)
	if !ok || (rest != "" && !strings.ContainsAny(rest[:1], blanks)) {
		return nil, fmt.Errorf("unexpected output %q", line)
	}
	var ids []uint32
	for f := range strings.FieldsSeq(rest) {
		id, err := strconv.ParseUint(f, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("unexpected output %q", line)
		}
		ids = append(ids, uint32(id))
	}
	return ids, nil
}
