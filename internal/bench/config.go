package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/httpd-mpm/httpd-mpm/internal/testserver"
)

// Process and thread counts, identical for our httpd and Apache. Our MPMs
// do no spare-server maintenance yet (they run exactly StartServers
// children), so Apache's spare limits are pinned to the same counts:
//
//   - prefork: 64 one-connection processes, enough for every load
//     connection to hold one across keep-alive; MaxSpareServers is
//     MinSpareServers+1 because Apache raises it to that anyway, and
//     MaxRequestWorkers caps growth at StartServers.
//   - worker, event: 2 processes × 64 threads, so that one child can serve
//     every load connection at once however they spread over the children
//     (a child whose workers are all busy stops accepting, and event then
//     closes its idle keep-alive connections, as Apache's does);
//     MaxRequestWorkers = 128 caps growth; ServerLimit leaves scoreboard
//     room for the old generation while a graceful restart drains it.
//   - event: AsyncRequestWorkerFactor lets one child hold every idle
//     connection of the idle rows (10,000 < 64 + 64 × 200).
//
// KeepAliveTimeout (nginx keepalive_timeout) is 60 s everywhere, so that
// the idle rows' connections outlive their opening, the load and the check
// that each is still usable.
const (
	preforkServers = 64
	threadServers  = 2
	threadsPer     = 64
	asyncFactor    = 200
	keepAliveSecs  = 60
)

// mpmSections is the <IfModule> block for every MPM, so a config differs
// from MPM to MPM only by its LoadModule line (and an MPM swap is a
// one-line edit).
func mpmSections() string {
	return fmt.Sprintf(`<IfModule mpm_prefork_module>
    StartServers %[1]d
    MinSpareServers %[1]d
    MaxSpareServers %[2]d
    ServerLimit %[1]d
    MaxRequestWorkers %[1]d
</IfModule>
<IfModule mpm_worker_module>
    StartServers %[3]d
    ThreadsPerChild %[4]d
    ThreadLimit %[4]d
    MinSpareThreads %[4]d
    MaxSpareThreads %[5]d
    ServerLimit %[6]d
    MaxRequestWorkers %[7]d
</IfModule>
<IfModule mpm_event_module>
    StartServers %[3]d
    ThreadsPerChild %[4]d
    ThreadLimit %[4]d
    MinSpareThreads %[4]d
    MaxSpareThreads %[5]d
    ServerLimit %[6]d
    MaxRequestWorkers %[7]d
    AsyncRequestWorkerFactor %[8]d
</IfModule>
`, preforkServers, preforkServers+1,
		threadServers, threadsPer, threadServers*threadsPer+threadsPer, 4*threadServers, threadServers*threadsPer, asyncFactor)
}

// loadModuleLine is how both servers name an MPM module file.
func loadModuleLine(mpm, dir string) string {
	return fmt.Sprintf("LoadModule mpm_%s_module %s/mod_mpm_%s.so", mpm, dir, mpm)
}

// oursConfig is httpd.conf for our server; paths are relative to its
// ServerRoot (-d), as an Apache administrator writes them. With the MPM
// linked into httpd it has no LoadModule line.
func oursConfig(mpm, modules, docroot string, linked bool) string {
	load := loadModuleLine(mpm, modules)
	if linked {
		load = "# the " + mpm + " MPM is linked into httpd"
	}
	return load + `
ServerName 127.0.0.1
` + testserver.Basics + `LogLevel warn
DocumentRoot "` + docroot + `"
DirectoryIndex index.html
TypesConfig /etc/mime.types
KeepAlive On
MaxKeepAliveRequests 0
KeepAliveTimeout ` + strconv.Itoa(keepAliveSecs) + `
Timeout 60
` + mpmSections()
}

// apacheModules is where Debian's apache2 keeps its modules.
const apacheModules = "/usr/lib/apache2/modules"

// apacheConfig is httpd.conf for Debian's apache2 with the same MPM and
// the same directives as ours, plus what Apache itself needs: User/Group
// when started as root, a Mutex and runtime directory in its scratch
// ServerRoot, and an explicit grant for the document root.
func apacheConfig(mpm, root, docroot string, port int, asRoot bool) string {
	var b strings.Builder
	b.WriteString(loadModuleLine(mpm, apacheModules) + "\n")
	for _, m := range []string{"authz_core", "mime", "dir"} {
		fmt.Fprintf(&b, "LoadModule %s_module %s/mod_%s.so\n", m, apacheModules, m)
	}
	if asRoot {
		b.WriteString("User www-data\nGroup www-data\n")
	}
	fmt.Fprintf(&b, `ServerName 127.0.0.1
Listen 127.0.0.1:%d
PidFile %[2]s/run/httpd.pid
DefaultRuntimeDir %[2]s/run
Mutex file:%[2]s/run default
ErrorLog %[2]s/logs/error_log
LogLevel warn
DocumentRoot "%[3]s"
<Directory "%[3]s">
    Require all granted
</Directory>
DirectoryIndex index.html
TypesConfig /etc/mime.types
EnableSendfile On
KeepAlive On
MaxKeepAliveRequests 0
KeepAliveTimeout %[4]d
Timeout 60
`, port, root, docroot, keepAliveSecs)
	b.WriteString(mpmSections())
	return b.String()
}

// nginxConfig serves the same documents with 2 workers (one per core on
// the reference machine), keep-alive practically unlimited, no access log;
// each worker takes up to 16,384 connections, so either may hold every
// idle connection of the idle rows.
// Temporary paths are kept inside the prefix so nothing outside it is
// touched.
func nginxConfig(prefix, docroot string, port int) string {
	return fmt.Sprintf(`worker_processes 2;
worker_rlimit_nofile 20000;
pid %[1]s/run/nginx.pid;
error_log %[1]s/logs/error.log warn;
events {
    worker_connections 16384;
}
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout %[4]ds;
    keepalive_requests 1000000000;
    client_body_temp_path %[1]s/tmp/body;
    proxy_temp_path %[1]s/tmp/proxy;
    fastcgi_temp_path %[1]s/tmp/fastcgi;
    uwsgi_temp_path %[1]s/tmp/uwsgi;
    scgi_temp_path %[1]s/tmp/scgi;
    server {
        listen 127.0.0.1:%[2]d;
        server_name 127.0.0.1;
        root %[3]s;
        index index.html;
    }
}
`, prefix, port, docroot, keepAliveSecs)
}
