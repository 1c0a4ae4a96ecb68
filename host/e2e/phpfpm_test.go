package e2e_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// phpFPMBin is Debian's php-fpm (package php-fpm, installed by
// .ci/deps.sh for the tests): /usr/sbin/php-fpmX.Y.
func phpFPMBin(t testing.TB) string {
	t.Helper()
	if path, err := exec.LookPath("php-fpm"); err == nil {
		return path
	}
	found, _ := filepath.Glob("/usr/sbin/php-fpm*")
	if len(found) == 0 {
		t.Fatal("php-fpm not installed (.ci/deps.sh installs it)")
	}
	return found[len(found)-1]
}

// startPHPFPM runs a private php-fpm in the foreground, its pools
// listening on a Unix socket in a fresh directory the children (nobody)
// reach and on 127.0.0.1 at a free port; it returns both addresses and
// stops php-fpm at the end of the test. As root its workers run as nobody.
// Each pool names itself in FPM_POOL ("unix" or "tcp").
func startPHPFPM(t *testing.T) (sock string, addr string) {
	t.Helper()
	bin := phpFPMBin(t)
	dir := t.TempDir()
	sockDir := filepath.Join(dir, "run")
	must(t, os.MkdirAll(sockDir, 0o755))
	reachableByNobody(t, sockDir)
	sock = filepath.Join(sockDir, "php.sock")
	addr = "127.0.0.1:" + strconv.Itoa(freePorts(t, 1)[0])
	user := ""
	if os.Geteuid() == 0 {
		user = "user = nobody\ngroup = " + nobodyGroup(t) + "\n"
	}
	pool := func(name, listen string) string {
		return "[" + name + "]\nlisten = " + listen + "\nlisten.mode = 0666\nenv[FPM_POOL] = " + name + "\n" + user +
			"pm = ondemand\npm.max_children = 10\ncatch_workers_output = yes\n" +
			"php_admin_value[upload_max_filesize] = 16M\nphp_admin_value[post_max_size] = 16M\n" +
			"php_admin_value[output_buffering] = 0\nphp_admin_value[max_execution_time] = 30\n"
	}
	conf := filepath.Join(dir, "php-fpm.conf")
	write(t, conf, "[global]\npid = "+filepath.Join(dir, "fpm.pid")+"\nerror_log = "+filepath.Join(dir, "fpm.log")+
		"\ndaemonize = no\n"+pool("unix", sock)+pool("tcp", addr))
	cmd := exec.Command(bin, "-F", "-n", "-y", conf)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	must(t, cmd.Start())
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		syscall.Kill(cmd.Process.Pid, syscall.SIGQUIT)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
		if t.Failed() {
			log, _ := os.ReadFile(filepath.Join(dir, "fpm.log"))
			t.Logf("php-fpm output:\n%s\nfpm.log:\n%s", out.String(), log)
		}
	})
	ready := eventually(20*time.Second, func() bool {
		for _, a := range [][2]string{{"unix", sock}, {"tcp", addr}} {
			c, err := net.DialTimeout(a[0], a[1], time.Second)
			if err != nil {
				return false
			}
			c.Close()
		}
		return true
	})
	if !ready {
		log, _ := os.ReadFile(filepath.Join(dir, "fpm.log"))
		t.Fatalf("php-fpm does not listen on %s and %s: %s\n%s", sock, addr, out.String(), log)
	}
	return sock, addr
}

// nobodyGroup is the name of group 65534 (nogroup on Debian).
func nobodyGroup(t *testing.T) string {
	b, err := os.ReadFile("/etc/group")
	must(t, err)
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Split(line, ":"); len(f) > 2 && f[2] == "65534" {
			return f[0]
		}
	}
	t.Fatal("no group 65534 in /etc/group")
	return ""
}

// phpFPMConf is Debian's php8.x-fpm.conf (conf-available) around a
// WordPress and a Laravel front controller in .htaccess files, a
// ProxyPassMatch to the TCP pool and the two ways of passing
// Authorization on, a handler naming a <Proxy> worker, and a TLS port.
const phpFPMConf = `LoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so
ServerName main.test
Listen 127.0.0.1:@P0@
Listen 127.0.0.1:@P1@ https
DocumentRoot @DOCS@
SSLRandomSeed startup builtin
SSLSessionCache none
<VirtualHost *:@P1@>
    ServerName main.test
    SSLEngine on
    SSLCertificateFile @DOCS@/certs/a.crt
    SSLCertificateKeyFile @DOCS@/certs/a.key
    <Directory @DOCS@/ssl>
        SSLOptions +StdEnvVars
    </Directory>
</VirtualHost>
LoadModule proxy_module /usr/lib/apache2/modules/mod_proxy.so
LoadModule proxy_fcgi_module /usr/lib/apache2/modules/mod_proxy_fcgi.so
DirectoryIndex index.php index.html
<FilesMatch ".+\.ph(?:ar|p|tml)$">
    SetHandler "proxy:unix:@SOCK@|fcgi://localhost"
</FilesMatch>
<FilesMatch ".+\.phps$">
    Require all denied
</FilesMatch>
<FilesMatch "^\.ph(?:ar|p|ps|tml)$">
    Require all denied
</FilesMatch>
<Directory @DOCS@/wp>
    AllowOverride All
</Directory>
<Directory @DOCS@/lv>
    AllowOverride All
</Directory>
<Directory @DOCS@/se>
    SetEnvIfNoCase ^Authorization$ "(.+)" HTTP_AUTHORIZATION=$1
</Directory>
<Directory @DOCS@/se2>
    SetEnvIf Authorization "(.*)" HTTP_AUTHORIZATION=$1
</Directory>
<Directory @DOCS@/fb>
    FallbackResource /fb/index.php
</Directory>
<Directory @DOCS@/iff>
    <FilesMatch ".+\.php$">
        <If "-f %{REQUEST_FILENAME}">
            SetHandler "proxy:fcgi://@FPM@"
        </If>
    </FilesMatch>
</Directory>
<Directory @DOCS@/cpa>
    CGIPassAuth On
</Directory>
ProxyPassMatch ^/pm/(.*\.php(/.*)?)$ fcgi://@FPM@@DOCS@/pm/$1
<Proxy "unix:@SOCK@|fcgi://php-fpm">
    ProxySet timeout=30
</Proxy>
<Directory @DOCS@/lim>
    LimitRequestBody 1000
</Directory>
<Directory @DOCS@/named>
    <FilesMatch "\.php$">
        SetHandler proxy:fcgi://php-fpm
    </FilesMatch>
</Directory>
<Directory @DOCS@/generic>
    ProxyFCGIBackendType GENERIC
</Directory>
SetEnv H_SRV srv
<Directory @DOCS@/rw>
    AllowOverride All
    RequestHeader append X-Rh one
</Directory>
<Location /ed>
    ErrorDocument 404 /rw/virtual/page
</Location>
<Location /ed2>
    ErrorDocument 404 /rw/nf.php
</Location>
<Directory @DOCS@/fixed>
    ProxyFCGISetEnvIf "true" PATH_INFO
    ProxyFCGISetEnvIf "reqenv('SCRIPT_NAME') =~ m#^/fixed/(.*)#" X_SCRIPT "$1"
</Directory>
`

// phpDump prints the request as PHP sees it: $_SERVER (less what names
// the server software or changes per connection, and php-fpm's own
// variables; mod_ssl's session id and library), $_GET, $_POST, the
// uploaded files and the raw body.
const phpDump = `<?php
header('Content-Type: text/plain');
$s = $_SERVER;
foreach (['REMOTE_PORT', 'SERVER_SOFTWARE', 'SERVER_SIGNATURE', 'REQUEST_TIME', 'REQUEST_TIME_FLOAT', 'PATH', 'HOME', 'USER', 'argv', 'argc',
    'SSL_SESSION_ID', 'SSL_VERSION_LIBRARY'] as $k) unset($s[$k]);
ksort($s);
foreach ($s as $k => $v) echo "$k=$v\n";
echo 'GET=', json_encode($_GET), "\n";
echo 'POST=', json_encode($_POST), "\n";
foreach ($_FILES as $k => $f) echo "FILE $k ", $f['name'], ' ', $f['size'], ' ', $f['error'], ' ', $f['error'] ? '' : md5_file($f['tmp_name']), "\n";
$in = file_get_contents('php://input');
echo 'INPUT ', strlen($in), ' ', md5($in), "\n";
`

// phpHeaders answers by its query: a status, a redirect, two cookies and
// a field of its own.
const phpHeaders = `<?php
header('X-App: one');
header('X-App: two', false);
setcookie('a', '1');
setcookie('b', '2', ['path' => '/x', 'httponly' => true]);
if (isset($_GET['code'])) http_response_code((int)$_GET['code']);
if (isset($_GET['to'])) header('Location: ' . $_GET['to']);
if (isset($_GET['status'])) header('Status: ' . $_GET['status']);
if (isset($_GET['ctype'])) header('Content-Type: ' . $_GET['ctype']);
if (isset($_GET['len'])) header('Content-Length: ' . $_GET['len']);
echo "headers\n";
`

// phpBig writes 4 MB in 64 KB pieces, flushing each; phpSlow writes,
// flushes, sleeps and writes again.
const phpBig = `<?php
header('Content-Type: application/octet-stream');
$p = str_repeat('0123456789abcdef', 4096);
for ($i = 0; $i < 64; $i++) { echo $p; flush(); }
`

const phpSlow = `<?php
echo "before\n"; flush();
usleep(1500000);
echo "after\n";
`

// phpWarn logs a line (FCGI_STDERR, AH01071).
const phpWarn = `<?php
error_log("first complaint");
echo "warned\n";
`

// phpNotFound answers 404 with a field of its own and flushes, an
// ErrorDocument's script.
const phpNotFound = `<?php
http_response_code(404);
header("X-Nf: 1");
echo "custom\n";
flush();
echo "more\n";
`

// wordpressHtaccess and laravelHtaccess are the front controllers'
// .htaccess files as they ship.
const wordpressHtaccess = `# BEGIN WordPress
<IfModule mod_rewrite.c>
RewriteEngine On
RewriteRule .* - [E=HTTP_AUTHORIZATION:%{HTTP:Authorization}]
RewriteBase /wp/
RewriteRule ^index\.php$ - [L]
RewriteCond %{REQUEST_FILENAME} !-f
RewriteCond %{REQUEST_FILENAME} !-d
RewriteRule . /wp/index.php [L]
</IfModule>
# END WordPress
`

const laravelHtaccess = `<IfModule mod_rewrite.c>
    <IfModule mod_negotiation.c>
        Options -MultiViews -Indexes
    </IfModule>

    RewriteEngine On

    # Handle Authorization Header
    RewriteCond %{HTTP:Authorization} .
    RewriteRule .* - [E=HTTP_AUTHORIZATION:%{HTTP:Authorization}]

    # Handle X-XSRF-Token Header
    RewriteCond %{HTTP:x-xsrf-token} .
    RewriteRule .* - [E=HTTP_X_XSRF_TOKEN:%{HTTP:X-XSRF-Token}]

    # Redirect Trailing Slashes If Not A Folder...
    RewriteCond %{REQUEST_FILENAME} !-d
    RewriteCond %{REQUEST_URI} (.+)/$
    RewriteRule ^ %1 [L,R=301]

    # Send Requests To Front Controller...
    RewriteCond %{REQUEST_FILENAME} !-d
    RewriteCond %{REQUEST_FILENAME} !-f
    RewriteRule ^ index.php [L]
</IfModule>
`

// TestPHPFPM: PHP through a real php-fpm as Debian and the front
// controllers set it up, apache2 2.4.71 and ours side by side under
// prefork and event: $_SERVER as PHP sees it (SCRIPT_NAME, PATH_INFO,
// PATH_TRANSLATED, REDIRECT_*, HTTP_AUTHORIZATION...), WordPress's and
// Laravel's rewrites, the headers a script sets, form posts, a 2 MB
// upload, a chunked body, a large flushed answer and a slow one.
func TestPHPFPM(t *testing.T) {
	for _, mpm := range []string{"event", "prefork"} {
		t.Run(mpm, func(t *testing.T) { testPHPFPM(t, mpm) })
	}
}

func testPHPFPM(t *testing.T, mpm string) {
	sock, addr := startPHPFPM(t)
	conf := strings.NewReplacer("@SOCK@", sock, "@FPM@", addr).Replace(phpFPMConf)
	if mpm == "prefork" {
		conf += "StartServers 2\n"
	}
	docs := map[string]string{
		"index.html": "home\n", "dump.php": phpDump, "headers.php": phpHeaders, "big.php": phpBig, "slow.php": phpSlow,
		"a.txt": "a\n", "src.phps": "<?php ?>\n", ".php": "<?php ?>\n", "sub/dump.php": phpDump, "sub/index.php": phpDump,
		"warn.php": phpWarn, "wp/.htaccess": wordpressHtaccess, "wp/index.php": phpDump, "wp/readme.html": "readme\n",
		"wp/wp-content/up.txt": "up\n", "wp/wp-admin/index.php": phpDump,
		"lv/.htaccess": laravelHtaccess, "lv/index.php": phpDump, "lv/robots.txt": "robots\n", "lv/css/app.css": "css\n",
		"se/dump.php": phpDump, "se2/dump.php": phpDump, "cpa/dump.php": phpDump, "pm/dump.php": phpDump, "pm/sub/x.php": phpDump,
		"ssl/dump.php": phpDump, "generic/dump.php": phpDump, "fixed/dump.php": phpDump, "fb/index.php": phpDump,
		"iff/dump.php": phpDump, "named/dump.php": phpDump, "lim/dump.php": phpDump,
		"rw/.htaccess": "SetEnv H_RW rw\n" + strings.ReplaceAll(wordpressHtaccess, "/wp/", "/rw/"), "rw/index.php": phpDump, "rw/nf.php": phpNotFound,
	}
	docs["certs/a.crt"], docs["certs/a.key"] = selfSigned(t, "main.test")
	p := startPairMPM(t, mpm, 2, conf, docs)
	const auth = "Authorization: Basic dXNlcjpwYXNz\r\n"
	req := func(line string, fields ...string) string {
		return line + " HTTP/1.1\r\nHost: main.test\r\n" + strings.Join(fields, "") + "Connection: close\r\n\r\n"
	}
	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	must(t, mw.WriteField("title", "hello world"))
	fw, err := mw.CreateFormFile("upload", "big.bin")
	must(t, err)
	upload := bytes.Repeat([]byte("0123456789abcdef"), 2<<20/16)
	_, err = fw.Write(upload)
	must(t, err)
	must(t, mw.Close())
	reqs := []string{
		req("GET /dump.php?a=1&b=%20x"),
		req("GET /dump.php/extra/path?q"),
		req("GET /sub/dump.php/a%20b/"),
		req("GET /sub/"),
		req("GET /sub/?x=1"),
		req("GET /"),
		req("GET /missing.php"),
		req("GET /missing.php/x"),
		req("GET /src.phps"),
		req("GET /.php"),
		req("HEAD /dump.php"),
		req("GET /dump.php", auth),
		req("GET /se/dump.php", auth),
		req("GET /cpa/dump.php", auth),
		req("GET /se2/dump.php", auth),
		req("GET /se2/dump.php"),
		req("GET /fb/some/page?x=1"),
		req("GET /fb/"),
		// OPTIONS too reaches the script mod_dir hands the request to
		// (FallbackResource, DirectoryIndex), as any PHP file's handler.
		req("OPTIONS /fb/some/page?x=1"),
		req("OPTIONS /sub/"),
		req("OPTIONS /dump.php"),
		req("GET /iff/dump.php/pi"),
		req("GET /iff/missing.php"),
		req("GET /warn.php"),
		req("GET /pm/dump.php?z=2"),
		req("GET /pm/sub/x.php/more/info"),
		req("GET /pm/missing.php"),
		req("GET /generic/dump.php/pi"),
		// The handler naming a <Proxy> worker of a socket (the httpd
		// wiki's setup).
		req("GET /named/dump.php/x?1"),
		req("POST /named/dump.php", "Content-Length: 5\r\n") + "hello",
		req("GET /fixed/dump.php/pi"),
		// WordPress: pretty permalinks, files and directories as they
		// are, wp-admin/ by its DirectoryIndex.
		req("GET /wp/"),
		req("GET /wp/hello-world/?p=1"),
		req("GET /wp/2024/01/post", auth),
		req("GET /wp/index.php"),
		req("GET /wp/readme.html"),
		req("GET /wp/wp-content/up.txt"),
		req("GET /wp/wp-content/"),
		req("GET /wp/wp-admin/"),
		req("GET /wp/wp-admin"),
		req("POST /wp/wp-login.php", "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 19\r\n") + "log=admin&pwd=s%21t",
		// A per-directory rewrite's internal redirect: SetEnv's variables
		// (the server's, the .htaccess file's) come as REDIRECT_*, and
		// REDIRECT_STATUS is the request's status (an ErrorDocument's).
		req("GET /rw/virtual/page"),
		req("GET /ed/missing"),
		req("HEAD /ed/missing"),
		// An ErrorDocument's script answering 404 itself and flushing:
		// its answer, status, fields and body.
		req("GET /ed2/missing"),
		req("HEAD /ed2/missing"),
		// Laravel: the front controller, the trailing-slash redirect,
		// the Authorization and X-XSRF-Token rules.
		req("GET /lv/"),
		req("GET /lv/users/5?sort=name", auth, "X-XSRF-Token: tok\r\n"),
		req("GET /lv/users/"),
		req("GET /lv/robots.txt"),
		req("GET /lv/css/app.css"),
		req("GET /lv/css/"),
		// What a script sets.
		req("GET /headers.php"),
		req("GET /headers.php?code=404"),
		req("GET /headers.php?code=503"),
		req("GET /headers.php?to=/a.txt"),
		req("GET /headers.php?to=http://elsewhere.test/x"),
		req("GET /headers.php?to=/a.txt&code=301"),
		req("GET /headers.php?status=418%20Teapot"),
		req("GET /headers.php?ctype=application/json"),
		req("GET /headers.php?len=8"),
		// Bodies.
		req("POST /dump.php", "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 21\r\n") + "name=a+b&list[]=1&x=%",
		req("POST /dump.php", "Content-Type: text/plain\r\nTransfer-Encoding: chunked\r\n") + chunks("hello ", "chunked ", "world"),
		req("POST /dump.php", "Content-Type: "+mw.FormDataContentType()+"\r\nContent-Length: "+strconv.Itoa(form.Len())+"\r\n") + form.String(),
		req("POST /dump.php", "Content-Type: "+mw.FormDataContentType()+"\r\nTransfer-Encoding: chunked\r\n") + chunks(form.String()[:70000], form.String()[70000:]),
		req("PUT /pm/dump.php", "Content-Length: 5\r\n") + "hello",
		// LimitRequestBody does not hold back what goes to PHP.
		req("POST /lim/dump.php", "Content-Length: 5000\r\n") + strings.Repeat("x", 5000),
		req("POST /lim/dump.php", "Transfer-Encoding: chunked\r\n") + chunks(strings.Repeat("x", 600), strings.Repeat("y", 600)),
		req("POST /lim/a.txt", "Content-Length: 5000\r\n") + strings.Repeat("x", 5000),
		req("GET /big.php"),
		req("GET /slow.php"),
	}
	fpmPort := addr[strings.LastIndex(addr, ":")+1:]
	p.compareProxyAnswers(reqs, strings.NewReplacer(fpmPort, "@FPMPORT@"))
	// Over TLS: HTTPS, and mod_ssl's variables with StdEnvVars.
	for _, r := range []string{req("GET /dump.php/x?y"), req("GET /wp/a/post", auth), req("GET /ssl/dump.php"), req("GET /headers.php?to=/a.txt")} {
		want := p.apache.askTLS(t, 1, "main.test", r).as.String()
		got := p.ours.askTLS(t, 1, "main.test", r).as.String()
		if got != want {
			t.Errorf("TLS %.90q:\n apache: %s\n ours:   %s", r, want, got)
		} else {
			t.Logf("TLS %.90q: both %s", r, want)
		}
	}
	// HTTP/1.0 reads the big answer to the close.
	for _, s := range []*diffServer{p.apache, p.ours} {
		a := s.proxyAnswer(t, "GET /big.php HTTP/1.0\r\nHost: main.test\r\n\r\n")
		if !strings.HasPrefix(a, "200 ") || !strings.Contains(a, fmt.Sprintf("%d bytes", 64*65536)) {
			t.Errorf("%s: /big.php over HTTP/1.0: %.300s", s.name, a)
		}
	}
	p.checkProxyCodes()
	// The script's error_log() came as FCGI_STDERR.
	for _, s := range []*diffServer{p.apache, p.ours} {
		log, err := os.ReadFile(filepath.Join(s.root, "logs/error_log"))
		must(t, err)
		if !strings.Contains(string(log), "AH01071: Got error 'PHP message: first complaint'") {
			t.Errorf("%s: error_log has no AH01071 with the script's error_log()", s.name)
		}
	}
}

// phpFPMWikiConf is the httpd wiki's php-fpm setup: a <Proxy> section
// naming the pool's socket, and SetHandler naming its worker, without a
// ProxyPass.
const phpFPMWikiConf = `ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
LoadModule proxy_module /usr/lib/apache2/modules/mod_proxy.so
LoadModule proxy_fcgi_module /usr/lib/apache2/modules/mod_proxy_fcgi.so
<Proxy "unix:@SOCK@|fcgi://php-fpm">
    ProxySet timeout=5
</Proxy>
<FilesMatch \.php$>
    SetHandler proxy:fcgi://php-fpm
</FilesMatch>
`

// TestPHPFPMWiki: the httpd wiki's php-fpm setup, without a ProxyPass: the
// handler reaches the socket of the <Proxy> section's worker, as apache2's;
// and so it does with a ProxyPass line to a path of the same socket's URL
// before the section (the status page's), whose worker's URL does not
// start the handler's.
func TestPHPFPMWiki(t *testing.T) {
	sock, _ := startPHPFPM(t)
	for name, pre := range map[string]string{"alone": "", "status": "ProxyPass /fpm-status unix:@SOCK@|fcgi://php-fpm/fpm-status\n"} {
		t.Run(name, func(t *testing.T) {
			conf := strings.ReplaceAll(strings.Replace(phpFPMWikiConf, "<Proxy", pre+"<Proxy", 1), "@SOCK@", sock)
			p := startPairMPM(t, "event", 1, conf, map[string]string{"dump.php": phpDump, "d/y.php": phpDump})
			req := func(line string) string { return line + " HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n" }
			p.compareProxyAnswers([]string{req("GET /dump.php/x?1"), req("GET /d/y.php")}, strings.NewReplacer())
			for _, s := range []*diffServer{p.apache, p.ours} {
				if a := s.proxyAnswer(t, req("GET /d/y.php")); !strings.Contains(a, "FPM_POOL=unix") {
					t.Errorf("%s: /d/y.php: %.300s", s.name, a)
				}
			}
			p.checkProxyCodes()
		})
	}
}
