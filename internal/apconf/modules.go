package apconf

// Module is a module compiled into this server (`httpd -l`).
type Module struct{ Name, Source string }

// Modules are what this server itself implements, in the order `httpd -l`
// lists them: <IfModule> holds for their names and sources, in httpd.conf
// and in .htaccess files.
var Modules = []Module{
	{"core_module", "core.c"},
	{"so_module", "mod_so.c"},
	{"http_module", "http_core.c"},
	{"mime_module", "mod_mime.c"},
	{"negotiation_module", "mod_negotiation.c"},
	{"dir_module", "mod_dir.c"},
	{"authz_host_module", "mod_authz_host.c"},
	{"access_compat_module", "mod_access_compat.c"},
	{"autoindex_module", "mod_autoindex.c"},
	{"headers_module", "mod_headers.c"},
	{"expires_module", "mod_expires.c"},
	{"auth_basic_module", "mod_auth_basic.c"},
	{"authn_core_module", "mod_authn_core.c"},
	{"authn_file_module", "mod_authn_file.c"},
	{"authz_user_module", "mod_authz_user.c"},
	{"authz_groupfile_module", "mod_authz_groupfile.c"},
	{"rewrite_module", "mod_rewrite.c"},
	{"env_module", "mod_env.c"},
	{"setenvif_module", "mod_setenvif.c"},
	{"remoteip_module", "mod_remoteip.c"},
	{"filter_module", "mod_filter.c"},
	{"deflate_module", "mod_deflate.c"},
	{"status_module", "mod_status.c"},
	{"proxy_module", "mod_proxy.c"},
	{"proxy_http_module", "mod_proxy_http.c"},
	{"proxy_fcgi_module", "mod_proxy_fcgi.c"},
	// mod_proxy_wstunnel: ws:// URLs, served as 2.4.71 serves them by
	// default (ProxyWebsocketFallbackToProxyHttp On), by mod_proxy_http's
	// tunnel (package proxy).
	{"proxy_wstunnel_module", "mod_proxy_wstunnel.c"},
	{"proxy_balancer_module", "mod_proxy_balancer.c"},
	{"lbmethod_byrequests_module", "mod_lbmethod_byrequests.c"},
	{"lbmethod_bybusyness_module", "mod_lbmethod_bybusyness.c"},
	{"lbmethod_bytraffic_module", "mod_lbmethod_bytraffic.c"},
	// mod_proxy_balancer's shared memory provider, which Debian's a2enmod
	// proxy_balancer enables: accepted (the balancers' state is in the
	// scoreboard's module slots).
	{"slotmem_shm_module", "mod_slotmem_shm.c"},
	{"unixd_module", "mod_unixd.c"},
	{"log_config_module", "mod_log_config.c"},
	{"alias_module", "mod_alias.c"},
	{"authz_core_module", "mod_authz_core.c"},
	{"reqtimeout_module", "mod_reqtimeout.c"},
	{"ssl_module", "mod_ssl.c"},
	// SSLSessionCache's shmcb provider, which Debian's a2enmod ssl enables:
	// accepted, as SSLSessionCache is (crypto/tls keeps no such cache).
	{"socache_shmcb_module", "mod_socache_shmcb.c"},
}

// Loaded reports whether <IfModule name> holds for one of Modules: name is
// a module's name ("rewrite_module") or its source ("mod_rewrite.c").
func Loaded(name string) bool {
	for _, m := range Modules {
		if m.Name == name || m.Source == name {
			return true
		}
	}
	return false
}
