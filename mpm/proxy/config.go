// Package proxy is mod_proxy with mod_proxy_http as apache2 2.4.71 does the
// reverse-proxy case: ProxyPass (prefix, "!", key=value worker parameters,
// the one-argument form inside <Location>; upgrade= and ws:// URLs proxy
// WebSockets, tunnel.go), ProxyPassMatch, ProxyPassReverse,
// ProxyPassReverseCookieDomain, ProxyPassReverseCookiePath, ProxyPreserveHost,
// ProxyTimeout, ProxyAddHeaders, ProxyVia and ProxyRequests (Off only: no
// forward proxy here), and RewriteRule [P]'s requests (ForURL).
//
// A request mapped to an http:// backend is sent on a connection from a small
// per-process pool of the backend's worker (apache2 keeps one per child),
// with the X-Forwarded-* fields, without the hop-by-hop ones, its body
// streamed (the first 16 KB read ahead: a body that fits is sent with its
// length, a longer one as the client sent it, chunked or with its
// Content-Length); the answer is streamed back, its Location,
// Content-Location and URI mapped back by ProxyPassReverse. A backend that
// refuses is 503 (AH00957, AH01114), one that does not answer in time or
// closes without answering 502 (AH01102, AH00898), one whose name does not
// resolve 500; as apache2 2.4.71 in these cases, no worker is put in error
// (the retry= parameter is accepted and not applied).
package proxy

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/httpd-mpm/httpd-mpm/mpm/apregex"
	"github.com/httpd-mpm/httpd-mpm/mpm/static"
)

// Directives are the directive names this package reads.
var Directives = []string{
	"ProxyPass", "ProxyPassMatch", "ProxyPassReverse", "ProxyPassReverseCookieDomain",
	"ProxyPassReverseCookiePath", "ProxyPreserveHost", "ProxyRequests", "ProxyTimeout",
	"ProxyAddHeaders", "ProxyVia", "BalancerMember", "ProxySet", "BalancerInherit", "ProxyPassInherit",
}

// IsDirective says whether name is one of Directives.
func IsDirective(name string) bool {
	for _, d := range Directives {
		if strings.EqualFold(d, name) {
			return true
		}
	}
	return false
}

// Via is ProxyVia's setting.
type Via int

// ProxyVia's values.
const (
	ViaOff Via = iota
	ViaOn
	ViaFull
	ViaBlock
)

// pass is one ProxyPass or ProxyPassMatch.
type pass struct {
	fake    string         // the URL-path prefix
	re      *regexp.Regexp // ProxyPassMatch, or "~"
	real    string         // the backend URL; "!" excludes
	noquery bool
	b       *balancer // a balancer:// URL
	// upgrade is the line's upgrade= list ("*" for ANY), "" for none: kept
	// with the line, as apache2's worker is the line's own URL.
	upgrade string
}

// reverse is one ProxyPassReverse or ProxyPassReverseCookie* line.
type reverse struct{ fake, real string }

// Config is the proxy configuration of a server, with its <Location> sections' lines.
// It is safe for concurrent use once built.
type Config struct {
	passes        []pass // the sections' (last first), then the top level's
	reverses      []reverse
	cookieDomains []reverse
	cookiePaths   []reverse
	// PreserveHost, AddHeaders (default on) and Via are per server here.
	preserveHost  bool
	addHeadersOff bool
	via           Via
	timeout       time.Duration // ProxyTimeout; 0: the server's Timeout
	mu            sync.Mutex
	// events are the lines that define or name workers, as read; named
	// the workers they define (Resolve), apache2's conf->workers: in
	// the order of the files, a virtual host's after the main server's
	// (Inherit).
	events       []*workerEvent
	named        []*worker
	balancers    map[string]*balancer // by "balancer://name"
	balancerList []*balancer          // in the order of their lines (see At)
	// file, line and seq are the position of the directive being read (At).
	file      string
	line, seq int

	// BalancerInherit Off and ProxyPassInherit Off (see Inherit).
	balancerInheritOff, passInheritOff bool

	// methods has bit 1<<m for each lbmethod m a LoadModule line loads,
	// modules is set once any LoadModule line is read (see LoadModule).
	methods uint8
	modules bool

	// instances are the workers instance made, by name and settings;
	// byURL the same by the [unix:sock|]scheme://authority of a URL that
	// gave them, found without parsing the URL again.
	instances map[instanceKey]*worker
	byURL     map[instanceKey]*worker
}

// LoadModule reads the module name of a LoadModule line: balancer-manager
// offers the lbmethods whose modules the lines load (all of them when c
// reads none).
func (c *Config) LoadModule(name string) {
	c.modules = true
	if m, ok := lbmethods[strings.TrimSuffix(strings.TrimPrefix(name, "lbmethod_"), "_module")]; ok {
		c.methods |= 1 << m
	}
}

// methodLoaded reports whether balancer-manager offers lbmethod m.
func (c *Config) methodLoaded(m lbmethod) bool {
	return !c.modules || c.methods&(1<<m) != 0
}

// At tells c the position of the directive it reads next (Set, SetProxy,
// SetLocation): its file and line, and seq its place in reading order
// across the included files (0 if unknown); it returns c. The balancers
// are listed (balancer-manager) in the order of the lines that define
// them, as apache2 does, whatever order the directives are read in.
func (c *Config) At(file string, line, seq int) *Config {
	c.file, c.line, c.seq = file, line, seq
	return c
}

// LinePos is a directive line's place: its file, its line and its place
// in reading order across the included files (At), comparable: a line
// read by the main server and by a virtual host is one LinePos.
type LinePos struct {
	File      string
	Line, Seq int
}

// Empty says whether nothing is proxied.
func (c *Config) Empty() bool { return c == nil || len(c.passes) == 0 }

// Set reads one directive of the top level. The messages are apache2's.
func (c *Config) Set(name string, args []string) error { return c.set(name, args, "", false) }

// SetLocation reads one directive of a <Location> section (<LocationMatch>,
// or "~", when regex is true) whose path is loc. As in apache2, the last
// section's ProxyPass that covers a path maps it, before the top level's.
func (c *Config) SetLocation(name string, args []string, loc string, regex bool) error {
	return c.set(name, args, loc, regex)
}

// SetProxy reads one directive of a <Proxy> or <ProxyMatch> section whose
// URL is u: BalancerMember and ProxySet apply to it, and a directive named
// "<Proxy" or "<ProxyMatch" carries the section's own key=value words (the
// others are not read there).
func (c *Config) SetProxy(name string, args []string, u string) error {
	if kind, ok := strings.CutPrefix(name, "<"); ok {
		return c.SetSection(kind, u, args)
	}
	switch strings.ToLower(name) {
	case "balancermember":
		return c.addMember(args, u)
	case "proxyset":
		return c.proxySet(args, u)
	}
	return nil
}

func (c *Config) set(name string, args []string, loc string, regex bool) error {
	switch strings.ToLower(name) {
	case "balancermember":
		return c.addMember(args, "")
	case "proxyset":
		return c.proxySet(args, "")
	case "proxypass", "proxypassmatch":
		return c.addPass(regex || strings.EqualFold(name, "proxypassmatch"), args, loc)
	case "proxypassreverse":
		switch {
		case loc != "" && len(args) >= 1:
			c.reverses = append(c.reverses, reverse{fake: loc, real: args[0]})
		case len(args) >= 2:
			c.reverses = append(c.reverses, reverse{fake: args[0], real: args[1]})
		default:
			return errors.New("ProxyPassReverse needs a path when not defined in a location")
		}
	case "proxypassreversecookiedomain", "proxypassreversecookiepath":
		if len(args) < 2 {
			return errors.New(name + " needs a path when not defined in a location")
		}
		// The backend's (internal) value, then the public one.
		r := reverse{fake: args[0], real: args[1]}
		if strings.EqualFold(name, "proxypassreversecookiedomain") {
			c.cookieDomains = append(c.cookieDomains, r)
		} else {
			c.cookiePaths = append(c.cookiePaths, r)
		}
	case "proxypreservehost":
		on, err := flag(name, args)
		c.preserveHost = on
		return err
	case "proxyaddheaders":
		on, err := flag(name, args)
		c.addHeadersOff = !on
		return err
	case "balancerinherit", "proxypassinherit":
		// FLAGs in apache2: only the first word counts.
		on, err := flag(name, args[:min(len(args), 1)])
		if strings.EqualFold(name, "balancerinherit") {
			c.balancerInheritOff = !on
		} else {
			c.passInheritOff = !on
		}
		return err
	case "proxyrequests":
		on, err := flag(name, args)
		if err == nil && on {
			return errors.New("ProxyRequests On: a forward proxy is not provided by this server (only ProxyRequests Off)")
		}
		return err
	case "proxytimeout":
		if len(args) != 1 {
			return errors.New("ProxyTimeout takes one argument, Set the timeout for the proxied request")
		}
		n, err := strconv.Atoi(args[0])
		if err != nil || n < 1 {
			return errors.New("Proxy Timeout must be at least 1 second.")
		}
		c.timeout = time.Duration(n) * time.Second
	case "proxyvia":
		if len(args) != 1 {
			return errors.New("ProxyVia must be one of: off | on | full | block")
		}
		switch strings.ToLower(args[0]) {
		case "off":
			c.via = ViaOff
		case "on":
			c.via = ViaOn
		case "full":
			c.via = ViaFull
		case "block":
			c.via = ViaBlock
		default:
			return errors.New("ProxyVia must be one of: off | on | full | block")
		}
	}
	return nil
}

func flag(name string, args []string) (bool, error) {
	if len(args) == 1 {
		switch strings.ToLower(args[0]) {
		case "on":
			return true, nil
		case "off":
			return false, nil
		}
	}
	return false, errors.New(name + " must be On or Off")
}

func (c *Config) addPass(isRegex bool, args []string, loc string) error {
	p := pass{}
	var f, r string
	fSet := loc != ""
	if fSet {
		f = loc
	}
	rSet := false
	var params [][2]string
	for _, word := range args {
		switch {
		case !fSet && loc == "":
			if word == "~" {
				if isRegex {
					return errors.New("ProxyPassMatch invalid syntax ('~' usage).")
				}
				isRegex = true
				continue
			}
			f, fSet = word, true
		case !rSet:
			r, rSet = word, true
		case strings.EqualFold(word, "nocanon"), strings.EqualFold(word, "interpolate"):
		case strings.EqualFold(word, "noquery"):
			p.noquery = true
		default:
			k, v, ok := strings.Cut(word, "=")
			if !ok {
				if loc != "" && strings.HasPrefix(r, "/") {
					return errors.New("ProxyPass|ProxyPassMatch can not have a path when defined in a location.")
				}
				return errors.New("Invalid ProxyPass|ProxyPassMatch parameter. Parameter must be in the form 'key=value'.")
			}
			if strings.EqualFold(k, "mapping") {
				// A ProxyPass flag in apache2, not a worker parameter
				// (ProxySet refuses it); accepted, not applied here.
				if !strings.EqualFold(v, "encoded") && !strings.EqualFold(v, "servlet") {
					return errors.New("unknown mapping")
				}
				continue
			}
			params = append(params, [2]string{k, v})
		}
	}
	if !rSet {
		return errors.New("ProxyPass|ProxyPassMatch needs a path when not defined in a location")
	}
	if loc != "" && strings.ContainsAny(f, "*?[") {
		isRegex = true
	}
	p.fake, p.real = f, deSocketHost(r)
	if sock, _ := deSocket(r); isRegex && strings.Contains(sock, "$") {
		// The request would choose the socket (a "$1" from its path):
		// any socket on the machine, docker's say. apache2 2.4.71 takes
		// no socket from a ProxyPassMatch line at all.
		return errors.New("ProxyPassMatch: a $ substitution in the unix: socket path (" + sock + ") would let requests choose the socket; write the socket path literally")
	}
	if isRegex {
		re, err := apregex.Compile(f, false)
		if err != nil {
			return errors.New("Regular expression could not be compiled.")
		}
		p.re = re
	}
	if r == "!" {
		c.add(p, loc != "")
		return nil
	}
	if name, ok := balancerName(r); ok {
		_, named := c.balancers[name]
		b := c.balancer(r)
		b.onlyPassed = (!named || b.onlyPassed) && len(params) == 0
		b.passedAt = append(b.passedAt, LinePos{c.file, c.line, c.seq})
		for _, kv := range params {
			if err := b.set(kv[0], kv[1]); err != nil {
				return errors.New("ProxyPass " + err.Error())
			}
		}
		p.b, b.vpath = b, f
		c.add(p, loc != "")
		return nil
	}
	// upgrade= stays with the line (see pass.upgrade); the others go
	// to the line's worker, unless it shares one (Resolve).
	var wparams [][2]string
	for _, kv := range params {
		if !strings.EqualFold(kv[0], "upgrade") {
			wparams = append(wparams, kv)
			continue
		}
		var s workerSettings
		if err := s.set(kv[0], kv[1]); err != nil {
			return errors.New("ProxyPass " + err.Error())
		}
		p.upgrade = s.upgrade
	}
	c.record(evPass, r, isRegex, wparams, "")
	c.events[len(c.events)-1].given = tableSet(params)
	c.add(p, loc != "")
	return nil
}

// add puts p among the passes: a section's before the top level's, the last
// section's first.
func (c *Config) add(p pass, inLocation bool) {
	if !inLocation {
		c.passes = append(c.passes, p)
		return
	}
	c.passes = append([]pass{p}, c.passes...)
}

// workerSettings are a worker's key=value parameters.
type workerSettings struct {
	timeout, connectTimeout time.Duration // 0: not set
	retry                   time.Duration
	retrySet                bool
	keepalive               bool
	upgrade                 string // upgrade=: "*" for ANY, "" none
	disableReuse            bool
	reuseSet                bool // disablereuse or enablereuse given
}

func (s *workerSettings) set(key, val string) error {
	switch strings.ToLower(key) {
	case "timeout":
		n, _ := strconv.Atoi(val)
		if n < 1 {
			return errors.New("Timeout must be at least one second")
		}
		s.timeout = time.Duration(n) * time.Second
	case "connectiontimeout":
		d, err := timeoutParam(val, "s")
		if err != nil {
			return errors.New("Connectiontimeout has wrong format")
		}
		if d < time.Millisecond {
			return errors.New("Connectiontimeout must be at least one millisecond.")
		}
		s.connectTimeout = d
	case "retry":
		n, _ := strconv.Atoi(val)
		if n < 0 {
			return errors.New("Retry must be a positive value")
		}
		s.retry, s.retrySet = time.Duration(n)*time.Second, true
	case "keepalive":
		on, err := onOff(val, "KeepAlive must be On|Off")
		s.keepalive = on
		return err
	case "disablereuse":
		on, err := onOff(val, "DisableReuse must be On|Off")
		s.disableReuse, s.reuseSet = on, true
		return err
	case "enablereuse":
		on, err := onOff(val, "EnableReuse must be On|Off")
		s.disableReuse, s.reuseSet = !on, true
		return err
	case "upgrade":
		if len(val) >= maxUpgrade {
			return fmt.Errorf("upgrade protocol length must be < %d characters", maxUpgrade)
		}
		if s.upgrade = val; strings.EqualFold(val, "ANY") {
			s.upgrade = "*"
		}
	case "max", "min", "smax", "ttl", "acquire", "flushpackets", "flushwait", "iobuffersize",
		"receivebuffersize", "ping", "lbset", "loadfactor", "route", "redirect", "status",
		"hcmethod", "hcinterval", "hcpasses", "hcfails", "hcuri", "hcexpr", "hctemplate",
		"responsefieldsize", "addressttl", "secret":
		// Accepted, not applied here.
	default:
		return errors.New("unknown Worker parameter")
	}
	return nil
}

func onOff(val, msg string) (bool, error) {
	switch strings.ToLower(val) {
	case "on":
		return true, nil
	case "off":
		return false, nil
	}
	return false, errors.New(msg)
}

// timeoutParam is ap_timeout_parameter_parse: a number with an optional unit
// (ms, s, mi, h), def when there is none.
func timeoutParam(val, def string) (time.Duration, error) {
	i := 0
	for i < len(val) && val[i] >= '0' && val[i] <= '9' {
		i++
	}
	n, err := strconv.ParseInt(val[:i], 10, 64)
	if err != nil {
		return 0, err
	}
	unit := val[i:]
	if unit == "" {
		unit = def
	}
	switch strings.ToLower(unit) {
	case "ms":
		return time.Duration(n) * time.Millisecond, nil
	case "s":
		return time.Duration(n) * time.Second, nil
	case "mi", "min":
		return time.Duration(n) * time.Minute, nil
	case "h":
		return time.Duration(n) * time.Hour, nil
	}
	return 0, errors.New("bad unit")
}

// The kinds of workerEvent.
const (
	evPass    = iota // a ProxyPass or ProxyPassMatch line: shares or defines
	evSet            // ProxySet URL: names a worker defined before it
	evSection        // a <Proxy URL> section's ProxySet or parameters: shares or defines
)

// workerEvent is a line that defines or names a worker, kept as it is read
// and resolved once the files are read (Resolve), in their order, as
// apache2 reads them.
type workerEvent struct {
	kind   int
	url    string // as written, with its socket
	match  bool   // ProxyPassMatch: its worker's name is a pattern (ematch)
	params [][2]string
	given  [][2]string // a ProxyPass line's key=value words, as apache2's table keeps them
	prefix string      // a ProxySet's or section's error prefix
	file   string
	line   int
	seq, n int // its place in reading order (Config.At), and among the events
}

// before says whether d's line comes before e's in the configuration
// files: by seq when both are known, else by the order they were read in.
func (d *workerEvent) before(e *workerEvent) bool {
	if d.seq > 0 && e.seq > 0 {
		return d.seq < e.seq
	}
	return d.n < e.n
}

// record keeps a line that defines or names the worker of URL u.
func (c *Config) record(kind int, u string, match bool, params [][2]string, prefix string) {
	c.events = append(c.events, &workerEvent{kind: kind, url: u, match: match, params: params, prefix: prefix,
		file: c.file, line: c.line, seq: c.seq, n: len(c.events)})
}

// A LineError is a problem of the directive at File:Line that Resolve finds.
type LineError struct {
	File string
	Line int
	Err  error
}

func (e *LineError) Error() string { return e.Err.Error() }

func (e *LineError) Unwrap() error { return e.Err }

// Resolve defines the workers of the lines read, in the order of the files
// as apache2 2.4.71's add_pass, set_proxy_param and proxysection do: a
// ProxyPass (or <Proxy> section) line whose URL the name of a worker
// defined before it starts (the longest) shares that worker, its
// parameters ignored (apache2's AH01146 warning); any other defines a
// worker of its own with its parameters. ProxySet URL sets the parameters
// of the worker whose name starts URL. Call it once every directive is
// read; its errors are *LineError.
func (c *Config) Resolve() error {
	named, errs := resolve(c.events, nil)
	c.named = named
	return errors.Join(errs...)
}

// A Note is a line apache2 logs about a directive as it reads it, at
// Level, under the module proxy: Seq, File and Line are the directive's.
type Note struct {
	File  string
	Line  int
	Seq   int
	Level static.Level
	Text  string
}

// SharingNotes are apache2 2.4.71's add_pass lines for the ProxyPass and
// ProxyPassMatch lines c read that share a worker defined before them
// (Resolve): AH01145 (info) naming the worker shared and the line's URL,
// then AH01146 (warn) for each of the line's key=value parameters, which
// are ignored (upgrade= too, which here stays the line's), in the order
// of the lines.
func (c *Config) SharingNotes() []Note {
	var notes []Note
	resolve(c.events, func(e *workerEvent, w *worker) {
		name := w.id
		if w.sock != "" {
			name = "unix:" + w.sock + "|" + name
		}
		_, real := deSocket(deSocketHost(e.url))
		note := func(level static.Level, text string) {
			notes = append(notes, Note{File: e.file, Line: e.line, Seq: e.seq, Level: level, Text: text})
		}
		note(static.LevelInfo, "AH01145: Sharing worker '"+name+"' instead of creating new worker '"+real+"'")
		for _, kv := range e.given {
			note(static.LevelWarn, "AH01146: Ignoring parameter '"+kv[0]+"="+kv[1]+"' for worker '"+name+"' because of worker sharing")
		}
	})
	return notes
}

// tableSet is params as apache2's apr_table_setn keeps them: a key given
// twice (in any case) once, at its first place, with its last value.
func tableSet(params [][2]string) [][2]string {
	var out [][2]string
	for _, kv := range params {
		i := slices.IndexFunc(out, func(o [2]string) bool { return strings.EqualFold(o[0], kv[0]) })
		if i < 0 {
			out = append(out, kv)
		} else {
			out[i][1] = kv[1]
		}
	}
	return out
}

// resolve defines the workers of events: those the events define, in the
// order of their lines. shared, if not nil, is called for each ProxyPass
// event that shares a worker defined before it.
func resolve(events []*workerEvent, shared func(e *workerEvent, w *worker)) (named []*worker, errs []error) {
	events = slices.Clone(events)
	slices.SortStableFunc(events, func(a, b *workerEvent) int {
		switch {
		case a.before(b):
			return -1
		case b.before(a):
			return 1
		}
		return 0
	})
	for _, e := range events {
		var err error
		var w *worker
		if named, w, err = e.resolve(named); err != nil {
			errs = append(errs, &LineError{File: e.file, Line: e.line, Err: err})
		}
		if w != nil && shared != nil {
			shared(e, w)
		}
	}
	return named, errs
}

// resolve applies e to the workers named so far, which it returns with the
// worker e defines, if any, and the one it shares (a ProxyPass line's).
func (e *workerEvent) resolve(named []*worker) ([]*worker, *worker, error) {
	_, bare := deSocket(deSocketHost(e.url))
	mask := lookPrefix | lookMatch
	if e.kind != evSet {
		mask = lookPrefix
		if e.match {
			mask = lookMatch
		}
	}
	w := lookup(named, bare, mask, false)
	switch {
	case w != nil && e.kind == evPass:
		return named, w, nil // shared: apache2 ignores the parameters
	case w == nil && e.kind == evSet:
		return named, nil, errors.New("ProxySet can not find '" + e.url + "' Worker.")
	case w == nil:
		var err error
		if w, err = defineWorker(e.url, e.match); err != nil {
			if errors.Is(err, errNotAbsolute) {
				// apache2's words: the directive's name, the URL after.
				prefix := "ProxyPass "
				if e.kind == evSection {
					prefix = strings.TrimSuffix(strings.TrimSuffix(e.prefix, " "), ":") + " "
				}
				err = errors.New(prefix + "URL must be absolute!: " + e.url)
			}
			return named, nil, err
		}
		named = append(named, w)
	}
	for _, kv := range e.params {
		if err := w.settings.set(kv[0], kv[1]); err != nil {
			if e.kind == evPass {
				return named, nil, errors.New("ProxyPass " + err.Error())
			}
			return named, nil, errors.New(e.prefix + err.Error() + " " + kv[0] + "=" + kv[1] + "; " + e.url)
		}
	}
	return named, nil, nil
}

// defineWorker is the worker a line of URL u defines (ap_proxy_define_worker),
// a ProxyPassMatch line's when match: a $N in its path makes it reuse no
// connection unless enablereuse=on says so, one in its host or port none
// ever (a template).
func defineWorker(u string, match bool) (*worker, error) {
	u = socketLocalhost(u)
	_, bare := deSocket(u)
	id, hostEnd := canonName(bare, true)
	if match && hostEnd > 0 && strings.Contains(id[:hostEnd], "$") {
		scheme, _, _ := strings.Cut(id, "://")
		w := &worker{id: id, url: u, scheme: scheme, match: true, template: true}
		w.settings.disableReuse = true
		return w, nil
	}
	w, err := newWorker(u, &workerSettings{})
	if err != nil {
		return nil, err
	}
	w.id, w.match = id, match
	if match && strings.Contains(id, "$") {
		w.settings.disableReuse = true
	}
	return w, nil
}

// What lookup compares: prefix workers' names, match workers' patterns.
const (
	lookPrefix = 1 << iota
	lookMatch
)

// lookup is apache2's ap_proxy_get_worker_ex: of named, the worker whose
// name starts URL u (a URL without a socket) the longest way, at least
// its scheme://host[:port], the first defined of equals, nil for none;
// a match worker's name is compared with its $N standing for any text.
// The scheme and host are compared in lower case, the rest as it is; a
// request's URL (canonical) has its scheme's default port left out, as
// mod_proxy's canon handlers leave it.
func lookup(named []*worker, u string, mask int, canonical bool) *worker {
	u, hostEnd := canonName(u, canonical)
	if hostEnd < 0 {
		return nil
	}
	var best *worker
	for _, w := range named {
		n := len(w.id)
		if n > len(u) || n < hostEnd || best != nil && n <= len(best.id) {
			continue
		}
		if w.match {
			if mask&lookMatch == 0 || !ematch(u, w.id) {
				continue
			}
		} else if mask&lookPrefix == 0 || !strings.HasPrefix(u, w.id) {
			continue
		}
		best = w
	}
	return best
}

// ematch says whether u starts with the pattern name, in which a run of
// $N (N a digit) stands for any text and '\' makes the next byte literal,
// as apache2's ap_proxy_strcmp_ematch compares a match worker's name.
func ematch(u, name string) bool {
	i := 0
	for j := 0; j < len(name); j++ {
		if name[j] == '$' && j+1 < len(name) && isDigit(name[j+1]) {
			for j+1 < len(name) && name[j] == '$' && isDigit(name[j+1]) {
				j += 2
			}
			if j == len(name) {
				return true
			}
			for k := i; k < len(u); k++ {
				if ematch(u[k:], name[j:]) {
					return true
				}
			}
			return false
		}
		if i == len(u) {
			return false
		}
		if name[j] == '\\' {
			if j++; j == len(name) {
				return false
			}
		}
		if u[i] != name[j] {
			return false
		}
		i++
	}
	return true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// canonName is URL u with its scheme://host[:port] in lower case (ASCII,
// as apache2's ap_str_tolower) and, when dropPort, without its scheme's
// default port (apache2's worker names and canonical URLs), and the length
// of that part (-1 when u has no "://"). u itself when it is so already;
// otherwise one allocation.
func canonName(u string, dropPort bool) (string, int) {
	i := strings.Index(u, "://")
	if i < 0 {
		return u, -1
	}
	hostEnd := len(u)
	if j := strings.IndexByte(u[i+3:], '/'); j >= 0 {
		hostEnd = i + 3 + j
	}
	cut := hostEnd // where the name's part ends in u
	if dropPort {
		auth := u[i+3 : hostEnd]
		if k := strings.LastIndexByte(auth, ':'); k >= 0 && !strings.Contains(auth[k:], "]") && isDefaultPort(u[:i], auth[k+1:]) {
			cut = i + 3 + k
		}
	}
	upper := false
	for k := 0; k < cut && !upper; k++ {
		upper = 'A' <= u[k] && u[k] <= 'Z'
	}
	if !upper && cut == hostEnd {
		return u, hostEnd
	}
	var b strings.Builder
	b.Grow(cut + len(u) - hostEnd)
	for k := 0; k < cut; k++ {
		c := u[k]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b.WriteByte(c)
	}
	b.WriteString(u[hostEnd:])
	return b.String(), cut
}

// isDefaultPort says whether port is scheme's default (scheme in any case),
// as strconv.Atoi of it would compare: a '+' and leading zeros allowed.
func isDefaultPort(scheme, port string) bool {
	def, ok := defaultPort[scheme]
	if !ok {
		for s, p := range defaultPort {
			if strings.EqualFold(s, scheme) {
				def, ok = p, true
			}
		}
	}
	port = strings.TrimLeft(strings.TrimPrefix(port, "+"), "0")
	return ok && port == def
}

// errNotAbsolute is newWorker's error for a URL without a host.
var errNotAbsolute = errors.New("ProxyPass URL must be absolute!")

// newWorker makes a worker for the backend URL u with the parameters s: an
// http:// or fcgi:// URL, the latter perhaps after "unix:/path|" (a unix
// domain socket).
func newWorker(u string, s *workerSettings) (*worker, error) {
	sock, u := deSocket(socketLocalhost(u))
	pu, err := url.Parse(u)
	if err != nil || pu.Host == "" {
		return nil, errNotAbsolute
	}
	scheme := strings.ToLower(pu.Scheme)
	if scheme != "http" && scheme != "fcgi" && scheme != "ws" {
		return nil, errors.New("ProxyPass " + scheme + ": scheme not provided here (only http://, ws:// and fcgi://)")
	}
	port := pu.Port()
	if port == "" {
		port = defaultPort[scheme]
	}
	host := strings.ToLower(pu.Hostname())
	name := scheme + "://" + host + ":" + port
	if sock != "" {
		name = "unix:" + sock + "|" + name
	}
	w := &worker{name: name, url: u, scheme: scheme, host: host, port: port, sock: sock, settings: *s}
	if sock != "" {
		w.url = "unix:" + sock + "|" + u
	}
	if scheme == "fcgi" && !s.reuseSet {
		// mod_proxy_fcgi reuses a connection only with enablereuse=on
		// (or disablereuse=off).
		w.settings.disableReuse = true
	}
	return w, nil
}

// defaultPort is each scheme's port (ap_proxy_port_of_scheme).
var defaultPort = map[string]string{"http": "80", "ws": "80", "fcgi": "8000"}

// maxUpgrade bounds an upgrade= value, as apache2's worker field.
const maxUpgrade = 16

// deSocket splits "unix:/path|scheme://..." into the socket's path and the
// URL (ap_proxy_de_socketfy); sock is "" for a URL without one.
func deSocket(u string) (sock, rest string) {
	if len(u) < 5 || !strings.EqualFold(u[:5], "unix:") {
		return "", u
	}
	sock, rest, ok := strings.Cut(u[5:], "|")
	if !ok {
		return "", u
	}
	return sock, rest
}

// deSocketHost is a ProxyPass line's URL as apache2's ap_proxy_de_socketfy
// keeps it, its socket here kept before it: one on a socket whose own URL
// is "scheme:" or "scheme://" gets the host localhost ("unix:/s|fcgi:" is
// "unix:/s|fcgi://localhost"); any other is u.
func deSocketHost(u string) string {
	if head, scheme, after, ok := onSocket(u); ok && (after == "" || after == "//") {
		return head + scheme + "://localhost"
	}
	return u
}

// onSocket splits a URL on a socket, "unix:/s|scheme:after", into what
// comes before its own URL (head), that URL's scheme and what follows its
// colon; ok is false for a URL on no socket, or whose own URL has no colon.
func onSocket(u string) (head, scheme, after string, ok bool) {
	sock, rest := deSocket(u)
	if sock == "" {
		return "", "", "", false
	}
	scheme, after, ok = strings.Cut(rest, ":")
	return u[:len(u)-len(rest)], scheme, after, ok
}

// socketLocalhost is URL u with the host localhost when it is on a socket
// and its own URL has none ("unix:/s|fcgi:///x" is
// "unix:/s|fcgi://localhost/x", "unix:/s|fcgi:/x" too), as apache2's
// ap_proxy_define_worker names the worker of such a URL; any other is u.
func socketLocalhost(u string) string {
	head, scheme, after, ok := onSocket(u)
	if !ok {
		return u
	}
	if auth, found := strings.CutPrefix(after, "//"); found {
		if i := strings.IndexAny(auth, "/?#"); i != 0 && auth != "" {
			return u // a host
		}
		after = auth
	}
	return head + scheme + "://localhost" + after
}

// hostless is the refusal of the backend URL u when it is on a socket and
// its own URL has no host: a ProxyPass line's "unix:/s|fcgi:///x" or
// "unix:/s|http:/x" defines the worker of the host localhost but maps a
// request to that URL as it is written, which apache2's scheme canon
// refuses (400: mod_proxy_fcgi's AH01059, its line showing the URL after
// "fcgi:" as ap_proxy_canon_netloc left it; mod_proxy_http's AH01083 the
// URL whole so, "http://" for a host left empty), without the request's
// query. Nil for any other URL.
func hostless(u string) *refusal {
	_, scheme, after, ok := onSocket(u)
	if !ok {
		return nil
	}
	after, _, _ = strings.Cut(after, "?")
	module, code, shown := "proxy_http", "AH01083", scheme+":"
	switch strings.ToLower(scheme) {
	case "fcgi":
		module, code, shown = "proxy_fcgi", "AH01059", ""
	case "http", "ws":
	default:
		return nil
	}
	switch {
	case !strings.HasPrefix(after, "//"):
		return &refusal{status: 400, module: module, reason: code + ": error parsing URL " + shown + after + ": Malformed URL"}
	case strings.HasPrefix(after, "///"):
		return &refusal{status: 400, module: module, reason: code + ": error parsing URL " + shown + "//: Invalid host/port"}
	}
	return nil
}

// match maps the URL-path p (decoded, normalized) and the query through the
// ProxyPass lines: the backend URL and its worker, ok false when none maps it
// or a "!" line excludes it. A ProxyPassMatch substitution naming no valid
// backend gives bad, the refusal to answer with.
func (c *Config) match(p, query string, hasQuery bool) (target string, w *worker, b *balancer, bad *refusal, upgrade string, ok bool) {
	for i := range c.passes {
		e := &c.passes[i]
		var found string
		if e.re != nil {
			m := e.re.FindStringSubmatchIndex(p)
			if m == nil {
				continue
			}
			if e.real == "!" {
				return "", nil, nil, nil, "", false
			}
			found = string(e.re.ExpandString(nil, dollars(e.real), p, m))
			if bad := hostless(found); bad != nil {
				return "", nil, nil, bad, "", true
			}
			if found == e.real {
				found = e.real + canon(p)
			} else {
				// apache2 canonicalizes the URL as a whole: a '?' or
				// '#' the substitution brings is part of the path
				// (the query is only the request's).
				var bad *refusal
				if found, bad = canonPath(found); bad != nil {
					return "", nil, nil, bad, "", true
				}
			}
		} else {
			n := aliasMatch(p, e.fake)
			if n == 0 {
				continue
			}
			if e.real == "!" {
				return "", nil, nil, nil, "", false
			}
			found = e.real + canon(p[n:])
			if bad := hostless(found); bad != nil {
				return "", nil, nil, bad, "", true
			}
		}
		if (query != "" || hasQuery) && !e.noquery {
			found += "?" + query
		}
		if e.b != nil {
			b := e.b
			if e.re != nil && strings.IndexByte(b.name, '$') >= 0 {
				// ProxyPassMatch ^/pm(.*)$ balancer://bal$1: apache2
				// defines a balancer named bal$1 but serves each request
				// by the one its substituted URL names (bal for /pm/x).
				b = c.balancerFor(found)
			}
			return found, nil, b, nil, e.upgrade, true
		}
		w, err := c.workerFor(found)
		if err != nil {
			return "", nil, nil, nil, "", false
		}
		return found, w, nil, nil, e.upgrade, true
	}
	return "", nil, nil, nil, "", false
}

// workerFor is the worker that serves the backend URL u, as apache2's
// ap_proxy_pre_request finds it whatever line mapped u: the server's
// worker whose name matches u best (lookup), else the default reverse
// proxy worker (generic: a connection per request). A worker without a
// socket serves a URL with one on that socket, as apache2 takes the
// request's; a template worker serves each backend with a worker of its
// own.
func (c *Config) workerFor(u string) (*worker, error) {
	sock, bare := deSocket(u)
	w := lookup(c.named, bare, lookPrefix|lookMatch, true)
	switch {
	case w == nil:
		return c.instance(u, &genericSettings, false)
	case w.template || sock != "" && w.sock == "":
		return c.instance(u, &w.settings, w.template)
	}
	return w, nil
}

// instance is a worker for the backend URL u with the settings s, of a
// worker that has none of its own (a template's, the generic one): one
// per backend and settings, reusing no connection when noReuse. A URL
// whose authority gave one before finds it without a new one made, when
// nothing after that authority could make newWorker refuse u.
func (c *Config) instance(u string, s *workerSettings, noReuse bool) (*worker, error) {
	auth, plain := urlAuthority(u)
	if plain {
		c.mu.Lock()
		w := c.byURL[instanceKey{auth, s}]
		c.mu.Unlock()
		if w != nil {
			return w, nil
		}
	}
	w, err := newWorker(u, s)
	if err != nil {
		return nil, err
	}
	w.settings.disableReuse = w.settings.disableReuse || noReuse
	w.generic = s == &genericSettings
	key := instanceKey{w.name, s}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.instances[key]; old != nil {
		w = old
	} else if len(c.instances) < maxDollarWorkers {
		if c.instances == nil {
			c.instances = map[instanceKey]*worker{}
		}
		c.instances[key] = w
	} else {
		return w, nil
	}
	if plain && len(c.byURL) < maxDollarWorkers {
		if c.byURL == nil {
			c.byURL = map[instanceKey]*worker{}
		}
		c.byURL[instanceKey{strings.Clone(auth), s}] = w
	}
	return w, nil
}

// An instanceKey names a worker instance made: a worker's name, or a URL's
// authority (see urlAuthority), and its settings.
type instanceKey struct {
	name string
	s    *workerSettings
}

// urlAuthority is URL u up to the end of its authority, its socket
// included ("unix:/path|fcgi://host:port"); plain says that what follows
// it is a path, query and nothing else that url.Parse would refuse (no
// control character, no fragment, a path's '%' before two hex digits), so
// that the authority alone decides what newWorker makes of u.
func urlAuthority(u string) (auth string, plain bool) {
	_, bare := deSocket(u)
	i := strings.Index(bare, "://")
	if i < 0 {
		return "", false
	}
	end := len(u) - len(bare) + i + 3
	for end < len(u) && u[end] != '/' {
		if c := u[end]; c == '?' || c == '#' {
			return "", false
		}
		end++
	}
	query := false
	for k := end; k < len(u); k++ {
		switch c := u[k]; {
		case c < ' ' || c == 0x7f || c == '#':
			return "", false
		case c == '?':
			query = true
		case c == '%' && !query && (k+2 >= len(u) || !isHex(u[k+1]) || !isHex(u[k+2])):
			return "", false
		}
	}
	return u[:end], true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// maxDollarWorkers bounds the workers instance makes.
const maxDollarWorkers = 256

// dollars turns apache2's $1 references into Go's ${1}.
func dollars(s string) string {
	if !strings.Contains(s, "$") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '$' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9' {
			b.WriteString("${")
			b.WriteByte(s[i+1])
			b.WriteString("}")
			i++
			continue
		}
		if s[i] == '$' {
			b.WriteString("$$")
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// aliasMatch is mod_proxy's alias_match: the length of p that the prefix fake
// covers (runs of slashes count as one), 0 when it does not.
func aliasMatch(p, fake string) int {
	i, j := 0, 0
	for j < len(fake) {
		if fake[j] == '/' {
			if i >= len(p) || p[i] != '/' {
				return 0
			}
			for j < len(fake) && fake[j] == '/' {
				j++
			}
			for i < len(p) && p[i] == '/' {
				i++
			}
			continue
		}
		if i >= len(p) || p[i] != fake[j] {
			return 0
		}
		i++
		j++
	}
	// The prefix's last segment matches whole: "/app" covers "/app" and
	// "/app/x", not "/app2" (apache2's "last alias path component matched
	// all the way").
	if i == 0 || fake[len(fake)-1] != '/' && i < len(p) && p[i] != '/' {
		return 0
	}
	return i
}

// canon is ap_proxy_canonenc for a decoded path: every byte but letters,
// digits and "~$-_.+!*'(),;:@&=/" as %XX; s itself when none is.
func canon(s string) string {
	n := escapes(s)
	if n == 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 2*n)
	canonTo(&b, s)
	return b.String()
}

// escapes is the number of bytes of s canon escapes.
func escapes(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if !keep(s[i]) {
			n++
		}
	}
	return n
}

// canonTo writes canon(s) to b.
func canonTo(b *strings.Builder, s string) {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		if c := s[i]; keep(c) {
			b.WriteByte(c)
		} else {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
}

func keep(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("~$-_.+!*'(),;:@&=/", c) >= 0
}

// canonURL canonicalizes the path of a substituted backend URL, its query kept.
func canonURL(u string) string {
	i := strings.Index(u, "://")
	if i < 0 {
		return u
	}
	j := strings.IndexByte(u[i+3:], '/')
	if j < 0 {
		return u
	}
	j += i + 3
	path, _, _ := strings.Cut(u[j:], "?")
	n := escapes(path)
	if n == 0 {
		return u // canonical already
	}
	var b strings.Builder
	b.Grow(len(u) + 2*n)
	b.WriteString(u[:j])
	canonTo(&b, path)
	b.WriteString(u[j+len(path):])
	return b.String()
}

// A refusal is the answer to a substituted backend URL apache2 refuses:
// status with reason as its proxy error page (AH00898), or, for a URL
// proxy_http_canon refuses (AH01083), a plain 400 (through the ErrorDocument)
// with reason logged.
type refusal struct {
	status int
	reason string
	canon  bool
	module string // a scheme's refusal: reason is its line (with its AH number), logged for module
}

// canonPath canonicalizes a substituted backend URL as apache2's
// proxy_http_canon does: the authority split as ap_proxy_canon_netloc
// splits it (up to the first '/', a port of digits after the last ':'),
// everything after it percent-encoded as a path, '?' and '#' included. A
// host left with a ':' is taken as an IPv6 literal, as apache2 does: with a
// '?' or '#' in it the URL cannot be parsed (400), otherwise its DNS lookup
// fails (500). A host with a '?' or '#' and no ':' is refused the same way
// (apache2 would send the request to the host before it).
func canonPath(u string) (string, *refusal) {
	i := strings.Index(u, "://")
	if i < 0 {
		return u, nil
	}
	auth, path, _ := strings.Cut(u[i+3:], "/")
	host, port := auth, ""
	if j := strings.LastIndexByte(auth, ':'); j >= 0 && j+1 < len(auth) && strings.Trim(auth[j+1:], "0123456789") == "" {
		host, port = auth[:j], auth[j+1:]
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return "", &refusal{status: 400, canon: true, reason: "error parsing URL " + u + ": Invalid host/port"}
		}
	}
	path = canon(path)
	if strings.HasPrefix(host, "[") || !strings.ContainsAny(host, ":?#") {
		return u[:i+3] + auth + "/" + path, nil
	}
	if strings.ContainsAny(host, "?#") {
		shown := u[:i+3] + "[" + strings.ToLower(host) + "]"
		if port != "" && port != "80" {
			shown += ":" + port
		}
		return "", &refusal{status: 400, reason: "URI cannot be parsed: " + shown + "/" + path}
	}
	return "", &refusal{status: 500, reason: "DNS lookup failure for: " + strings.ToLower(host)}
}
