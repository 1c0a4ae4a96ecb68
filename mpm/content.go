package mpm

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"slices"

	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
	"github.com/httpd-mpm/httpd-mpm/mpm/scoreboard"
	"github.com/httpd-mpm/httpd-mpm/mpm/site"
	"github.com/httpd-mpm/httpd-mpm/mpm/static"
	"github.com/httpd-mpm/httpd-mpm/mpm/status"
)

// NewHTTPServer builds the HTTP/1.1 engine for the configuration: static
// files from DocumentRoot with DirectoryIndex and the MIME types of
// TypesConfig plus AddType. The MPM decides how connections wait; see
// package http1. A TypesConfig file that does not exist gives no types
// and no error: the host has already refused to start (or to reload) when
// a TypesConfig line names a file it cannot open, as Apache's mod_mime
// does (AH01597), so this is the default file (conf/mime.types) missing,
// which Apache would refuse too, or a file removed since. Any other
// failure to read it is an error.
//
// Some of the server's hook fields are already set: RequestDone writes the
// access logs; Identify, BaseIdentity, HeaderFilter, ErrorPage, TLS and
// ErrorLog carry the virtual hosts, Header lines, ErrorDocument, mod_ssl and
// the error log; PostRead, when a server has a RemoteIPHeader, mod_remoteip. An MPM that wants a hook of its own (say, RequestDone to
// count requests for Status) calls the one it found from its own; one that
// overwrites RequestDone loses the access logs. It answers no
// "server-status" or "balancer-manager"
// handler (a request for one is answered from the files: 404 for
// /server-status): those need a scoreboard, see Child.HTTPServer.
//
// It refuses to build a server in a process that runs as root when User
// and Group name another user (Core.Credential): that process would serve
// the documents as root. Serve from children started with
// ChildSpec.Credential set to Core.ChildCredential, as the built-in MPMs
// do (see Privileges in the package documentation).
func NewHTTPServer(cfg *Config) (*http1.Server, error) {
	return newHTTPServer(cfg, nil)
}

// processEUID is os.Geteuid; tests replace it.
var processEUID = os.Geteuid

// checkNotRoot refuses to serve as root when User and Group say otherwise:
// the plugin process runs as root when httpd does (to start children as
// User), and only children started with the Credential drop it.
func checkNotRoot(core *Core) error {
	if processEUID() != 0 {
		return nil
	}
	cred := core.Credential
	if cred == nil && (core.User != "" || core.Group != "") {
		// A host that resolved none (an older one): as ChildCredential would.
		var err error
		if cred, err = ChildCredential(core.User, core.Group); err != nil {
			return fmt.Errorf("refusing to serve as root: %w", err)
		}
	}
	if cred == nil || cred.Uid == 0 {
		return nil
	}
	return fmt.Errorf("refusing to serve as root while User %q and Group %q (uid %d, gid %d) are set: this MPM serves in a process that did not drop to them (an MPM serves as User from children started with mpm.ChildSpec.Credential)", core.User, core.Group, cred.Uid, cred.Gid)
}

// newHTTPServer is NewHTTPServer; wrap, if set, wraps the content handler of
// every server (the main one and each virtual host), given its number (0 for
// the main one, a virtual host's index plus one), its DocumentRoot,
// the handlers its <Location> sections set and its request errors' LogError.
func newHTTPServer(cfg *Config, wrap func(h http.Handler, vhost int, docRoot string, handlers []Handler, logError static.LogFunc) http.Handler) (*http1.Server, error) {
	if err := checkNotRoot(&cfg.Core); err != nil {
		return nil, err
	}
	mime := cfg.mime
	if mime == nil && cfg.Core.TypesConfig != "" {
		m, err := static.ReadMimeTypes(cfg.Core.TypesConfig)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("TypesConfig %s: %w", cfg.Core.TypesConfig, err)
		}
		mime = m
	}
	core := &cfg.Core
	// One open-file cache for all the servers, so that its bound on descriptors
	// holds for the process whatever the number of virtual hosts.
	files := new(static.FileCache)
	// mainSite is the main server's per-path configuration, once built:
	// its balancers are its virtual hosts'.
	var mainSite *site.Config
	// vhost is 0 for the main server, else the virtual host's index plus one.
	content := func(s *vserver, vhost int, docRoot string, types map[string]string, trace http1.Trace, directives []site.Directive, sections []site.Section, handlers []Handler) (http.Handler, error) {
		logError, logLevel := requestErrorsUpTo(cfg, vhost, site.LogLevelMax(sections))
		levelName, _ := errorLogOf(cfg, vhost)
		s.logError, s.logLevels = logError, serverLevels(levelName)
		h := &static.Handler{
			DocumentRoot:   docRoot,
			DirectoryIndex: core.DirectoryIndex,
			Types:          types,
			MimeTypes:      mime,
			FileETag:       core.FileETag,
			TraceEnabled:   trace != http1.TraceOff,
			LogError:       logError,
			LogLevel:       logLevel,
			Files:          files,
		}
		if _, target := errorLogOf(cfg, vhost); target.FD > 0 || target.File != nil {
			h.ErrorLog = target.file()
		}
		site.SetMIME(h, directives)
		handler, err := siteHandler(directives, sections, h, core.ServerRoot)
		if sh, ok := handler.(*site.Handler); ok {
			s.filter, s.errorPage, s.translatesTrace = sh.HeaderFilter(), sh.ServerErrorPage, sh.TranslatesTrace
			s.remoteIP = sh.Config.RemoteIP()
			if vhost == 0 {
				mainSite = sh.Config
			} else {
				// One state per balancer for the servers that inherit it.
				if ierr := sh.Config.InheritBalancers(mainSite); err == nil {
					err = ierr
				}
			}
		}
		if err != nil || wrap == nil {
			return handler, err
		}
		return wrap(handler, vhost, docRoot, handlers, logError), nil
	}
	canonical := site.UseCanonicalName(core.ServerDirectives)
	main := newVserver(core.ServerName, core.ServerAdmin, nil, canonical, nil)
	main.tlsSettings = core.TLS
	var err error
	if main.handler, err = content(main, 0, core.DocumentRoot, core.AddTypes, core.TraceEnable, core.ServerDirectives, core.Sections, core.Handlers); err != nil {
		return nil, err
	}
	if main.logs, err = openAccessLogs(core.AccessLogs); err != nil {
		return nil, err
	}
	handler := main.handler
	var table *vhostTable
	if len(core.VirtualHosts) > 0 {
		table = newVhostTable(main)
		for i, v := range core.VirtualHosts {
			conf := v.HostConfig
			s := newVserver(v.ServerName, v.ServerAdmin, v.ServerAliases, site.UseCanonicalName(v.ServerDirectives), &conf)
			s.tlsSettings = v.TLS
			if s.handler, err = content(s, i+1, v.DocumentRoot, v.AddTypes, v.TraceEnable, v.ServerDirectives, v.Sections, v.Handlers); err != nil {
				return nil, err
			}
			if s.logs, err = openAccessLogs(v.AccessLogs); err != nil {
				return nil, err
			}
			table.add(s, v.Addrs)
		}
		handler = table
	}
	banner := core.Banner
	if banner == "" {
		banner = core.Software
	}
	srv := &http1.Server{
		Handler:               handler,
		Timeout:               core.Timeout,
		KeepAlive:             core.KeepAlive,
		KeepAliveTimeout:      core.KeepAliveTimeout,
		MaxKeepAliveRequests:  core.MaxKeepAliveRequests,
		ServerName:            core.ServerName,
		UseCanonicalName:      canonical,
		Software:              banner,
		ServerSignature:       core.ServerSignature,
		ServerAdmin:           core.ServerAdmin,
		TraceEnable:           core.TraceEnable,
		LimitRequestLine:      core.LimitRequestLine,
		LimitRequestFieldSize: core.LimitRequestFieldSize,
		LimitRequestFields:    core.LimitRequestFields,
		LimitRequestBody:      core.LimitRequestBody,
		BodyTimeout:           core.BodyTimeout,
		BodyMinRate:           core.BodyMinRate,
		RequestDone:           accessLogHook(main, table),
	}
	if table != nil {
		srv.Identify, srv.BaseIdentity = table.identify, table.base
	}
	srv.PostRead = remoteIPHook(main, table)
	srv.HeaderFilter = headerFilter(main, table)
	srv.ErrorPage = errorPage(main, table)
	srv.TranslatesTrace = translatesTrace(main, table)
	srv.RefusalLog = refusalLog(main, table)
	if err := setupTLS(srv, main, table); err != nil {
		return nil, err
	}
	if cfg.Log != nil {
		log := cfg.Log
		srv.ErrorLog = func(format string, args ...any) { log.Error(fmt.Sprintf(format, args...)) }
	}
	return srv, nil
}

// remoteIPHook is http1.Server.PostRead: mod_remoteip's client address for
// the requests of the servers that have a RemoteIPHeader (nil when none has).
func remoteIPHook(main *vserver, table *vhostTable) func(c *http1.Conn, r *http.Request) {
	servers := []*vserver{main}
	if table != nil {
		servers = append(servers, table.all...)
	}
	if !slices.ContainsFunc(servers, func(s *vserver) bool { return s.remoteIP != nil }) {
		return nil
	}
	return func(c *http1.Conn, r *http.Request) {
		s := main
		if table != nil {
			s = table.answered(c, r)
		}
		if s.remoteIP != nil {
			for _, name := range s.remoteIP.Apply(r) {
				c.SetTraceField(name, r.Header[http.CanonicalHeaderKey(name)]) // apache2's TRACE echoes headers_in as mod_remoteip left it
			}
		}
	}
}

// headerFilter is http1.Server.HeaderFilter: the server level's Header and
// Expires* lines of the server that answers (nil when no server has any).
func headerFilter(main *vserver, table *vhostTable) func(c *http1.Conn, r *http.Request) http1.HeaderFilter {
	if table == nil {
		if main.filter == nil {
			return nil
		}
		return func(*http1.Conn, *http.Request) http1.HeaderFilter { return main.filter }
	}
	any := false
	for _, s := range table.byID {
		any = any || s.filter != nil
	}
	if !any {
		return nil
	}
	return func(c *http1.Conn, r *http.Request) http1.HeaderFilter { return table.answered(c, r).filter }
}

// errorPage is http1.Server.ErrorPage: the ErrorDocuments of the server
// that answers (nil when no server has per-path configuration).
func errorPage(main *vserver, table *vhostTable) func(c *http1.Conn, w http.ResponseWriter, r *http.Request, status int) bool {
	if table == nil {
		if main.errorPage == nil {
			return nil
		}
		return func(_ *http1.Conn, w http.ResponseWriter, r *http.Request, status int) bool {
			return main.errorPage(w, r, status)
		}
	}
	return func(c *http1.Conn, w http.ResponseWriter, r *http.Request, status int) bool {
		s := table.answered(c, r)
		return s.errorPage != nil && s.errorPage(w, r, status)
	}
}

// refusalLog is http1.Server.RefusalLog: core's info line in the error log
// of the server that answers (nil when no server logs request errors).
func refusalLog(main *vserver, table *vhostTable) func(c *http1.Conn, r *http.Request, msg string) {
	if table == nil {
		if main.logError == nil {
			return nil
		}
		return func(_ *http1.Conn, r *http.Request, msg string) { main.logError(r, static.LevelInfo, "core", nil, msg) }
	}
	return func(c *http1.Conn, r *http.Request, msg string) {
		if s := table.answered(c, r); s.logError != nil {
			s.logError(r, static.LevelInfo, "core", nil, msg)
		}
	}
}

// translatesTrace is http1.Server.TranslatesTrace: whether the server that
// answers translates the request's URL before core would answer it (nil
// when no server has per-path configuration).
func translatesTrace(main *vserver, table *vhostTable) func(c *http1.Conn, r *http.Request) bool {
	if table == nil {
		if main.translatesTrace == nil {
			return nil
		}
		return func(_ *http1.Conn, r *http.Request) bool { return main.translatesTrace(r) }
	}
	return func(c *http1.Conn, r *http.Request) bool {
		s := table.answered(c, r)
		return s.translatesTrace != nil && s.translatesTrace(r)
	}
}

// HTTPServer is NewHTTPServer for a child process. With the parent's
// scoreboard it also keeps that scoreboard current (scoreboard.Instrument:
// the MPM sets each connection's Tag to the Worker record serving it), keeps
// the balancers' state in it (shared by all the children, see
// site.Config.ShareBalancers) and answers mod_status's "server-status"
// and mod_proxy_balancer's "balancer-manager" handlers wherever SetHandler
// gives them, when some <Location> of the server
// does: as apache2's handlers, after mod_rewrite, mod_alias, the access
// checks and the fixups.
func (c *Child) HTTPServer() (*http1.Server, error) {
	if c.Scoreboard == nil {
		return NewHTTPServer(c.Config)
	}
	core := c.Config.Core
	st := statusHandler{&status.Handler{Board: c.Scoreboard, MPM: c.MPM, Software: core.Software, Built: core.ServerBuilt, Extended: core.ExtendedStatus}}
	wrap := func(next http.Handler, vhost int, docRoot string, handlers []Handler, logError static.LogFunc) http.Handler {
		sh, ok := next.(*site.Handler)
		if !ok {
			return next
		}
		if n := sh.Config.ShareBalancers(c.Scoreboard, vhost); n > 0 {
			c.Log.Warn("balancer members and balancers beyond the scoreboard's slots keep their state per child", "count", n)
		}
		if slices.ContainsFunc(handlers, func(h Handler) bool { return h.Name == "server-status" }) {
			sh.Content = st
		}
		if slices.ContainsFunc(handlers, func(h Handler) bool { return h.Name == "balancer-manager" }) {
			sh.Content = contentHandlers{sh.Content, sh.Config.BalancerManager(core.Software, core.ServerBuilt, logError)}
		}
		return next
	}
	srv, err := newHTTPServer(c.Config, wrap)
	if err != nil {
		return nil, err
	}
	scoreboard.Instrument(srv, core.ExtendedStatus)
	return srv, nil
}

// contentHandlers answers with the first of its handlers that Handles the
// request's handler (nil ones skipped).
type contentHandlers []static.ContentHandler

func (hs contentHandlers) Handles(handler string) bool { return hs.find(handler) != nil }

func (hs contentHandlers) Declines(r *http.Request, handler string) bool {
	return static.Declines(hs.find(handler), r, handler)
}

func (hs contentHandlers) Serve(w http.ResponseWriter, r *http.Request, t *static.Target) {
	hs.find(t.Handler).Serve(w, r, t)
}

func (hs contentHandlers) find(handler string) static.ContentHandler {
	for _, h := range hs {
		if h != nil && h.Handles(handler) {
			return h
		}
	}
	return nil
}

// statusHandler is mod_status's handler, "server-status".
type statusHandler struct{ h http.Handler }

func (s statusHandler) Handles(handler string) bool { return handler == "server-status" }

// Declines all but GET and HEAD, as apache2's: the default handler answers
// them as for the file the URL maps to (a 404 for a POST to none, a 405 for a
// PUT, the Allow of an OPTIONS), after it discards the body.
func (s statusHandler) Declines(r *http.Request, _ string) bool {
	return r.Method != http.MethodGet && r.Method != http.MethodHead
}

func (s statusHandler) Serve(w http.ResponseWriter, r *http.Request, _ *static.Target) {
	s.h.ServeHTTP(w, r)
}
