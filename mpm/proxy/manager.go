package proxy

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/httpd-mpm/httpd-mpm/internal/aphtml"
	"github.com/httpd-mpm/httpd-mpm/internal/apuri"
	"github.com/httpd-mpm/httpd-mpm/internal/cnum"
	"github.com/httpd-mpm/httpd-mpm/mpm/autoindex"
	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
	"github.com/httpd-mpm/httpd-mpm/mpm/scoreboard"
	"github.com/httpd-mpm/httpd-mpm/mpm/static"
)

// stringWords is how many words hold a shared string: 63 bytes and a NUL,
// apache2's PROXY_WORKER_MAX_ROUTE_SIZE.
const stringWords = 8

// stuckAfter is how long a sequence word may stay at one odd value before
// its writer is taken as dead (killed in its write).
const stuckAfter = time.Second

// stuckWords remembers, for this process, the odd sequence values found
// stuck (a writer killed between its two increments), so that reads do not
// wait for them again: *atomic.Int64 -> int64.
var stuckWords sync.Map

// stringSpins counts the turns loadString and storeString waited for an odd
// sequence word (the tests bound it).
var stringSpins atomic.Int64

// isStuck reports whether the odd value s of w was found stuck before.
func isStuck(w *atomic.Int64, s int64) bool {
	v, ok := stuckWords.Load(w)
	return ok && v.(int64) == s
}

// waitOdd is one turn of waiting for the odd value s of w: false when s is
// stuck (known, or unchanged for stuckAfter since *since, then remembered).
// *at is the odd value *since is for.
func waitOdd(w *atomic.Int64, s int64, at *int64, since *time.Time) bool {
	if isStuck(w, s) {
		return false
	}
	if s != *at {
		*at, *since = s, time.Now()
	}
	if time.Since(*since) >= stuckAfter {
		stuckWords.Store(w, s)
		return false
	}
	stringSpins.Add(1)
	runtime.Gosched()
	return true
}

// loadString reads the string kept in sh[seq+1:seq+1+stringWords], whose
// sequence word sh[seq] is 0 while nobody stored one (conf holds then), odd
// while a process writes it. A read that a write overlapped is read again;
// a sequence word that stays odd (a writer killed in its write) is waited
// for stuckAfter once per process, then taken as it is.
func loadString(sh *memberState, seq int, conf string) string {
	return loadWords(sh, seq, stringWords, conf)
}

// urlWords is how many words hold an added member's URL: the rest of its
// slot after the sequence word, 239 bytes and a NUL.
const urlWords = scoreboard.SlotWords - 1

// loadWords is loadString of a string kept in n words (n <= urlWords).
func loadWords(sh *memberState, seq, n int, conf string) string {
	var at int64
	var since time.Time
	for {
		s1 := sh[seq].Load()
		if s1 == 0 {
			return conf
		}
		if s1&1 != 0 && waitOdd(&sh[seq], s1, &at, &since) {
			continue
		}
		var buf [urlWords * 8]byte
		b := buf[:n*8]
		for i := range n {
			binary.LittleEndian.PutUint64(b[i*8:], uint64(sh[seq+1+i].Load()))
		}
		if sh[seq].Load() != s1 {
			continue
		}
		end := 0
		for end < len(b) && b[end] != 0 {
			end++
		}
		return string(b[:end])
	}
}

// storeString keeps v (at most 63 bytes) for every process: see loadString.
// A sequence word left odd by a dead writer is taken over (odd to the next
// odd value, this writer's); a writer taken over, having stalled past
// stuckAfter, does not complete the word.
func storeString(sh *memberState, seq int, v string) { storeWords(sh, seq, stringWords, v) }

// storeWords is storeString of a string kept in n words (n <= urlWords):
// at most n*8-1 bytes of v.
func storeWords(sh *memberState, seq, n int, v string) {
	var at, mine int64
	var since time.Time
	for {
		s := sh[seq].Load()
		if s&1 == 0 {
			if sh[seq].CompareAndSwap(s, s+1) {
				mine = s + 1
				break
			}
			continue
		}
		if !waitOdd(&sh[seq], s, &at, &since) && sh[seq].CompareAndSwap(s, s+2) {
			mine = s + 2
			break
		}
	}
	var buf [urlWords * 8]byte
	b := buf[:n*8]
	copy(b[:len(b)-1], v)
	for i := range n {
		sh[seq+1+i].Store(int64(binary.LittleEndian.Uint64(b[i*8:])))
	}
	sh[seq].CompareAndSwap(mine, mine+1)
}

// The words of a balancer's shared state (balancer.bs); the settings
// balancer-manager changes are 0 while it has not.
const (
	bsNonce       = iota                           // two words: the nonce's 128 bits
	bsMethod      = iota + 1                       // the lbmethod, plus one
	bsTimeout                                      // the timeout, seconds, plus one
	bsMaxAttempts                                  // maxattempts, plus one
	bsNoFailover                                   // nofailover: 1 Off, 2 On
	bsNeedReset                                    // 1 when the new lbmethod is to reset the members' state
	bsSticky                                       // the stickysession cookie: a sharedString
	bsStickyPath  = bsSticky + stringWords + 1     // its path parameter: a sharedString
	bsAdded       = bsStickyPath + stringWords + 1 // how many members balancer-manager added (b_nwrkr)
	bsWords       = bsAdded + 1
)

func init() {
	if bsWords > len(memberState{}) {
		panic("proxy: a balancer's words do not fit a scoreboard slot")
	}
}

// lbMethod is the lbmethod: lbmethod=, or balancer-manager's.
func (b *balancer) lbMethod() lbmethod {
	if m := b.shared()[bsMethod].Load(); m != 0 {
		return lbmethod(m - 1)
	}
	return b.method
}

// timeoutSecs is timeout= (seconds, 0 for none), or balancer-manager's.
func (b *balancer) timeoutSecs() int {
	if n := b.shared()[bsTimeout].Load(); n != 0 {
		return int(n - 1)
	}
	return b.timeout
}

// noFailover is nofailover=, or balancer-manager's.
func (b *balancer) noFailover() bool {
	if n := b.shared()[bsNoFailover].Load(); n != 0 {
		return n == 2
	}
	return b.nofailover
}

// stickyNames are the stickysession cookie and path parameter:
// stickysession=, or balancer-manager's.
func (b *balancer) stickyNames() (cookie, path string) {
	bs := b.shared()
	return loadString(bs, bsSticky, b.sticky), loadString(bs, bsStickyPath, b.stickyPath)
}

// shared is the balancer's shared state: the main server's for a balancer
// a virtual host inherits.
func (b *balancer) shared() *memberState {
	if b.main != nil {
		return b.main.shared()
	}
	return b.bs
}

// makeNonce draws the nonce's random words, unless another child of the
// generation did already: each word is set once, by the first.
func (b *balancer) makeNonce() {
	bs := b.shared()
	for i := range 2 {
		for bs[bsNonce+i].Load() == 0 {
			var r [8]byte
			rand.Read(r[:])
			if v := int64(binary.LittleEndian.Uint64(r[:])); v != 0 {
				bs[bsNonce+i].CompareAndSwap(0, v)
			}
		}
	}
}

// nonceValue is the balancer's nonce: nonce=, else a random UUID that every
// child of the generation shares (apache2's pseudo-UUID).
func (b *balancer) nonceValue() string {
	if b.nonceSet {
		return b.nonce
	}
	if b.main != nil && b.main.nonceSet {
		return b.main.nonce
	}
	b.makeNonce()
	bs := b.shared()
	var u [16]byte
	binary.BigEndian.PutUint64(u[:8], uint64(bs[bsNonce].Load()))
	binary.BigEndian.PutUint64(u[8:], uint64(bs[bsNonce+1].Load()))
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:])
}

// statusWords are apache2's proxy_wstat_tbl names, in its order.
var statusWords = []struct {
	flag int
	name string
}{
	{stIgnoreErrors, "Ign "}, {stDrain, "Drn "}, {stDisabled, "Dis "}, {stStopped, "Stop "},
	{stInError, "Err "}, {stStandby, "Stby "}, {stSpare, "Spar "}, {stHCFail, "HcFl "},
}

// statusString is ap_proxy_parse_wstatus: "Init " (every member is
// initialized), the flags' names, "Ok " when usable.
func (m *member) statusString() string {
	f := m.flags() &^ stInError
	if m.inError() {
		f |= stInError
	}
	s := "Init "
	for _, w := range statusWords {
		if f&w.flag != 0 {
			s += w.name
		}
	}
	if m.usable() {
		s += "Ok "
	}
	return s
}

// stickyString is the page's StickySession, as apache2 2.4.71 shows it:
// the cookie, then "|" and the path parameter when they differ.
func (b *balancer) stickyString() string {
	sticky, path := b.stickyNames()
	if sticky != path {
		return sticky + "|" + path
	}
	return sticky
}

// displayName is ap_proxy_worker_name: the member's URL as given.
func (m *member) displayName() string { return m.w.url }

// Manager is mod_proxy_balancer's "balancer-manager" handler for the
// balancers of one server (see Config.Manager).
type Manager struct {
	c               *Config
	software, built string
	logError        static.LogFunc
}

// Manager returns the balancer-manager handler of the server c configures:
// software and built are the Server Version and Server Built lines;
// logError, if not nil, logs the requests whose parameters it ignores.
func (c *Config) Manager(software, built string, logError static.LogFunc) *Manager {
	return &Manager{c: c, software: software, built: built, logError: logError}
}

// listed are the server's balancers, in order, but those it does not have
// after all (see Config.Inherit).
func (c *Config) listed() []*balancer {
	var out []*balancer
	for _, b := range c.balancerList {
		if !b.absent {
			out = append(out, b)
		}
	}
	return out
}

// Handles says whether handler is "balancer-manager".
func (h *Manager) Handles(handler string) bool { return handler == "balancer-manager" }

// Declines all but GET, HEAD and POST, as balancer_handler: the default
// handler answers them (a 405, the Allow of an OPTIONS).
func (h *Manager) Declines(r *http.Request, _ string) bool {
	return r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodPost
}

// Serve is balancer_handler: GET and POST, the edit of a member or a
// balancer when b=, w= and nonce= say so (from the query of a GET, only
// those and xml=; from the body of a POST, every setting), then the page.
func (h *Manager) Serve(w http.ResponseWriter, r *http.Request, t *static.Target) {
	var params map[string]string
	if r.Method == http.MethodPost {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1024))
		if err != nil {
			t.Error(w, r, http.StatusBadRequest)
			return
		}
		params = managerParams(string(body), nil)
	} else {
		params = managerParams(r.URL.RawQuery, []string{"w", "b", "nonce", "xml"})
	}
	for _, b := range h.c.balancerList {
		b.mu.Lock()
		b.sync()
		b.mu.Unlock()
	}
	host, _ := http1.ServerHostPort(r)
	// Parameters from another site's page are ignored (cross-site
	// requests), and logged so whether there are any or not (apache2's
	// apr_table_elts is never NULL).
	if ref := r.Header.Get("Referer"); !safeReferer(ref, host) {
		if h.logError != nil {
			if ref == "" {
				ref = "(null)"
			}
			h.logError(r, static.LevelError, "proxy_balancer", nil, "AH10187: ignoring params in balancer-manager cross-site access "+ref+": "+host)
		}
		params = nil
	}
	var bsel *balancer
	var wsel *member
	if name, ok := params["b"]; ok {
		if b := h.c.balancers[strings.ToLower("balancer://"+name)]; b != nil && !b.absent {
			bsel = b
		}
	}
	if name, ok := params["w"]; ok && bsel != nil {
		wsel = bsel.member(name)
	}
	if bsel != nil {
		if nonce := bsel.nonceValue(); nonce != "" && params["nonce"] == nonce {
			bsel.edit(wsel, params, h.c.methodLoaded)
			if u, ok := params["b_nwrkr"]; ok && params["b_wyes"] == "1" {
				if msg := bsel.addMember(u); msg != "" {
					if h.logError != nil {
						h.logError(r, static.LevelError, "proxy_balancer", nil, msg)
					}
					t.Error(w, r, http.StatusBadRequest)
					return
				}
			}
		}
	}
	if _, ok := params["xml"]; ok {
		h.xml(w, r, host)
		return
	}
	h.page(w, r, host, bsel, wsel)
}

// managerParams is push2table: the key=value pairs of input, each key
// unescaped once and each value twice (the page escapes some twice); with
// allowed, only those keys.
func managerParams(input string, allowed []string) map[string]string {
	params := map[string]string{}
	for _, kv := range strings.Split(input, "&") {
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		k, v = apuri.Decode(k), apuri.Decode(apuri.Decode(v))
		if allowed == nil || slices.Contains(allowed, k) {
			params[k] = v
		}
	}
	return params
}

// safeReferer is safe_referer: a Referer whose host is the server's name.
func safeReferer(ref, server string) bool {
	u, err := url.Parse(ref)
	return err == nil && u.Hostname() != "" && strings.EqualFold(u.Hostname(), server)
}

// list is the balancer's members now, the ones balancer-manager added
// taken in, read under the lock that the picks that take them in hold.
func (b *balancer) list() []*member {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.takeAdded()
	return b.members
}

// member finds the member named name (ap_proxy_get_worker).
func (b *balancer) member(name string) *member { return memberIn(b.list(), name) }

// memberIn finds the member of members named name.
func memberIn(members []*member, name string) *member {
	name = strings.TrimSuffix(name, "/")
	for _, m := range members {
		if strings.EqualFold(strings.TrimSuffix(m.displayName(), "/"), name) || strings.EqualFold(m.w.name+m.w.path, name) {
			return m
		}
	}
	return nil
}

// edit is balancer_process_balancer_worker for the member's settings:
// each written to the shared words at once, so that every child of the
// generation sees it.
func (b *balancer) edit(m *member, params map[string]string, loaded func(lbmethod) bool) {
	if m != nil {
		b.editMember(m, params)
	}
	bs := b.shared()
	if v, ok := params["b_lbm"]; ok {
		if method, ok := lbmethods[v]; ok && loaded(method) && method != b.lbMethod() {
			bs[bsMethod].Store(int64(method) + 1)
			bs[bsNeedReset].Store(1)
		}
	}
	if n, ok := intParam(params, "b_tmo"); ok && n >= 0 && n <= 7200 {
		bs[bsTimeout].Store(int64(n) + 1)
	}
	if n, ok := intParam(params, "b_max"); ok && n >= 0 && n <= 99 {
		bs[bsMaxAttempts].Store(int64(n) + 1)
	}
	if n, ok := intParam(params, "b_sforce"); ok {
		v := int64(1)
		if n != 0 {
			v = 2
		}
		bs[bsNoFailover].Store(v)
	}
	if v := params["b_ss"]; v != "" && len(v) < stringWords*8-1 {
		sticky, path := v, v
		if v == "-" {
			sticky, path = "", ""
		} else if c, p, ok := strings.Cut(v, "|"); ok {
			sticky, path = c, p
		}
		storeString(bs, bsSticky, sticky)
		storeString(bs, bsStickyPath, path)
	}
}

// root is the balancer whose state b shows: the main server's for one a
// virtual host inherits.
func (b *balancer) root() *balancer {
	if b.main != nil {
		return b.main
	}
	return b
}

// initGrowth makes room for the members balancer-manager may add: the
// members' slice grows no more (a virtual host that inherits the balancer
// shares its array), and each growth slot is this process's until
// Config.Share puts it in the scoreboard.
func (b *balancer) initGrowth() {
	if b.growth == 0 || len(b.grown) == b.growth {
		return
	}
	b.members = slices.Grow(b.members, b.growth)
	b.grown, b.grownURL = make([]*memberState, b.growth), make([]*memberState, b.growth)
	for i := range b.growth {
		b.grown[i], b.grownURL[i] = new(memberState), new(memberState)
	}
}

// takeAdded takes in the members that balancer-manager added in any child
// of the generation and this process has not yet (a virtual host's
// balancer, the main server's). The caller holds b.mu.
func (b *balancer) takeAdded() {
	if mb := b.main; mb != nil {
		mb.mu.Lock()
		mb.takeAdded()
		if len(b.members) != len(mb.members) {
			// Only then: the page reads them under b.mu, the picks too.
			b.members = mb.members
		}
		mb.mu.Unlock()
		return
	}
	for b.taken < min(int(b.bs[bsAdded].Load()), len(b.grown)) {
		u := loadWords(b.grownURL[b.taken], 0, urlWords, "")
		if u == "" {
			return // its URL is being written
		}
		m := &member{factor: 100, sh: b.grown[b.taken]}
		b.taken++
		if w, err := newWorker(u, &workerSettings{}); err == nil {
			m.attach(w, u)
			b.members = append(b.members, m)
		}
	}
}

// addMember is balancer-manager's b_nwrkr: a member for URL u, disabled,
// in the balancer's next growth slot, which every child takes in
// (takeAdded). It returns apache2's error line when u cannot be a worker's
// URL (or is longer than 239 bytes), or the balancer has a member whose
// URL u starts with (ap_proxy_get_worker: "/app" is not "/app/'s") or no
// room. The member's URL has its scheme and host in lower case.
func (b *balancer) addMember(u string) string {
	b = b.root()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.initGrowth()
	b.takeAdded()
	full := "AH10164: " + b.name + ": failed to add worker " + u
	if underMember(b.members, u) || int(b.bs[bsAdded].Load()) >= b.growth {
		return full
	}
	if _, err := newWorker(u, &workerSettings{}); err != nil || len(u) >= urlWords*8 {
		return "AH10163: " + b.name + ": failed to add worker " + u
	}
	i := int(b.bs[bsAdded].Add(1)) - 1
	if i >= b.growth {
		b.bs[bsAdded].Add(-1)
		return full
	}
	// New members are disabled, as apache2's.
	b.grown[i][shStatus].Store(statusSet | stDisabled)
	lower, _ := canonName(u, false) // the worker's name, as ap_proxy_define_worker makes it
	storeWords(b.grownURL[i], 0, urlWords, lower)
	b.takeAdded()
	return ""
}

// underMember reports whether u starts with a member's URL, its scheme
// and host compared without case, as ap_proxy_get_worker finds the
// worker for u (the longest such URL, at least u's scheme://host[:port]).
func underMember(members []*member, u string) bool {
	u, host := canonName(u, false)
	if host < 0 {
		return false
	}
	for _, m := range members {
		if name, _ := canonName(m.displayName(), false); len(name) >= host && strings.HasPrefix(u, name) {
			return true
		}
	}
	return false
}

// canAdd reports whether balancer-manager may add a member (growth left).
func (b *balancer) canAdd() bool {
	b = b.root()
	return int(b.bs[bsAdded].Load()) < b.growth
}

// intParam is atoi of the parameter key, if given.
func intParam(params map[string]string, key string) (int, bool) {
	v, ok := params[key]
	if !ok {
		return 0, false
	}
	return cnum.Atoi(v), true
}

// sync is the part of ap_proxy_sync_balancer that applies here: the
// members balancer-manager added taken in (takeAdded); after a change of
// lbmethod, the first process that sees it resets the members' state as
// the new lbmethod's reset does (byrequests' lbstatus, also bybusyness'
// busy counts, bytraffic's bytes back to 0). The caller holds b.mu.
func (b *balancer) sync() {
	b.takeAdded()
	bs := b.shared()
	if bs[bsNeedReset].Load() == 0 || !bs[bsNeedReset].CompareAndSwap(1, 0) {
		return
	}
	for _, m := range b.members {
		switch b.lbMethod() {
		case byTraffic:
			m.sh[shTransferred].Store(0)
			m.sh[shRead].Store(0)
		case byBusyness:
			m.sh[shBusy].Store(0)
			fallthrough
		default:
			m.sh[shLBStatus].Store(0)
		}
	}
}

// editMember is the member's part of balancer_process_balancer_worker.
func (b *balancer) editMember(m *member, params map[string]string) {
	if v, ok := params["w_lf"]; ok {
		// apache2's int of atof's times 100, which keeps 1 to 100.
		if f := cnum.Atof(v) * 100; f >= 100 && f < 10001 {
			m.sh[shFactor].Store(int64(f))
			b.recalcFactors()
		}
	}
	if v, ok := params["w_wr"]; ok {
		if len(v) >= stringWords*8 {
			v = ""
		}
		storeString(m.sh, shRoute, v)
	}
	if v, ok := params["w_rr"]; ok {
		if len(v) >= stringWords*8 {
			v = ""
		}
		storeString(m.sh, shRedirect, v)
	}
	for _, c := range "INDHRSC" {
		if n, ok := intParam(params, "w_status_"+string(c)); ok {
			m.setFlag(statusFlags[byte(c)], n != 0)
		}
	}
	if n, ok := intParam(params, "w_ls"); ok && n >= 0 && n <= 99 {
		m.sh[shLBSet].Store(int64(n) + 1)
	}
}

// recalcFactors is recalc_factors: each member's lbstatus set to its load
// factor (a lone member's factor to 100).
func (b *balancer) recalcFactors() {
	members := b.list()
	if len(members) == 1 {
		m := members[0]
		m.sh[shFactor].Store(100)
		m.sh[shLBStatus].Store(100)
		return
	}
	for _, m := range members {
		m.sh[shLBStatus].Store(int64(m.lbFactor()))
	}
}

// setFlag sets or clears one status flag for every child of the generation.
func (m *member) setFlag(flag int, on bool) {
	for {
		old := m.sh[shStatus].Load()
		f := m.flags()
		if old != 0 {
			f = int(old &^ statusSet)
		}
		if on {
			f |= flag
		} else {
			f &^= flag
		}
		if m.sh[shStatus].CompareAndSwap(old, int64(f)|statusSet) {
			return
		}
	}
}

// lbset is the member's lbset: lbset=, or balancer-manager's (shown, not
// applied).
func (m *member) lbset() int64 {
	if n := m.sh[shLBSet].Load(); n != 0 {
		return n - 1
	}
	return int64(m.lbsetConf)
}

// lbMethodName is the lbmethod's name.
func (b *balancer) lbMethodName() string {
	for name, m := range lbmethods {
		if m == b.lbMethod() {
			return name
		}
	}
	return "byrequests"
}

func esc(s string) string { return aphtml.Escape(s) }

// factorString is a loadfactor as "%.2f".
func factorString(f int) string { return strconv.FormatFloat(float64(f)/100, 'f', 2, 64) }

// page is balancer_display_page's HTML.
func (h *Manager) page(w http.ResponseWriter, r *http.Request, host string, bsel *balancer, wsel *member) {
	var sb strings.Builder
	sb.WriteString(managerHead)
	fmt.Fprintf(&sb, "<body><h1>Load Balancer Manager for %s</h1>\n\n", esc(host))
	fmt.Fprintf(&sb, "<dl><dt>Server Version: %s</dt>\n<dt>Server Built: %s</dt>\n", h.software, h.built)
	not := func(b bool) string {
		if b {
			return ""
		}
		return "NOT "
	}
	fmt.Fprintf(&sb, "<dt>Balancer changes will NOT be persisted on restart.</dt><dt>Balancers are %sinherited from main server.</dt><dt>ProxyPass settings are %sinherited from main server.</dt></dl>\n",
		not(!h.c.balancerInheritOff), not(!h.c.passInheritOff))
	uri := apuri.EscapePath(r.URL.Path, true)
	for _, b := range h.c.listed() {
		short := strings.TrimPrefix(b.name, "balancer://")
		nonce := b.nonceValue()
		fmt.Fprintf(&sb, "<hr />\n<h3>LoadBalancer Status for <a href=\"%s?b=%s&amp;nonce=%s\">%s</a> [%s]</h3>\n", uri, short, nonce, b.name, b.safeName())
		sb.WriteString("\n\n<table><tr><th>MaxMembers</th><th>StickySession</th><th>DisableFailover</th><th>Timeout</th><th>FailoverAttempts</th><th>Method</th><th>Path</th><th>Active</th></tr>\n<tr>")
		members := b.list()
		fmt.Fprintf(&sb, "<td>%d [%d Used]</td>\n", b.root().configured+b.root().growth, len(members))
		if sticky, _ := b.stickyNames(); sticky == "" {
			sb.WriteString("<td> (None) ")
		} else {
			fmt.Fprintf(&sb, "<td>%s", esc(b.stickyString()))
		}
		fmt.Fprintf(&sb, "</td><td>%s</td>\n<td>%d</td><td>%d</td>\n<td>%s</td>\n<td>%s</td>\n<td>Yes</td>\n</tr>\n</table>\n<br />",
			onOffWord(b.noFailover()), b.timeoutSecs(), b.attempts(), b.lbMethodName(), b.vpath)
		sb.WriteString("\n\n<table><tr><th>Worker URL</th><th>Route</th><th>RouteRedir</th><th>Factor</th><th>Set</th><th>Status</th><th>Elected</th><th>Busy</th><th>Load</th><th>To</th><th>From</th></tr>\n")
		for _, m := range members {
			fmt.Fprintf(&sb, "<tr>\n<td><a href=\"%s?b=%s&amp;w=%s&amp;nonce=%s\">%s</a></td>", uri, short, apuri.EscapePath(m.displayName(), true), nonce, m.displayName())
			fmt.Fprintf(&sb, "<td>%s</td><td>%s</td><td>%s</td><td>%d</td><td>%s</td>", esc(m.routeName()), esc(m.redirectRoute()),
				factorString(m.lbFactor()), m.lbset(), m.statusString())
			fmt.Fprintf(&sb, "<td>%d</td><td>%d</td><td>%d</td><td>%s</td><td>%s</td></tr>\n", m.sh[shElected].Load(), m.sh[shBusy].Load(), m.sh[shLBStatus].Load(),
				autoindex.Size(m.sh[shTransferred].Load()), autoindex.Size(m.sh[shRead].Load()))
		}
		sb.WriteString("</table>\n")
	}
	sb.WriteString("<hr />\n")
	if wsel != nil && bsel != nil {
		h.memberForm(&sb, r, bsel, wsel)
	} else if bsel != nil {
		h.balancerForm(&sb, r, bsel)
	}
	sb.WriteString(http1.SignatureLine(r))
	sb.WriteString("</body></html>\n")
	w.Header().Set("Content-Type", "text/html; charset=ISO-8859-1")
	io.WriteString(w, sb.String())
}

// memberForm is the page's form to edit a member.
func (h *Manager) memberForm(sb *strings.Builder, r *http.Request, b *balancer, m *member) {
	action := http1.SelfURL(r, r.URL.EscapedPath())
	fmt.Fprintf(sb, "<h3>Edit worker settings for %s</h3>\n", m.displayName())
	fmt.Fprintf(sb, "<form method='POST' enctype='application/x-www-form-urlencoded' action=\"%s\">\n", action)
	fmt.Fprintf(sb, "<table><tr><td>Load factor:</td><td><input name='w_lf' id='w_lf' type=text value='%s'></td></tr>\n", factorString(m.lbFactor()))
	fmt.Fprintf(sb, "<tr><td>LB Set:</td><td><input name='w_ls' id='w_ls' type=text value='%d'></td></tr>\n", m.lbset())
	fmt.Fprintf(sb, "<tr><td>Route:</td><td><input name='w_wr' id='w_wr' type=text value=\"%s\"></td></tr>\n", esc(m.routeName()))
	fmt.Fprintf(sb, "<tr><td>Route Redirect:</td><td><input name='w_rr' id='w_rr' type=text value=\"%s\"></td></tr>\n", esc(m.redirectRoute()))
	sb.WriteString("<tr><td>Status:</td><td><table><tr><th>Ignore Errors</th><th>Draining Mode</th><th>Disabled</th><th>Hot Standby</th><th>Hot Spare</th><th>Stopped</th></tr>\n<tr>")
	f := m.flags()
	for _, c := range "INDHRS" {
		radio(sb, "w_status_"+string(c), f&statusFlags[byte(c)] != 0)
	}
	sb.WriteString("</tr></table></td></tr>\n<tr><td colspan='2'><input type=submit value='Submit'></td></tr>\n")
	fmt.Fprintf(sb, "</table>\n<input type=hidden name='w' id='w' value=\"%s\">\n", apuri.EscapePath(m.displayName(), true))
	fmt.Fprintf(sb, "<input type=hidden name='b' id='b' value=\"%s\">\n", esc(strings.TrimPrefix(b.name, "balancer://")))
	fmt.Fprintf(sb, "<input type=hidden name='nonce' id='nonce' value='%s'>\n</form>\n<hr />\n", b.nonceValue())
}

// methodNames are the lbmethods in the order apache2 2.4.71 lists them.
var methodNames = []string{"byrequests", "bybusyness", "bytraffic"}

// balancerForm is the page's form to edit a balancer.
func (h *Manager) balancerForm(sb *strings.Builder, r *http.Request, b *balancer) {
	fmt.Fprintf(sb, "<h3>Edit balancer settings for %s</h3>\n", esc(b.name))
	fmt.Fprintf(sb, "<form method='POST' enctype='application/x-www-form-urlencoded' action=\"%s\">\n<table>\n", http1.SelfURL(r, r.URL.EscapedPath()))
	sb.WriteString("<tr><td>LBmethod:</td><td>\n<select name='b_lbm' id='b_lbm'>")
	current := b.lbMethodName()
	for _, name := range methodNames {
		if !h.c.methodLoaded(lbmethods[name]) {
			continue
		}
		selected := ""
		if name == current {
			selected = " selected "
		}
		fmt.Fprintf(sb, "<option value='%s'%s>%s\n", name, selected, name)
	}
	sb.WriteString("</select>\n</td></tr>\n")
	fmt.Fprintf(sb, "<tr><td>Timeout:</td><td><input name='b_tmo' id='b_tmo' type=text value='%d'></td></tr>\n", b.timeoutSecs())
	fmt.Fprintf(sb, "<tr><td>Failover Attempts:</td><td><input name='b_max' id='b_max' type=text value='%d'></td></tr>\n", b.attempts())
	sb.WriteString("<tr><td>Disable Failover:</td>")
	radio(sb, "b_sforce", b.noFailover())
	sb.WriteString("</tr>\n")
	fmt.Fprintf(sb, "<tr><td>Sticky Session:</td><td><input name='b_ss' id='b_ss' size=64 type=text value =\"%s\">&nbsp;&nbsp;&nbsp;&nbsp;(Use '-' to delete)</td></tr>\n", esc(b.stickyString()))
	if b.canAdd() {
		sb.WriteString("<tr><td>Add New Worker:</td><td><input name='b_nwrkr' id='b_nwrkr' size=32 type=text>" +
			"&nbsp;&nbsp;&nbsp;&nbsp;Are you sure? <input name='b_wyes' id='b_wyes' type=checkbox value='1'></td></tr>")
	}
	sb.WriteString("<tr><td colspan=2><input type=submit value='Submit'></td></tr>\n")
	fmt.Fprintf(sb, "</table>\n<input type=hidden name='b' id='b' value=\"%s\">\n", esc(strings.TrimPrefix(b.name, "balancer://")))
	fmt.Fprintf(sb, "<input type=hidden name='nonce' id='nonce' value='%s'>\n</form>\n<hr />\n", b.nonceValue())
}

// radio is create_radio.
func radio(sb *strings.Builder, name string, on bool) {
	checked := func(b bool) string {
		if b {
			return " checked"
		}
		return ""
	}
	fmt.Fprintf(sb, "<td><label for='%s1'>On</label> <input name='%s' id='%s1' value='1' type=radio%s> <br/> <label for='%s0'>Off</label> <input name='%s' id='%s0' value='0' type=radio%s></td>\n",
		name, name, name, checked(on), name, name, name, checked(!on))
}

func onOffWord(b bool) string {
	if b {
		return "On"
	}
	return "Off"
}

// safeName is the balancer's "[p…_name]": a hash of the server's balancers
// and the name, as apache2's sname.
func (b *balancer) safeName() string {
	var h uint32
	for _, c := range []byte(b.vpath) {
		h = uint32(c) + (h << 6) + (h << 16) - h
	}
	return fmt.Sprintf("p%x_%s", h, strings.TrimPrefix(b.name, "balancer://"))
}

// xml is balancer_display_page's XML (xml= given).
func (h *Manager) xml(w http.ResponseWriter, r *http.Request, host string) {
	var sb strings.Builder
	sb.WriteString("<?xml version='1.0' encoding='UTF-8' ?>\n<httpd:manager xmlns:httpd='http://httpd.apache.org'>\n  <httpd:balancers>\n")
	for _, b := range h.c.listed() {
		sb.WriteString("    <httpd:balancer>\n")
		fmt.Fprintf(&sb, "      <httpd:name>%s</httpd:name>\n      <httpd:nonce>%s</httpd:nonce>\n", b.name, b.nonceValue())
		sticky, _ := b.stickyNames()
		if sticky != "" {
			fmt.Fprintf(&sb, "      <httpd:stickysession>%s</httpd:stickysession>\n      <httpd:nofailover>%s</httpd:nofailover>\n", esc(sticky), onOffWord(b.noFailover()))
		}
		fmt.Fprintf(&sb, "      <httpd:timeout>%d</httpd:timeout>", b.timeoutSecs())
		if b.maxSet || b.root().configured > 1 || b.shared()[bsMaxAttempts].Load() != 0 {
			fmt.Fprintf(&sb, "      <httpd:maxattempts>%d</httpd:maxattempts>\n", b.attempts())
		}
		fmt.Fprintf(&sb, "      <httpd:lbmethod>%s</httpd:lbmethod>\n", b.lbMethodName())
		if sticky != "" {
			sb.WriteString("      <httpd:scolonpathdelim>Off</httpd:scolonpathdelim>\n")
		}
		sb.WriteString("      <httpd:workers>\n")
		for _, m := range b.list() {
			lf := factorString(m.lbFactor())
			sb.WriteString("        <httpd:worker>\n")
			fmt.Fprintf(&sb, "          <httpd:name>%s</httpd:name>\n          <httpd:scheme>%s</httpd:scheme>\n          <httpd:hostname>%s</httpd:hostname>\n", m.displayName(), m.w.scheme, m.w.host)
			fmt.Fprintf(&sb, "          <httpd:loadfactor>%s</httpd:loadfactor>\n          <httpd:port>%s</httpd:port>\n", lf, m.w.port)
			sb.WriteString("          <httpd:min>0</httpd:min>\n          <httpd:smax>0</httpd:smax>\n          <httpd:max>0</httpd:max>\n          <httpd:ttl>0</httpd:ttl>\n")
			fmt.Fprintf(&sb, "          <httpd:status>%s</httpd:status>\n", m.statusString())
			fmt.Fprintf(&sb, "          <httpd:retries>0</httpd:retries>\n          <httpd:lbstatus>%d</httpd:lbstatus>\n          <httpd:loadfactor>%s</httpd:loadfactor>\n", m.sh[shLBStatus].Load(), lf)
			fmt.Fprintf(&sb, "          <httpd:transferred>%d</httpd:transferred>\n          <httpd:read>%d</httpd:read>\n          <httpd:elected>%d</httpd:elected>\n",
				m.sh[shTransferred].Load(), m.sh[shRead].Load(), m.sh[shElected].Load())
			fmt.Fprintf(&sb, "          <httpd:route>%s</httpd:route>\n          <httpd:redirect>%s</httpd:redirect>\n", esc(m.routeName()), esc(m.redirectRoute()))
			fmt.Fprintf(&sb, "          <httpd:busy>%d</httpd:busy>\n          <httpd:lbset>%d</httpd:lbset>\n", m.sh[shBusy].Load(), m.lbset())
			if m.w.settings.retrySet {
				fmt.Fprintf(&sb, "          <httpd:retry>%d</httpd:retry>\n", int64(m.w.settings.retry.Seconds()))
			}
			sb.WriteString("        </httpd:worker>\n")
		}
		sb.WriteString("      </httpd:workers>\n    </httpd:balancer>\n")
	}
	sb.WriteString("  </httpd:balancers>\n</httpd:manager>")
	w.Header().Set("Content-Type", "text/xml")
	io.WriteString(w, sb.String())
}

// managerHead is the page's head, as apache2's.
const managerHead = `<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN" "http://www.w3.org/TR/html4/strict.dtd">
<html><head><title>Balancer Manager</title>
<style type='text/css'>
table {
 border-width: 1px;
 border-spacing: 3px;
 border-style: solid;
 border-color: gray;
 border-collapse: collapse;
 background-color: white;
 text-align: center;
}
th {
 border-width: 1px;
 padding: 2px;
 border-style: dotted;
 border-color: gray;
 background-color: lightgray;
 text-align: center;
}
td {
 border-width: 1px;
 padding: 2px;
 border-style: dotted;
 border-color: gray;
 background-color: white;
 text-align: center;
}
</style>
</head>
`
