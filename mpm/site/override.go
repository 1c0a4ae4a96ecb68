package site

import (
	"errors"
	"slices"
	"strings"
	"sync"
)

// Override is a set of AllowOverride classes: which directives a .htaccess file
// may hold (apache2's OR_* bits of http_config.h).
type Override uint8

// The classes, and the Nonfatal= flags of AllowOverride.
const (
	OverrideLimit      Override = 1 << iota // Order, Allow, Deny
	OverrideOptions                         // Options
	OverrideFileInfo                        // the type and handling of files: mod_mime, mod_rewrite, Header, ErrorDocument, ...
	OverrideAuthConfig                      // Require, AuthType and the Auth* directives, Satisfy
	OverrideIndexes                         // DirectoryIndex, mod_autoindex, mod_expires
	overrideNonfatalOverride
	overrideNonfatalUnknown
	OverrideAll = OverrideLimit | OverrideOptions | OverrideFileInfo | OverrideAuthConfig | OverrideIndexes
)

// overrides is the AllowOverride class of each directive a .htaccess file may
// hold, as apache2's modules register them (lower case); 0 marks a directive
// this server knows that no .htaccess file may hold ("X not allowed here"). A
// directive missing here is unknown in a .htaccess file ("Invalid command").
// A directive added to this package gets its line here. It is built at its
// first use (a .htaccess file, AllowOverrideList), not at every start.
var overrides = sync.OnceValue(func() map[string]Override {
	return map[string]Override{
		// mod_proxy, mod_proxy_fcgi
		"proxyerroroverride": 0, "proxyfcgibackendtype": OverrideFileInfo, "proxyfcgisetenvif": OverrideFileInfo,
		"proxywebsocketfallbacktoproxyhttp": 0, // mod_proxy_wstunnel
		// core
		"options": OverrideOptions, "errordocument": OverrideFileInfo, "forcetype": OverrideFileInfo,
		"sethandler": OverrideFileInfo, "defaulttype": OverrideFileInfo, "fileetag": OverrideFileInfo,
		"adddefaultcharset": OverrideFileInfo, "setoutputfilter": OverrideFileInfo, "setinputfilter": OverrideFileInfo,
		"acceptpathinfo": OverrideFileInfo, "cgipassauth": OverrideAuthConfig, "cgivar": OverrideFileInfo,
		"sslrequiressl": OverrideAuthConfig, "ssloptions": OverrideOptions,
		"serversignature": OverrideAll, "limitrequestbody": OverrideAll,
		"<files": OverrideAll, "<filesmatch": OverrideAll, "<ifmodule": OverrideAll, "<ifdefine": OverrideAll,
		"<if": OverrideAll, "<elseif": OverrideAll, "<else": OverrideAll, "<iffile": OverrideAll,
		"<ifdirective": OverrideAll, "<ifsection": OverrideAll,
		"<limit": OverrideLimit | OverrideAuthConfig, "<limitexcept": OverrideLimit | OverrideAuthConfig,
		// mod_authz_core, mod_access_compat, mod_authn_core, mod_auth_basic, mod_authn_file, mod_authz_groupfile
		"require": OverrideAuthConfig, "authmerging": OverrideAuthConfig, "<requireall": OverrideAuthConfig,
		"<requireany": OverrideAuthConfig, "<requirenone": OverrideAuthConfig, "satisfy": OverrideAuthConfig,
		"order": OverrideLimit, "allow": OverrideLimit, "deny": OverrideLimit,
		"authtype": OverrideAuthConfig, "authname": OverrideAuthConfig, "authbasicprovider": OverrideAuthConfig,
		"authbasicauthoritative": OverrideAuthConfig, "authuserfile": OverrideAuthConfig, "authgroupfile": OverrideAuthConfig,
		// mod_dir, mod_autoindex, mod_expires
		"directoryindex": OverrideIndexes, "directoryslash": OverrideIndexes, "fallbackresource": OverrideIndexes,
		"addicon": OverrideIndexes, "addiconbytype": OverrideIndexes, "addiconbyencoding": OverrideIndexes,
		"addalt": OverrideIndexes, "addaltbytype": OverrideIndexes, "addaltbyencoding": OverrideIndexes,
		"indexoptions": OverrideIndexes, "indexorderdefault": OverrideIndexes, "indexignore": OverrideIndexes,
		"indexignorereset": OverrideIndexes, "adddescription": OverrideIndexes, "headername": OverrideIndexes,
		"readmename": OverrideIndexes, "fancyindexing": OverrideAll, "defaulticon": OverrideIndexes,
		"indexstylesheet": OverrideIndexes, "indexheadinsert": OverrideIndexes,
		"expiresactive": OverrideIndexes, "expiresbytype": OverrideIndexes, "expiresdefault": OverrideIndexes,
		// mod_mime, mod_filter, mod_headers, mod_alias, mod_rewrite, mod_env, mod_setenvif
		"addtype": OverrideFileInfo, "addcharset": OverrideFileInfo, "addlanguage": OverrideFileInfo,
		"addencoding": OverrideFileInfo, "addhandler": OverrideFileInfo, "addinputfilter": OverrideFileInfo,
		"addoutputfilter": OverrideFileInfo, "removetype": OverrideFileInfo, "removecharset": OverrideFileInfo,
		"removelanguage": OverrideFileInfo, "removeencoding": OverrideFileInfo, "removehandler": OverrideFileInfo,
		"removeoutputfilter": OverrideFileInfo, "removeinputfilter": OverrideFileInfo, "defaultlanguage": OverrideFileInfo,
		"addoutputfilterbytype": OverrideFileInfo, "multiviewsmatch": OverrideFileInfo,
		"languagepriority": OverrideFileInfo, "forcelanguagepriority": OverrideFileInfo,
		"header": OverrideFileInfo, "requestheader": OverrideFileInfo,
		"redirect": OverrideFileInfo, "redirectmatch": OverrideFileInfo, "redirecttemp": OverrideFileInfo,
		"redirectpermanent": OverrideFileInfo,
		"rewriteengine":     OverrideFileInfo, "rewriteoptions": OverrideFileInfo, "rewritebase": OverrideFileInfo,
		"rewritecond": OverrideFileInfo, "rewriterule": OverrideFileInfo,
		"setenv": OverrideFileInfo, "unsetenv": OverrideFileInfo, "passenv": OverrideFileInfo,
		"setenvif": OverrideFileInfo, "setenvifnocase": OverrideFileInfo, "browsermatch": OverrideFileInfo,
		"browsermatchnocase": OverrideFileInfo, "setenvifexpr": OverrideFileInfo,
		// Known, never in a .htaccess file.
		"allowoverride": 0, "allowoverridelist": 0, "accessfilename": 0, "documentroot": 0, "servername": 0,
		"serveralias": 0, "serveradmin": 0, "alias": 0, "aliasmatch": 0, "scriptalias": 0, "rewritemap": 0,
		"usecanonicalname": 0, "hostnamelookups": 0, "loglevel": 0, "listen": 0, "loadmodule": 0, "include": 0,
		"includeoptional": 0, "errorlog": 0, "customlog": 0, "user": 0, "group": 0, "typesconfig": 0,
		"<directory": 0, "<directorymatch": 0, "<location": 0, "<locationmatch": 0, "<virtualhost": 0,
		"deflatecompressionlevel": 0, "deflatebuffersize": 0, "deflatememlevel": 0, "deflatewindowsize": 0,
		"deflatealteretag": 0, "deflatefilternote": 0, "scriptaliasmatch": 0, "cachenegotiateddocs": 0, "cgiscripttimeout": 0,
		"cgidscripttimeout": 0, "remoteipheader": 0, "remoteipproxiesheader": 0, "remoteipinternalproxy": 0,
		"remoteiptrustedproxy": 0, "remoteipinternalproxylist": 0, "remoteiptrustedproxylist": 0,
	}
})

// notApplied are the directives of overrides that apache2 applies in a
// .htaccess file and this server does not: a file that holds one is refused
// (500, whatever Nonfatal= says) rather than served as if the line were not
// there. ignored are those apache2 itself reads and ignores.
var (
	notApplied = map[string]bool{
		"setinputfilter": true, "addinputfilter": true, "removeinputfilter": true,
	}
	ignored = map[string]bool{"defaulttype": true} // 2.4: "Ignoring deprecated use of DefaultType"
)

// restricting are the prefixes of directives this server does not know that
// apache2's modules register for .htaccess files to restrict access (mod_ssl,
// the other authentication and authorization modules, mod_session): unknown,
// a file with one is refused whatever Nonfatal= says, never served without it.
var restricting = []string{"ssl", "authdigest", "authdbm", "authdbd", "authldap", "authform", "authzdbm",
	"authzdbd", "authzldap", "authnzfcgi", "session", "limitxmlrequestbody"}

// refused says why a directive of a .htaccess file is refused whatever
// Nonfatal= says ("" when it is not).
func refused(lname, name string) string {
	_, known := overrides()[lname]
	if notApplied[lname] || !known && slices.ContainsFunc(restricting, func(p string) bool { return strings.HasPrefix(lname, p) }) {
		return name + " is not applied in .htaccess files by this server"
	}
	return ""
}

// registered are the names of overrides as apache2's modules register them,
// which its messages use ("order not allowed here", "Header in .htaccess
// forbidden by AllowOverride"), built at its first use.
var registered = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	for _, n := range strings.Fields(`
	<Directory <DirectoryMatch <Else <ElseIf <Files <FilesMatch <If <IfDefine <IfDirective <IfFile <IfModule
	<IfSection <Limit <LimitExcept <Location <LocationMatch <RequireAll <RequireAny <RequireNone <VirtualHost
	ProxyErrorOverride ProxyFCGIBackendType ProxyFCGISetEnvIf ProxyWebsocketFallbackToProxyHttp AcceptPathInfo AccessFileName AddAlt AddAltByEncoding AddAltByType AddCharset AddDefaultCharset AddDescription
	AddEncoding AddHandler AddIcon AddIconByEncoding AddIconByType AddInputFilter AddLanguage AddOutputFilter
	AddOutputFilterByType AddType Alias AliasMatch allow AllowOverride AllowOverrideList AuthBasicAuthoritative
	AuthBasicProvider AuthGroupFile AuthMerging AuthName AuthType AuthUserFile BrowserMatch BrowserMatchNoCase
	CacheNegotiatedDocs CGIDScriptTimeout CGIPassAuth CGIScriptTimeout CGIVar CustomLog DefaultIcon
	DefaultLanguage DefaultType DeflateAlterEtag DeflateBufferSize DeflateCompressionLevel DeflateFilterNote DeflateMemLevel
	DeflateWindowSize deny DirectoryIndex DirectorySlash DocumentRoot ErrorDocument ErrorLog ExpiresActive
	ExpiresByType ExpiresDefault FallbackResource FancyIndexing FileETag ForceLanguagePriority ForceType Group
	Header HeaderName HostnameLookups Include IncludeOptional IndexHeadInsert IndexIgnore IndexIgnoreReset
	IndexOptions IndexOrderDefault IndexStyleSheet LanguagePriority LimitRequestBody Listen LoadModule LogLevel
	MultiviewsMatch Options order PassEnv ReadmeName Redirect RedirectMatch RedirectPermanent RedirectTemp
	RemoteIPHeader RemoteIPInternalProxy RemoteIPInternalProxyList RemoteIPProxiesHeader RemoteIPTrustedProxy RemoteIPTrustedProxyList
	RemoveCharset RemoveEncoding RemoveHandler RemoveInputFilter RemoveLanguage RemoveOutputFilter RemoveType
	RequestHeader Require RewriteBase RewriteCond RewriteEngine RewriteMap RewriteOptions RewriteRule Satisfy
	ScriptAlias ScriptAliasMatch ServerAdmin ServerAlias ServerName ServerSignature SetEnv SetEnvIf SetEnvIfExpr
	SetEnvIfNoCase SetHandler SetInputFilter SetOutputFilter SSLOptions SSLRequireSSL TypesConfig UnsetEnv UseCanonicalName
	User
	`) {
		m[strings.ToLower(n)] = n
	}
	return m
})

// apacheName is the registered name of a directive written name.
func apacheName(name string) string {
	if n, ok := registered()[strings.ToLower(name)]; ok {
		return n
	}
	return name
}

// apacheOptAll is apache2's OPT_ALL, what "AllowOverride Options" lets a
// .htaccess file set: not SymLinksIfOwnerMatch nor MultiViews.
const apacheOptAll = OptIndexes | OptIncludes | OptIncludesNoExec | OptFollowSymLinks | OptExecCGI

// defaultOverrideOpts is what Options a .htaccess file may set when no
// AllowOverride names them (core's default override_opts).
const defaultOverrideOpts = apacheOptAll | OptSymLinksIfOwnerMatch | OptMultiViews

// setOverride reads AllowOverride as core's set_override does.
func (d *dir) setOverride(args []string) error {
	d.override, d.overrideSet, d.overrideOpts = 0, true, defaultOverrideOpts
	for _, w := range args {
		// apache2 compares the word before any '=' ("Limit=x" is Limit).
		k, v, hasValue := strings.Cut(w, "=")
		switch {
		case strings.EqualFold(k, "limit"):
			d.override |= OverrideLimit
		case strings.EqualFold(k, "options"):
			d.override |= OverrideOptions
			d.overrideOpts = apacheOptAll
			if hasValue {
				d.overrideOpts = 0
				for _, o := range strings.Split(v, ",") {
					switch bit, ok := optionNames[strings.ToLower(o)]; {
					case ok:
						d.overrideOpts |= bit
					case strings.EqualFold(o, "all"):
						d.overrideOpts |= apacheOptAll
					case !strings.EqualFold(o, "none"):
						return errors.New("Illegal option " + o)
					}
				}
			}
		case strings.EqualFold(k, "fileinfo"):
			d.override |= OverrideFileInfo
		case strings.EqualFold(k, "authconfig"):
			d.override |= OverrideAuthConfig
		case strings.EqualFold(k, "indexes"):
			d.override |= OverrideIndexes
		case strings.EqualFold(k, "nonfatal"):
			switch {
			case !hasValue:
				return errors.New("=Override, =Unknown or =All expected after " + w)
			case strings.EqualFold(v, "override"):
				d.override |= overrideNonfatalOverride
			case strings.EqualFold(v, "unknown"):
				d.override |= overrideNonfatalUnknown
			case strings.EqualFold(v, "all"):
				d.override |= overrideNonfatalOverride | overrideNonfatalUnknown
			}
		case strings.EqualFold(k, "none"):
			d.override = 0
		case strings.EqualFold(k, "all"):
			d.override = OverrideAll
		default:
			return errors.New("Illegal override option " + w)
		}
	}
	return nil
}

// setOverrideList reads AllowOverrideList: the directives a .htaccess file may
// hold whatever AllowOverride says (those this server knows, in lower case).
func (d *dir) setOverrideList(args []string) error {
	d.overrideList = []string{}
	for _, a := range args {
		if strings.EqualFold(a, "none") {
			if len(args) != 1 {
				return errors.New("'None' not allowed with other directives in AllowOverrideList")
			}
			return nil
		}
		if c, ok := overrides()[strings.ToLower(a)]; ok && c != 0 {
			d.overrideList = append(d.overrideList, strings.ToLower(a))
		}
	}
	return nil
}

// readsAccessFiles reports whether a level lets .htaccess files be read.
func (d *dir) readsAccessFiles() bool {
	return d.overrideSet && d.override != 0 || len(d.overrideList) > 0
}
