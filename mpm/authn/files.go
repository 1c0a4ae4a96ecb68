package authn

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/httpd-mpm/httpd-mpm/internal/apconf"
	"github.com/httpd-mpm/httpd-mpm/internal/filestamp"
)

// A textFile is an AuthUserFile or AuthGroupFile, read and parsed once and
// read again when it changes: it is looked at (stat) at every request, as
// apache2 reads it at every request, so no answer comes from a former
// content. Safe for concurrent use.
type textFile struct {
	path  string
	parse func(data []byte) any
	mu    sync.Mutex // held while the file is read
	cur   atomic.Pointer[fileState]
}

// fileState is what a textFile held when last read.
type fileState struct {
	stamp  filestamp.Stamp // of what was read
	parsed any             // parse's result; nil when err
	err    error           // why the file could not be read
}

// files are the textFiles of this process by kind and path: every server and
// section naming the same file shares one.
var files sync.Map // fileKey -> *textFile

type fileKey struct {
	group bool
	path  string
}

// userFile and groupFile are the shared textFiles for path.
func userFile(path string) *textFile  { return sharedFile(fileKey{false, path}, parseUsers) }
func groupFile(path string) *textFile { return sharedFile(fileKey{true, path}, parseGroups) }

func sharedFile(k fileKey, parse func([]byte) any) *textFile {
	if f, ok := files.Load(k); ok {
		return f.(*textFile)
	}
	f, _ := files.LoadOrStore(k, &textFile{path: k.path, parse: parse})
	return f.(*textFile)
}

// state is the file's content as parsed, read again if it changed.
func (f *textFile) state() *fileState {
	fi, err := os.Stat(f.path)
	if err != nil {
		return &fileState{err: err}
	}
	stamp := filestamp.Of(fi)
	if s := f.cur.Load(); s != nil && s.stamp == stamp {
		return s
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if s := f.cur.Load(); s != nil && s.stamp == stamp {
		return s // another goroutine read it meanwhile
	}
	s, err := f.read()
	if err != nil {
		return &fileState{err: err}
	}
	f.cur.Store(s)
	return s
}

// read reads and parses the file as apache2's ap_pcfg_openfile opens it
// (apconf.ReadFile: a regular file, at most maxFileSize bytes); the stamp is
// the opened file's, so that a change made while it is read shows at the
// next look.
func (f *textFile) read() (*fileState, error) {
	data, fi, err := apconf.ReadFile(f.path, maxFileSize)
	if err != nil {
		return nil, err
	}
	return &fileState{stamp: filestamp.Of(fi), parsed: f.parse(data)}, nil
}

// maxFileSize bounds what is read of a password or group file (a .htaccess
// file may name any path: /dev/zero would otherwise exhaust the child's
// memory); apache2 reads any length.
const maxFileSize = 64 << 20

// errno is err's system error number, as apache2 prints it before a message
// ("(2)No such file or directory: "); err itself when it has none.
func errno(err error) error {
	var e syscall.Errno
	if errors.As(err, &e) {
		return e
	}
	return err
}

// lines calls fn with each line of data as ap_cfg_getline returns it, leading
// and trailing white space removed, skipping empty lines and comments.
func lines(data []byte, fn func(line string)) {
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		fn(string(line))
	}
}

// parseUsers reads an AuthUserFile: "user:hash" lines, as mod_authn_file does
// (the first line for a user counts; what follows a second ':' is ignored).
func parseUsers(data []byte) any {
	users := map[string]string{}
	lines(data, func(line string) {
		user, rest, _ := strings.Cut(line, ":")
		rest = strings.TrimLeft(rest, ":")
		hash, _, _ := strings.Cut(rest, ":")
		if _, seen := users[user]; !seen {
			users[user] = hash
		}
	})
	return users
}

// groups maps a user to the groups an AuthGroupFile lists it in.
type groups map[string]map[string]bool

// parseGroups reads an AuthGroupFile: "group: user user ..." lines, the
// users as words of a config line (quotes group), as mod_authz_groupfile
// reads them.
func parseGroups(data []byte) any {
	g := groups{}
	lines(data, func(line string) {
		name, rest, _ := strings.Cut(line, ":")
		name = strings.TrimRight(name, " \t\r\n\v\f")
		for _, user := range confWords(rest) {
			if g[user] == nil {
				g[user] = map[string]bool{}
			}
			g[user][name] = true
		}
	})
	return g
}

// confWords splits s into words as ap_getword_conf does: white space
// separates them, and a word starting with a quote runs to the matching
// quote (a backslash before that quote keeps it in the word).
func confWords(s string) []string {
	var words []string
	for {
		s = strings.TrimLeft(s, " \t\r\n\v\f")
		if s == "" {
			return words
		}
		if q := s[0]; q == '"' || q == '\'' {
			var w strings.Builder
			i := 1
			for ; i < len(s) && s[i] != q; i++ {
				if s[i] == '\\' && i+1 < len(s) && s[i+1] == q {
					i++
				}
				w.WriteByte(s[i])
			}
			words = append(words, w.String())
			s = s[min(i+1, len(s)):]
			continue
		}
		i := strings.IndexAny(s, " \t\r\n\v\f")
		if i < 0 {
			i = len(s)
		}
		words = append(words, s[:i])
		s = s[i:]
	}
}
