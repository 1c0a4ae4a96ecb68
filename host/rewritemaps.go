package host

import (
	"bufio"
	"cmp"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/httpd-mpm/httpd-mpm/host/config"
	"github.com/httpd-mpm/httpd-mpm/host/errorlog"
	"github.com/httpd-mpm/httpd-mpm/internal/pipedlog"
	"github.com/httpd-mpm/httpd-mpm/mpm"
	"github.com/httpd-mpm/httpd-mpm/mpm/rewrite"
	"github.com/httpd-mpm/httpd-mpm/mpm/site"
)

// mapPrograms are a generation's RewriteMap prg: programs. As apache2's
// parent (run_rewritemap_programs), the host starts each once, when the
// generation starts, for the map lines of the servers whose RewriteEngine
// is on; the program's stdin and stdout are pipes, its stderr the main error
// log, its working directory the program's own, its environment empty, its user the host's (root
// when it binds port 80, as apache2's) or the line's user:group. The
// children of the generation ask a program through a Unix socket in a
// directory the host keeps its own (socketDir); the host writes one key at a time to
// the program and reads its answer (apache2's rewrite-map mutex). The
// programs end with the generation (a graceful restart starts new ones for
// the new generation, the old children keep theirs while they drain).
// Only the generation's MPM process and its children may ask (mapPeers):
// the children's Group, which the sockets admit, is also a CGI script's.
type mapPrograms struct {
	root    string
	log     *errorlog.Log
	stderr  *os.File
	timeout time.Duration
	// idle is how long a connection may wait for its next key.
	idle  time.Duration
	peers *mapPeers

	dir   *socketDir
	progs map[lineKey]*mapProgram
	err   error // the first program that could not start
}

// lineKey tells a RewriteMap line, which a virtual host that inherits the
// main server's maps holds a copy of.
type lineKey struct {
	file       string
	line, seq  int
	name, spec string
}

func keyOf(d site.Directive) lineKey {
	return lineKey{d.File, d.Line, d.Seq, d.Args[0], d.Args[1]}
}

func newMapPrograms(root string, log *errorlog.Log) *mapPrograms {
	m := &mapPrograms{root: root, log: log, stderr: log.File(), idle: programIdle, peers: &mapPeers{ready: make(chan struct{})}}
	if m.stderr == nil {
		m.stderr = os.Stderr
	}
	return m
}

// assign starts the programs c's servers need and gives their RewriteMap
// lines the sockets the children ask them on (rewrite.ProgramSocket); a prg
// line of servers whose RewriteEngine is not on keeps no third argument: no
// program was started for it, its lookups have no value (as apache2's). It
// returns the first error starting a program (apache2's AH00654, fatal).
func (m *mapPrograms) assign(c *mpm.Core) error {
	lists := []*[]site.Directive{&c.ServerDirectives}
	for i := range c.VirtualHosts {
		lists = append(lists, &c.VirtualHosts[i].ServerDirectives)
	}
	var want []site.Directive
	for _, l := range lists {
		if !engineOn(*l) {
			continue
		}
		for _, d := range winningMaps(*l) {
			if isProgramMap(d) && !slices.ContainsFunc(want, func(w site.Directive) bool { return keyOf(w) == keyOf(d) }) {
				want = append(want, d)
			}
		}
	}
	slices.SortFunc(want, func(a, b site.Directive) int { return a.Seq - b.Seq })
	for _, d := range want {
		if _, ok := m.progs[keyOf(d)]; ok || m.err != nil {
			continue
		}
		p, err := m.start(d, c.Credential, cmp.Or(c.Timeout, 60*time.Second))
		if err != nil {
			m.err = err
			break
		}
		if m.progs == nil {
			m.progs = map[lineKey]*mapProgram{}
		}
		m.progs[keyOf(d)] = p
	}
	if m.err == nil && m.dir != nil {
		// Every socket is the children's: their group may now enter.
		if err := m.dir.open(c.Credential); err != nil {
			m.err = fmt.Errorf("AH00654: mod_rewrite: could not open the RewriteMap programs' socket directory %s: %w", m.dir.path, err)
		}
	}
	for _, l := range lists {
		for i, d := range *l {
			if !isProgramMap(d) {
				continue
			}
			if p := m.progs[keyOf(d)]; p != nil {
				(*l)[i].Args = rewrite.ProgramSocket(d.Args, p.socket, p.timeout)
			} else {
				(*l)[i].Args = slices.Clone(d.Args[:2])
			}
		}
	}
	return m.err
}

// serveFor lets the programs answer the MPM process pid (the plugin's; the
// host's own where the MPM is linked in) and its children: connections
// wait until it is known, and others are closed. started, where the MPM
// is linked in (the InProcess's Started), tells its children from the
// host's others, which do not pass: the programs, piped loggers, and when
// the host is PID 1 (a container's) every orphan reparented to it, a CGI
// script's background process among them.
func (m *mapPrograms) serveFor(pid int, started func(pid int) bool) {
	if m == nil {
		return
	}
	m.peers.once.Do(func() {
		m.peers.pid, m.peers.started = pid, started
		close(m.peers.ready)
	})
}

// mapPeers is who may ask a generation's programs: the MPM process, once
// serveFor has named it, and its children (peerOf). Every child of the
// generation is one, the early ones too (spawn.First runs in the plugin,
// before its main); a CGI script is a child's child, refused. Where the
// MPM is linked in, only the children it started (started) among the
// host's.
type mapPeers struct {
	ready   chan struct{} // closed once pid is known
	pid     int
	started func(pid int) bool // nil: every child of pid
	once    sync.Once

	refusals minuteGate // the refusals logged
}

// minuteGate lets a message that may repeat without end be logged at most
// once a minute. Its zero value is ready; it is safe for concurrent use.
type minuteGate struct {
	mu   sync.Mutex
	last time.Time
}

// due reports whether a minute has passed since it last reported so (the
// first time, whether one has passed since the zero time: yes).
func (g *minuteGate) due() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if time.Since(g.last) < time.Minute {
		return false
	}
	g.last = time.Now()
	return true
}

// admit waits for the MPM's pid and tells whether c's peer may ask; a
// refusal is logged at most once a minute (a generation's maps together).
func (p *mapProgram) admit(c net.Conn) bool {
	select {
	case <-p.peers.ready:
	case <-p.done:
		return false
	}
	uc, ok := c.(*net.UnixConn)
	if !ok {
		return false
	}
	pid, uid, ok := peerOf(uc, p.peers.pid, p.peers.started)
	if ok {
		return true
	}
	if p.peers.refusals.due() {
		p.log.Printf("rewrite", errorlog.Error, "mod_rewrite: RewriteMap program %s (map %s): closed a connection from pid %d (uid %d): not the MPM process %d nor one of its children (logged at most once a minute)", p.path, p.name, pid, uid, p.peers.pid)
	}
	return false
}

func isProgramMap(d site.Directive) bool {
	return strings.EqualFold(d.Name, "RewriteMap") && len(d.Args) >= 2 && len(d.Args[1]) >= 4 && strings.EqualFold(d.Args[1][:4], "prg:")
}

// winningMaps are the RewriteMap lines of a server that define its maps:
// the last of each name (a virtual host's lines are ordered so that the
// one apache2's merge keeps is last). apache2 starts no program for a line
// another of its name replaces.
func winningMaps(l []site.Directive) []site.Directive {
	last := map[string]site.Directive{}
	for _, d := range l {
		if strings.EqualFold(d.Name, "RewriteMap") && len(d.Args) >= 2 {
			last[d.Args[0]] = d
		}
	}
	out := make([]site.Directive, 0, len(last))
	for _, d := range last {
		out = append(out, d)
	}
	return out
}

// engineOn is a server's RewriteEngine, its last line (a virtual host's
// lines carry the main server's unless it has its own).
func engineOn(l []site.Directive) bool {
	on := false
	for _, d := range l {
		if strings.EqualFold(d.Name, "RewriteEngine") && len(d.Args) == 1 {
			on = strings.EqualFold(d.Args[0], "on")
		}
	}
	return on
}

// start starts d's program (rewritemap_program_child) and listens for the
// children. children is their credential (nil: the host's), whose group
// alone may enter the sockets' directory; timeout bounds a lookup.
func (m *mapPrograms) start(d site.Directive, children *mpm.Credential, timeout time.Duration) (*mapProgram, error) {
	argv := pipedlog.SplitArgs(d.Args[1][4:])
	if len(argv) == 0 {
		return nil, fmt.Errorf("RewriteMap: bad path to prg map: %s", d.Args[1][4:])
	}
	argv[0] = config.RootRelative(m.root, argv[0])
	fail := func(err error) error {
		return fmt.Errorf("%sAH00654: mod_rewrite: could not start RewriteMap program %s", pipedlog.ErrnoPrefix(err), argv[0])
	}
	var cred *syscall.Credential
	if len(d.Args) == 3 && os.Geteuid() == 0 {
		user, group, _ := strings.Cut(d.Args[2], ":")
		c, err := mpm.ChildCredential(user, group)
		if err != nil {
			return nil, fmt.Errorf("%w\n%w", err, fail(err))
		}
		if c != nil {
			cred = &syscall.Credential{Uid: c.Uid, Gid: c.Gid, Groups: c.Groups}
		}
	}
	if m.dir == nil {
		dir, err := newSocketDir()
		if err != nil {
			return nil, fail(err)
		}
		m.dir = dir
	}
	name := strconv.Itoa(len(m.progs))
	ln, err := m.dir.listen(name, children)
	if err != nil {
		return nil, fail(err)
	}
	inR, inW, err := os.Pipe()
	if err != nil {
		ln.Close()
		return nil, fail(err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		ln.Close()
		inR.Close()
		inW.Close()
		return nil, fail(err)
	}
	cmd := exec.Command(argv[0])
	cmd.Args, cmd.Dir = argv, filepath.Dir(argv[0])
	// An empty environment, as apache2's (apr_proc_create with a NULL env
	// for an APR_PROGRAM: execve's is empty); not even the PWD os/exec
	// would set to Dir (a shell's pwd is then the physical one).
	cmd.Env = []string{}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = inR, outW, m.stderr
	// Its own process group: a terminal's Ctrl-C is the server's to handle.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: cred}
	err = cmd.Start()
	inR.Close()
	outW.Close()
	if err != nil {
		ln.Close()
		inW.Close()
		outR.Close()
		var ee *exec.Error
		if errors.As(err, &ee) {
			err = ee.Err
		}
		return nil, fail(err)
	}
	p := &mapProgram{
		name: d.Args[0], path: argv[0], log: m.log, cmd: cmd, in: inW, socket: filepath.Join(m.dir.path, name), ln: ln, timeout: timeout,
		idle: m.idle, peers: m.peers,
		lines: make(chan string), done: make(chan struct{}), exited: make(chan struct{}), conns: map[net.Conn]bool{},
	}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.exited)
	}()
	go p.read(outR)
	go p.serve()
	return p, nil
}

// close ends the programs (apache2's kill after timeout: SIGTERM, SIGKILL 3
// s later; their stdin is closed first, which ends a program that reads
// to the end) and the sockets.
func (m *mapPrograms) close() {
	if m == nil {
		return
	}
	var wg sync.WaitGroup
	for _, p := range m.progs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.close()
		}()
	}
	wg.Wait()
	m.dir.remove()
	m.progs, m.dir = nil, nil // a second close has nothing to end
}

// mapProgram is one running program and the socket it is asked on.
type mapProgram struct {
	name, path string
	log        *errorlog.Log
	cmd        *exec.Cmd
	in         *os.File
	socket     string
	ln         net.Listener
	timeout    time.Duration
	idle       time.Duration
	peers      *mapPeers

	lines   chan string   // the program's answers, by read
	done    chan struct{} // closed by close
	exited  chan struct{} // closed once the program has been reaped
	waitErr error

	mu sync.Mutex // one key at a time
	// overdue counts the answers that did not come in time: the next
	// lines the program writes are theirs, dropped.
	overdue int
	dead    bool

	connMu sync.Mutex
	conns  map[net.Conn]bool
	closed bool
	full   minuteGate // the "closing new ones" logged
}

// maxAnswer bounds an answer kept (apache2 reads any length); the rest of a
// longer line is dropped.
const maxAnswer = 1 << 20

// read passes the program's lines to lookup until it ends.
func (p *mapProgram) read(out *os.File) {
	defer out.Close()
	defer close(p.lines)
	r := bufio.NewReaderSize(out, 4096)
	var line []byte
	for {
		chunk, err := r.ReadSlice('\n')
		if len(line)+len(chunk) <= maxAnswer+1 {
			line = append(line, chunk...)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			// EOF: the program has ended. What it wrote last without a
			// newline is an answer, as apache2 reads one up to the end.
			if len(line) > 0 {
				select {
				case p.lines <- string(line[:min(len(line), maxAnswer)]):
				case <-p.done:
				}
			}
			return
		}
		s := string(line[:len(line)-1])
		if line[len(line)-1] != '\n' { // cut at maxAnswer
			s = string(line[:min(len(line), maxAnswer)])
		}
		line = line[:0]
		select {
		case p.lines <- s:
		case <-p.done:
			return
		}
	}
}

// lookup is lookup_map_program on the host's side: key written, the
// answer read. apache2 waits for the answer without end; here for the
// server's Timeout, after which the lookup has no value and so have the
// next ones, without asking, until the late answer has come (it is
// dropped). A program that has ended gives an empty value, as apache2's
// reads of its closed pipe do (not the default), logged once.
func (p *mapProgram) lookup(key string) (string, bool) {
	key = rewrite.ProgramKey(key)
	if strings.IndexByte(key, '\n') >= 0 {
		return "", false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.overdue > 0 && !p.dead {
		select {
		case _, ok := <-p.lines:
			if !ok {
				p.ended()
				break
			}
			p.overdue--
			continue
		default:
		}
		break
	}
	if p.dead {
		return "", true
	}
	if p.overdue > 0 {
		return "", false
	}
	p.in.SetWriteDeadline(time.Now().Add(p.timeout))
	line := []byte(key + "\n")
	if n, err := p.in.Write(line); err != nil {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			p.log.Printf("rewrite", errorlog.Error, "mod_rewrite: RewriteMap program %s (map %s) did not read key %.200q within %s: lookups have no value until it answers", p.path, p.name, key, p.timeout)
			// The rest of the key (all of it if none was written) is
			// written while the program reads it, as apache2 would wait:
			// the program owes its answer, and the next key goes after
			// it (a key cut short would put it out of step for good).
			p.in.SetWriteDeadline(time.Time{})
			go p.in.Write(line[n:]) // an error (the program's end, close) is read's EOF
			p.overdue++
			return "", false
		}
		p.ended()
		return "", true
	}
	t := time.NewTimer(p.timeout)
	defer t.Stop()
	select {
	case v, ok := <-p.lines:
		if !ok {
			p.ended()
			return "", true
		}
		if strings.EqualFold(v, "NULL") {
			return "", false
		}
		return v, true
	case <-t.C:
		p.log.Printf("rewrite", errorlog.Error, "mod_rewrite: RewriteMap program %s (map %s) did not answer key %.200q within %s: lookups have no value until it does", p.path, p.name, key, p.timeout)
		p.overdue++
		return "", false
	}
}

// ended marks the program gone and logs it, with how it ended if it has
// been reaped by then.
func (p *mapProgram) ended() {
	if p.dead {
		return
	}
	p.dead = true
	select {
	case <-p.done: // ended by close: nothing to report
		return
	default:
	}
	how := ""
	select {
	case <-p.exited:
		if p.waitErr != nil {
			how = " (" + p.waitErr.Error() + ")"
		} else {
			how = " (exit status 0)"
		}
	case <-time.After(time.Second):
	}
	p.log.Printf("rewrite", errorlog.Error, "mod_rewrite: RewriteMap program %s (map %s) has ended%s: its lookups give an empty value until the server restarts", p.path, p.name, how)
}

// maxProgramConns bounds a program's connections: the children's kept
// ones (rewrite's maxIdlePrg a process) and those of a lookup under way;
// programConnLimit bounds those of every program together. A connection
// beyond is closed at once (its lookup has no value), logged at most once
// a minute.
const maxProgramConns = 4096

// programConns counts the open connections of all the programs of every
// generation: descriptors of the host, which also needs some to restart.
var programConns atomic.Int64

// programConnLimit is a quarter of the host's limit of open files (its
// soft RLIMIT_NOFILE, which Go's runtime raises to the hard one), at least 64.
var programConnLimit = sync.OnceValue(func() int64 {
	var r syscall.Rlimit
	n := int64(1 << 22)
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err == nil && int64(r.Cur) > 0 {
		n = min(n, int64(r.Cur))
	}
	return max(n/4, 64)
})

// programIdle is how long the host keeps a connection that sends no key
// (rewrite's prgClient keeps idle ones, and reconnects when one has been
// closed).
var programIdle = time.Minute

// longKeys bounds the connections that may hold a key longer than their
// reader's buffer at once (each up to rewrite.MaxProgramKey): the others
// wait, their keys in the socket's buffer, so that a peer cannot make the
// host hold more than this many keys. One child could hold all four (a
// child has no long keys: its requests' lines and fields are bounded far
// below).
var longKeys = make(chan struct{}, 4)

// serve answers the children's connections. An error accepting (too many
// open files) is retried after a pause, 5 ms doubling to 1 s, as
// net/http's Server.Serve, logged once a burst (at most once a minute).
func (p *mapProgram) serve() {
	var delay time.Duration
	var acceptErrs minuteGate
	for {
		c, err := p.ln.Accept()
		if err != nil {
			select {
			case <-p.done:
				return
			default:
			}
			if errors.Is(err, net.ErrClosed) {
				return
			}
			if delay == 0 {
				delay = 5 * time.Millisecond
			} else {
				delay = min(2*delay, time.Second)
			}
			if delay == 5*time.Millisecond && acceptErrs.due() {
				p.log.Printf("rewrite", errorlog.Error, "mod_rewrite: RewriteMap program %s (map %s): accept: %v: retrying", p.path, p.name, err)
			}
			select {
			case <-time.After(delay):
			case <-p.done:
				return
			}
			continue
		}
		delay = 0
		if !p.admit(c) {
			c.Close()
			continue
		}
		p.connMu.Lock()
		if p.closed {
			p.connMu.Unlock()
			c.Close()
			return
		}
		n := len(p.conns)
		if n >= maxProgramConns || programConns.Add(1) > programConnLimit() {
			if n < maxProgramConns {
				programConns.Add(-1)
			}
			p.connMu.Unlock()
			c.Close()
			if p.full.due() {
				p.log.Printf("rewrite", errorlog.Error, "mod_rewrite: RewriteMap program %s (map %s): %d connections (at most %d, %d for all the maps): closing new ones (logged at most once a minute)", p.path, p.name, n, maxProgramConns, programConnLimit())
			}
			continue
		}
		p.conns[c] = true
		p.connMu.Unlock()
		go p.answer(c)
	}
}

// answer serves one child's connection: a line per key, a line per answer.
// A key longer than rewrite.MaxProgramKey closes the connection; so does
// one whose end does not come within the timeout once it is longer than
// the reader's buffer, and a connection idle for p.idle.
func (p *mapProgram) answer(c net.Conn) {
	defer func() {
		p.connMu.Lock()
		delete(p.conns, c)
		p.connMu.Unlock()
		programConns.Add(-1)
		c.Close()
	}()
	r := bufio.NewReaderSize(c, 4096)
	var long []byte // a key longer than r's buffer
	var out []byte
	for {
		c.SetReadDeadline(time.Now().Add(p.idle))
		key, err := r.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			select {
			case longKeys <- struct{}{}:
			case <-p.done:
				return
			}
			c.SetReadDeadline(time.Now().Add(p.timeout))
			long = append(long[:0], key...)
			for err == bufio.ErrBufferFull && len(long) <= rewrite.MaxProgramKey {
				key, err = r.ReadSlice('\n')
				long = append(long, key...)
			}
			key = long
			if err != nil || len(key) > rewrite.MaxProgramKey+1 {
				<-longKeys
				return
			}
		}
		if err != nil {
			return
		}
		v, ok := p.lookup(string(key[:len(key)-1]))
		if long != nil {
			long = nil // not kept: a long key is rare
			<-longKeys
		}
		out = out[:0]
		if ok {
			out = append(append(out, '+'), v...)
		} else {
			out = append(out, '-')
		}
		if _, err := c.Write(append(out, '\n')); err != nil {
			return
		}
	}
}

// close ends the program and its connections: SIGTERM to its process
// group (it was started as its leader: the processes it started, a shell
// script's, end with it), SIGKILL to the group 3 s later if the program
// has not ended. A program that had ended before is not signalled: its
// pid may be another's by now.
func (p *mapProgram) close() {
	p.ln.Close()
	p.connMu.Lock()
	p.closed = true
	for c := range p.conns {
		c.Close()
	}
	p.connMu.Unlock()
	close(p.done)
	p.in.Close()
	select {
	case <-p.exited:
		return
	default:
	}
	pgid := p.cmd.Process.Pid
	syscall.Kill(-pgid, syscall.SIGTERM)
	t := time.NewTimer(3 * time.Second)
	defer t.Stop()
	select {
	case <-p.exited:
	case <-t.C:
		syscall.Kill(-pgid, syscall.SIGKILL)
		<-p.exited
	}
}
