package errline

import (
	"syscall"
	"testing"
	"time"
)

// TestAppend: a server's line and a request's, as apache2 2.4.71 wrote them
// (its ErrorLogFormat names the thread too: "[pid 22090:tid 22135]"):
//
//	[Sun Nov 22 17:44:05.008514 2026] [authz_core:error] [pid 22090] [client 127.0.0.1:34490] AH01630: client denied by server configuration: /tmp/apx/www/private/x.txt, referer: http://ex.com/x
func TestAppend(t *testing.T) {
	at := time.Date(2026, 11, 22, 17, 44, 5, 8514789, time.UTC)
	for _, c := range []struct {
		line Line
		want string
	}{
		{Line{Time: at, Module: "mpm_event", Level: "notice", Pid: 7, Message: "AH00489: resuming normal operations\n"},
			"[Sun Nov 22 17:44:05.008514 2026] [mpm_event:notice] [pid 7] AH00489: resuming normal operations\n"},
		{Line{Time: at, Module: "authz_core", Level: "error", Pid: 22090, Client: "127.0.0.1:34490",
			Message: "AH01630: client denied by server configuration: /tmp/apx/www/private/x.txt", Referer: "http://ex.com/x"},
			"[Sun Nov 22 17:44:05.008514 2026] [authz_core:error] [pid 22090] [client 127.0.0.1:34490] AH01630: client denied by server configuration: /tmp/apx/www/private/x.txt, referer: http://ex.com/x\n"},
		{Line{Time: at.Add(time.Second), Module: "core", Level: "error", Pid: 1, Errno: syscall.EACCES, Client: "::1:48816", Message: "AH00132: x"},
			"[Sun Nov 22 17:44:06.008514 2026] [core:error] [pid 1] (13)Permission denied: [client ::1:48816] AH00132: x\n"},
		{Line{Time: at, Module: "core", Level: "warn", Pid: 1, Errno: syscall.ENOENT, Message: "m"},
			"[Sun Nov 22 17:44:05.008514 2026] [core:warn] [pid 1] (2)No such file or directory: m\n"},
		{Line{Time: at, Module: "proxy", Level: "error", Pid: 1, Errno: EOF, Message: "AH01095: x"},
			"[Sun Nov 22 17:44:05.008514 2026] [proxy:error] [pid 1] (70014)End of file found: AH01095: x\n"},
	} {
		if got := string(Append(nil, &c.line)); got != c.want {
			t.Errorf("got  %q\nwant %q", got, c.want)
		}
	}
}

// TestTime: the timestamp is time.Format's "Mon Jan 02 15:04:05.000000 2006",
// whatever second, location or microsecond comes after which (the cached second
// is not reused for another second or another location).
func TestTime(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		berlin = time.FixedZone("CET", 3600)
	}
	base := time.Date(2026, 3, 29, 0, 59, 59, 999999999, time.UTC)
	for i, d := range []time.Duration{0, 1, 999, 1000, time.Second, time.Second + 1, 0, time.Hour, 365 * 24 * time.Hour} {
		for _, loc := range []*time.Location{time.UTC, berlin, time.UTC} {
			tm := base.Add(d).In(loc)
			want := tm.Format("Mon Jan 02 15:04:05.000000 2006")
			if got := string(appendTime(nil, tm)); got != want {
				t.Errorf("%d %v: got %q, want %q", i, loc, got, want)
			}
		}
	}
}

func BenchmarkAppend(b *testing.B) {
	l := Line{Time: time.Now(), Module: "authz_core", Level: "error", Pid: 22090, Client: "127.0.0.1:34490",
		Message: "AH01630: client denied by server configuration: /tmp/apx/www/private/x.txt"}
	buf := make([]byte, 0, 512)
	for b.Loop() {
		l.Time = time.Now()
		buf = Append(buf[:0], &l)
	}
}
