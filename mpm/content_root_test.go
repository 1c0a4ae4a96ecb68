package mpm

import (
	"os"
	"strings"
	"testing"
)

// A process that runs as root while User and Group name another user must
// not serve: it would read the documents as root (a 0600 file of root's
// would be served where the built-in MPMs' children answer 403).
func TestNewHTTPServerRefusesRoot(t *testing.T) {
	defer func(f func() int) { processEUID = f }(processEUID)
	nobody := &Credential{Uid: 65534, Gid: 65534, Groups: []uint32{65534}}
	for _, tc := range []struct {
		name        string
		euid        int
		user, group string
		cred        *Credential
		refuse      bool
	}{
		{"root with User nobody", 0, "nobody", "nogroup", nobody, true},
		{"root with User root", 0, "nobody", "nogroup", &Credential{}, false},
		{"root without User", 0, "", "", nil, false},
		{"a child dropped to nobody", 65534, "nobody", "nogroup", nobody, false},
		// A host that resolved no credential: the SDK resolves User and
		// Group itself, as ChildCredential does (only as root).
		{"root, User nobody unresolved", 0, "nobody", "nogroup", nil, os.Geteuid() == 0},
	} {
		processEUID = func() int { return tc.euid }
		cfg := &Config{Core: Core{DocumentRoot: t.TempDir(), User: tc.user, Group: tc.group, Credential: tc.cred}}
		_, err := NewHTTPServer(cfg)
		_, childErr := (&Child{Config: cfg}).HTTPServer()
		for _, e := range []error{err, childErr} {
			switch {
			case tc.refuse && (e == nil || !strings.Contains(e.Error(), "refusing to serve as root while User \"nobody\" and Group \"nogroup\" (uid 65534, gid 65534) are set")):
				t.Errorf("%s: %v; want a refusal naming User, Group and the credential", tc.name, e)
			case !tc.refuse && e != nil:
				t.Errorf("%s: %v", tc.name, e)
			}
		}
	}
}
