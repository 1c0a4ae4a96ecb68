// Package site is the per-path configuration of a server, as Apache's core, mod_alias,
// mod_authz_core, mod_mime, mod_dir and mod_autoindex apply it: <Directory>,
// <DirectoryMatch>, <Files>, <FilesMatch>, <Location> and <LocationMatch> sections
// with access control (Require and its sections, AuthMerging, Order/Allow/Deny/Satisfy,
// <Limit>/<LimitExcept>: package authz; AuthType and the Auth* files: package authn),
// mod_rewrite's per-directory rules (package rewrite), Options (Indexes, FollowSymLinks,
// SymLinksIfOwnerMatch, MultiViews), DirectoryIndex, ErrorDocument, ForceType, FileETag,
// AddDefaultCharset, Redirect, Header and RequestHeader (package headers),
// ExpiresActive, ExpiresByType and ExpiresDefault (package expires),
// AddOutputFilterByType, SetOutputFilter, AddOutputFilter and RemoveOutputFilter
// (package deflate), SetEnv, UnsetEnv, PassEnv, SetEnvIf, SetEnvIfNoCase, BrowserMatch and
// BrowserMatchNoCase (package env), mod_autoindex's directives (package autoindex),
// mod_mime's AddType, AddCharset, AddLanguage, AddEncoding, AddHandler, their Remove*
// lines, DefaultLanguage and MultiviewsMatch (mime.go), SetHandler type-map,
// LanguagePriority and ForceLanguagePriority (package negotiation), SetHandler,
// AddHandler and RemoveHandler of cgi-script, CGIPassAuth, CGIVar and CGIScriptTimeout
// (package cgi, with mod_cgi or mod_cgid loaded); and, at the top level, Alias,
// AliasMatch, ScriptAlias, ScriptAliasMatch, Redirect, RedirectMatch, RedirectTemp,
// RedirectPermanent, the Deflate* settings, ScriptLog* and the LoadModule lines of
// the CGI modules.
//
// The host sends the sections as written (kind, pattern and directives with their
// positions); Compile turns them into a Config and Handler serves requests with it on
// top of a static.Handler.
//
// Sections merge in Apache's order: the top level, then <Directory> sections without
// a regular expression from the shortest path to the longest, then regular-expression
// <Directory>/<DirectoryMatch> sections, then <Files>/<FilesMatch>, then
// <Location>/<LocationMatch>, each group in config order; a later section overrides an
// earlier one directive by directive (Options and FileETag with "+"/"-" modify what they
// inherit; Require lines merge as mod_authz_core's AuthMerging says). Where
// AllowOverride lets them, .htaccess files merge after their level's <Directory>
// sections (htaccess.go).
//
// <If>, <ElseIf> and <Else> sections merge last, for each request (ifs.go).
package site

import (
	"errors"
	"fmt"
	"net/http"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/httpd-mpm/httpd-mpm/internal/cnum"
	"github.com/httpd-mpm/httpd-mpm/internal/loglevel"
	"github.com/httpd-mpm/httpd-mpm/mpm/apexpr"
	"github.com/httpd-mpm/httpd-mpm/mpm/apregex"
	"github.com/httpd-mpm/httpd-mpm/mpm/authn"
	"github.com/httpd-mpm/httpd-mpm/mpm/authz"
	"github.com/httpd-mpm/httpd-mpm/mpm/autoindex"
	"github.com/httpd-mpm/httpd-mpm/mpm/cgi"
	"github.com/httpd-mpm/httpd-mpm/mpm/deflate"
	"github.com/httpd-mpm/httpd-mpm/mpm/env"
	"github.com/httpd-mpm/httpd-mpm/mpm/expires"
	"github.com/httpd-mpm/httpd-mpm/mpm/headers"
	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
	"github.com/httpd-mpm/httpd-mpm/mpm/negotiation"
	"github.com/httpd-mpm/httpd-mpm/mpm/proxy"
	"github.com/httpd-mpm/httpd-mpm/mpm/remoteip"
	"github.com/httpd-mpm/httpd-mpm/mpm/rewrite"
	"github.com/httpd-mpm/httpd-mpm/mpm/scoreboard"
	"github.com/httpd-mpm/httpd-mpm/mpm/sslvars"
	"github.com/httpd-mpm/httpd-mpm/mpm/static"
)

// Directive is one directive line with its position.
type Directive struct {
	Name string
	Args []string
	File string
	Line int
	Seq  int // the line's place in reading order across files, 0 if unknown
}

// Section is one <Directory>, <DirectoryMatch>, <Files>, <FilesMatch>, <Location> or
// <LocationMatch> section as written. Pattern is the path, wildcard pattern or regular
// expression; Regex is true for the *Match kinds and the "~" form. <Files> sections
// may be nested in <Directory> sections.
type Section struct {
	Kind       string
	Pattern    string
	Regex      bool
	Directives []Directive
	Sections   []Section
	File       string // where the section opens
	Line       int
	Seq        int // the opening line's place in reading order, 0 if unknown
}

// LogLevelMax is the most verbose level (wire.ParseLogLevel's numbers) that a
// LogLevel line in sections, or in the sections within them, sets for any
// module, loglevel.Unset for none: a server's errors may be wanted up to it
// (see Handler's setLogConfig).
func LogLevelMax(sections []Section) int {
	n := loglevel.Unset
	for _, s := range sections {
		for _, d := range s.Directives {
			if strings.EqualFold(d.Name, "LogLevel") {
				l := loglevel.Section()
				_ = l.Apply(d.Args)
				n = max(n, l.Max())
			}
		}
		n = max(n, LogLevelMax(s.Sections))
	}
	return n
}

// Directives names the top-level directives this package interprets; the host sends
// these (and every directive inside a section).
var Directives = append([]string{
	"Options", "DirectoryIndex", "DirectorySlash", "AcceptPathInfo", "FallbackResource", "ErrorDocument", "ForceType", "DefaultType", "FileETag",
	"AddCharset", "AddLanguage", "AddEncoding", "AddHandler", "RemoveCharset", "RemoveLanguage", // SetMIME
	"RemoveEncoding", "RemoveHandler", "DefaultLanguage", "MultiviewsMatch",
	"LanguagePriority", "ForceLanguagePriority", "CacheNegotiatedDocs",
	"AddDefaultCharset", "UseCanonicalName", "Alias", "AliasMatch", "Redirect", "RedirectMatch", "RedirectTemp", "RedirectPermanent",
	"Header", "RequestHeader", "ExpiresActive", "ExpiresByType", "ExpiresDefault",
	"RewriteEngine", "RewriteOptions", "RewriteBase", "RewriteCond", "RewriteRule", "RewriteMap",
	"SetEnv", "UnsetEnv", "PassEnv", "SetEnvIf", "SetEnvIfNoCase", "BrowserMatch", "BrowserMatchNoCase", "SetEnvIfExpr",
	"AddOutputFilterByType", "SetOutputFilter", "AddOutputFilter", "RemoveOutputFilter",
	"DeflateCompressionLevel", "DeflateBufferSize", "DeflateMemLevel", "DeflateWindowSize", "DeflateAlterETag", "DeflateFilterNote",
	"SSLRequireSSL", "SSLOptions",
	"AccessFileName", "LimitInternalRecursion",
	"ScriptAlias", "ScriptAliasMatch", "SetHandler", "ProxyErrorOverride", "ProxyWebsocketFallbackToProxyHttp",
}, slices.Concat(autoindex.Names, remoteip.Directives, cgi.Directives, cgi.DirDirectives, proxy.Directives, proxy.FCGIDirectives)...)

// RemoteIP is the server's mod_remoteip settings, nil when it has no
// RemoteIPHeader (requests keep their peer's address).
func (c *Config) RemoteIP() *remoteip.Config {
	if !c.remoteIP.Enabled() {
		return nil
	}
	return &c.remoteIP
}

// UseCanonicalName is the server's UseCanonicalName among its top-level directives
// (the last one wins; Off without one). Inside sections it is not per-directory here:
// Compile ignores it there.
func UseCanonicalName(server []Directive) http1.CanonicalName {
	mode := http1.CanonicalNameOff
	for _, d := range server {
		if !strings.EqualFold(d.Name, "usecanonicalname") || len(d.Args) != 1 {
			continue
		}
		switch strings.ToLower(d.Args[0]) {
		case "on":
			mode = http1.CanonicalNameOn
		case "dns":
			mode = http1.CanonicalNameDNS
		case "off":
			mode = http1.CanonicalNameOff
		}
	}
	return mode
}

// Options are Apache's Options bits.
type Options uint16

// The options Apache knows; All is every one but MultiViews. Apache 2.4's default is
// FollowSymLinks.
const (
	OptIndexes Options = 1 << iota
	OptIncludes
	OptIncludesNoExec
	OptFollowSymLinks
	OptSymLinksIfOwnerMatch
	OptExecCGI
	OptMultiViews
	OptAll     = OptIndexes | OptIncludes | OptFollowSymLinks | OptSymLinksIfOwnerMatch | OptExecCGI
	OptDefault = OptFollowSymLinks
)

var optionNames = map[string]Options{
	"indexes": OptIndexes, "includes": OptIncludes | OptIncludesNoExec, "includesnoexec": OptIncludesNoExec,
	"followsymlinks": OptFollowSymLinks, "symlinksifownermatch": OptSymLinksIfOwnerMatch,
	"execcgi": OptExecCGI, "multiviews": OptMultiViews, "runscripts": OptMultiViews | OptExecCGI,
}

// dir is what one level (the top level or one section) sets.
type dir struct {
	optSet               bool // explicit Options
	opts, optAdd, optRem Options
	authz                authz.Level // Require, <RequireAll>..., AuthMerging, Order, Allow, Deny, Satisfy
	index                []string    // nil: not set
	indexSet             bool
	slash                *bool            // DirectorySlash
	pathInfo             *static.PathInfo // AcceptPathInfo
	fallback             *string          // FallbackResource: "" for disabled
	errorDocs            map[int]*apexpr.Expr
	forceType            *string
	charset              *string // AddDefaultCharset: "" for Off
	etag                 static.ETagConfig
	etagSet              bool
	redirect             *redirect  // Redirect inside <Location>
	redirects            []redirect // Redirect and RedirectMatch in <Directory> and .htaccess files
	headers              headers.Config
	expires              expires.Config
	auth                 authn.Config
	rewrite              rewrite.Dir    // the level's per-directory mod_rewrite
	env                  env.Setting    // SetEnv, UnsetEnv, PassEnv
	setenvif             env.Conditions // SetEnvIf and the like, in sections only
	deflate              deflate.Dir    // output filters: DEFLATE
	autoindex            autoindex.Config
	requireSSL           bool             // SSLRequireSSL
	sslOptions           *sslvars.Setting // SSLOptions
	mime                 *static.MIME     // mod_mime's lines in a section
	mimeRemove           []mimeRemoval
	neg                  negotiation.Config // LanguagePriority, ForceLanguagePriority
	handler              *string            // SetHandler
	cgi                  cgi.Dir            // CGIPassAuth, CGIVar, CGIScriptTimeout
	bodyLimit            *int64             // LimitRequestBody, the engine's -1 for Apache's 0
	signature            *http1.Signature   // ServerSignature
	log                  *loglevel.Levels   // LogLevel, over the levels before (nil: none)
	ifs                  []*section         // <If>, <ElseIf>, <Else>, in config order
	exprRedirect         *exprRedirect
	proxyErrors          proxy.ErrorOverride // ProxyErrorOverride
	fcgi                 proxy.FCGIDir       // ProxyFCGIBackendType, ProxyFCGISetEnvIf
	wsTunnel             *bool               // ProxyWebsocketFallbackToProxyHttp Off
	// AllowOverride and AllowOverrideList, in <Directory> sections
	override     Override
	overrideSet  bool
	overrideOpts Options
	overrideList []string // nil: not set
}

// Dir is the merged configuration for one request path.
type Dir struct {
	Options          Options
	Authz            authz.Level
	DirectoryIndex   []string        // nil: the server's
	NoDirectorySlash bool            // DirectorySlash Off
	AcceptPathInfo   static.PathInfo // AcceptPathInfo
	Fallback         string          // FallbackResource, "" for none
	ErrorDocuments   map[int]*apexpr.Expr
	ForceType        string // "" none
	DefaultCharset   string // AddDefaultCharset's charset, "" for Off
	FileETag         static.ETagConfig
	Redirect         *redirect
	Redirects        []redirect     // the directories' (mod_alias's fixup), deeper levels' first
	Headers          headers.Config // Header and RequestHeader actions, outer levels' first
	Expires          expires.Config
	Auth             authn.Config
	Autoindex        *autoindex.Config // nil: no mod_autoindex directive applies
	Rewrite          rewrite.Dir       // per-directory mod_rewrite
	Env              env.Setting       // mod_env's variables, set at the fixups
	SetEnvIf         env.Conditions    // the sections' SetEnvIf lines, at the header parser
	Deflate          deflate.Dir
	RequireSSL       bool               // SSLRequireSSL: 403 for a request not over TLS
	SSLOptions       sslvars.Setting    // SSLOptions: the variables mod_ssl's fixup exports
	MIME             *static.MIME       // the sections' mod_mime lines, nil for none
	Negotiation      negotiation.Config // LanguagePriority, ForceLanguagePriority
	Handler          string             // SetHandler
	CGI              cgi.Dir
	BodyLimit        *int64           // nil: the server's
	Signature        *http1.Signature // nil: the server's
	log              *loglevel.Levels // the LogLevel lines, merged (nil: the server's)
	ifs              []*section       // the levels' <If> sections, for applyIfs
	exprRedirect     *exprRedirect    // a Redirect inside <If>
	vary             []string         // the request fields applyIfs' conditions read
	ProxyErrors      proxy.ErrorOverride
	FCGI             proxy.FCGIDir // mod_proxy_fcgi's
	// WSTunnel is ProxyWebsocketFallbackToProxyHttp Off: mod_proxy_wstunnel's
	// own tunnel serves ws:// URLs (proxy.Target.WSTunnel).
	WSTunnel bool
	// Override, OverrideOptions and OverrideList say what a .htaccess file
	// may hold (AllowOverride, AllowOverrideList).
	Override        Override
	OverrideOptions Options
	OverrideList    []string
}

type redirect struct {
	status int
	prefix string         // Redirect: URL-path prefix
	re     *regexp.Regexp // RedirectMatch
	target string
	gone   bool // 410 without target
}

type alias struct {
	prefix string
	re     *regexp.Regexp
	target string
	script bool // ScriptAlias, ScriptAliasMatch: the files run as CGI scripts
}

type section struct {
	kind    string // "directory", "files", "location"
	pattern string
	re      *regexp.Regexp
	wild    bool // pattern has fnmatch wildcards
	depth   int  // path components, for sorting <Directory>
	conf    dir
	files   []*section // <Files> nested in a <Directory>
	// <If>, <ElseIf>, <Else>: cond's bits and the expression.
	cond uint8
	expr *apexpr.Expr
	file string
	line int
}

// Config is a compiled site configuration. It is safe for concurrent use.
type Config struct {
	server    dir
	dirs      []*section // non-regex <Directory>, by depth then config order
	dirRegex  []*section
	files     []*section
	locations []*section
	aliases   []alias
	redirects []redirect
	// postRead are the top-level SetEnvIf lines (mod_setenvif's server
	// config: the main server's, then the virtual host's), applied as the
	// request is read.
	postRead env.Conditions
	// remoteIP is mod_remoteip's settings (server level only).
	remoteIP remoteip.Config
	// responses: some level has a Header, RequestHeader or Expires* line, so
	// every answer takes part (static.Options.Response).
	responses bool
	// rewrite is the server context's mod_rewrite; rewrites: some level has
	// a Rewrite* line.
	rewrite  rewrite.Dir
	rewrites bool
	// deflate is the server's Deflate* settings; filters says that some
	// level puts DEFLATE on answers (static.Options.Filter).
	deflate deflate.Server
	filters bool
	// cgi is the CGI module loaded (LoadModule cgi_module or cgid_module)
	// and ScriptLog; scripts says that some file may run as a script.
	cgi     cgi.Server
	scripts bool
	// htaccess: some <Directory> section lets .htaccess files be read
	// (AllowOverride, AllowOverrideList); accessNames are AccessFileName's.
	htaccess    bool
	accessNames []string
	// proxy is mod_proxy's configuration, nil without a ProxyPass;
	// proxies are the <Proxy> and <ProxyMatch> sections.
	proxy   *proxy.Config
	proxies []*section

	// balancers is mod_proxy's configuration whether or not the server
	// proxies: the balancers it defines, which its virtual hosts may use,
	// and the workers of its <Proxy> sections.
	balancers *proxy.Config
	// redirectLimit is LimitInternalRecursion's first number, subreqLimit
	// its second (else its first); 0 unset.
	redirectLimit, subreqLimit int
	// proxyFiles says that a section of the configuration files sets
	// SetHandler "proxy:...", served with balancers.
	proxyFiles bool
	// proxyLines are the places of its mod_proxy lines (proxyLinesOf);
	// mainProxy says that a virtual host has none of its own and uses the
	// main server's balancers whole (InheritBalancers).
	proxyLines map[proxy.LinePos]bool
	mainProxy  bool
}

// proxyLinesOf adds to set the places of the mod_proxy lines of directives
// and sections (those within them too): its directives, ProxyErrorOverride
// and the <Proxy> and <ProxyMatch> sections. A virtual host with any of
// them has mod_proxy's server configuration of its own, merged with the
// main server's, in apache2 (a module's directive read in the virtual host
// makes it: ap_set_config_vectors); without, it is the main server's.
func proxyLinesOf(set map[proxy.LinePos]bool, directives []Directive, sections []Section) map[proxy.LinePos]bool {
	for _, d := range directives {
		if proxy.IsDirective(d.Name) || strings.EqualFold(d.Name, "ProxyErrorOverride") {
			set[proxy.LinePos{File: d.File, Line: d.Line, Seq: d.Seq}] = true
		}
	}
	for _, s := range sections {
		if strings.EqualFold(s.Kind, "proxy") || strings.EqualFold(s.Kind, "proxymatch") {
			set[proxy.LinePos{File: s.File, Line: s.Line, Seq: s.Seq}] = true
		}
		proxyLinesOf(set, s.Directives, s.Sections)
	}
	return set
}

// Compile builds the configuration from the top-level directives and the sections.
// Errors name the directive's file and line.
func Compile(server []Directive, sections []Section) (*Config, error) {
	c := &Config{proxyLines: proxyLinesOf(map[proxy.LinePos]bool{}, server, sections)}
	var errs []error
	var px proxy.Config
	for _, d := range server {
		if proxy.IsDirective(d.Name) {
			if err := px.At(d.File, d.Line, d.Seq).Set(d.Name, d.Args); err != nil {
				errs = append(errs, posError(d, err))
			}
			continue
		}
		if strings.EqualFold(d.Name, "LoadModule") && len(d.Args) > 0 {
			px.LoadModule(d.Args[0])
		}
		if remoteip.IsDirective(d.Name) {
			if err := c.remoteIP.Set(d.Name, d.Args); err != nil {
				errs = append(errs, posError(d, err))
			}
			continue
		}
		if rewrite.IsDirective(d.Name) {
			c.rewrites = true
			if err := c.rewrite.Set(d.Name, d.Args, true); err != nil {
				errs = append(errs, posError(d, err))
			}
			continue
		}
		if err := c.top(d); err != nil {
			errs = append(errs, posError(d, err))
			continue
		}
		if isMIME(d.Name) {
			continue // the static handler's table (SetMIME)
		}
		if isSetEnvIf(d.Name) || isRedirect(d.Name) {
			continue // the server's, done by top (SetEnvIf, Redirect)
		}
		if err := c.server.set(d, false); err != nil {
			errs = append(errs, posError(d, err))
		}
	}
	for _, s := range sections {
		if isIf(s.Kind) {
			addIf(&c.server, s, &errs)
			continue
		}
		sec, err := compileSection(s, &errs)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if sec == nil {
			continue
		}
		if sec.kind == "proxy" {
			// The section's own key=value words (the last directive,
			// "<Proxy") apply after its lines, as in apache2: at the
			// last line's place.
			last := 0
			for _, d := range s.Directives {
				last = max(last, d.Seq)
				if err := px.At(d.File, d.Line, last).SetProxy(d.Name, d.Args, sec.pattern); err != nil {
					errs = append(errs, posError(d, err))
				}
			}
			c.proxies = append(c.proxies, sec)
			continue
		}
		if sec.kind == "location" {
			for _, d := range s.Directives {
				if proxy.IsDirective(d.Name) {
					if err := px.At(d.File, d.Line, d.Seq).SetLocation(d.Name, d.Args, s.Pattern, sec.re != nil); err != nil {
						errs = append(errs, posError(d, err))
					}
				}
			}
		}
		switch {
		case sec.kind == "directory" && sec.re == nil:
			c.dirs = append(c.dirs, sec)
		case sec.kind == "directory":
			c.dirRegex = append(c.dirRegex, sec)
		case sec.kind == "files":
			c.files = append(c.files, sec)
		default:
			c.locations = append(c.locations, sec)
		}
	}
	if err := px.Resolve(); err != nil {
		errs = append(errs, lineErrors(err)...)
	}
	c.balancers = &px
	if !px.Empty() || c.rewrites {
		c.proxy = &px // RewriteRule [P] proxies too
	}
	for _, sec := range c.dirs {
		c.htaccess = c.htaccess || sec.conf.readsAccessFiles()
	}
	if c.accessNames == nil {
		c.accessNames = []string{".htaccess"}
	}
	c.server.rewrite = c.rewrite.PerDir()
	c.responses = c.server.responds() || len(c.server.ifs) > 0
	c.filters = c.server.deflate.Enables()
	// Any file may run as a script once a module is loaded: its handler is
	// seen per request (SetHandler, AddHandler at any level, .htaccess).
	c.scripts = c.cgi.Module != ""
	c.proxyFiles = c.server.proxiesFiles()
	c.deflate.Env = requestEnv // no-gzip, gzip-only-text/html, force-gzip (SetEnvIf, BrowserMatch)
	for _, group := range [][]*section{c.dirs, c.dirRegex, c.files, c.locations} {
		for _, sec := range group {
			c.responses = c.responses || sec.conf.responds() || len(sec.conf.ifs) > 0
			c.rewrites = c.rewrites || !sec.conf.rewrite.Empty()
			c.filters = c.filters || sec.conf.deflate.Enables()
			c.proxyFiles = c.proxyFiles || sec.conf.proxiesFiles()
			for _, f := range sec.files {
				c.proxyFiles = c.proxyFiles || f.conf.proxiesFiles()
				c.responses = c.responses || f.conf.responds() || len(f.conf.ifs) > 0
				c.rewrites = c.rewrites || !f.conf.rewrite.Empty()
				c.filters = c.filters || f.conf.deflate.Enables()
			}
		}
	}
	if c.htaccess {
		// What a .htaccess file may turn on is seen per request.
		c.responses, c.rewrites, c.filters = true, true, true
	}
	// Shortest directory first; config order among equals (a stable sort).
	for i := 1; i < len(c.dirs); i++ {
		for j := i; j > 0 && c.dirs[j-1].depth > c.dirs[j].depth; j-- {
			c.dirs[j-1], c.dirs[j] = c.dirs[j], c.dirs[j-1]
		}
	}
	return c, errors.Join(errs...)
}

// InheritBalancers makes a virtual host's configuration use the balancers
// of main, the main server's, as apache2 does (proxy.Config.Inherit): one
// state for a balancer's members in every server that inherits it. A
// virtual host with no mod_proxy line of its own (proxyLinesOf) takes
// main's configuration whole, as apache2 merges nothing for it: the main
// server's workers (their backend connections) and balancers, whatever
// BalancerInherit and ProxyPassInherit say. Call it
// before ShareBalancers. It returns the errors of the virtual host's own
// proxy lines resolved apart from the main server's, as apache2 reads
// them (a ProxySet naming a worker only the main server defines), as
// *Error.
func (c *Config) InheritBalancers(main *Config) error {
	if c == nil || main == nil {
		return nil
	}
	own := false
	for p := range c.proxyLines {
		own = own || !main.proxyLines[p]
	}
	if !own {
		c.mainProxy, c.balancers = true, main.balancers
		if c.proxy != nil {
			c.proxy = main.balancers
		}
		return nil
	}
	if err := c.balancers.Inherit(main.balancers); err != nil {
		return errors.Join(lineErrors(err)...)
	}
	return nil
}

// ShareBalancers puts the state of the server's balancer members in
// board's module slots, shared by every child (proxy.Config.Share; server
// is 0 for the main server, a virtual host's index plus one): those of the
// main server's balancers even when it proxies nothing itself, those a
// virtual host inherits only once, by the main server's. It returns how
// many members and balancers found no free slot.
func (c *Config) ShareBalancers(board *scoreboard.Board, server int) int {
	if c == nil || c.mainProxy {
		return 0 // the main server's, shared by it
	}
	return c.balancers.Share(board, server)
}

// BalancerManager is mod_proxy_balancer's "balancer-manager" handler for
// the server's balancers (those it inherits too): software and built are
// the page's Server Version and Server Built, logError logs the requests
// whose parameters it ignores (cross-site).
func (c *Config) BalancerManager(software, built string, logError static.LogFunc) static.ContentHandler {
	return c.balancers.Manager(software, built, logError)
}

// Error is a problem with one directive, in apache2's words, at its position.
type Error struct {
	File    string
	Line    int
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Message) }

func posError(d Directive, err error) error {
	return &Error{File: d.File, Line: d.Line, Message: err.Error()}
}

// lineErrors are proxy.Config.Resolve's errors as Errors.
func lineErrors(err error) []error {
	var out []error
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		if le, ok := e.(*proxy.LineError); ok {
			e = &Error{File: le.File, Line: le.Line, Message: le.Err.Error()}
		}
		out = append(out, e)
	}
	return out
}

// Check reports what Compile refuses in one top-level directive, in apache2's words.
func Check(d Directive) error {
	if proxy.IsDirective(d.Name) {
		var c proxy.Config
		if err := c.Set(d.Name, d.Args); err != nil {
			return err
		}
		return c.Resolve()
	}
	if rewrite.IsDirective(d.Name) {
		var r rewrite.Dir
		return r.Set(d.Name, d.Args, true)
	}
	var c Config
	if err := c.top(d); err != nil {
		return err
	}
	var x dir
	return x.set(d, false)
}

func compileSection(s Section, errs *[]error) (*section, error) {
	sec := &section{pattern: s.Pattern}
	// mod_autoindex's cmd->path: a directory with its trailing slash.
	sec.conf.autoindex.Path = s.Pattern
	switch strings.ToLower(s.Kind) {
	case "directory", "directorymatch":
		sec.kind = "directory"
	case "files", "filesmatch":
		sec.kind = "files"
	case "location", "locationmatch":
		sec.kind = "location"
	case "proxy", "proxymatch":
		// mod_proxy's proxysection: the URL without a "proxy:" prefix.
		sec.kind = "proxy"
		if len(s.Pattern) >= 6 && strings.EqualFold(s.Pattern[:6], "proxy:") {
			sec.pattern = s.Pattern[6:]
		}
		s.Pattern = sec.pattern
	case "if", "elseif", "else":
		var err error
		if sec, err = compileIf(s, errs); err != nil {
			return nil, err
		}
	default:
		return nil, nil // <VirtualHost>, ...: not per-path here
	}
	switch {
	case sec.kind == "if": // the condition is no path
	case s.Regex || strings.HasSuffix(strings.ToLower(s.Kind), "match"):
		re, err := apregex.Compile(s.Pattern, false)
		if err != nil {
			return nil, &Error{File: s.File, Line: s.Line, Message: "Regex could not be compiled"}
		}
		sec.re = re
	default:
		if sec.kind == "directory" {
			sec.pattern = strings.TrimSuffix(path.Clean(s.Pattern), "/")
			sec.depth = strings.Count(sec.pattern, "/")
			sec.conf.autoindex.Path = sec.pattern + "/"
		}
		sec.wild = strings.ContainsAny(s.Pattern, "*?[")
	}
	before := len(*errs)
	// With <RequireAll>, <RequireAny> or <RequireNone> sections, the Require lines
	// are added with them, in config order.
	ordered := slices.ContainsFunc(s.Sections, func(n Section) bool { return authz.IsSection(n.Kind) || authz.IsLimit(n.Kind) })
	sec.conf.rewrite.SetDirectory(sec.pattern)
	for _, d := range s.Directives {
		if ordered && strings.EqualFold(d.Name, "require") {
			continue
		}
		if sec.kind == "if" {
			err := inIf(d)
			redirect := strings.HasPrefix(strings.ToLower(d.Name), "redirect")
			if err == nil && redirect {
				sec.conf.exprRedirect, err = parseExprRedirect(d)
			}
			if err != nil {
				*errs = append(*errs, posError(d, err))
			}
			if err != nil || redirect {
				continue
			}
		}
		if err := sec.conf.set(d, sec.kind == "location"); err != nil {
			*errs = append(*errs, posError(d, err))
		}
	}
	if ordered {
		sec.conf.addAuthzSections(s, sec.kind == "location", errs)
	}
	sec.conf.mime, sec.conf.mimeRemove = sec.conf.mimeLevel(), nil
	if err := sec.conf.authz.Check(); err != nil && len(*errs) == before {
		*errs = append(*errs, &Error{File: s.File, Line: s.Line, Message: err.Error()})
	}
	for _, n := range s.Sections {
		if isIf(n.Kind) {
			addIf(&sec.conf, n, errs)
			continue
		}
		ns, err := compileSection(n, errs)
		if err != nil {
			*errs = append(*errs, err)
			continue
		}
		switch {
		case ns != nil && ns.kind == "files" && sec.kind == "directory":
			sec.files = append(sec.files, ns)
		case ns != nil && sec.kind == "if":
			*errs = append(*errs, &Error{File: n.File, Line: n.Line, Message: "<" + n.Kind + "> inside <If> is not supported by this server"})
		}
	}
	return sec, nil
}

// addIf compiles the <If>, <ElseIf> or <Else> section s into the level d.
func addIf(d *dir, s Section, errs *[]error) {
	sec, err := compileSection(s, errs)
	if err == nil {
		err = d.addIf(sec)
		if err != nil {
			err = &Error{File: s.File, Line: s.Line, Message: err.Error()}
		}
	}
	if err != nil {
		*errs = append(*errs, err)
	}
}

// top handles the directives that only mean something at the top level: Alias and
// Redirect. It returns nil for the others.
func (c *Config) top(d Directive) error {
	a := d.Args
	switch strings.ToLower(d.Name) {
	case "alias", "scriptalias":
		if len(a) != 2 {
			return errors.New(d.Name + " must have two arguments when used globally")
		}
		c.aliases = append(c.aliases, alias{prefix: a[0], target: a[1], script: strings.EqualFold(d.Name, "scriptalias")})
	case "aliasmatch", "scriptaliasmatch":
		if len(a) != 2 {
			return errors.New(d.Name + " takes two arguments, a regular expression and a filename")
		}
		re, err := apregex.Compile(a[0], false)
		if err != nil {
			return err
		}
		c.aliases = append(c.aliases, alias{re: re, target: a[1], script: strings.EqualFold(d.Name, "scriptaliasmatch")})
	case "loadmodule", "scriptlog", "scriptloglength", "scriptlogbuffer", "scriptsock":
		return c.cgi.Set(d.Name, a)
	case "redirect", "redirecttemp", "redirectpermanent", "redirectmatch":
		r, err := parseRedirect(d, false)
		if err != nil {
			return err
		}
		c.redirects = append(c.redirects, r)
	case "setenvif", "setenvifnocase", "browsermatch", "browsermatchnocase":
		return c.postRead.Add(d.Name, a)
	case "setenvifexpr":
		return addSetEnvIfExpr(&c.postRead, a)
	case "accessfilename":
		c.accessNames = a
	case "limitinternalrecursion":
		// The host checked the numbers (set_recursion_limit, read as
		// atoi reads them: "+5" is 5): the first
		// bounds internal redirects, the second (else the first, as
		// apache2's) the nesting of subrequests.
		n := cnum.Atoi(a[0])
		if n <= 0 {
			return errors.New("the recursion limit must be greater than zero")
		}
		c.redirectLimit, c.subreqLimit = n, n
		if len(a) > 1 {
			if c.subreqLimit = cnum.Atoi(a[1]); c.subreqLimit <= 0 {
				return errors.New("the recursion limit must be greater than zero")
			}
		}
	default:
		if deflate.IsServerDirective(d.Name) {
			return c.deflate.Set(d.Name, a)
		}
	}
	return nil
}

// SubrequestLimit is LimitInternalRecursion's bound on the nesting of
// subrequests, 0 unset (static.Handler.SubrequestLimit).
func (c *Config) SubrequestLimit() int { return c.subreqLimit }

// RedirectLimit is LimitInternalRecursion's bound on the chain of internal
// redirects, 0 unset (static.Handler.RedirectLimit).
func (c *Config) RedirectLimit() int { return c.redirectLimit }

// isRedirect says whether name is one of mod_alias's Redirect directives.
func isRedirect(name string) bool {
	switch strings.ToLower(name) {
	case "redirect", "redirecttemp", "redirectpermanent", "redirectmatch":
		return true
	}
	return false
}

// isSetEnvIf says whether name is one of mod_setenvif's directives.
func isSetEnvIf(name string) bool {
	switch strings.ToLower(name) {
	case "setenvif", "setenvifnocase", "browsermatch", "browsermatchnocase", "setenvifexpr":
		return true
	}
	return false
}

// parseRedirect reads Redirect, RedirectTemp, RedirectPermanent and RedirectMatch as
// mod_alias does; inLocation means the URL-path is the section's and is not written.
// The messages are apache2's.
func parseRedirect(d Directive, inLocation bool) (redirect, error) {
	a := d.Args
	name := strings.ToLower(d.Name)
	r := redirect{status: http.StatusFound}
	if name == "redirectpermanent" {
		r.status = http.StatusMovedPermanently
	}
	paths := 1
	if inLocation {
		paths = 0
	}
	if len(a) == 0 {
		return r, errors.New("URL to redirect to is missing")
	}
	st, grok := redirectStatus(a[0])
	if name == "redirect" || name == "redirectmatch" {
		switch {
		case len(a) == paths+2 && !grok:
			return r, errors.New("Redirect: invalid first argument (of three)")
		case grok:
			r.status, a = st, a[1:]
		}
	}
	if len(a) < paths {
		return r, errors.New("URL to redirect to is missing")
	}
	if paths == 1 {
		if name == "redirectmatch" {
			re, err := apregex.Compile(a[0], false)
			if err != nil {
				return r, err
			}
			r.re = re
		} else {
			r.prefix = a[0]
		}
		a = a[1:]
	}
	redirecting := r.status >= 300 && r.status < 400
	switch {
	case len(a) == 0 && redirecting:
		return r, errors.New("URL to redirect to is missing")
	case len(a) > 0 && !redirecting:
		return r, errors.New("Redirect URL not valid for this status")
	case len(a) > 0 && !strings.Contains(a[0], "://") && !strings.HasPrefix(a[0], "/") && name != "redirectmatch":
		return r, errors.New("Redirect to non-URL")
	case len(a) > 0:
		r.target = a[0]
	default:
		r.gone = true
	}
	return r, nil
}

func redirectStatus(s string) (int, bool) {
	switch strings.ToLower(s) {
	case "permanent":
		return http.StatusMovedPermanently, true
	case "temp":
		return http.StatusFound, true
	case "seeother":
		return http.StatusSeeOther, true
	case "gone":
		return http.StatusGone, true
	}
	if n, err := strconv.Atoi(s); err == nil && n >= 100 && n < 600 {
		return n, true
	}
	return 0, false
}

// set applies one directive of a level.
func (d *dir) set(x Directive, inLocation bool) error {
	if err := d.apply(x, inLocation); err != errUnhandled {
		return err
	}
	return nil // another package's directive
}

// errUnhandled is apply's answer for a directive it does not apply.
var errUnhandled = errors.New("not a per-directory directive of site")

// apply applies x to d; errUnhandled when site does not apply it per
// directory.
func (d *dir) apply(x Directive, inLocation bool) error {
	a := x.Args
	switch strings.ToLower(x.Name) {
	case "options":
		return d.setOptions(a)
	case "proxyerroroverride":
		return d.proxyErrors.Add(a)
	case "proxyfcgibackendtype", "proxyfcgisetenvif":
		return d.fcgi.Add(x.Name, a, x.File, x.Line)
	case "proxywebsocketfallbacktoproxyhttp":
		if len(a) != 1 || !strings.EqualFold(a[0], "on") && !strings.EqualFold(a[0], "off") {
			return errors.New("ProxyWebsocketFallbackToProxyHttp must be On or Off")
		}
		off := strings.EqualFold(a[0], "off")
		d.wsTunnel = &off
	case "require", "authmerging", "order", "allow", "deny", "satisfy":
		return d.authz.Add(authz.Item{Name: x.Name, Args: a, File: x.File, Line: x.Line})
	case "authtype", "authname", "authbasicprovider", "authbasicauthoritative", "authuserfile", "authgroupfile":
		return d.auth.Set(x.Name, a)
	case "directoryindex":
		if !d.indexSet {
			d.index, d.indexSet = []string{}, true
		}
		if len(a) == 1 && strings.EqualFold(a[0], "disabled") {
			d.index = []string{}
			return nil
		}
		d.index = append(d.index, a...)
	case "errordocument":
		if len(a) != 2 {
			return errors.New("ErrorDocument takes two arguments, Change responses for HTTP errors")
		}
		code, err := strconv.Atoi(a[0])
		if err != nil {
			return errors.New("Unsupported HTTP response code " + a[0])
		}
		var e *apexpr.Expr // nil: "default", the server's own page again
		if !strings.EqualFold(a[1], "default") {
			var remote bool
			e, remote, err = apexpr.ParseErrorDocument(a[1])
			if remote && code == http.StatusUnauthorized {
				return nil // apache2 ignores it (AH00113)
			}
			if err != nil {
				return err
			}
		}
		if d.errorDocs == nil {
			d.errorDocs = map[int]*apexpr.Expr{}
		}
		d.errorDocs[code] = e
	case "sslrequiressl":
		d.requireSSL = true
	case "ssloptions":
		if d.sslOptions == nil {
			d.sslOptions = &sslvars.Setting{}
		}
		return d.sslOptions.Parse(a)
	case "forcetype":
		if len(a) == 1 {
			t := strings.ToLower(a[0])
			if t == "none" {
				t = ""
			}
			d.forceType = &t
		}
	case "adddefaultcharset":
		// core.c's set_add_default_charset: Off, On (iso-8859-1) or the charset's name.
		if len(a) == 1 {
			cs := a[0]
			switch {
			case strings.EqualFold(cs, "off"):
				cs = ""
			case strings.EqualFold(cs, "on"):
				cs = "iso-8859-1"
			}
			d.charset = &cs
		}
	case "directoryslash":
		if len(a) != 1 || !strings.EqualFold(a[0], "on") && !strings.EqualFold(a[0], "off") {
			return errors.New("DirectorySlash must be On or Off")
		}
		on := strings.EqualFold(a[0], "on")
		d.slash = &on
	case "fallbackresource":
		if len(a) != 1 {
			return errors.New("FallbackResource takes one argument, Set a default handler")
		}
		u := a[0]
		if strings.EqualFold(u, "disabled") {
			u = ""
		}
		d.fallback = &u
	case "acceptpathinfo":
		var p static.PathInfo
		switch {
		case len(a) != 1:
			return errors.New("AcceptPathInfo takes one argument, Set to on or off for PATH_INFO to be accepted by handlers, or default for the per-handler preference")
		case strings.EqualFold(a[0], "on"):
			p = static.PathInfoOn
		case strings.EqualFold(a[0], "off"):
			p = static.PathInfoOff
		case strings.EqualFold(a[0], "default"):
			p = static.PathInfoDefault
		default:
			return errors.New("AcceptPathInfo must be set to on, off or default")
		}
		d.pathInfo = &p
	case "fileetag":
		e, err := static.ParseFileETag(a)
		if err != nil {
			return err
		}
		d.etag, d.etagSet = d.etag.Merge(e), true
	case "limitrequestbody":
		// Inside sections only: the server's is the engine's.
		if len(a) == 1 {
			n, err := strconv.ParseInt(a[0], 10, 64)
			if err != nil || n < 0 {
				return errors.New("LimitRequestBody requires a non-negative integer.")
			}
			if n == 0 {
				n = -1
			}
			d.bodyLimit = &n
		}
	case "serversignature":
		sig, ok := http1.ParseSignature(strings.Join(a, " "))
		if !ok {
			return errors.New("ServerSignature: use one of: off | on | email")
		}
		d.signature = &sig
	case "header", "requestheader":
		return d.headers.Add(strings.EqualFold(x.Name, "requestheader"), a)
	case "expiresactive", "expiresbytype", "expiresdefault":
		return d.expires.Set(x.Name, a)
	case "addicon", "addiconbytype", "addiconbyencoding", "addalt", "addaltbytype", "addaltbyencoding",
		"indexoptions", "indexorderdefault", "indexignore", "indexignorereset", "adddescription",
		"headername", "readmename", "fancyindexing", "defaulticon", "indexstylesheet", "indexheadinsert":
		return d.autoindex.Set(x.Name, a)
	case "rewriteengine", "rewriteoptions", "rewritebase", "rewritecond", "rewriterule", "rewritemap":
		if err := d.rewrite.Set(x.Name, a, false); err != nil {
			return err
		}
		if d.rewrite.LastProxies() {
			return rewrite.ErrProxyInSection
		}
	case "setenv", "unsetenv", "passenv":
		return d.env.Add(x.Name, a)
	case "setenvif", "setenvifnocase", "browsermatch", "browsermatchnocase":
		return d.setenvif.Add(x.Name, a)
	case "setenvifexpr":
		return addSetEnvIfExpr(&d.setenvif, a)
	case "addoutputfilterbytype", "setoutputfilter", "addoutputfilter", "removeoutputfilter":
		return d.deflate.Set(x.Name, a)
	case "addtype", "addcharset", "addlanguage", "addencoding",
		"removetype", "removecharset", "removelanguage", "removeencoding",
		"defaultlanguage", "multiviewsmatch":
		return d.setMIME(x, inLocation)
	case "addhandler", "removehandler":
		// mod_mime's handler by extension: type-map runs through the
		// default handler, cgi-script through package cgi.
		return d.setMIME(x, inLocation)
	case "languagepriority", "forcelanguagepriority", "cachenegotiateddocs":
		return d.neg.Set(x.Name, a)
	case "sethandler":
		if len(a) == 1 {
			// core.c: lowercased, but for a handler naming a unix
			// domain socket (whose path is case-sensitive).
			h := a[0]
			if !strings.HasPrefix(h, "proxy:unix") {
				h = strings.ToLower(h)
			}
			if h == "none" {
				h = ""
			}
			d.handler = &h
		}
	case "cgipassauth", "cgivar", "cgiscripttimeout", "cgidscripttimeout":
		return d.cgi.Set(x.Name, a)
	case "loglevel":
		if d.log == nil {
			l := loglevel.Section()
			d.log = &l
		}
		return d.log.Apply(a)
	case "allowoverride":
		return d.setOverride(a)
	case "allowoverridelist":
		return d.setOverrideList(a)
	case "redirect", "redirecttemp", "redirectpermanent", "redirectmatch":
		if inLocation && !strings.EqualFold(x.Name, "redirectmatch") {
			r, err := parseRedirect(x, true)
			if err != nil {
				return err
			}
			d.redirect = &r
		} else if !inLocation {
			r, err := parseRedirect(x, false)
			if err != nil {
				return err
			}
			d.redirects = append(d.redirects, r)
		}
	default:
		return errUnhandled
	}
	return nil
}

func (d *dir) setOptions(args []string) error {
	for _, a := range args {
		sign := byte(0)
		if a != "" && (a[0] == '+' || a[0] == '-') {
			sign, a = a[0], a[1:]
		}
		var bit Options
		switch strings.ToLower(a) {
		case "none":
			bit = 0
		case "all":
			bit = OptAll
		default:
			b, ok := optionNames[strings.ToLower(a)]
			if !ok {
				return errors.New("Illegal option " + a)
			}
			bit = b
		}
		switch sign {
		case '+':
			d.optAdd |= bit
			d.optRem &^= bit
		case '-':
			d.optRem |= bit
			d.optAdd &^= bit
		default:
			if !d.optSet {
				d.opts = 0
			}
			d.optSet = true
			d.opts |= bit
		}
	}
	return nil
}

// merge applies the level d on top of the merged m (Apache's merge_core_dir_configs).
func (m *Dir) merge(d *dir) {
	if d.optSet {
		m.Options = d.opts
	}
	m.Options = (m.Options &^ d.optRem) | d.optAdd
	m.Authz = authz.Merge(m.Authz, d.authz)
	m.Auth = m.Auth.Merge(&d.auth)
	m.log = loglevel.Merge(m.log, d.log)
	if d.indexSet {
		m.DirectoryIndex = d.index
	}
	if d.slash != nil {
		m.NoDirectorySlash = !*d.slash
	}
	if d.pathInfo != nil {
		m.AcceptPathInfo = *d.pathInfo
	}
	if d.fallback != nil {
		m.Fallback = *d.fallback
	}
	m.mergeErrorDocuments(d)
	if d.proxyErrors.Set || len(d.proxyErrors.Codes) > 0 {
		m.ProxyErrors = m.ProxyErrors.Merge(d.proxyErrors)
	}
	m.FCGI = m.FCGI.Merge(&d.fcgi)
	if d.wsTunnel != nil {
		m.WSTunnel = *d.wsTunnel
	}
	if d.forceType != nil {
		m.ForceType = *d.forceType
	}
	if d.charset != nil {
		m.DefaultCharset = *d.charset
	}
	if d.etagSet {
		m.FileETag = m.FileETag.Merge(d.etag)
	}
	if d.redirect != nil {
		m.Redirect = d.redirect
	}
	m.RequireSSL = m.RequireSSL || d.requireSSL // mod_ssl's merge: once set, set below
	if d.sslOptions != nil {
		m.SSLOptions = d.sslOptions.Merge(m.SSLOptions)
	}
	if len(d.redirects) > 0 {
		m.Redirects = append(slices.Clip(d.redirects), m.Redirects...)
	}
	m.Headers = m.Headers.Merge(&d.headers)
	m.Expires = m.Expires.Merge(&d.expires)
	m.Autoindex = autoindex.Merge(m.Autoindex, &d.autoindex)
	if !d.rewrite.Empty() {
		// apache2 merges only the levels that have a mod_rewrite line.
		m.Rewrite = rewrite.Merge(&m.Rewrite, &d.rewrite)
	}
	m.Env = m.Env.Merge(&d.env)
	m.SetEnvIf = m.SetEnvIf.Merge(&d.setenvif)
	m.Deflate = m.Deflate.Merge(&d.deflate)
	m.MIME = m.MIME.Merge(d.mime)
	m.Negotiation = m.Negotiation.Merge(&d.neg)
	if d.handler != nil {
		m.Handler = *d.handler
	}
	m.CGI = m.CGI.Merge(&d.cgi)
	if d.bodyLimit != nil {
		m.BodyLimit = d.bodyLimit
	}
	if d.signature != nil {
		m.Signature = d.signature
	}
	if d.exprRedirect != nil {
		m.exprRedirect = d.exprRedirect
	}
	if len(d.ifs) > 0 {
		m.ifs = append(m.ifs[:len(m.ifs):len(m.ifs)], d.ifs...)
	}
	if d.overrideSet {
		m.Override, m.OverrideOptions = d.override, d.overrideOpts
	}
	if d.overrideList != nil {
		m.OverrideList = d.overrideList
	}
}

// responds reports whether the level has a mod_headers, mod_expires, mod_env
// or mod_setenvif line.
func (d *dir) responds() bool {
	return !d.headers.Empty() || !d.expires.Empty() || !d.env.Empty() || !d.setenvif.Empty() || d.sslOptions != nil
}

// mergeErrorDocuments applies the ErrorDocuments of the level d on top of m's
// ("default" removes an inherited one).
func (m *Dir) mergeErrorDocuments(d *dir) {
	if len(d.errorDocs) == 0 {
		return
	}
	docs := make(map[int]*apexpr.Expr, len(m.ErrorDocuments)+len(d.errorDocs))
	for k, v := range m.ErrorDocuments {
		docs[k] = v
	}
	for k, v := range d.errorDocs {
		if v == nil {
			delete(docs, k)
		} else {
			docs[k] = v
		}
	}
	m.ErrorDocuments = docs
}

// addAuthzSections adds s's Require lines and its <RequireAll>, <RequireAny> and
// <RequireNone> sections to the level in config order (by line), as mod_authz_core
// reads them.
func (d *dir) addAuthzSections(s Section, inLocation bool, errs *[]error) {
	var items []authz.Item
	for _, n := range s.Sections {
		switch {
		case authz.IsSection(n.Kind):
			items = append(items, authzItem(n))
		case authz.IsLimit(n.Kind):
			// Only the access lines are for the methods; the others are the level's.
			for _, x := range n.Directives {
				if isAuthz(x.Name) {
					continue
				}
				if err := d.set(x, inLocation); err != nil {
					*errs = append(*errs, posError(x, err))
				}
			}
			it := authzItem(n)
			it.Args = strings.Fields(n.Pattern)
			items = append(items, it)
		}
	}
	for _, x := range s.Directives {
		if strings.EqualFold(x.Name, "require") {
			items = append(items, authz.Item{Name: x.Name, Args: x.Args, File: x.File, Line: x.Line})
		}
	}
	slices.SortStableFunc(items, func(a, b authz.Item) int { return a.Line - b.Line })
	for _, it := range items {
		if err := d.authz.Add(it); err != nil {
			*errs = append(*errs, authzError(it, err)...)
		}
	}
}

// authzItem is a <RequireAll>, <RequireAny> or <RequireNone> section as package authz
// reads it, with its Require lines and sections in config order.
func authzItem(s Section) authz.Item {
	it := authz.Item{Name: s.Kind, Section: []authz.Item{}, File: s.File, Line: s.Line}
	for _, x := range s.Directives {
		it.Section = append(it.Section, authz.Item{Name: x.Name, Args: x.Args, File: x.File, Line: x.Line})
	}
	for _, n := range s.Sections {
		if authz.IsSection(n.Kind) || authz.IsLimit(n.Kind) {
			it.Section = append(it.Section, authzItem(n))
		}
	}
	if authz.IsLimit(s.Kind) {
		it.Args = strings.Fields(s.Pattern)
	}
	slices.SortStableFunc(it.Section, func(a, b authz.Item) int { return a.Line - b.Line })
	return it
}

// authzError places err, from the item it, at its line; errors of lines inside a
// section have their own.
func authzError(it authz.Item, err error) []error {
	var list []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		list = j.Unwrap()
	} else {
		list = []error{err}
	}
	out := make([]error, 0, len(list))
	for _, e := range list {
		var ae *authz.Error
		if errors.As(e, &ae) {
			out = append(out, &Error{File: ae.File, Line: ae.Line, Message: ae.Message})
			continue
		}
		out = append(out, &Error{File: it.File, Line: it.Line, Message: e.Error()})
	}
	return out
}

// isAuthz reports whether name is one of package authz's directives.
func isAuthz(name string) bool {
	return slices.ContainsFunc(authz.Directives, func(n string) bool { return strings.EqualFold(n, name) })
}

// requestEnv looks up a variable of the request's environment (mod_env,
// mod_setenvif), for mod_deflate.
func requestEnv(r *http.Request, name string) (string, bool) { return http1.Env(r).Get(name) }

// ProxyNotes are the lines apache2's mod_proxy logs as it reads the
// server's ProxyPass lines (proxy.Config.SharingNotes).
func (c *Config) ProxyNotes() []proxy.Note {
	if c == nil || c.balancers == nil {
		return nil
	}
	return c.balancers.SharingNotes()
}
