package host

import (
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/httpd-mpm/httpd-mpm/host/config"
	"github.com/httpd-mpm/httpd-mpm/mpm"
	"github.com/httpd-mpm/httpd-mpm/mpm/authz"
	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
	"github.com/httpd-mpm/httpd-mpm/mpm/remoteip"
	"github.com/httpd-mpm/httpd-mpm/mpm/rewrite"
	"github.com/httpd-mpm/httpd-mpm/mpm/site"
	"github.com/httpd-mpm/httpd-mpm/mpm/static"
)

// engineSettings fills in the Core fields that the HTTP engine and the static handler
// take from core directives: ServerAdmin, ServerTokens, ServerSignature, TraceEnable,
// FileETag and the LimitRequest* limits. (A virtual host's are virtualHosts'.)
func engineSettings(c *mpm.Core, s *config.Server) {
	c.ServerAdmin = s.ServerAdmin
	c.Banner = banner(s.ServerTokens)
	c.ServerSignature, c.TraceEnable, c.LimitRequestBody = engineSignature(s.ServerSignature), engineTrace(s.TraceEnable), engineBodyLimit(s.LimitRequestBody)
	if s.FileETag != nil {
		if e, err := static.ParseFileETag(s.FileETag); err == nil {
			c.FileETag = e.Fields()
		}
	}
	c.LimitRequestLine, c.LimitRequestFieldSize, c.LimitRequestFields = engineHeadLimits(s.PerServer)
	c.BodyTimeout, c.BodyMinRate = s.BodyTimeout, s.BodyMinRate
}

// engineSignature is a ServerSignature keyword (config.PerServer's) as the engine's.
func engineSignature(sig string) http1.Signature {
	s, _ := http1.ParseSignature(sig)
	return s
}

// engineTrace is a TraceEnable keyword (config.PerServer's) as the engine's.
func engineTrace(t string) http1.Trace {
	switch t {
	case "on":
		return http1.TraceOn
	case "extended":
		return http1.TraceExtended
	}
	return http1.TraceOff
}

// engineHeadLimits are LimitRequestLine, LimitRequestFieldSize and
// LimitRequestFields as the engine's. Apache's 0 refuses every request line or
// field (it still allows one byte, as it allows limit+1); 1 is the nearest the
// engine can say, since its 0 is the default. Apache's 0 fields (unlimited) is -1.
func engineHeadLimits(p config.PerServer) (line, fieldSize, fields int) {
	fields = p.LimitRequestFields
	if fields == 0 {
		fields = -1
	}
	return max(p.LimitRequestLine, 1), max(p.LimitRequestFieldSize, 1), fields
}

// engineBodyLimit is LimitRequestBody as the engine's: Apache's 0 (unlimited) is -1.
func engineBodyLimit(n int64) int64 {
	if n == 0 {
		return -1
	}
	return n
}

// siteSettings fills in the per-path configuration: the top-level directives the
// site package interprets and the <Directory>, <Files> and <Location> sections (and
// their *Match forms), directories made absolute against the ServerRoot.
func siteSettings(c *mpm.Core, cfg *config.Config, s *config.Server) {
	for _, d := range cfg.Directives {
		if !d.IsSection() && isSiteDirective(d.Name) {
			sd := serverDirective(d, s.ServerRoot)
			if strings.EqualFold(sd.Name, "ScriptLog") && len(sd.Args) == 1 && !filepath.IsAbs(sd.Args[0]) {
				sd.Args = []string{filepath.Join(s.ServerRoot, sd.Args[0])} // ap_server_root_relative
			}
			c.ServerDirectives = append(c.ServerDirectives, sd)
		}
	}
	for _, sec := range s.Sections {
		if ss, ok := siteSection(sec, s.ServerRoot); ok {
			c.Sections = append(c.Sections, ss)
		}
	}
}

// virtualHosts resolves the <VirtualHost> sections for the MPM, with main (the
// main server's settings, siteSettings done) merged in as Apache merges a virtual
// host over the main server: per-path directives are the main server's then the
// section's (the later wins), but the section's Alias and Redirect lines come
// first (mod_alias tries a virtual host's before the main server's); sections are
// the main server's then the section's. Access logs are left to assignAccessLogs.
// The messages are Apache's AH00549 errors for names it could not resolve, which
// Apache's ap_fini_vhost_config logs at every start (as -S prints them).
func virtualHosts(cfg *config.Config, s *config.Server, main *mpm.Core) ([]mpm.VirtualHost, []string) {
	if len(s.VirtualHosts) == 0 {
		return nil, nil
	}
	parsed, msgs := readVhosts(cfg.Directives, sync.OnceValue(func() string { return mainHostname(s.ServerName) }))
	out := make([]mpm.VirtualHost, 0, len(s.VirtualHosts))
	for i, cv := range s.VirtualHosts {
		p := parsed[i]
		v := mpm.VirtualHost{
			ServerName: cv.ServerName, ServerAliases: cv.ServerAliases, DocumentRoot: cv.DocumentRoot,
			ServerAdmin: cv.ServerAdmin, File: cv.Section.File, Line: cv.Section.Line,
			AddTypes: cv.AddTypes,
			HostConfig: http1.HostConfig{
				KeepAlive: cv.KeepAlive, MaxKeepAliveRequests: cv.MaxKeepAliveRequests,
				ServerSignature: engineSignature(cv.ServerSignature), TraceEnable: engineTrace(cv.TraceEnable),
				LimitRequestBody: engineBodyLimit(cv.LimitRequestBody), BodyTimeout: cv.BodyTimeout, BodyMinRate: cv.BodyMinRate,
				Timeout: cv.Timeout, KeepAliveTimeout: cv.KeepAliveTimeout, OwnKeepAliveTimeout: cv.OwnKeepAliveTimeout,
			},
		}
		v.LimitRequestLine, v.LimitRequestFieldSize, v.LimitRequestFields = engineHeadLimits(cv.PerServer)
		if v.ServerName == "" {
			// Apache's server_rec port: the first address's, else the main
			// server's (a ServerName would set it, its port or none).
			v.ServerName = p.v.name
			port := p.defPort
			if len(p.addrs) > 0 && p.addrs[0].port != 0 {
				port = p.addrs[0].port
			}
			if port != 0 {
				v.ServerName += ":" + strconv.Itoa(port)
			}
		}
		for _, a := range p.addrs {
			va := mpm.VirtualHostAddr{Port: a.port, Name: strings.ToLower(a.host)}
			if !a.wildcard() {
				va.IP = a.ip.String()
			}
			v.Addrs = append(v.Addrs, va)
		}
		var own []site.Directive
		for _, d := range cv.Section.Children {
			switch {
			case d.IsSection():
				if ss, ok := siteSection(d, s.ServerRoot); ok {
					v.Sections = append(v.Sections, ss)
				}
			case isSiteDirective(d.Name):
				own = append(own, serverDirective(d, s.ServerRoot))
			}
		}
		inherits := inheritsProxies(main.ServerDirectives, own)
		mainSections := main.Sections
		if !inherits {
			mainSections = withoutProxyDefinitions(mainSections)
		}
		v.Sections = append(slices.Clip(mainSections), v.Sections...)
		v.Handlers = append(slices.Clip(main.Handlers), locationHandlers(cv.Section.Children)...)
		for _, d := range own {
			if isAliasOrRedirect(d.Name) {
				v.ServerDirectives = append(v.ServerDirectives, d)
			}
		}
		var mainProxies []site.Directive
		for _, d := range main.ServerDirectives {
			if remoteip.IsProxyDirective(d.Name) {
				mainProxies = append(mainProxies, d) // after the host's own, as apache2 2.4.71 merges them
				continue
			}
			if rewrite.IsDirective(d.Name) {
				continue
			}
			if !inherits {
				var ok bool
				if d, ok = withoutProxyDefinition(d, false); !ok {
					continue
				}
			}
			v.ServerDirectives = append(v.ServerDirectives, d)
		}
		for _, d := range own {
			if !isAliasOrRedirect(d.Name) && !rewrite.IsDirective(d.Name) {
				v.ServerDirectives = append(v.ServerDirectives, d)
			}
		}
		v.ServerDirectives = append(v.ServerDirectives, mainProxies...)
		v.ServerDirectives = append(v.ServerDirectives, vhostRewrite(main.ServerDirectives, own)...)
		out = append(out, v)
	}
	return out, msgs
}

// vhostRewrite is a virtual host's server-context mod_rewrite lines, the main
// server's merged in as apache2's config_server_merge does: the host's
// RewriteEngine and RewriteOptions, else the main server's; the main server's
// rules only with RewriteOptions Inherit (after the host's) or InheritBefore
// (before them). The main server's RewriteMap lines come with its rules: with
// Inherit the host's own maps of a name win, with InheritBefore the main
// server's (apache2's hash overlays; a later line of a name wins).
func vhostRewrite(main, own []site.Directive) []site.Directive {
	var engine, options, rules, maps, mainEngine, mainOptions, mainRules, mainMaps []site.Directive
	split := func(ds []site.Directive, engine, options, rules, maps *[]site.Directive) {
		for _, d := range ds {
			switch {
			case strings.EqualFold(d.Name, "RewriteEngine"):
				*engine = append(*engine, d)
			case strings.EqualFold(d.Name, "RewriteOptions"):
				*options = append(*options, d)
			case strings.EqualFold(d.Name, "RewriteMap"):
				*maps = append(*maps, d)
			case rewrite.IsDirective(d.Name):
				*rules = append(*rules, d)
			}
		}
	}
	split(main, &mainEngine, &mainOptions, &mainRules, &mainMaps)
	split(own, &engine, &options, &rules, &maps)
	if len(engine) == 0 {
		engine = mainEngine
	}
	if len(options) == 0 {
		options = mainOptions
	}
	var words []string
	for _, d := range options {
		words = append(words, d.Args...)
	}
	out := append(slices.Clip(engine), options...)
	switch rewrite.Inheritance(words) {
	case rewrite.OptInherit:
		out = append(append(out, mainMaps...), maps...)
		return append(append(out, rules...), mainRules...)
	case rewrite.OptInheritBefore:
		out = append(append(out, maps...), mainMaps...)
		return append(append(out, mainRules...), rules...)
	}
	return append(append(out, maps...), rules...)
}

// inheritsProxies says whether a virtual host inherits the main server's
// balancers and workers, as apache2's merge_proxy_config decides: unless
// its BalancerInherit and ProxyPassInherit (its own lines, else the main
// server's; the last one wins) are both Off.
func inheritsProxies(main, own []site.Directive) bool {
	on := func(name string) bool {
		value := true
		for _, ds := range [][]site.Directive{main, own} {
			for _, d := range ds {
				if strings.EqualFold(d.Name, name) && len(d.Args) > 0 {
					value = !strings.EqualFold(d.Args[0], "off")
				}
			}
		}
		return value
	}
	return on("BalancerInherit") || on("ProxyPassInherit")
}

// withoutProxyDefinition is a line of the main server as a virtual host
// that inherits neither its balancers nor its workers sees it: without
// what defines them (BalancerMember, ProxySet, a <Proxy> section's
// key=value words: false, the line is left out; a ProxyPass line's
// key=value words, its worker's or balancer's parameters). The ProxyPass
// itself is inherited, as in apache2: it reaches the virtual host's own
// balancer of that name, or a worker with the default parameters.
// In a section (inSection) a ProxyPass has no path of its own: its first
// word is the URL; at the top level the path ("~" before a regex) and the
// URL come first, whatever they hold, as in apache2's add_pass.
func withoutProxyDefinition(d site.Directive, inSection bool) (site.Directive, bool) {
	switch strings.ToLower(d.Name) {
	case "balancermember", "proxyset", "<proxy", "<proxymatch":
		return d, false
	case "proxypass", "proxypassmatch":
		positional := 2
		if inSection {
			positional = 1
		}
		var args []string
		for i, a := range d.Args {
			if i == 0 && a == "~" && !inSection {
				positional++
			}
			if i < positional || !strings.Contains(a, "=") {
				args = append(args, a)
			}
		}
		d.Args = args
	}
	return d, true
}

// withoutProxyDefinitions is withoutProxyDefinition applied to sections
// and the sections in them (copies: the main server keeps its own).
func withoutProxyDefinitions(sections []site.Section) []site.Section {
	out := make([]site.Section, 0, len(sections))
	for _, sec := range sections {
		var ds []site.Directive
		for _, d := range sec.Directives {
			if d, ok := withoutProxyDefinition(d, true); ok {
				ds = append(ds, d)
			}
		}
		sec.Directives = ds
		sec.Sections = withoutProxyDefinitions(sec.Sections)
		out = append(out, sec)
	}
	return out
}

func isSiteDirective(name string) bool {
	return slices.ContainsFunc(site.Directives, func(n string) bool { return strings.EqualFold(n, name) })
}

func isAliasOrRedirect(name string) bool {
	n := strings.ToLower(name)
	return strings.HasPrefix(n, "alias") || strings.HasPrefix(n, "scriptalias") || strings.HasPrefix(n, "redirect")
}

// remoteIPMergeWarnings are apache2 2.4.71's AH10633 warnings for the
// virtual hosts with RemoteIP*Proxy entries of their own when the main
// server has some too, from the last host to the first as apache2 merges
// them. The entries are core's, the lists read (serverDirective): a line
// that gives none (an empty list file) is no entry, as in apache2.
func remoteIPMergeWarnings(core *mpm.Core) []string {
	entries := func(ds []site.Directive) int {
		n := 0
		for _, d := range ds {
			if remoteip.IsProxyDirective(d.Name) {
				n += len(d.Args)
			}
		}
		return n
	}
	main := entries(core.ServerDirectives)
	if main == 0 {
		return nil
	}
	var out []string
	for _, v := range slices.Backward(core.VirtualHosts) {
		if entries(v.ServerDirectives) > main { // the host's own come before the main server's (virtualHosts)
			out = append(out, fmt.Sprintf("AH10633: RemoteIP proxy entries are configured in both the main server and the virtual host defined at %s:%d, they are merged", v.File, v.Line))
		}
	}
	return out
}

// serverDirective is siteDirective for a server-level line. A
// RemoteIP*Proxy or RemoteIP*ProxyList line becomes the RemoteIP*Proxy line
// of the subnets it stands for, its list file (relative to root,
// ap_server_root_relative) read and its host names looked up here, once, as
// apache2's parent does: the children, which may run as a User that cannot
// read the file, neither open it nor look names up. A line that fails (the
// configuration check has reported it) goes as it is.
func serverDirective(d *config.Directive, root string) site.Directive {
	sd := siteDirective(d)
	if strings.EqualFold(sd.Name, "RewriteMap") && len(sd.Args) >= 2 {
		// The map's file below the ServerRoot, which the children do not know.
		sd.Args = slices.Clone(sd.Args)
		sd.Args[1] = rewrite.MapSource(sd.Args[1], root)
		return sd
	}
	if !remoteip.IsProxyDirective(sd.Name) {
		return sd
	}
	args := sd.Args
	if len(args) == 1 && strings.HasSuffix(strings.ToLower(sd.Name), "list") {
		args = []string{config.RootRelative(root, args[0])}
	}
	if name, nets, err := remoteip.Resolve(sd.Name, args); err == nil {
		sd.Name, sd.Args = name, nets
	}
	return sd
}

func siteDirective(d *config.Directive) site.Directive {
	return site.Directive{Name: d.Name, Args: d.Args, File: d.File, Line: d.Line, Seq: d.Seq}
}

func siteSection(d *config.Directive, root string) (site.Section, bool) {
	kind := strings.ToLower(d.Name)
	switch kind {
	case "directory", "directorymatch", "files", "filesmatch", "location", "locationmatch", "proxy", "proxymatch", "if", "elseif", "else":
	default:
		return site.Section{}, false
	}
	if len(d.Args) == 0 && kind != "else" && kind != "proxy" && kind != "proxymatch" {
		return site.Section{}, false
	}
	sec := site.Section{Kind: d.Name, Regex: strings.HasSuffix(kind, "match"), File: d.File, Line: d.Line, Seq: d.Seq}
	if len(d.Args) > 0 {
		sec.Pattern = d.Args[0]
	}
	if len(d.Args) == 2 && d.Args[0] == "~" {
		sec.Pattern, sec.Regex = d.Args[1], true
	}
	if kind == "directory" && !sec.Regex && !filepath.IsAbs(sec.Pattern) {
		sec.Pattern = filepath.Join(root, sec.Pattern)
	}
	for _, x := range d.Children {
		if x.IsSection() {
			if ns, ok := siteSection(x, root); ok {
				sec.Sections = append(sec.Sections, ns)
			} else if authz.IsSection(x.Name) || authz.IsLimit(x.Name) {
				sec.Sections = append(sec.Sections, authzSection(x))
			}
			continue
		}
		sd := siteDirective(x)
		if len(sd.Args) == 1 && (strings.EqualFold(sd.Name, "AuthUserFile") || strings.EqualFold(sd.Name, "AuthGroupFile")) {
			// ap_set_file_slot: relative to ServerRoot, "." and ".." resolved.
			f := filepath.Clean(sd.Args[0])
			if !filepath.IsAbs(f) {
				f = filepath.Join(root, f)
			}
			sd.Args = []string{f}
		}
		sec.Directives = append(sec.Directives, sd)
	}
	if (kind == "proxy" || kind == "proxymatch") && len(d.Args) > 1 {
		// <Proxy URL key=value...>: the parameters, applied after the
		// section's lines, as a directive named after the section
		// (package proxy's SetProxy reads it).
		sec.Directives = append(sec.Directives, site.Directive{Name: "<" + d.Name, Args: d.Args[1:], File: d.File, Line: d.Line, Seq: d.Seq})
	}
	return sec, true
}

// authzSection is a <RequireAll>, <RequireAny>, <RequireNone>, <Limit> or
// <LimitExcept> section for package site, with its lines and nested sections; a
// <Limit>'s methods are its Pattern, separated by spaces.
func authzSection(d *config.Directive) site.Section {
	sec := site.Section{Kind: d.Name, Pattern: strings.Join(d.Args, " "), File: d.File, Line: d.Line, Seq: d.Seq}
	for _, x := range d.Children {
		switch {
		case x.IsSection() && (authz.IsSection(x.Name) || authz.IsLimit(x.Name)):
			sec.Sections = append(sec.Sections, authzSection(x))
		case !x.IsSection():
			sec.Directives = append(sec.Directives, siteDirective(x))
		}
	}
	return sec
}

// banner is the Server header for a ServerTokens keyword (config.Server's long form),
// as Apache builds it from its version: Prod "httpd-mpm", Major "httpd-mpm/0", Minor
// "httpd-mpm/0.1", Min "httpd-mpm/0.1.0", OS and Full the whole Software(), since the
// host adds no module tokens.
func banner(tokens string) string {
	parts := strings.SplitN(Version, ".", 3)
	switch tokens {
	case "productonly":
		return "httpd-mpm"
	case "major":
		return "httpd-mpm/" + parts[0]
	case "minor":
		return "httpd-mpm/" + strings.Join(parts[:min(2, len(parts))], ".")
	case "minimal":
		return "httpd-mpm/" + Version
	}
	return Software()
}
