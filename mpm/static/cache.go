package static

import (
	"io"
	"os"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
)

// The open-file cache keeps the descriptors of recently served regular files open, as
// nginx's open_file_cache and Apache's mod_file_cache do, so that a request for a hot
// file costs neither open(2) nor close(2). What it may serve late is bounded:
//
//   - Every request checks the open file with fstat(2), and reads its content then: a
//     file changed in place (written, truncated, touched) is served new, with its new
//     Content-Length, Last-Modified and ETag, at once, exactly as without the cache.
//   - An entry is used for at most cacheValid (one second) after its file was opened;
//     then the path is opened again. So a path that now names another file (renamed
//     over, as deployments replace files), or none (removed), or that became
//     unreadable, is served as before for at most that long.
//
// Only regular files and directories opened the plain way are kept (openPlain: no
// symlink on the path, so the file is inside the root by its name alone); everything
// else is opened per request as before. A descriptor is shared by the requests that use
// it at once, so a file is only read at explicit offsets (pread(2), sendfile(2) with an
// offset), and a directory, whose descriptor serves mostly its fstat (a request for "/"
// that DirectoryIndex answers), is listed through a descriptor of its own.
//
// A small file (up to mapMax bytes, a body the engine copies behind the headers into its
// write buffer) is read from a mapping of it that its entry keeps (cachedFile.view)
// instead of with pread(2): a system call less per request. The mapping is shared and
// read-only, the page cache's own pages, so it shows what a read would, a change made in
// place included, at the same moment; the request's fstat still gives the length. As with
// apache2's mmap (EnableMMAP, on by default), a file truncated between that fstat and the
// copy reads as zeros up to the end of its last page, and beyond it faults (SIGBUS): the
// fault is caught (fileMap.ReadAt) and the body ends short, as a short pread's does.
const cacheValid = time.Second

// mapMax is the size of a cached file's mapping (one page on most machines), and the
// largest file read from it.
const mapMax = 4096

// cacheMax is how many files a FileCache keeps open at most: a sixteenth of the
// process's descriptor limit (RLIMIT_NOFILE), between 16 and 1024, so that the cache
// never takes the descriptors connections need. Beyond it, files are opened per
// request. The bound is per cache: Handlers of one server share one (Handler.Files),
// so that it holds for the whole process however many virtual hosts it serves.
var cacheMax = int(min(max(descriptorLimit()/16, 16), 1024))

// FileCache is an open-file cache (see Handler.Files): it keeps at most a sixteenth
// of the process's descriptor limit (at least 16, at most 1024) of recently served
// files open, for at most a second each. Its entries are keyed by real path, so any
// number of Handlers, whatever their roots, may share one; it is safe for concurrent
// use. The zero value is ready to use; a FileCache must not be copied after first use.
// Its descriptors are closed as they expire, a few seconds after the last request.
type FileCache struct {
	mu    sync.Mutex
	m     map[string]*cachedFile
	sweep *time.Timer // armed while m is not empty
	// oldest is the earliest open time in m (as of the last expiry walk or put), so
	// that a full cache walks m only when an entry can have expired.
	oldest time.Time
}

// cachedFile is one open file of the cache. f stays open while the entry is in the map
// or in use; its last user after it left the map closes it.
type cachedFile struct {
	name   string
	f      *os.File
	opened time.Time
	refs   int  // requests using f; under the cache's lock
	gone   bool // out of the map; under the cache's lock
	// hdr holds the file's formatted header values for the metadata they were made
	// from (see headersFor).
	hdr atomic.Pointer[fileHeaders]
	// mapping is f mapped (see view), made at the first use; nil b if that failed.
	mapping atomic.Pointer[fileMap]
}

// fileMap is a mapFile mapping of a file's first mapMax bytes, an io.ReaderAt.
type fileMap struct{ b []byte }

// view returns the file's mapping when a file of size bytes (its fstat's) is read from
// it, or nil: size is over mapMax (or none), or mapping failed. Read it only within
// size (an io.SectionReader), and only while e is in use (get, put): that keeps the
// mapping.
func (e *cachedFile) view(size int64) *fileMap {
	if e == nil || size <= 0 || size > mapMax {
		return nil
	}
	m := e.mapping.Load()
	if m == nil {
		m = &fileMap{b: mapFile(e.f)}
		if !e.mapping.CompareAndSwap(nil, m) {
			unmap(m.b)
			m = e.mapping.Load()
		}
	}
	if m.b == nil {
		return nil
	}
	return m
}

// close unmaps and closes the file of an entry that is out of the map and unused.
func (e *cachedFile) close() {
	if m := e.mapping.Load(); m != nil {
		unmap(m.b)
	}
	e.f.Close() // a close(2) of a regular file does not block
}

// ReadAt copies from the mapping. A fault of the copy (the file was truncated below a
// page it reads since its fstat) ends the read at offset off with io.EOF: the body ends
// short, and the engine closes the connection after it.
func (m *fileMap) ReadAt(p []byte, off int64) (n int, err error) {
	if off < 0 || off >= int64(len(m.b)) {
		return 0, io.EOF
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if recover() != nil {
			n, err = 0, io.EOF
		}
	}()
	n = copy(p, m.b[off:])
	if n < len(p) {
		err = io.EOF
	}
	return n, err
}

// get returns the entry of name, counted in use (release it), or nil when there is
// none still valid at now.
func (c *FileCache) get(name []byte, now time.Time) *cachedFile {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.m[string(name)]
	if e == nil {
		return nil
	}
	if expired(e.opened, now) {
		c.removeLocked(e)
		return nil
	}
	e.refs++
	return e
}

// put adds f, a regular file just opened as name, and returns its entry counted in use;
// it returns nil, leaving f to the caller, when the cache is full or holds name already.
func (c *FileCache) put(name string, f *os.File, now time.Time) *cachedFile {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = make(map[string]*cachedFile)
	}
	if _, ok := c.m[name]; ok {
		return nil
	}
	if len(c.m) >= cacheMax {
		if !expired(c.oldest, now) {
			return nil
		}
		c.expireLocked(now)
		if len(c.m) >= cacheMax {
			return nil
		}
	}
	e := &cachedFile{name: name, f: f, opened: now, refs: 1}
	if len(c.m) == 0 || now.Before(c.oldest) {
		c.oldest = now
	}
	c.m[name] = e
	if c.sweep == nil {
		c.sweep = time.AfterFunc(2*cacheValid, c.expire)
	} else if len(c.m) == 1 {
		c.sweep.Reset(2 * cacheValid)
	}
	return e
}

// release ends a request's use of e.
func (c *FileCache) release(e *cachedFile) {
	c.mu.Lock()
	e.refs--
	closeIt := e.gone && e.refs == 0
	c.mu.Unlock()
	if closeIt {
		e.close()
	}
}

// expire closes the entries that are no longer valid, so that an idle server does not
// keep removed files open; it runs on a timer while the cache is not empty.
func (c *FileCache) expire() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.expireLocked(time.Now())
	if len(c.m) > 0 {
		c.sweep.Reset(2 * cacheValid)
	}
}

func (c *FileCache) expireLocked(now time.Time) {
	c.oldest = now
	for _, e := range c.m {
		if expired(e.opened, now) {
			c.removeLocked(e)
		} else if e.opened.Before(c.oldest) {
			c.oldest = e.opened
		}
	}
}

// expired reports whether an entry opened at opened is no longer valid at now (a
// clock set back counts as expired).
func expired(opened, now time.Time) bool {
	return now.Sub(opened) >= cacheValid || now.Before(opened)
}

func (c *FileCache) removeLocked(e *cachedFile) {
	delete(c.m, e.name)
	e.gone = true
	if e.refs == 0 {
		e.close()
	}
}

// fileHeaders are the Last-Modified, ETag and Content-Length values of a file, in one
// string, for the metadata and ETag fields they were made from.
type fileHeaders struct {
	m            meta
	fields       FileETag
	strs         string // Last-Modified, ETag, size
	lmEnd, etEnd int
	hasETag      bool
}

// headersFor returns the cached header values of e for m and fields, or nil when they
// must be made afresh (changed metadata, other fields, or none made yet).
func (e *cachedFile) headersFor(m meta, fields FileETag) *fileHeaders {
	if e == nil {
		return nil
	}
	if h := e.hdr.Load(); h != nil && h.m.equal(m) && h.fields == fields {
		return h
	}
	return nil
}
