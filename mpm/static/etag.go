package static

import (
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// FileETag is a set of FileETag components: the parts of a file's ETag. The zero value
// is Apache's default, MTime Size.
type FileETag uint8

// FileETag components, with Apache's keywords. ETagNone wins over every other bit.
const (
	ETagINode  FileETag = 1 << iota // INode
	ETagMTime                       // MTime (also LMTime, LastModified)
	ETagSize                        // Size
	ETagDigest                      // Digest: a SHA-1 of the content, base64, instead of the others
	ETagNone                        // None: no ETag

	ETagAll     = ETagINode | ETagMTime | ETagSize // All
	ETagDefault = ETagMTime | ETagSize
)

// effective resolves the zero value to the default.
func (e FileETag) effective() FileETag {
	if e == 0 {
		return ETagDefault
	}
	return e
}

// ETagConfig is the FileETag state of one configuration level, as Apache keeps it:
// explicit components, or '+'/'-' changes to the inherited ones. The zero value is
// "not set" (inherit; at the top, the default).
type ETagConfig struct {
	bits, add, remove FileETag // bits 0: not set explicitly
}

// ParseFileETag reads the arguments of one FileETag directive, as Apache's set_etag_bits
// does: keywords are case-insensitive, "+X" adds and "-X" removes X from what is
// inherited, None and All take no sign. A later FileETag line replaces an earlier one
// of the same level.
func ParseFileETag(args []string) (ETagConfig, error) {
	var c ETagConfig
	for _, a := range args {
		action := byte('*')
		word := a
		if a != "" && (a[0] == '+' || a[0] == '-') {
			action, word = a[0], a[1:]
		}
		var bit FileETag
		switch strings.ToLower(word) {
		case "none", "all":
			if action != '*' {
				return ETagConfig{}, errors.New("FileETag keyword '" + word + "' cannot be used with '+' or '-'")
			}
			if strings.EqualFold(word, "none") {
				bit = ETagNone
			} else {
				bit = ETagAll
			}
		case "size":
			bit = ETagSize
		case "mtime", "lmtime", "lastmodified":
			bit = ETagMTime
		case "inode":
			bit = ETagINode
		case "digest":
			bit = ETagDigest
		default:
			return ETagConfig{}, errors.New("Unknown keyword '" + word + "' for FileETag directive")
		}
		switch action {
		case '+':
			c.add |= bit
			c.remove &^= bit
		case '-':
			c.remove |= bit
			c.add &^= bit
		default:
			c.bits |= bit
		}
	}
	return c, nil
}

// Merge returns the state of a level configured with child below c (Apache's
// merge_core_dir_configs): explicit components replace what is inherited, '+' and '-'
// change it.
func (c ETagConfig) Merge(child ETagConfig) ETagConfig {
	if child.bits != 0 {
		return child
	}
	out := c
	out.add = (c.add &^ child.remove) | child.add
	out.remove = (c.remove &^ child.add) | child.remove
	return out
}

// Fields returns the components in force (ap_make_etag): None wins; without explicit
// components, '-' on the default removes nothing and '+' replaces it, as in Apache.
func (c ETagConfig) Fields() FileETag {
	if c.bits&ETagNone != 0 {
		return ETagNone
	}
	return ((c.bits &^ c.remove) | c.add).effective()
}

// appendETag appends the ETag apache2 makes from fields for a file: the selected parts
// of "<inode>-<size>-<mtime in microseconds>" in hex, weak (W/) while the file is less
// than a second old; with Digest, the base64 SHA-1 of the content instead (strong). ok
// is false when there is no ETag (None, no component, or the digest cannot be read).
func appendETag(b []byte, fields FileETag, m meta, f *os.File, now time.Time) (_ []byte, ok bool) {
	fields = fields.effective()
	if fields&ETagNone != 0 {
		return b, false
	}
	if fields&ETagDigest != 0 {
		h := sha1.New()
		if _, err := io.Copy(h, io.NewSectionReader(f, 0, m.size)); err != nil {
			return b, false
		}
		var sum [sha1.Size]byte
		b = append(b, '"')
		b = base64.StdEncoding.AppendEncode(b, h.Sum(sum[:0]))
		return append(b, '"'), true
	}
	if fields&ETagAll == 0 {
		return b, false
	}
	if now.Sub(m.mtime) < time.Second {
		b = append(b, 'W', '/')
	}
	b = append(b, '"')
	sep := false
	part := func(v int64) {
		if sep {
			b = append(b, '-')
		}
		b = strconv.AppendInt(b, v, 16)
		sep = true
	}
	if fields&ETagINode != 0 {
		part(int64(m.ino))
	}
	if fields&ETagSize != 0 {
		part(m.size)
	}
	if fields&ETagMTime != 0 {
		part(m.mtime.UnixMicro())
	}
	return append(b, '"'), true
}
