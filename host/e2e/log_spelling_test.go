package e2e_test

import (
	"strconv"
	"testing"
	"time"
)

// logSpellingConf sets response fields under names spelled otherwise than
// the LogFormat and the expressions that read them spell them, repeats
// some (onsuccess and always lines, Set-Cookie) and logs the types of a
// file and an error page.
const logSpellingConf = mainSite + `Header set x-foo bar
Header set X-BAR baz
Header add X-Multi one
Header add X-Multi two
Header always set x-ERR e1
Header always add X-Both always
Header add X-Both onsuccess
Header add Set-Cookie a=1
Header add Set-Cookie b=2
Header always add Set-Cookie c=3
Header set X-Copy "expr=%{resp:X-Foo}"
Header set X-If yes "expr=resp('X-FOO') == 'bar'"
LogFormat "%>s %U foo=%{X-Foo}o bar=%{x-bar}o multi=%{X-Multi}o err=%{X-Err}o both=%{x-both}o cookie=%{set-cookie}o type=%{content-type}o copy=%{X-Copy}o if=%{x-if}o" spell
CustomLog logs/spell_log spell
`

// TestLogResponseFieldSpelling: %{NAME}o and an expression's resp() find a
// response field whatever the spelling of the Header line that set it
// (apache2's tables compare names without regard to case), and log as
// apache2's log_header_out does: the first line of a repeated name but
// Set-Cookie's (all, joined with ", "), and Content-Type without its
// parameters.
func TestLogResponseFieldSpelling(t *testing.T) {
	p := startPair(t, 1, logSpellingConf, map[string]string{"a.html": "<p>a</p>\n", "a.txt": "a\n"})
	p.compareEach([]string{
		get("/a.html", "main.test"),
		get("/a.txt", "main.test"),
		get("/missing", "main.test"),
	}, (*diffServer).headerAnswer)
	p.checkLogs("spell_log")
}

// setEnvIfNamesConf matches request field names with regexes, which
// apache2 applies to each name as the client spelled it, the last
// matching field in the order received winning.
const setEnvIfNamesConf = mainSite + `SetEnvIf ^x-l ".+" LOW=$0
SetEnvIf ^X-Up "." UP=$0
SetEnvIf ^[Xx]-[Mm] "^.+$" LAST=$0
LogFormat "%U%q low=%{LOW}e up=%{UP}e last=%{LAST}e" names
CustomLog logs/names_log names
`

// TestSetEnvIfFieldNameRegex: a SetEnvIf whose attribute is a regex
// matches the request's field names as the client spelled them (^x-l
// matches x-low, not X-LOW) and takes the last matching field in the
// order received, a repeated one's lines as one.
func TestSetEnvIfFieldNameRegex(t *testing.T) {
	p := startPair(t, 1, setEnvIfNamesConf, map[string]string{"a.txt": "a\n"})
	for _, s := range []*diffServer{p.apache, p.ours} {
		for _, req := range []string{
			request("GET", "/a.txt?1", "main.test", "", "x-low: lo", "X-Mone: m1", "x-up: u", "x-mtwo: m2", "X-Mone: m3"),
			request("GET", "/a.txt?2", "main.test", "", "X-LOW: lo", "X-Up: u", "x-mtwo: m2", "X-Mone: m1", "X-Mone: m3"),
		} {
			s.exchange(t, "127.0.0.1", 0, req, 10*time.Second)
		}
	}
	p.checkLogs("names_log")
}

// TestSetEnvIfAddedFieldName: a SetEnvIf name regex also sees the fields
// added after the request was read (mod_remoteip's RemoteIPProxiesHeader),
// after the client's (spfix). Each line logs its query: the lines are
// compared sorted, and a result given to the wrong request must show.
func TestSetEnvIfAddedFieldName(t *testing.T) {
	p := startPair(t, 1, `LoadModule remoteip_module `+apacheModuleDir+`/mod_remoteip.so
`+mainSite+`RemoteIPHeader X-Forwarded-For
RemoteIPProxiesHeader X-Forwarded-By
RemoteIPTrustedProxy 127.0.0.1 8.8.8.8
SetEnvIf ^X-Forwarded-B (.*) FB=$1
SetEnvIf ^x-f (.*) XF=$1
LogFormat "%U%q fb=%{FB}e xf=%{XF}e" added
CustomLog logs/added_log added
`, map[string]string{"a.txt": "a\n"})
	for _, s := range []*diffServer{p.apache, p.ours} {
		for i, fields := range [][]string{
			{"X-Forwarded-For: 1.2.3.4, 8.8.8.8"},
			{"x-forwarded-by: client", "X-Forwarded-For: 1.2.3.4, 8.8.8.8"},
			{"X-Forwarded-For: 1.2.3.4"},
		} {
			s.exchange(t, "127.0.0.1", 0, request("GET", "/a.txt?"+strconv.Itoa(i), "main.test", "", fields...), 10*time.Second)
		}
	}
	p.checkLogs("added_log")
}

// TestLogCookie: %{NAME}C logs a cookie of the request's Cookie field as
// apache2's log_cookie: the name compared without regard to case, the
// value trimmed of blanks (but when a ';' ends the field), a cookie without
// a value skipped, several Cookie lines read as one joined with ", ".
func TestLogCookie(t *testing.T) {
	p := startPair(t, 1, mainSite+`LogFormat "%U%q sid=%{SID}C a=%{a}C b=%{b}C k=%{k}C e=\"%{e}C\"" cookies
CustomLog logs/cookies_log cookies
`, map[string]string{"a.txt": "a\n"})
	for _, s := range []*diffServer{p.apache, p.ours} {
		for i, fields := range [][]string{
			{"Cookie: sid=s1; a=1; b=2"},
			{"Cookie:  Sid = x y ;a=; b ;k=v=w"},
			{"Cookie: a=1", "Cookie: b=2"},
			{},
			{"Cookie: a=1; B=2;c=;d; e = 5 ;"},
			{"Cookie: e = 5 ;;"},
		} {
			s.exchange(t, "127.0.0.1", 0, request("GET", "/a.txt?"+strconv.Itoa(i), "main.test", "", fields...), 10*time.Second)
		}
	}
	p.checkLogs("cookies_log")
}
