package proxy

import (
	"errors"
	"fmt"
	"hash/fnv"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/httpd-mpm/httpd-mpm/internal/cnum"
	"github.com/httpd-mpm/httpd-mpm/mpm/scoreboard"
)

// Member status flags (BalancerMember status=, as apache2's PROXY_WORKER_*).
const (
	stIgnoreErrors = 1 << iota // I
	stDisabled                 // D
	stStopped                  // S
	stInError                  // E
	stStandby                  // H
	stSpare                    // R
	stDrain                    // N
	stHCFail                   // C
)

// statusFlags are the letters of status= and their flags.
var statusFlags = map[byte]int{'I': stIgnoreErrors, 'D': stDisabled, 'S': stStopped, 'E': stInError,
	'H': stStandby, 'R': stSpare, 'N': stDrain, 'C': stHCFail}

// defaultRetry is how long a member stays in error (PROXY_WORKER_DEFAULT_RETRY).
const defaultRetry = 60 * time.Second

// member is one BalancerMember: its worker, its configuration and its
// load-balancing state (sh).
type member struct {
	w     *worker
	route string
	// redirect is the route of the member that serves this one's sticky
	// requests while it is unusable.
	redirect  string
	lbsetConf int
	factor    int // loadfactor × 100
	status    int // status=; the error state is sh's
	sh        *memberState
}

// memberState is a member's state that apache2 keeps in shared memory:
// words of a scoreboard slot that every child of the generation sees once
// Config.Share put it there, else this process's own. Each word is read and
// written with atomic operations.
type memberState = [scoreboard.SlotWords]atomic.Int64

// The words of a memberState.
const (
	shLBStatus    = iota // lbstatus
	shElected            // times chosen
	shBusy               // requests being served
	shError              // 0: as status= says (E: in error since 0); > 0: in error since (unix ns); < 0: not in error
	shTransferred        // bytes sent to the member
	shRead               // bytes read from it
	// The settings balancer-manager changes; 0 while it has not.
	shStatus                               // the status flags, with statusSet
	shFactor                               // the loadfactor × 100
	shLBSet                                // the lbset, plus one
	shRoute                                // the route: a sharedString
	shRedirect = shRoute + stringWords + 1 // the route redirect: a sharedString
	shWords    = shRedirect + stringWords + 1
)

// statusSet marks a shStatus word that balancer-manager wrote.
const statusSet = 1 << 40

func init() {
	if shWords > scoreboard.SlotWords {
		panic("proxy: a member's words do not fit a scoreboard slot")
	}
}

// flags are the member's status flags (the error state is sh's): status=,
// or what balancer-manager set for every child.
func (m *member) flags() int {
	if f := m.sh[shStatus].Load(); f != 0 {
		return int(f &^ statusSet)
	}
	return m.status
}

// lbFactor is the loadfactor × 100: loadfactor=, or balancer-manager's.
func (m *member) lbFactor() int {
	if f := m.sh[shFactor].Load(); f != 0 {
		return int(f)
	}
	return m.factor
}

// routeName is the route: route=, or balancer-manager's.
func (m *member) routeName() string { return loadString(m.sh, shRoute, m.route) }

// redirectRoute is the route redirect: redirect=, or balancer-manager's.
func (m *member) redirectRoute() string { return loadString(m.sh, shRedirect, m.redirect) }

// inError is PROXY_WORKER_IN_ERROR.
func (m *member) inError() bool {
	e := m.sh[shError].Load()
	if e == 0 {
		return m.status&stInError != 0
	}
	return e > 0
}

// usable is PROXY_WORKER_IS_USABLE.
func (m *member) usable() bool {
	return m.flags()&(stDisabled|stStopped|stHCFail) == 0 && !m.inError()
}

// retry is ap_proxy_retry_worker: a member in error becomes usable again
// once its retry time has passed.
func (m *member) retry(now time.Time) {
	if !m.inError() || m.flags()&stStopped != 0 {
		return
	}
	e := m.sh[shError].Load()
	if r := m.retryTime(); r == 0 || now.UnixNano() > max(e, 0)+int64(r) {
		m.sh[shError].CompareAndSwap(e, -1)
	}
}

// retryTime is the member's retry= (60s by default).
func (m *member) retryTime() time.Duration {
	if m.w.settings.retrySet {
		return m.w.settings.retry
	}
	return defaultRetry
}

// balancer is one balancer://name with its members and ProxySet parameters.
type balancer struct {
	name        string // "balancer://app", lowercase
	mu          sync.Mutex
	members     []*member
	configured  int    // how many members BalancerMember lines define (the others balancer-manager added)
	inherited   bool   // members are the main server's (Config.Inherit): its Share shares them
	sticky      string // the cookie
	stickyPath  string // the path parameter
	sep         byte   // stickysessionsep; 0 for Off
	nofailover  bool
	maxAttempts int
	maxSet      bool
	method      lbmethod
	vpath       string // the path of the last ProxyPass to it ("/" for none)
	timeout     int    // timeout=, seconds
	nonce       string // nonce=, when nonceSet ("" for None)
	nonceSet    bool
	// bs is the balancer's state shared by the children (its nonce),
	// words of a scoreboard slot once Config.Share put it there; main,
	// for a balancer a virtual host inherits, is the main server's.
	bs   *memberState
	main *balancer
	// file, line and seq are where it was first named (Config.At).
	file      string
	line, seq int
	// onlyPassed: only ProxyPass lines name it (no BalancerMember, ProxySet
	// or <Proxy> parameters); absent: the server does not have it after all
	// (Config.Inherit), its ProxyPass answered as apache2's AH01144.
	onlyPassed, absent bool
	// passedAt are the places of the ProxyPass lines that name it.
	passedAt []LinePos
	// growth is growth=: how many members balancer-manager may add
	// (b_nwrkr). Each has a slot of state (grown) and one that holds its
	// URL (grownURL), shared by the children once Config.Share put them
	// there; taken is how many added members this process took in
	// (takeAdded).
	growth   int
	grown    []*memberState
	grownURL []*memberState
	taken    int
}

// lbmethod is a balancer's lbmethod=: mod_lbmethod_byrequests,
// mod_lbmethod_bybusyness or mod_lbmethod_bytraffic.
type lbmethod int

const (
	byRequests lbmethod = iota
	byBusyness
	byTraffic
)

// lbmethods are the lbmethod= names.
var lbmethods = map[string]lbmethod{"byrequests": byRequests, "bybusyness": byBusyness, "bytraffic": byTraffic}

// isBalancerURL says whether u is a balancer:// URL with a name.
func isBalancerURL(u string) bool {
	const prefix = "balancer://"
	return len(u) > len(prefix) && strings.EqualFold(u[:len(prefix)], prefix)
}

// balancerName is a balancer URL's name: "balancer://" and its host, lowercase.
func balancerName(u string) (string, bool) {
	const prefix = "balancer://"
	if !isBalancerURL(u) {
		return "", false
	}
	rest := u[len(prefix):]
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		rest = rest[:i]
	}
	return prefix + strings.ToLower(rest), true
}

// noBalancer is the balancer of a request's URL naming none the server
// has: apache2's proxy_balancer declines it, and no other scheme handler
// takes it (500, AH01144).
var noBalancer = &balancer{absent: true}

// balancerFor is the balancer a request's balancer:// URL u names, as
// proxy_balancer finds it for each request (ap_proxy_get_balancer): the
// host up to a '/' (or the query, which apache2 holds apart),
// case-insensitively, without allocating; noBalancer when the server has
// none of that name.
func (c *Config) balancerFor(u string) *balancer {
	const prefix = "balancer://"
	host := u[len(prefix):]
	if i := strings.IndexAny(host, "/?"); i >= 0 {
		host = host[:i]
	}
	for _, b := range c.balancerList {
		if len(b.name) == len(prefix)+len(host) && strings.EqualFold(b.name[len(prefix):], host) {
			return b
		}
	}
	return noBalancer
}

// balancer finds or defines the balancer u names (BalancerMember takes
// any name, as apache2's).
func (c *Config) balancer(u string) *balancer {
	name, ok := balancerName(u)
	if !ok {
		name = strings.ToLower(u)
	}
	if b := c.balancers[name]; b != nil {
		return b
	}
	if c.balancers == nil {
		c.balancers = map[string]*balancer{}
	}
	b := &balancer{name: name, sep: '.', vpath: "/", bs: new(memberState), file: c.file, line: c.line, seq: c.seq}
	c.balancers[name] = b
	// Before the first one defined further down: in reading order when
	// it is known, else further down the same file.
	i := len(c.balancerList)
	for j, o := range c.balancerList {
		if o.seq > 0 && b.seq > 0 && o.seq > b.seq || (o.seq == 0 || b.seq == 0) && o.file == b.file && o.line > b.line {
			i = j
			break
		}
	}
	c.balancerList = slices.Insert(c.balancerList, i, b)
	return b
}

// setBalancerParam is set_balancer_param for the parameters applied here.
func (b *balancer) set(key, val string) error {
	switch strings.ToLower(key) {
	case "stickysession":
		cookie, path, ok := strings.Cut(val, "|")
		b.sticky, b.stickyPath = cookie, cookie
		if ok {
			b.stickyPath = path
		}
	case "stickysessionsep":
		switch {
		case len(val) == 1:
			b.sep = val[0]
		case strings.EqualFold(val, "off"):
			b.sep = 0
		default:
			return errors.New("stickysessionsep must be a single character or Off")
		}
	case "nofailover":
		on, err := onOff(val, "failover must be On|Off")
		b.nofailover = on
		return err
	case "maxattempts":
		n, _ := strconv.Atoi(val)
		if n < 0 {
			return errors.New("maximum number of attempts must be a positive number")
		}
		b.maxAttempts, b.maxSet = n, true
	case "lbmethod":
		// ap_lookup_provider: the name as the module registers it.
		m, ok := lbmethods[val]
		if !ok {
			return errors.New("unknown lbmethod")
		}
		b.method = m
	case "timeout":
		n, _ := strconv.Atoi(val)
		if n < 1 {
			return errors.New("timeout must be at least one second")
		}
		b.timeout = n
	case "scolonpathdelim", "failontimeout", "forcerecovery":
		_, err := onOff(val, strings.ToLower(key)+" must be On|Off")
		return err
	case "nonce":
		if len(val) >= 37 {
			return errors.New("Provided nonce is too large")
		}
		b.nonce, b.nonceSet = val, true
		if strings.EqualFold(val, "none") {
			b.nonce = ""
		}
	case "growth":
		n := cnum.Atoi(val)
		if n < 1 || n > 100 {
			return errors.New("growth must be between 1 and 100")
		}
		b.growth = n
	case "failonstatus":
		// Accepted, not applied here.
	default:
		return errors.New("unknown Balancer parameter")
	}
	return nil
}

// addMember is BalancerMember: args are [balancer] URL key=value..., the
// balancer given by the <Proxy> section (section) or as the first word.
func (c *Config) addMember(args []string, section string) error {
	path, name := section, ""
	var params [][2]string
	for _, word := range args {
		k, v, ok := strings.Cut(word, "=")
		switch {
		case ok:
			params = append(params, [2]string{k, v})
		case path == "":
			path = word
		case name == "":
			name = word
		case section != "":
			return errors.New("BalancerMember can not have a balancer name when defined in a location")
		default:
			return errors.New("Invalid BalancerMember parameter. Parameter must be in the form 'key=value'")
		}
	}
	if path == "" {
		return errors.New("BalancerMember must define balancer name when outside <Proxy > section")
	}
	if name == "" {
		return errors.New("BalancerMember must define remote proxy server")
	}
	b := c.balancer(path)
	b.onlyPassed = false
	var s workerSettings
	m := &member{factor: 100, sh: new(memberState)}
	for _, kv := range params {
		if err := m.set(&s, kv[0], kv[1]); err != nil {
			return errors.New("BalancerMember " + err.Error())
		}
	}
	w, err := newWorker(name, &s)
	if errors.Is(err, errNotAbsolute) {
		return errors.New("BalancerMember URL must be absolute!: " + name)
	}
	if err != nil {
		return errors.New("BalancerMember " + strings.TrimPrefix(err.Error(), "ProxyPass "))
	}
	for _, old := range b.members {
		if old.w.name == w.name {
			return nil // apache2 shares the worker and ignores the parameters
		}
	}
	m.attach(w, name)
	b.members = append(b.members, m)
	b.configured++
	return nil
}

// attach makes w, for URL u, the member's worker.
func (m *member) attach(w *worker, u string) {
	// A member's URL path is put before the request's, a final slash
	// kept: apache2's worker name (name_ex) is the URL as written.
	_, bare := deSocket(socketLocalhost(u)) // not the socket's path
	if pu, err := url.Parse(bare); err == nil {
		w.path = pu.EscapedPath()
	}
	w.traffic = m.sh
	m.w = w
}

// set reads one of a member's parameters: its balancing ones here, the
// others as a worker's.
func (m *member) set(s *workerSettings, key, val string) error {
	switch strings.ToLower(key) {
	case "loadfactor":
		f, _ := strconv.ParseFloat(val, 64)
		n := int(f * 100)
		if n < 100 || n > 10000 {
			return errors.New("LoadFactor must be a number between 1..100")
		}
		m.factor = n
	case "route":
		if len(val) >= 64 {
			return errors.New("Route length must be < 64 characters")
		}
		m.route = val
	case "redirect":
		if len(val) >= 64 {
			return errors.New("Redirect length must be < 64 characters")
		}
		m.redirect = val
	case "lbset":
		n, _ := strconv.Atoi(val)
		if n < 0 || n > 99 {
			return errors.New("lbset must be between 0 and 99")
		}
		m.lbsetConf = n // shown; apache2's lbsets are not applied here
	case "status":
		return m.setStatus(val)
	default:
		return s.set(key, val)
	}
	return nil
}

// setStatus reads status=: flag letters, each set after '+' (the default)
// or cleared after '-'.
func (m *member) setStatus(val string) error {
	set := true
	for i := 0; i < len(val); i++ {
		switch val[i] {
		case '+':
			set = true
			i++
		case '-':
			set = false
			i++
		}
		if i >= len(val) {
			return errors.New("Unknown status parameter option")
		}
		c := val[i]
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		f, ok := statusFlags[c]
		if !ok {
			return errors.New("Unknown status parameter option")
		}
		if set {
			m.status |= f
		} else {
			m.status &^= f
		}
	}
	return nil
}

// proxySet is ProxySet: args are [URL] key=value..., the URL given by the
// <Proxy> section (section) or as the first word.
func (c *Config) proxySet(args []string, section string) error {
	name := section
	if name == "" {
		if len(args) == 0 {
			return errors.New("ProxySet requires at least 2 arguments, A balancer or worker name with list of params")
		}
		name, args = args[0], args[1:]
		if n, ok := balancerName(name); ok && c.balancers[n] == nil {
			return errors.New("ProxySet can not find '" + name + "' Balancer.")
		}
	}
	kind := evSection
	if section == "" {
		kind = evSet // a worker defined before it, else an error (Resolve)
	}
	return c.params(name, args, kind, "ProxySet: ", "Invalid ProxySet parameter. Parameter must be in the form 'key=value'")
}

// SetSection reads the parameters a <Proxy URL key=value...> section
// (kind "Proxy" or "ProxyMatch") gives its balancer or worker.
func (c *Config) SetSection(kind, u string, params []string) error {
	if len(params) == 0 {
		return nil
	}
	switch {
	case strings.EqualFold(kind, "proxymatch"):
		return errors.New("Multiple <ProxyMatch> arguments not (yet) supported.")
	case strings.ContainsAny(u, "*?["):
		return errors.New("<" + kind + "> arguments are not supported for wildchar url.")
	case !strings.Contains(u, ":"):
		return errors.New("<" + kind + "> arguments are not supported for non url.")
	}
	return c.params(u, params, evSection, "<"+kind+" ", "Invalid Proxy parameter. Parameter must be in the form 'key=value'")
}

// params applies key=value words to the balancer u names, or records them
// for the worker u names, an event of kind (Resolve); an error is prefix,
// the parameter's message, the word and u.
func (c *Config) params(u string, words []string, kind int, prefix, notKV string) error {
	var b *balancer
	if _, ok := balancerName(u); ok {
		b = c.balancer(u)
		b.onlyPassed = false
	}
	var kvs [][2]string
	for _, word := range words {
		k, v, ok := strings.Cut(word, "=")
		if !ok {
			return errors.New(notKV)
		}
		if b == nil {
			kvs = append(kvs, [2]string{k, v})
		} else if err := b.set(k, v); err != nil {
			return errors.New(prefix + err.Error() + " " + k + "=" + v + "; " + u)
		}
	}
	if b == nil {
		c.record(kind, u, false, kvs, prefix)
	}
	return nil
}

// pick is proxy_balancer_pre_request's choice of a member for r's URL u
// (the sticky session's route, else the lbmethod's), or nil with the AH
// line that says why none. The lock orders the picks of this process; the
// members' words are shared with the other children, each change atomic.
func (b *balancer) pick(r *http.Request, u string) (m *member, why string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sync()
	now := time.Now()
	route := b.route(r, u)
	if route != "" {
		if m = b.routeMember(route, now, 0); m != nil {
			var total int64
			for _, o := range b.members {
				if o.usable() {
					o.sh[shLBStatus].Add(int64(o.lbFactor()))
					total += int64(o.lbFactor())
				}
			}
			m.sh[shLBStatus].Add(-total)
		} else if b.noFailover() {
			for _, o := range b.members {
				if o.routeName() == route {
					return nil, "AH01167: " + b.name + ": All workers are in error state for route (" + route + ")"
				}
			}
		}
	}
	if m == nil {
		if m = b.find(now); m == nil {
			if len(b.members) == 0 {
				return nil, "AH01171: " + b.name + ": No workers in balancer"
			}
			return nil, "AH01170: " + b.name + ": All workers are in error state"
		}
	}
	m.sh[shElected].Add(1)
	m.sh[shBusy].Add(1)
	return m, ""
}

// route is the sticky session's route in r: the path parameter of u, else
// the cookie, after the separator.
func (b *balancer) route(r *http.Request, u string) string {
	sticky, stickyPath := b.stickyNames()
	if sticky == "" {
		return ""
	}
	v, ok := pathParam(u, stickyPath)
	if !ok {
		v, ok = cookieParam(r.Header.Get("Cookie"), sticky)
	}
	if !ok {
		return ""
	}
	if b.sep != 0 {
		i := strings.IndexByte(v, b.sep)
		if i < 0 {
			return ""
		}
		v = v[i+1:]
	}
	return v
}

// pathParam is get_path_param: name=value in u, up to '?' or '&'.
func pathParam(u, name string) (string, bool) {
	for i := strings.Index(u, name); i >= 0; {
		rest := u[i+len(name):]
		if strings.HasPrefix(rest, "=") && len(rest) > 1 {
			v := rest[1:]
			v = strings.TrimLeft(v, "?&")
			if j := strings.IndexAny(v, "?&"); j >= 0 {
				v = v[:j]
			}
			return v, v != ""
		}
		j := strings.Index(u[i+1:], name)
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return "", false
}

// cookieParam is get_cookie_param: the value of the cookie name in a Cookie
// field, up to ';' or ','.
func cookieParam(cookies, name string) (string, bool) {
	for i := strings.Index(cookies, name); i >= 0; {
		if i == 0 || strings.IndexByte(";, \t\r\n\v\f", cookies[i-1]) >= 0 {
			rest := strings.TrimLeft(cookies[i+len(name):], " \t\r\n\v\f")
			if strings.HasPrefix(rest, "=") && len(rest) > 1 {
				v := rest[1:]
				if j := strings.IndexAny(v, ";,"); j >= 0 {
					v = v[:j]
				}
				return v, true
			}
		}
		j := strings.Index(cookies[i+1:], name)
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return "", false
}

// routeMember is find_route_worker: the usable member of that route, the
// non-standby ones first; for an unusable one that has a route redirect,
// the member of that route (recursion counts the redirects followed).
func (b *balancer) routeMember(route string, now time.Time, recursion int) *member {
	for _, standby := range [2]bool{false, true} {
		for _, m := range b.members {
			if (m.flags()&stStandby != 0) != standby || m.routeName() != route || route == "" {
				continue
			}
			m.retry(now)
			if m.usable() {
				return m
			}
			if redirect := m.redirectRoute(); redirect != "" && recursion < len(b.members) {
				if r := b.routeMember(redirect, now, recursion+1); r != nil {
					return r
				}
			}
		}
	}
	return nil
}

// find is the lbmethod's finder: the best usable member, or nil.
func (b *balancer) find(now time.Time) *member {
	switch b.lbMethod() {
	case byBusyness:
		return b.bybusyness(now)
	case byTraffic:
		return b.bytraffic(now)
	}
	return b.byrequests(now)
}

// byrequests is mod_lbmethod_byrequests: each usable member's lbstatus
// raised by its factor, the highest chosen and lowered by their sum.
func (b *balancer) byrequests(now time.Time) *member {
	var total int64
	best := b.best(now, func(m, best *member) bool {
		lb := m.sh[shLBStatus].Add(int64(m.lbFactor()))
		total += int64(m.lbFactor())
		return best == nil || lb > best.sh[shLBStatus].Load()
	})
	if best != nil {
		best.sh[shLBStatus].Add(-total)
	}
	return best
}

// bybusyness is mod_lbmethod_bybusyness: the member serving the fewest
// requests (of all the children), byrequests' lbstatus between equals.
func (b *balancer) bybusyness(now time.Time) *member {
	var total int64
	best := b.best(now, func(m, best *member) bool {
		lb := m.sh[shLBStatus].Add(int64(m.lbFactor()))
		total += int64(m.lbFactor())
		if best == nil {
			return true
		}
		busy, bestBusy := m.sh[shBusy].Load(), best.sh[shBusy].Load()
		return busy < bestBusy || busy == bestBusy && lb > best.sh[shLBStatus].Load()
	})
	if best != nil {
		best.sh[shLBStatus].Add(-total)
	}
	return best
}

// bytraffic is mod_lbmethod_bytraffic: the member with the fewest bytes
// sent and read, each divided by its factor; the first among equals.
func (b *balancer) bytraffic(now time.Time) *member {
	var least int64
	return b.best(now, func(m, best *member) bool {
		f := int64(m.lbFactor())
		traffic := m.sh[shTransferred].Load()/f + m.sh[shRead].Load()/f
		if best == nil || traffic < least {
			least = traffic
			return true
		}
		return false
	})
}

// best is ap_proxy_balancer_get_best_worker (one lbset): among the usable
// members, then the spares that stand in for unusable ones, else the hot
// standbys, the last one isBest(member, best so far) prefers.
func (b *balancer) best(now time.Time, isBest func(m, best *member) bool) *member {
	var best *member
	var spares, standbys []*member
	unusable := 0
	consider := func(m *member) {
		if isBest(m, best) {
			best = m
		}
	}
	for _, m := range b.members {
		f := m.flags()
		if f&stDrain != 0 {
			if f&(stSpare|stStandby) == 0 {
				unusable++
			}
			continue
		}
		if !m.usable() {
			m.retry(now)
		}
		switch {
		case f&stSpare != 0:
			if m.usable() {
				spares = append(spares, m)
			}
		case f&stStandby != 0:
			if m.usable() {
				standbys = append(standbys, m)
			}
		case m.usable():
			consider(m)
		default:
			unusable++
		}
	}
	for i := 0; i < len(spares) && i < unusable; i++ {
		consider(spares[i])
	}
	if best == nil {
		for _, m := range standbys {
			consider(m)
		}
	}
	return best
}

// fail puts m in error, unless its status says to ignore errors; false
// when it was not usable (another child may have just put it in error).
func (b *balancer) fail(m *member) bool {
	if m.flags()&stIgnoreErrors != 0 || !m.usable() {
		return false
	}
	e := m.sh[shError].Load()
	return e <= 0 && m.sh[shError].CompareAndSwap(e, time.Now().UnixNano())
}

// done is the end of a request m served.
func (b *balancer) done(m *member) {
	for {
		n := m.sh[shBusy].Load()
		if n <= 0 || m.sh[shBusy].CompareAndSwap(n, n-1) {
			return
		}
	}
}

// attempts is how many more members a request may try after its first.
func (b *balancer) attempts() int {
	if n := b.shared()[bsMaxAttempts].Load(); n != 0 {
		return int(n - 1)
	}
	if b.maxSet {
		return b.maxAttempts
	}
	// The members configured: apache2 sets it at start.
	return max(b.root().configured-1, 0)
}

// memberURL is balancer_fixup: the member's URL in place of the balancer's
// name. The path after the name always starts with a slash, as
// proxy_balancer_canon writes the URL ("balancer://" host "/" path): a
// request of /b that ProxyPass /b balancer://bal maps goes to the member
// http://be/m as /m/, to http://be/m/ as /m//.
func (b *balancer) memberURL(m *member, u string) string {
	rest := u[len(b.name):]
	if rest == "" || rest[0] != '/' {
		return m.w.name + m.w.path + "/" + rest
	}
	return m.w.name + m.w.path + rest
}

// Inherit is apache2's merge of a virtual host's balancers with the main
// server's (merge_proxy_config, merge_balancers): c is the virtual host's
// configuration, compiled with the main server's lines before its own, and
// main the main server's. Unless the virtual host inherits nothing
// (BalancerInherit and ProxyPassInherit both Off, its own lines else the
// main server's), each of its balancers of a name main defines takes main's
// members, so that their state (lbstatus, busy count, error state,
// traffic) is one for the main server and every virtual host that
// inherits it, and the virtual host's own BalancerMember lines for it are
// ignored, as apache2 ignores them; its parameters (lbmethod,
// stickysession, ...) stay c's, the virtual host's over the main server's.
// Call it before Share, with main built and never changed afterwards.
//
// Its workers are apache2's merged conf->workers: the main server's, then
// those its own lines define, which are resolved apart from the main
// server's (apache2 reads a virtual host's lines into its own list): a
// URL the names of a main server's worker and its own match equally is
// served by the main server's (ap_proxy_get_worker's first of equals).
//
// A virtual host that inherits nothing sees the main server's ProxyPass
// lines but not the balancers they define in the main server: one of its
// balancers that only the main server's ProxyPass lines name is absent,
// and a request it maps is answered 500 (AH01144: no scheme handler takes
// the URL), as apache2 answers it; one that a ProxyPass line of its own
// names too is its own, without members (503, AH01171).
//
// It returns the errors (*LineError) of the virtual host's own lines
// resolved apart, which Resolve, seeing the main server's lines before
// them, does not find: a ProxySet naming a worker only the main server
// defines (apache2's "ProxySet can not find ... Worker.").
func (c *Config) Inherit(main *Config) error {
	if c == nil || main == nil || c == main {
		return nil
	}
	if !c.inherits() {
		for name, b := range c.balancers {
			// A ProxyPass line of the virtual host's own naming it
			// defines it there (without members: AH01171, 503).
			b.absent = b.onlyPassed && main.passesTo(name) && !b.passedOwn(main.balancers[name])
		}
		// Its own lines' workers only (apache2 keeps the virtual host's
		// list): the main server's lines it sees define none, a URL
		// they map is served by the generic worker.
		var errs []error
		c.named, errs = resolve(c.ownEvents(main), nil)
		return errors.Join(errs...)
	}
	err := c.inheritWorkers(main)
	for name, b := range c.balancers {
		if mb := main.balancers[name]; mb != nil {
			mb.initGrowth()
			b.members, b.inherited, b.main = mb.members, true, mb
		}
	}
	// The main server's balancers first, in its order, then the virtual
	// host's own (balancer-manager's page).
	list := make([]*balancer, 0, len(c.balancerList))
	for _, mb := range main.balancerList {
		if b := c.balancers[mb.name]; b != nil {
			list = append(list, b)
		}
	}
	for _, b := range c.balancerList {
		if !b.inherited {
			list = append(list, b)
		}
	}
	c.balancerList = list
	return err
}

// inheritWorkers makes c's workers the main server's, then those of c's
// own lines (those main did not read), and returns their errors.
func (c *Config) inheritWorkers(main *Config) error {
	named, errs := resolve(c.ownEvents(main), nil)
	c.named = append(slices.Clip(main.named), named...)
	return errors.Join(errs...)
}

// ownEvents are c's events of lines main did not read: a virtual host's
// own lines.
func (c *Config) ownEvents(main *Config) []*workerEvent {
	mains := map[LinePos]bool{}
	for _, e := range main.events {
		mains[LinePos{e.file, e.line, e.seq}] = true
	}
	var own []*workerEvent
	for _, e := range c.events {
		if !mains[LinePos{e.file, e.line, e.seq}] {
			own = append(own, e)
		}
	}
	return own
}

// passedOwn says whether a ProxyPass line naming b is not one of those
// naming mb, the main server's balancer of its name: a virtual host's own.
func (b *balancer) passedOwn(mb *balancer) bool {
	for _, p := range b.passedAt {
		if mb == nil || !slices.Contains(mb.passedAt, p) {
			return true
		}
	}
	return false
}

// passesTo says whether a ProxyPass line of c maps to the balancer name.
func (c *Config) passesTo(name string) bool {
	for i := range c.passes {
		if b := c.passes[i].b; b != nil && b.name == name {
			return true
		}
	}
	return false
}

// inherits says whether a virtual host of this configuration inherits the
// main server's balancers and workers: apache2's BalancerInherit or
// ProxyPassInherit On (the default).
func (c *Config) inherits() bool { return !c.balancerInheritOff || !c.passInheritOff }

// Share puts the state of every balancer member (lbstatus, busy count,
// error state and time, traffic, what balancer-manager sets) and of every
// balancer (its nonce, what balancer-manager sets) in module slots of
// board, which every child of the generation sees, as apache2 keeps it in
// shared memory.
// server tells the servers apart (0 the main one, a virtual host its index
// plus one): a virtual host's own balancers have their own state, as in
// apache2, but the members it inherits (Config.Inherit) are the main
// server's, shared by the main server's Share, and take no slot of its
// own. Call it before serving. It returns how many members and balancers
// found no free slot: their state (a balancer's nonce too) stays this
// process's.
func (c *Config) Share(board *scoreboard.Board, server int) (unshared int) {
	if c == nil || board == nil {
		return 0
	}
	for _, b := range c.balancers {
		if b.inherited {
			continue
		}
		h := fnv.New64a()
		fmt.Fprintf(h, "mod_proxy_balancer\x00balancer\x00%d\x00%s", server, b.name)
		if sh := board.Slot(h.Sum64()); sh != nil {
			b.bs = sh
		} else {
			unshared++
		}
		b.makeNonce()
		b.initGrowth()
		for i := range b.growth {
			for j, slots := range [2][]*memberState{b.grown, b.grownURL} {
				h := fnv.New64a()
				fmt.Fprintf(h, "mod_proxy_balancer\x00growth\x00%d\x00%s\x00%d\x00%d", server, b.name, i, j)
				if sh := board.Slot(h.Sum64()); sh != nil {
					slots[i] = sh
				} else {
					unshared++
				}
			}
		}
		for _, m := range b.members {
			h := fnv.New64a()
			fmt.Fprintf(h, "mod_proxy_balancer\x00%d\x00%s\x00%s%s", server, b.name, m.w.name, m.w.path)
			sh := board.Slot(h.Sum64())
			if sh == nil {
				unshared++
				continue
			}
			m.sh, m.w.traffic = sh, sh
		}
	}
	return unshared
}
